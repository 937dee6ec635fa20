#include "dashboard/model.h"

#include <algorithm>

#include "common/time/ist.h"

namespace ct::dashboard {
namespace {

// Router decisions may use OUTCOME_APPROVED (12) before this build's proto
// knows the value; read it by number.
constexpr int kOutcomeApproved = 12;

// A master order detected this long ago or less is news: the page beeps
// (opt-in) for it. Older ones arrive from a replay after a restart.
constexpr int64_t kNewOrderWindowNs = 15'000'000'000;

std::string OutcomeName(const v1::ExecutionReport& r) {
  if (static_cast<int>(r.outcome()) == kOutcomeApproved) return "APPROVED";
  std::string name = v1::Outcome_Name(r.outcome());
  if (name.rfind("OUTCOME_", 0) == 0) name = name.substr(8);
  return name.empty() ? "UNKNOWN" : name;
}

std::string EventName(v1::OrderEventKind k) {
  std::string name = v1::OrderEventKind_Name(k);
  if (name.rfind("ORDER_EVENT_", 0) == 0) name = name.substr(12);
  std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
  std::replace(name.begin(), name.end(), '_', ' ');
  return name;
}

bool IsProgressState(const std::string& s) {
  return s == "routed" || s == "held" || s == "approved" || s == "placed" || s == "chasing" || s == "cancelling";
}

}  // namespace

void Histogram::Observe(double seconds) {
  size_t i = 0;
  while (i < kLatencyBuckets.size() && seconds > kLatencyBuckets[i]) ++i;
  ++counts[i];
  ++count;
  sum += seconds;
}

DashboardModel::DashboardModel(std::vector<std::string> followers, size_t max_orders)
    : follower_order_(std::move(followers)), max_orders_(max_orders) {
  for (const auto& id : follower_order_) followers_[id].id = id;
}

std::string DashboardModel::StateOf(const v1::ExecutionReport& r) {
  if (static_cast<int>(r.outcome()) == kOutcomeApproved) return "approved";
  switch (r.outcome()) {
    case v1::OUTCOME_ACCEPTED: return "placed";
    case v1::OUTCOME_MODIFIED: return "chasing";
    case v1::OUTCOME_HELD: return "held";
    case v1::OUTCOME_FILLED: return "filled";
    case v1::OUTCOME_PARTIALLY_FILLED: return "partially filled";
    case v1::OUTCOME_REJECTED: return "rejected";
    case v1::OUTCOME_CANCELLED: return "cancelled";
    case v1::OUTCOME_SKIPPED: return "skipped";
    case v1::OUTCOME_FAILED: return "failed";
    case v1::OUTCOME_STALE: return "stale";
    case v1::OUTCOME_DRY_RUN: return "dry run";
    default: return "unknown";
  }
}

bool DashboardModel::Today(int64_t t_ns, int64_t now_ns) const {
  return t_ns == 0 || ist::DayOf(t_ns) == ist::DayOf(now_ns);
}

FollowerView& DashboardModel::Follower(const std::string& id) {
  auto [it, inserted] = followers_.try_emplace(id);
  if (inserted) {
    it->second.id = id;
    follower_order_.push_back(id);  // a follower the .env did not name: shown anyway
  }
  return it->second;
}

DashboardModel::OrderRow& DashboardModel::Row(const std::string& id, int64_t detected_ns, bool* created) {
  auto [it, inserted] = rows_.try_emplace(id);
  *created = inserted;
  if (inserted) {
    it->second.master_order_id = id;
    it->second.detected_ns = detected_ns;
    row_order_.push_back(id);
    while (row_order_.size() > max_orders_) {
      rows_.erase(row_order_.front());
      row_order_.pop_front();
    }
  } else if (it->second.detected_ns == 0) {
    it->second.detected_ns = detected_ns;
  }
  return rows_.at(id);
}

DashboardModel::Updates DashboardModel::ApplyMasterEvent(const v1::MasterOrderEvent& e, int64_t now_ns) {
  const std::string& id = e.order().orderid();
  if (id.empty() || !Today(e.detected_time_ns(), now_ns)) return {};
  bool created = false;
  auto& row = Row(id, e.detected_time_ns(), &created);
  row.order = e.order();
  row.event = EventName(e.kind());
  if (created) ++master_orders_seen_;
  nlohmann::json u = {{"type", "order"}, {"row", RowJson(row)}};
  if (created && now_ns - e.detected_time_ns() <= kNewOrderWindowNs) u["new"] = true;
  return {u};
}

DashboardModel::Updates DashboardModel::ApplyInstruction(const v1::CopyInstruction& c, int64_t now_ns) {
  if (c.action() == v1::COPY_ACTION_CANCEL_ALL || c.master_order_id().empty()) return {};
  if (!Today(c.detected_time_ns(), now_ns)) return {};
  bool created = false;
  auto& row = Row(c.master_order_id(), c.detected_time_ns(), &created);
  if (created) row.order = c.order();  // the master event was before today's replay window
  Follower(c.follower_id());
  auto& legs = row.copies[c.follower_id()];
  if (c.action() == v1::COPY_ACTION_MODIFY || c.action() == v1::COPY_ACTION_CANCEL) {
    auto it = legs.find(c.target_ordertag());
    if (it == legs.end() || it->second.final) return {};
    if (c.action() == v1::COPY_ACTION_CANCEL) it->second.state = "cancelling";
  } else {
    auto& leg = legs[c.ordertag()];
    if (leg.outcome.empty()) {  // a report may have overtaken its instruction
      leg.state = "routed";
      leg.quantity = c.order().quantity();
    }
  }
  return {{{"type", "order"}, {"row", RowJson(row)}}};
}

DashboardModel::Updates DashboardModel::ApplyReport(const v1::ExecutionReport& r, int64_t now_ns) {
  const int64_t when = r.master_event_detected_ns() ? r.master_event_detected_ns() : r.reported_time_ns();
  if (!Today(when, now_ns)) return {};
  const std::string key = !r.ordertag().empty() ? r.ordertag() : !r.copy_id().empty() ? r.copy_id() : "";
  const std::string counted_key = r.follower_id() + "|" + (key.empty() ? r.master_order_id() : key);
  auto& follower = Follower(r.follower_id());
  Updates out;
  const std::string outcome = OutcomeName(r);
  // One count per copy, as the records keep one record per copy: a copy
  // that ends again differently (a skip of a partial fill, then the fill;
  // an unknown outcome resolved) moves from its old state to the new one.
  const auto before = counted_.find(counted_key);
  if (r.final() && before != counted_.end() && before->second != outcome) {
    auto& old_count = copies_final_[{r.follower_id(), before->second}];
    if (old_count > 0) --old_count;
    auto& today = follower.copies_today[before->second];
    if (today > 0) --today;
    if (today == 0) follower.copies_today.erase(before->second);
    ++copies_final_[{r.follower_id(), outcome}];
    ++follower.copies_today[outcome];
    before->second = outcome;
    out.push_back({{"type", "follower"}, {"follower", FollowerJson(follower)}});
  } else if (r.final() && counted_.emplace(counted_key, outcome).second) {
    ++copies_final_[{r.follower_id(), outcome}];
    ++follower.copies_today[outcome];
    if (r.timings().final_ms() > 0) latency_[{r.follower_id(), "final"}].Observe(r.timings().final_ms() / 1000);
    if (r.outcome() == v1::OUTCOME_REJECTED || r.outcome() == v1::OUTCOME_FAILED) {
      std::string kind = r.error_code();
      if (kind.empty()) kind = r.outcome() == v1::OUTCOME_REJECTED ? "rejected" : "failed";
      ++broker_errors_[{r.follower_id(), kind}];
    }
    out.push_back({{"type", "follower"}, {"follower", FollowerJson(follower)}});
  }
  if (r.timings().accepted_ms() > 0 && accepted_seen_.insert(counted_key).second) {
    latency_[{r.follower_id(), "accepted"}].Observe(r.timings().accepted_ms() / 1000);
    accepted_all_.Observe(r.timings().accepted_ms() / 1000);
    out.push_back({{"type", "latency"}, {"latency", LatencyJson()}});
  }
  if (r.master_order_id().empty()) return out;
  bool created = false;
  auto& row = Row(r.master_order_id(), r.master_event_detected_ns(), &created);
  if (created) row.order = r.order();
  // A skip is a leg of its own: a copy of the same order placed after it
  // (the rest of a partial fill) is shown, not hidden behind the skip.
  const bool skip = r.outcome() == v1::OUTCOME_SKIPPED;
  auto& leg = row.copies[r.follower_id()][(skip ? "skip|" : "") + (key.empty() ? "~" : key)];
  if (leg.final && !r.final()) return out;  // a late progress report after the end
  leg.outcome = outcome;
  leg.state = StateOf(r);
  leg.final = r.final();
  leg.reason = !r.reason().empty() ? r.reason() : r.error_text();
  if (r.order().quantity() > 0) leg.quantity = r.order().quantity();
  leg.filled = r.filled_quantity();
  if (r.average_price() > 0) leg.fill_price = r.average_price();
  if (r.limit_price() > 0) leg.limit_price = r.limit_price();
  if (r.filled_quantity() > 0 && r.master_price() > 0) {
    leg.slippage_bps = r.slippage_bps();
    leg.slippage_known = true;
  }
  if (r.timings().accepted_ms() > 0) leg.accepted_ms = r.timings().accepted_ms();
  if (r.timings().final_ms() > 0) leg.final_ms = r.timings().final_ms();
  leg.modifications = r.modifications();
  out.push_back({{"type", "order"}, {"row", RowJson(row)}});
  return out;
}

DashboardModel::Updates DashboardModel::ApplyFollowerState(const v1::FollowerState& s, int64_t) {
  auto& f = Follower(s.follower_id());
  f.known_state = true;
  f.broker_ok = s.broker_ok();
  f.feed_connected = s.order_feed_connected();
  f.dry_run = s.dry_run();
  f.day_pnl_known = s.day_pnl_known();
  f.day_pnl = s.day_pnl();
  f.working = s.working_copies();
  f.last_error = s.last_error();
  f.last_error_time_ns = s.last_error_time_ns();
  return {{{"type", "follower"}, {"follower", FollowerJson(f)}}};
}

DashboardModel::Updates DashboardModel::ApplyControlState(const v1::ControlReply* reply, bool reachable) {
  Updates out;
  const bool was = router_reachable_;
  router_reachable_ = reachable && reply != nullptr;
  if (router_reachable_) {
    router_ever_answered_ = true;
    for (const auto& fc : reply->followers()) {
      auto& f = Follower(fc.follower_id());
      if (f.paused != fc.paused() || f.loss_limit_hit != fc.loss_limit_hit()) {
        f.paused = fc.paused();
        f.loss_limit_hit = fc.loss_limit_hit();
        out.push_back({{"type", "follower"}, {"follower", FollowerJson(f)}});
      }
    }
    std::string before, after;
    for (const auto& h : held_) before += h.SerializeAsString();
    for (const auto& h : reply->held()) after += h.SerializeAsString();
    if (before != after) {
      held_.assign(reply->held().begin(), reply->held().end());
      out.push_back({{"type", "held"}, {"held", HeldJson()}});
    }
  }
  if (was != router_reachable_) out.push_back({{"type", "bus"}, {"bus", BusJson()}});
  return out;
}

DashboardModel::Updates DashboardModel::ApplyStreamState(const std::string& stream, bool up) {
  streams_[stream] = up;
  Updates out{{{"type", "bus"}, {"bus", BusJson()}}};
  if (stream.rfind("reports/", 0) == 0) {
    auto& f = Follower(stream.substr(8));
    f.reports_up = up;
    out.push_back({{"type", "follower"}, {"follower", FollowerJson(f)}});
  }
  return out;
}

nlohmann::json DashboardModel::RowJson(const OrderRow& row) const {
  nlohmann::json copies = nlohmann::json::object();
  for (const auto& [follower, legs] : row.copies) {
    if (legs.empty()) continue;
    // Legs of one copy (freeze slicing) shown as one cell: quantities add
    // up, the price is the fill-weighted average, the state is the first
    // leg still moving, else the legs' final states.
    int64_t qty = 0, filled = 0;
    double notional = 0, slip_weighted = 0, accepted_ms = 0, final_ms = 0, limit = 0;
    int64_t slip_qty = 0;
    int modifications = 0;
    std::string moving, reason;
    std::vector<std::string> finals;
    bool all_final = true;
    const bool only_skips = std::all_of(legs.begin(), legs.end(), [](const auto& l) { return l.second.state == "skipped"; });
    for (const auto& [tag, leg] : legs) {
      if (!only_skips && leg.state == "skipped") continue;  // the placed legs tell the story
      qty += leg.quantity;
      filled += leg.filled;
      notional += leg.fill_price * static_cast<double>(leg.filled);
      if (leg.slippage_known) {
        slip_weighted += leg.slippage_bps * static_cast<double>(leg.filled);
        slip_qty += leg.filled;
      }
      if (leg.accepted_ms > 0 && (accepted_ms == 0 || leg.accepted_ms < accepted_ms)) accepted_ms = leg.accepted_ms;
      final_ms = std::max(final_ms, leg.final_ms);
      if (leg.limit_price > 0) limit = leg.limit_price;
      modifications += leg.modifications;
      if (reason.empty()) reason = leg.reason;
      if (!leg.final || IsProgressState(leg.state)) {
        all_final = false;
        if (moving.empty()) moving = leg.state;
      } else if (std::find(finals.begin(), finals.end(), leg.state) == finals.end()) {
        finals.push_back(leg.state);
      }
    }
    std::string state = moving;
    if (all_final) {
      for (const auto& s : finals) state += (state.empty() ? "" : " + ") + s;
    }
    nlohmann::json cell = {{"state", state},       {"final", all_final}, {"quantity", qty},
                           {"filled", filled},     {"legs", legs.size()}, {"modifications", modifications},
                           {"reason", reason}};
    if (filled > 0) cell["fill_price"] = notional / static_cast<double>(filled);
    if (limit > 0) cell["limit_price"] = limit;
    if (slip_qty > 0) cell["slippage_bps"] = slip_weighted / static_cast<double>(slip_qty);
    if (accepted_ms > 0) cell["latency_ms"] = accepted_ms;
    if (final_ms > 0) cell["final_ms"] = final_ms;
    copies[follower] = cell;
  }
  const auto& o = row.order;
  return {{"id", row.master_order_id},
          {"detected_ns", row.detected_ns},
          {"symbol", o.tradingsymbol()},
          {"exchange", o.exchange()},
          {"side", o.transactiontype()},
          {"ordertype", o.ordertype()},
          {"quantity", o.quantity()},
          {"price", o.price()},
          {"filled", o.filledshares()},
          {"average_price", o.averageprice()},
          {"event", row.event},
          {"copies", copies}};
}

nlohmann::json DashboardModel::FollowerJson(const FollowerView& f) const {
  nlohmann::json j = {{"id", f.id},
                      {"known", f.known_state},
                      {"connected", f.reports_up && (!f.known_state || f.broker_ok)},
                      {"reports_up", f.reports_up},
                      {"broker_ok", f.broker_ok},
                      {"feed_connected", f.feed_connected},
                      {"paused", f.paused},
                      {"loss_limit_hit", f.loss_limit_hit},
                      {"dry_run", f.dry_run},
                      {"working", f.working},
                      {"last_error", f.last_error},
                      {"copies_today", f.copies_today}};
  if (f.day_pnl_known) j["day_pnl"] = f.day_pnl;
  return j;
}

nlohmann::json DashboardModel::HeldJson() const {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& h : held_) {
    const auto& c = h.instruction();
    out.push_back({{"id", h.id()},
                   {"follower_id", h.follower_id()},
                   {"master_order_id", c.master_order_id()},
                   {"symbol", c.order().tradingsymbol()},
                   {"side", c.order().transactiontype()},
                   {"quantity", c.order().quantity()},
                   {"held_ns", h.held_time_ns()},
                   {"expires_ns", h.expires_time_ns()}});
  }
  return out;
}

nlohmann::json DashboardModel::LatencyJson() const {
  nlohmann::json labels = nlohmann::json::array();
  for (double b : kLatencyBuckets) labels.push_back(b * 1000);
  return {{"bounds_ms", labels}, {"counts", accepted_all_.counts}, {"count", accepted_all_.count},
          {"sum_ms", accepted_all_.sum * 1000}};
}

nlohmann::json DashboardModel::BusJson() const {
  return {{"streams", streams_}, {"router_control", router_reachable_}, {"router_ever", router_ever_answered_}};
}

nlohmann::json DashboardModel::Snapshot() const {
  nlohmann::json orders = nlohmann::json::array();
  for (auto it = row_order_.rbegin(); it != row_order_.rend(); ++it) orders.push_back(RowJson(rows_.at(*it)));
  nlohmann::json followers = nlohmann::json::array();
  for (const auto& id : follower_order_) followers.push_back(FollowerJson(followers_.at(id)));
  return {{"type", "snapshot"}, {"orders", orders},         {"followers", followers},
          {"held", HeldJson()}, {"latency", LatencyJson()}, {"bus", BusJson()}};
}

}  // namespace ct::dashboard
