#include "router/router_store.h"

#include <nlohmann/json.hpp>

namespace ct::router {
namespace v1 = copytrade::v1;
namespace {

std::string LegsJson(const std::vector<LegMade>& legs) {
  nlohmann::json a = nlohmann::json::array();
  for (const auto& l : legs) a.push_back({{"leg", l.leg}, {"ordertag", l.ordertag}, {"quantity", l.quantity}, {"live", l.live}});
  return a.dump();
}

std::vector<LegMade> LegsFrom(const std::string& text) {
  std::vector<LegMade> legs;
  for (const auto& j : nlohmann::json::parse(text))
    legs.push_back({j.at("leg").get<int>(), j.at("ordertag").get<std::string>(), j.at("quantity").get<int64_t>(),
                    j.at("live").get<bool>()});
  return legs;
}

// The held instructions as one blob: a ControlReply's HeldCopy list is the
// proto that already holds "instructions of one copy".
std::string HeldBlob(const std::vector<v1::CopyInstruction>& held) {
  v1::ControlReply r;
  for (const auto& ci : held) *r.add_held()->mutable_instruction() = ci;
  return r.SerializeAsString();
}

std::vector<v1::CopyInstruction> HeldFrom(const std::string& blob) {
  v1::ControlReply r;
  std::vector<v1::CopyInstruction> out;
  if (!r.ParseFromString(blob)) return out;
  for (const auto& h : r.held()) out.push_back(h.instruction());
  return out;
}

}  // namespace

RouterStore::RouterStore(bus::Journal& journal) : journal_(journal) {
  journal_.Exec("CREATE TABLE IF NOT EXISTS router_follower(follower TEXT PRIMARY KEY, paused INTEGER NOT NULL)");
  journal_.Exec(
      "CREATE TABLE IF NOT EXISTS router_day(follower TEXT NOT NULL, day TEXT NOT NULL, orders INTEGER NOT NULL,"
      " loss_limit_hit INTEGER NOT NULL, PRIMARY KEY(follower, day))");
  journal_.Exec(
      "CREATE TABLE IF NOT EXISTS router_copy(master_order_id TEXT NOT NULL, follower TEXT NOT NULL,"
      " state INTEGER NOT NULL, copy_id TEXT NOT NULL, legs TEXT NOT NULL, held BLOB NOT NULL,"
      " held_ns INTEGER NOT NULL, expires_ns INTEGER NOT NULL, PRIMARY KEY(master_order_id, follower))");
  journal_.Exec("CREATE INDEX IF NOT EXISTS router_copy_by_state ON router_copy(state, held_ns)");
}

bool RouterStore::Paused(const std::string& follower) {
  bus::Statement q(journal_.db(), "SELECT paused FROM router_follower WHERE follower=?");
  q.Bind(1, follower);
  return q.SingleInt(0) != 0;
}

void RouterStore::SetPaused(const std::string& follower, bool paused) {
  bus::Statement q(journal_.db(), "INSERT OR REPLACE INTO router_follower(follower, paused) VALUES(?,?)");
  q.Bind(1, follower).Bind(2, int64_t{paused ? 1 : 0});
  q.Step();
}

int64_t RouterStore::OrdersToday(const std::string& follower, const std::string& day) {
  bus::Statement q(journal_.db(), "SELECT orders FROM router_day WHERE follower=? AND day=?");
  q.Bind(1, follower).Bind(2, day);
  return q.SingleInt(0);
}

void RouterStore::AddOrder(const std::string& follower, const std::string& day) {
  bus::Statement q(journal_.db(),
                   "INSERT INTO router_day(follower, day, orders, loss_limit_hit) VALUES(?,?,1,0)"
                   " ON CONFLICT(follower, day) DO UPDATE SET orders = orders + 1");
  q.Bind(1, follower).Bind(2, day);
  q.Step();
}

bool RouterStore::LossLimitHit(const std::string& follower, const std::string& day) {
  bus::Statement q(journal_.db(), "SELECT loss_limit_hit FROM router_day WHERE follower=? AND day=?");
  q.Bind(1, follower).Bind(2, day);
  return q.SingleInt(0) != 0;
}

void RouterStore::SetLossLimitHit(const std::string& follower, const std::string& day) {
  bus::Statement q(journal_.db(),
                   "INSERT INTO router_day(follower, day, orders, loss_limit_hit) VALUES(?,?,0,1)"
                   " ON CONFLICT(follower, day) DO UPDATE SET loss_limit_hit = 1");
  q.Bind(1, follower).Bind(2, day);
  q.Step();
}

std::optional<CopyMade> RouterStore::Copy(const std::string& master_order_id, const std::string& follower) {
  bus::Statement q(journal_.db(),
                   "SELECT state, copy_id, legs, held FROM router_copy WHERE master_order_id=? AND follower=?");
  q.Bind(1, master_order_id).Bind(2, follower);
  if (!q.Step()) return std::nullopt;
  CopyMade c;
  c.state = static_cast<CopyMade::State>(q.Int(0));
  c.copy_id = q.Text(1);
  c.legs = LegsFrom(q.Text(2));
  c.held = HeldFrom(q.Blob(3));
  return c;
}

void RouterStore::SaveCopy(const std::string& master_order_id, const std::string& follower, const CopyMade& copy,
                           int64_t held_ns, int64_t expires_ns) {
  bus::Statement q(journal_.db(),
                   "INSERT OR REPLACE INTO router_copy(master_order_id, follower, state, copy_id, legs, held,"
                   " held_ns, expires_ns) VALUES(?,?,?,?,?,?,?,?)");
  q.Bind(1, master_order_id).Bind(2, follower).Bind(3, static_cast<int64_t>(copy.state)).Bind(4, copy.copy_id)
      .Bind(5, LegsJson(copy.legs)).BindBlob(6, copy.state == CopyMade::State::kHeld ? HeldBlob(copy.held) : "")
      .Bind(7, held_ns).Bind(8, expires_ns);
  q.Step();
}

std::vector<HeldEntry> RouterStore::AllHeld() {
  std::vector<HeldEntry> out;
  bus::Statement q(journal_.db(),
                   "SELECT master_order_id, follower, copy_id, held, held_ns, expires_ns FROM router_copy"
                   " WHERE state=? ORDER BY held_ns, copy_id");
  q.Bind(1, static_cast<int64_t>(CopyMade::State::kHeld));
  while (q.Step()) {
    HeldEntry h;
    h.master_order_id = q.Text(0);
    h.follower_id = q.Text(1);
    h.copy.state = CopyMade::State::kHeld;
    h.copy.copy_id = q.Text(2);
    h.copy.held = HeldFrom(q.Blob(3));
    h.held_ns = q.Int(4);
    h.expires_ns = q.Int(5);
    out.push_back(std::move(h));
  }
  return out;
}

std::optional<HeldEntry> RouterStore::Held(const std::string& copy_id) {
  for (auto& h : AllHeld())
    if (h.copy.copy_id == copy_id) return h;
  return std::nullopt;
}

}  // namespace ct::router
