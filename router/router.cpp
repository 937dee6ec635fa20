#include "router/router.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <ctime>
#include <filesystem>
#include <fstream>

#include "common/log/log.h"
#include "router/rules.h"

namespace ct::router {
namespace v1 = copytrade::v1;
namespace {

const char* OutcomeName(v1::Outcome o) {
  switch (o) {
    case v1::OUTCOME_ACCEPTED: return "ACCEPTED";
    case v1::OUTCOME_REJECTED: return "REJECTED";
    case v1::OUTCOME_SKIPPED: return "SKIPPED";
    case v1::OUTCOME_FAILED: return "FAILED";
    case v1::OUTCOME_DRY_RUN: return "DRY_RUN";
    case v1::OUTCOME_STALE: return "STALE";
    case v1::OUTCOME_FILLED: return "FILLED";
    case v1::OUTCOME_PARTIALLY_FILLED: return "PARTIALLY_FILLED";
    case v1::OUTCOME_CANCELLED: return "CANCELLED";
    case v1::OUTCOME_HELD: return "HELD";
    case v1::OUTCOME_MODIFIED: return "MODIFIED";
    default: return "UNSPECIFIED";
  }
}

double Round2(double v) { return std::round(v * 100.0) / 100.0; }

std::string IsoTime(int64_t ns) {
  if (ns <= 0) return "";
  const std::time_t t = static_cast<std::time_t>(ns / 1'000'000'000);
  std::tm tm{};
  localtime_r(&t, &tm);
  char buf[40];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  char ms[8];
  std::snprintf(ms, sizeof ms, ".%03d", static_cast<int>((ns / 1'000'000) % 1000));
  return std::string(buf) + ms;
}

}  // namespace

std::string RecordsFileName(const std::string& dir, int64_t wall_ns) {
  const std::time_t t = static_cast<std::time_t>(wall_ns / 1'000'000'000);
  std::tm tm{};
  localtime_r(&t, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "copy_trading_%Y%m%d_%H%M%S.json", &tm);
  return (std::filesystem::path(dir) / buf).string();
}

// ---- SessionRecords --------------------------------------------------------

SessionRecords::SessionRecords(bus::Journal& journal, std::string file,
                               const std::vector<FollowerTarget>& followers)
    : journal_(journal), file_(std::move(file)) {
  for (const auto& f : followers) client_ids_[f.settings.id] = f.client_id;
  journal_.Exec(
      "CREATE TABLE IF NOT EXISTS records(ordertag TEXT PRIMARY KEY, session TEXT NOT NULL,"
      " outcome TEXT NOT NULL, record TEXT NOT NULL, time_ns INTEGER NOT NULL)");
}

bool SessionRecords::Add(const v1::ExecutionReport& r) {
  const auto& o = r.order();
  // A copy succeeded only when it filled: accepted is not done, and an
  // accepted order can still be rejected.
  const bool filled = r.outcome() == v1::OUTCOME_FILLED;
  const bool has_fill = r.filled_quantity() > 0;
  const auto& t = r.timings();
  nlohmann::json rec = {
      // The seed's fields.
      {"timestamp", IsoTime(r.reported_time_ns())},
      {"master_order_id", r.master_order_id()},
      {"symbol", o.tradingsymbol()},
      {"transaction_type", o.transactiontype()},
      {"quantity", o.quantity()},
      {"price", Round2(has_fill ? r.average_price() : o.price())},
      {"follower", client_ids_.count(r.follower_id()) ? client_ids_[r.follower_id()] : r.follower_id()},
      {"success", filled},
      {"follower_order_id", r.broker_order_id()},
      {"error", r.error_code().empty() ? r.error_text() : r.error_code() + ": " + r.error_text()},
      // copytrade's own.
      {"follower_id", r.follower_id()},
      {"exchange", o.exchange()},
      {"side", o.transactiontype()},
      {"order_type", o.ordertype()},
      {"state", OutcomeName(r.outcome())},
      {"outcome", OutcomeName(r.outcome())},
      {"final", r.final()},
      {"filled_quantity", r.filled_quantity()},
      {"fill_price", Round2(r.average_price())},
      {"limit_price", Round2(r.limit_price())},
      {"master_price", Round2(r.master_price())},
      {"slippage_bps", has_fill ? std::round(r.slippage_bps() * 10.0) / 10.0 + 0.0 : 0.0},  // + 0.0: never -0.0
      {"modifications", r.modifications()},
      {"reason", r.reason()},
      {"ordertag", r.ordertag()},
      {"copy_id", r.copy_id()},
      {"leg", r.leg()},
      {"legs", r.legs()},
      {"follower_unique_order_id", r.broker_unique_order_id()},
      {"master_time", IsoTime(r.master_event_time_ns())},
      {"reported_time", IsoTime(r.reported_time_ns())},
      // Milliseconds from the watcher's detection of the master's change.
      {"timings_ms",
       {{"routed", t.routed_ms()},
        {"instruction_received", t.instruction_received_ms()},
        {"request_sent", t.request_sent_ms()},
        {"accepted", t.accepted_ms()},
        {"first_fill", t.first_fill_ms()},
        {"final", t.final_ms()}}},
      {"copy_latency_ms", t.accepted_ms()},
      {"master_detected_ns", r.master_event_detected_ns()},
  };
  // One record per copy (ordertag). A repeated report changes nothing; a
  // later, different outcome (an unknown outcome resolved) replaces it.
  bus::Statement prev(journal_.db(), "SELECT outcome FROM records WHERE ordertag=?");
  prev.Bind(1, r.ordertag());
  if (prev.Step() && prev.Text(0) == OutcomeName(r.outcome())) return false;
  bus::Statement ins(journal_.db(),
                     "INSERT OR REPLACE INTO records(ordertag, session, outcome, record, time_ns) VALUES(?,?,?,?,?)");
  ins.Bind(1, r.ordertag()).Bind(2, file_).Bind(3, std::string(OutcomeName(r.outcome())))
      .Bind(4, rec.dump()).Bind(5, r.reported_time_ns());
  ins.Step();
  dirty_ = true;
  return true;
}

void SessionRecords::AddSkipped(const v1::MasterOrderEvent& event, const FollowerTarget& follower,
                                const std::string& reason) {
  v1::ExecutionReport r;
  r.set_follower_id(follower.settings.id);
  r.set_master_order_id(event.order().orderid());
  r.set_outcome(v1::OUTCOME_SKIPPED);
  r.set_error_text(reason);
  r.set_ordertag(OrderTag(event.order().orderid(), follower.settings.id, 0));
  *r.mutable_order() = event.order();
  r.set_master_event_time_ns(event.master_event_time_ns());
  r.set_reported_time_ns(event.detected_time_ns());
  r.set_final(true);
  r.set_reason(reason);
  r.set_master_quantity(event.order().quantity());
  r.set_master_event_detected_ns(event.detected_time_ns());
  Add(r);
}

void SessionRecords::Write() {
  dirty_ = false;
  nlohmann::json records = nlohmann::json::array();
  int64_t ok = 0, partial = 0, failed = 0, skipped = 0, working = 0, dry_run = 0;
  bus::Statement q(journal_.db(), "SELECT outcome, record FROM records WHERE session=? ORDER BY time_ns");
  q.Bind(1, file_);
  while (q.Step()) {
    auto rec = nlohmann::json::parse(q.Text(1));
    const std::string outcome = q.Text(0);
    if (outcome == "SKIPPED") ++skipped;
    else if (outcome == "DRY_RUN") ++dry_run;
    else if (outcome == "FILLED") ++ok;
    else if (outcome == "PARTIALLY_FILLED") ++partial;
    else if (outcome == "ACCEPTED" || outcome == "MODIFIED" || outcome == "HELD") ++working;
    else ++failed;  // REJECTED, FAILED, STALE, CANCELLED
    records.push_back(std::move(rec));
  }
  const int64_t total = ok + partial + failed + working;
  nlohmann::json doc = {
      {"records", records},
      {"statistics",
       {{"total_copies", total},
        {"successful", ok},
        {"failed", failed},
        {"partially_filled", partial},
        {"working", working},
        {"skipped", skipped},
        {"dry_run", dry_run},
        {"success_rate", total ? static_cast<double>(ok) * 100.0 / static_cast<double>(total) : 0.0}}},
  };
  std::filesystem::path path(file_);
  if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path());
  const std::string tmp = file_ + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << doc.dump(2) << "\n";
  }
  std::filesystem::rename(tmp, path);
}

// ---- Router ----------------------------------------------------------------

Router::Router(const config::Settings& settings, std::vector<FollowerTarget> followers, bus::Journal& journal,
               bus::StreamPublisher& publisher, SessionRecords& records, const Clock& clock)
    : settings_(settings),
      followers_(std::move(followers)),
      journal_(journal),
      publisher_(publisher),
      records_(records),
      clock_(clock) {
  for (const auto& f : followers_) publisher_.DeclareStream(f.settings.id);
}

bool Router::ApplyMasterEvent(const bus::Envelope& envelope) {
  if (!envelope.has_master_order_event()) {
    // Not ours to act on (e.g. a future payload kind): consume it so the
    // stream moves on.
    journal_.Transaction([&] { journal_.SetCursor(envelope.stream_id(), envelope.seq()); });
    return true;
  }
  const auto& event = envelope.master_order_event();
  const auto& order = event.order();
  std::vector<bus::StreamPublisher::Staged> out;
  journal_.Transaction([&] {
    journal_.SetCursor(envelope.stream_id(), envelope.seq());
    if (event.kind() != v1::ORDER_EVENT_FILLED) return;  // only fills are copied so far
    for (const auto& f : followers_) {
      if (!f.settings.enabled) continue;
      const auto filtered = FilterOut(f.settings.rules, order);
      if (filtered) {
        records_.AddSkipped(event, f, *filtered);
        continue;
      }
      const Sizing size = SizeQuantity(f.settings.rule, order.quantity(), order.lotsize());
      if (size.quantity <= 0) {
        records_.AddSkipped(event, f, size.skipped_reason);
        continue;
      }
      bus::Envelope env;
      auto* ci = env.mutable_copy_instruction();
      ci->set_follower_id(f.settings.id);
      auto* o = ci->mutable_order();
      o->set_variety(order.variety().empty() ? "NORMAL" : order.variety());
      o->set_tradingsymbol(order.tradingsymbol());
      o->set_symboltoken(order.symboltoken());
      o->set_transactiontype(order.transactiontype());
      o->set_exchange(order.exchange());
      o->set_ordertype(order.ordertype());
      o->set_producttype(order.producttype());
      o->set_duration(order.duration().empty() ? "DAY" : order.duration());
      o->set_price(order.price());
      o->set_triggerprice(order.triggerprice());
      o->set_quantity(size.quantity);
      o->set_lotsize(order.lotsize());
      ci->set_master_order_id(order.orderid());
      auto* rule = ci->mutable_rule();
      rule->set_kind(ToProto(f.settings.rule.mode));
      rule->set_multiplier(f.settings.rule.multiplier);
      rule->set_fixed_quantity(f.settings.rule.fixed_quantity);
      rule->set_source(f.settings.rule.source);
      ci->set_ordertag(OrderTag(order.orderid(), f.settings.id, 0));
      o->set_ordertag(ci->ordertag());
      ci->set_master_event_time_ns(event.master_event_time_ns());
      ci->set_detected_time_ns(event.detected_time_ns());
      ci->set_routed_time_ns(clock_.wall_ns());
      ci->set_master_quantity(order.quantity());
      ci->set_master_event_kind(event.kind());
      // What the master filled is copied at the market: a marketable LIMIT
      // off the master's average fill price (the executor's policy).
      ci->set_action(v1::COPY_ACTION_PLACE);
      ci->set_execution(v1::EXECUTION_MARKETABLE);
      ci->set_reference_price(order.averageprice());
      ci->set_master_average_price(order.averageprice());
      ci->set_master_filled_quantity(order.filledshares());
      ci->set_copy_id(ci->ordertag());
      ci->set_leg(0);
      ci->set_legs(1);
      out.push_back(publisher_.Stage(f.settings.id, std::move(env)));
    }
  });
  // Sent once the instructions are durable: with the subscriber's group
  // commit that is when the whole burst of master events commits.
  journal_.AfterCommit([this, out = std::move(out)] {
    for (const auto& staged : out) {
      const auto& ci = staged.envelope.copy_instruction();
      log::Get("router")->info("copying {} {} {} x{} (master order {}) to {} as x{} [rule {}]",
                               ci.order().transactiontype(), ci.order().tradingsymbol(), ci.order().ordertype(),
                               ci.master_quantity(), ci.master_order_id(), ci.follower_id(), ci.order().quantity(),
                               ci.rule().source());
      publisher_.Send(staged);
    }
  });
  return true;
}

bool Router::ApplyReport(const bus::Envelope& envelope) {
  bool added = false;
  journal_.Transaction([&] {
    journal_.SetCursor(envelope.stream_id(), envelope.seq());
    if (envelope.has_execution_report()) added = records_.Add(envelope.execution_report());
  });
  if (envelope.has_follower_state()) follower_states_[envelope.follower_state().follower_id()] = envelope.follower_state();
  if (!added) return true;
  const auto& report = envelope.execution_report();
  auto lg = log::Get("router");
  const auto& o = report.order();
  switch (report.outcome()) {
    case v1::OUTCOME_ACCEPTED:
      lg->info("accepted for {}: follower order {} ({} {} x{} @ {:.2f})", report.follower_id(),
               report.broker_order_id(), o.transactiontype(), o.tradingsymbol(), o.quantity(), report.limit_price());
      break;
    case v1::OUTCOME_MODIFIED:
      break;  // chase steps: the executor logs them
    case v1::OUTCOME_FILLED:
      lg->info("copied to {}: follower order {} filled ({} {} x{} @ {:.2f}, slippage {:.1f} bp)", report.follower_id(),
               report.broker_order_id(), o.transactiontype(), o.tradingsymbol(), report.filled_quantity(),
               report.average_price(), report.slippage_bps());
      break;
    case v1::OUTCOME_DRY_RUN:
      lg->info("dry run for {}: would place {} {} x{}", report.follower_id(), o.transactiontype(), o.tradingsymbol(),
               o.quantity());
      break;
    default:
      lg->warn("copy to {} of master order {}: {} {} {}", report.follower_id(), report.master_order_id(),
               OutcomeName(report.outcome()), report.error_code(), report.error_text());
  }
  return true;
}

}  // namespace ct::router
