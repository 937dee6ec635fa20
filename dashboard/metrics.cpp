#include "dashboard/metrics.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

namespace ct::dashboard {
namespace {

std::string Num(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.9g", v);
  return buf;
}

class Writer {
 public:
  void Family(const std::string& name, const std::string& type, const std::string& help) {
    o_ << "# HELP " << name << " " << help << "\n# TYPE " << name << " " << type << "\n";
  }
  void Sample(const std::string& name, const std::map<std::string, std::string>& labels, double value) {
    o_ << name;
    if (!labels.empty()) {
      o_ << "{";
      bool first = true;
      for (const auto& [k, v] : labels) {
        o_ << (first ? "" : ",") << k << "=\"" << EscapeLabel(v) << "\"";
        first = false;
      }
      o_ << "}";
    }
    o_ << " " << Num(value) << "\n";
  }
  std::string str() const { return o_.str(); }

 private:
  std::ostringstream o_;
};

bool Fresh(const nlohmann::json& status, int64_t now_ns) {
  const int64_t t = status.value("time_ns", int64_t{0});
  return t > 0 && now_ns - t <= kStatusStaleNs && !status.value("stopped", false);
}

}  // namespace

std::string EscapeLabel(const std::string& value) {
  std::string out;
  for (char c : value) {
    if (c == '\\') out += "\\\\";
    else if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

std::map<std::string, nlohmann::json> ReadStatusFiles(const std::string& state_dir) {
  std::map<std::string, nlohmann::json> out;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(state_dir, ec)) {
    const std::string name = e.path().filename().string();
    const std::string suffix = ".status.json";
    if (name.size() <= suffix.size() || name.compare(name.size() - suffix.size(), suffix.size(), suffix) != 0)
      continue;
    std::ifstream in(e.path());
    std::stringstream text;
    text << in.rdbuf();
    auto doc = nlohmann::json::parse(text.str(), nullptr, false);
    if (!doc.is_object()) continue;
    out[name.substr(0, name.size() - suffix.size())] = std::move(doc);
  }
  return out;
}

std::string RenderMetrics(const DashboardModel& model, const std::map<std::string, nlohmann::json>& statuses,
                          const std::map<std::string, OwnStream>& own, int64_t now_ns) {
  Writer w;
  w.Family("copytrade_up", "gauge", "1 when the process is running (its status file is fresh)");
  w.Sample("copytrade_up", {{"process", "dashboard"}}, 1);
  for (const auto& [process, status] : statuses)
    if (process != "dashboard") w.Sample("copytrade_up", {{"process", process}}, Fresh(status, now_ns) ? 1 : 0);

  w.Family("copytrade_master_orders_total", "counter", "master orders seen today");
  w.Sample("copytrade_master_orders_total", {}, static_cast<double>(model.master_orders_seen()));

  w.Family("copytrade_copies_total", "counter", "copies that reached a final state today, by follower and state");
  for (const auto& [key, n] : model.copies_final())
    w.Sample("copytrade_copies_total", {{"follower", key.follower}, {"state", key.state}}, static_cast<double>(n));

  w.Family("copytrade_copy_latency_seconds", "histogram",
           "from the watcher's detection of the master's change to the follower's order accepted (stage=accepted) "
           "or final (stage=final)");
  for (const auto& [key, h] : model.latency()) {
    const std::map<std::string, std::string> base{{"follower", key.first}, {"stage", key.second}};
    uint64_t cumulative = 0;
    for (size_t i = 0; i < kLatencyBuckets.size(); ++i) {
      cumulative += h.counts[i];
      auto labels = base;
      labels["le"] = Num(kLatencyBuckets[i]);
      w.Sample("copytrade_copy_latency_seconds_bucket", labels, static_cast<double>(cumulative));
    }
    auto labels = base;
    labels["le"] = "+Inf";
    w.Sample("copytrade_copy_latency_seconds_bucket", labels, static_cast<double>(h.count));
    w.Sample("copytrade_copy_latency_seconds_sum", base, h.sum);
    w.Sample("copytrade_copy_latency_seconds_count", base, static_cast<double>(h.count));
  }

  // Lag: the publisher's last seq (its status file) minus what the
  // subscriber applied (its status file, or ours).
  std::map<std::string, uint64_t> last_seq;
  for (const auto& [process, status] : statuses) {
    if (!status.contains("publishes") || !status["publishes"].is_object()) continue;
    for (const auto& [stream, p] : status["publishes"].items())
      last_seq[stream] = std::max(last_seq[stream], p.value("last_seq", uint64_t{0}));
  }
  w.Family("copytrade_stream_lag_messages", "gauge",
           "messages the publisher has sent that the subscriber has not applied yet");
  auto lag = [&](const std::string& subscriber, const std::string& stream, uint64_t applied) {
    const auto it = last_seq.find(stream);
    if (it == last_seq.end()) return;
    w.Sample("copytrade_stream_lag_messages", {{"subscriber", subscriber}, {"stream", stream}},
             it->second > applied ? static_cast<double>(it->second - applied) : 0);
  };
  for (const auto& [process, status] : statuses) {
    if (process == "dashboard" || !status.contains("subscribes") || !status["subscribes"].is_object()) continue;
    for (const auto& [stream, s] : status["subscribes"].items()) lag(process, stream, s.value("applied_seq", uint64_t{0}));
  }
  for (const auto& [stream, s] : own) lag("dashboard", stream, s.applied_seq);
  w.Family("copytrade_stream_publisher_up", "gauge", "1 when the subscriber hears the stream's publisher");
  for (const auto& [process, status] : statuses) {
    if (process == "dashboard" || !status.contains("subscribes") || !status["subscribes"].is_object()) continue;
    for (const auto& [stream, s] : status["subscribes"].items())
      w.Sample("copytrade_stream_publisher_up", {{"subscriber", process}, {"stream", stream}},
               Fresh(status, now_ns) && s.value("publisher_up", false) ? 1 : 0);
  }
  for (const auto& [stream, s] : own)
    w.Sample("copytrade_stream_publisher_up", {{"subscriber", "dashboard"}, {"stream", stream}}, s.publisher_up ? 1 : 0);

  w.Family("copytrade_feed_connected", "gauge", "1 when the account's order-update WebSocket is connected");
  const auto watcher = statuses.find("watcher");
  if (watcher != statuses.end() && watcher->second.contains("feed_connected"))
    w.Sample("copytrade_feed_connected", {{"account", "master"}},
             Fresh(watcher->second, now_ns) && watcher->second.value("feed_connected", false) ? 1 : 0);
  std::set<std::string> feed_known;
  for (const auto& [id, f] : model.followers()) {
    if (!f.known_state) continue;
    w.Sample("copytrade_feed_connected", {{"account", id}}, f.feed_connected ? 1 : 0);
    feed_known.insert(id);
  }
  // No FollowerState heard yet: the executor's status file may say.
  for (const auto& [process, status] : statuses) {
    const std::string id = status.value("follower_id", "");
    if (id.empty() || feed_known.count(id) || !status.contains("feed_connected")) continue;
    w.Sample("copytrade_feed_connected", {{"account", id}},
             Fresh(status, now_ns) && status.value("feed_connected", false) ? 1 : 0);
  }

  if (watcher != statuses.end()) {
    const auto& s = watcher->second;
    double age = -1;
    if (s.value("last_poll_ns", int64_t{0}) > 0) {
      age = static_cast<double>(now_ns - s.value("last_poll_ns", int64_t{0})) / 1e9;
    } else if (s.contains("last_poll_age_ms")) {
      // The age when the file was written, plus the file's own age.
      age = s.value("last_poll_age_ms", 0.0) / 1000 +
            static_cast<double>(now_ns - s.value("time_ns", now_ns)) / 1e9;
    }
    if (age >= 0) {
      w.Family("copytrade_master_last_poll_age_seconds", "gauge", "time since the watcher's last order-book poll");
      w.Sample("copytrade_master_last_poll_age_seconds", {}, age);
    }
  }

  w.Family("copytrade_broker_errors_total", "counter",
           "copies the broker rejected or that failed today, by follower and kind (broker error code, else outcome)");
  for (const auto& [key, n] : model.broker_errors())
    w.Sample("copytrade_broker_errors_total", {{"follower", key.follower}, {"kind", key.state}},
             static_cast<double>(n));

  w.Family("copytrade_follower_paused", "gauge", "1 when the router has the follower paused");
  for (const auto& [id, f] : model.followers()) w.Sample("copytrade_follower_paused", {{"follower", id}}, f.paused);
  w.Family("copytrade_follower_working_copies", "gauge", "copies not yet final at the follower's executor");
  for (const auto& [id, f] : model.followers())
    if (f.known_state) w.Sample("copytrade_follower_working_copies", {{"follower", id}}, f.working);
  w.Family("copytrade_follower_day_pnl", "gauge", "the follower's day P&L (sum of its positions' pnl), when known");
  for (const auto& [id, f] : model.followers())
    if (f.day_pnl_known) w.Sample("copytrade_follower_day_pnl", {{"follower", id}}, f.day_pnl);
  w.Family("copytrade_router_control_up", "gauge", "1 when the router's control socket answers");
  w.Sample("copytrade_router_control_up", {}, model.router_reachable() ? 1 : 0);
  return w.str();
}

}  // namespace ct::dashboard
