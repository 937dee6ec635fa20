// /metrics in the Prometheus text exposition format (version 0.0.4).
// Pure: renders what the DashboardModel counted and what the processes'
// status files (common/bus/status.h) say, with `now` passed in.
//
// Families: copytrade_up{process}, copytrade_copies_total{follower,state},
// copytrade_copy_latency_seconds{follower,stage} (histogram; stage
// "accepted" = detection -> follower accepted, "final" = detection -> final
// state), copytrade_stream_lag_messages{subscriber,stream},
// copytrade_stream_publisher_up{subscriber,stream},
// copytrade_feed_connected{account}, copytrade_master_last_poll_age_seconds,
// copytrade_broker_errors_total{follower,kind}, copytrade_follower_paused,
// copytrade_follower_working_copies, copytrade_follower_day_pnl,
// copytrade_router_control_up, copytrade_master_orders_total.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <string>

#include "dashboard/model.h"

namespace ct::dashboard {

// A status file older than this means its process is not running.
inline constexpr int64_t kStatusStaleNs = 5'000'000'000;

struct OwnStream {
  uint64_t applied_seq = 0;
  bool publisher_up = false;
};

// `statuses`: process name -> parsed status file. `own`: the dashboard's
// own subscriptions (stream -> state).
std::string RenderMetrics(const DashboardModel& model, const std::map<std::string, nlohmann::json>& statuses,
                          const std::map<std::string, OwnStream>& own, int64_t now_ns);

// Reads every <state_dir>/*.status.json that parses (others are skipped).
std::map<std::string, nlohmann::json> ReadStatusFiles(const std::string& state_dir);

// Prometheus label value escaping (\, ", newline).
std::string EscapeLabel(const std::string& value);

}  // namespace ct::dashboard
