#include "watcher/master_order_store.h"

#include <cstdlib>

namespace ct::watcher {

MasterOrderStore::MasterOrderStore(bus::Journal& journal) : journal_(journal) {
  // master_orders held the state before positions and accepted views were
  // kept; a watcher upgraded mid-day takes a new baseline.
  journal_.Exec("DROP TABLE IF EXISTS master_orders");
  journal_.Exec("CREATE TABLE IF NOT EXISTS watcher_day(day TEXT PRIMARY KEY, positions_known INTEGER NOT NULL)");
  journal_.Exec(
      "CREATE TABLE IF NOT EXISTS watcher_order(day TEXT NOT NULL, orderid TEXT NOT NULL,"
      " baseline INTEGER NOT NULL, events INTEGER NOT NULL, view BLOB NOT NULL, PRIMARY KEY(day, orderid))");
  journal_.Exec(
      "CREATE TABLE IF NOT EXISTS watcher_position(day TEXT NOT NULL, position TEXT NOT NULL,"
      " net_quantity INTEGER NOT NULL, PRIMARY KEY(day, position))");
  save_order_ = std::make_unique<bus::Statement>(
      journal_.db(), "INSERT OR REPLACE INTO watcher_order(day, orderid, baseline, events, view) VALUES(?,?,?,?,?)");
  save_position_ = std::make_unique<bus::Statement>(
      journal_.db(), "INSERT OR REPLACE INTO watcher_position(day, position, net_quantity) VALUES(?,?,?)");
}

std::optional<TrackerState> MasterOrderStore::Load(const std::string& day) {
  TrackerState state;
  {
    bus::Statement q(journal_.db(), "SELECT positions_known FROM watcher_day WHERE day=?");
    q.Bind(1, day);
    const int64_t known = q.SingleInt(-1);
    if (known < 0) return std::nullopt;
    state.positions_known = known != 0;
  }
  bus::Statement orders(journal_.db(), "SELECT orderid, baseline, events, view FROM watcher_order WHERE day=?");
  orders.Bind(1, day);
  while (orders.Step()) {
    TrackedOrder t;
    t.baseline = orders.Int(1) != 0;
    t.events = orders.Int(2);
    // Written by SaveOrder from a valid message; unreadable means the file
    // is damaged, which the journal's own checks would have caught.
    if (!t.view.ParseFromString(orders.Blob(3))) std::abort();
    state.orders.emplace(orders.Text(0), std::move(t));
  }
  orders.Reset();
  bus::Statement positions(journal_.db(), "SELECT position, net_quantity FROM watcher_position WHERE day=?");
  positions.Bind(1, day);
  while (positions.Step()) state.positions[positions.Text(0)] = positions.Int(1);
  positions.Reset();
  return state;
}

void MasterOrderStore::SaveBaseline(const std::string& day, const TrackerState& state) {
  for (const char* table : {"watcher_day", "watcher_order", "watcher_position"}) {
    bus::Statement drop(journal_.db(), std::string("DELETE FROM ") + table + " WHERE day<>?");
    drop.Bind(1, day);
    drop.Step();
  }
  bus::Statement d(journal_.db(), "INSERT OR REPLACE INTO watcher_day(day, positions_known) VALUES(?,?)");
  d.Bind(1, day).Bind(2, state.positions_known ? 1 : 0);
  d.Step();
  for (const auto& [id, t] : state.orders) SaveOrder(day, id, t);
  for (const auto& [key, qty] : state.positions) SavePosition(day, key, qty);
}

void MasterOrderStore::SaveOrder(const std::string& day, const std::string& orderid, const TrackedOrder& t) {
  save_order_->Reset();
  save_order_->Bind(1, day).Bind(2, orderid).Bind(3, t.baseline ? 1 : 0).Bind(4, t.events)
      .BindBlob(5, t.view.SerializeAsString());
  save_order_->Step();
}

void MasterOrderStore::SavePosition(const std::string& day, const std::string& key, int64_t net_quantity) {
  save_position_->Reset();
  save_position_->Bind(1, day).Bind(2, key).Bind(3, net_quantity);
  save_position_->Step();
}

}  // namespace ct::watcher
