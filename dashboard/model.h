// DashboardModel: what the dashboard shows, built from what the bus tells.
// Pure logic, no I/O, time passed in (like watcher/order_tracker.h): the
// process feeds it every MasterOrderEvent (stream "master"), every
// CopyInstruction (the router's per-follower streams), every
// ExecutionReport (router "decisions" and each executor's
// "reports/follower-<n>"), every FollowerState, and the router's control
// replies ("state"). Each Apply returns the page updates it caused (JSON
// objects pushed to the browsers as server-sent events); Snapshot() is the
// whole page state for a browser that connects.
//
// Only the current IST trading day is shown and counted: a dashboard that
// (re)starts replays the publishers' journals, which may hold earlier days.
//
// Counters (copies by follower and final state, latency histograms, broker
// errors) are what /metrics renders (metrics.h). A copy is counted once,
// when its first final report arrives (reports are at-least-once; a later
// report for the same copy never counts again).
//
// Not thread-safe: owned by the process loop's thread.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <deque>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "copytrade.pb.h"

namespace ct::dashboard {

namespace v1 = copytrade::v1;

// Upper bounds (seconds) of the latency histograms' buckets; +Inf is implied.
inline const std::vector<double> kLatencyBuckets = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};

struct Histogram {
  std::vector<uint64_t> counts = std::vector<uint64_t>(kLatencyBuckets.size() + 1, 0);  // last: +Inf
  uint64_t count = 0;
  double sum = 0;
  void Observe(double seconds);
};

// One leg of one follower's copy of a master order (one ordertag).
struct CopyLeg {
  std::string state;   // page vocabulary: routed, held, placed, chasing, filled, ...
  std::string reason;  // skip / hold / cancel reason, broker's text for a rejection
  bool final = false;
  std::string outcome;  // last Outcome name, "" before the first report
  int64_t quantity = 0;
  int64_t filled = 0;
  double fill_price = 0;
  double limit_price = 0;
  double slippage_bps = 0;
  bool slippage_known = false;
  double accepted_ms = 0;  // detection -> follower accepted
  double final_ms = 0;
  int modifications = 0;
};

struct FollowerView {
  std::string id;
  bool known_state = false;  // a FollowerState has arrived
  bool broker_ok = false;
  bool feed_connected = false;
  bool reports_up = false;  // the executor's reports stream is live
  bool paused = false;
  bool loss_limit_hit = false;
  bool dry_run = false;
  bool day_pnl_known = false;
  double day_pnl = 0;
  int working = 0;
  std::string last_error;
  int64_t last_error_time_ns = 0;
  std::map<std::string, int64_t> copies_today;  // final state -> count
};

class DashboardModel {
 public:
  using Updates = std::vector<nlohmann::json>;

  // `followers`: ids in display order ("follower-1", ...).
  explicit DashboardModel(std::vector<std::string> followers, size_t max_orders = 200);

  Updates ApplyMasterEvent(const v1::MasterOrderEvent& e, int64_t now_ns);
  Updates ApplyInstruction(const v1::CopyInstruction& c, int64_t now_ns);
  Updates ApplyReport(const v1::ExecutionReport& r, int64_t now_ns);
  Updates ApplyFollowerState(const v1::FollowerState& s, int64_t now_ns);
  // The router's answer to "state" (followers' pause/loss limit, held
  // copies); `reachable` false when it did not answer.
  Updates ApplyControlState(const v1::ControlReply* reply, bool reachable);
  // A subscribed stream's publisher went up or down.
  Updates ApplyStreamState(const std::string& stream, bool up);

  nlohmann::json Snapshot() const;

  // For /metrics.
  struct CopyCountKey {
    std::string follower, state;
    auto operator<=>(const CopyCountKey&) const = default;
  };
  const std::map<CopyCountKey, uint64_t>& copies_final() const { return copies_final_; }
  // stage "accepted" (detection -> accepted) and "final"; by follower.
  const std::map<std::pair<std::string, std::string>, Histogram>& latency() const { return latency_; }
  const std::map<CopyCountKey, uint64_t>& broker_errors() const { return broker_errors_; }  // state = kind
  const std::map<std::string, FollowerView>& followers() const { return followers_; }
  const std::map<std::string, bool>& streams() const { return streams_; }
  bool router_reachable() const { return router_reachable_; }
  uint64_t master_orders_seen() const { return master_orders_seen_; }

  // Page vocabulary for a report (exposed for tests).
  static std::string StateOf(const v1::ExecutionReport& r);

 private:
  struct OrderRow {
    std::string master_order_id;
    int64_t detected_ns = 0;
    v1::Order order;
    std::string event;  // last MasterOrderEvent kind, lower case
    // follower id -> ordertag -> leg
    std::map<std::string, std::map<std::string, CopyLeg>> copies;
  };

  bool Today(int64_t t_ns, int64_t now_ns) const;
  OrderRow& Row(const std::string& master_order_id, int64_t detected_ns, bool* created);
  nlohmann::json RowJson(const OrderRow& row) const;
  nlohmann::json FollowerJson(const FollowerView& f) const;
  nlohmann::json HeldJson() const;
  nlohmann::json LatencyJson() const;
  nlohmann::json BusJson() const;
  FollowerView& Follower(const std::string& id);

  std::vector<std::string> follower_order_;
  size_t max_orders_;
  std::map<std::string, OrderRow> rows_;
  std::deque<std::string> row_order_;  // oldest first
  std::map<std::string, FollowerView> followers_;
  std::map<std::string, std::string> counted_;  // copies counted as final -> their outcome
  std::set<std::string> accepted_seen_;  // copies whose accepted latency was observed
  std::map<CopyCountKey, uint64_t> copies_final_;
  std::map<std::pair<std::string, std::string>, Histogram> latency_;
  std::map<CopyCountKey, uint64_t> broker_errors_;
  Histogram accepted_all_;  // the page's histogram (all followers)
  std::vector<v1::HeldCopy> held_;
  std::map<std::string, bool> streams_;
  bool router_reachable_ = false;
  bool router_ever_answered_ = false;
  uint64_t master_orders_seen_ = 0;
};

}  // namespace ct::dashboard
