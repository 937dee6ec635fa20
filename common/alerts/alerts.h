// Alerts to the operator, from [alerts] in copytrade.toml: a webhook (a JSON
// POST through libcurl; a Telegram bot's sendMessage URL is one) and/or a
// command run by /bin/sh with the alert JSON on its stdin (its stdout goes
// to stderr: a supervisord event listener's stdout is its protocol).
//
// The body: {"text", "kind", "process", "host", "time", "suppressed"}, and
// "chat_id" when [alerts] chat_id is set. `text` is what a person reads
// (Telegram's sendMessage shows it); it passes through log::Mask, so no
// secret leaves in an alert.
//
// AlertSender::Send never blocks its caller: it rate-limits, masks and
// queues; a delivery thread owned by the sender posts and runs. Per kind,
// at most one alert per min_interval_s is sent; those in between are
// counted, and the next alert of that kind says how many were suppressed.
// Rate limiting reads the injected clock. Deliveries are not retried (a
// failure is logged and counted): an alert is news now or never.
//
// Thread-safe: Send from any thread. The destructor delivers what is
// queued (each delivery bounded by timeout_ms), then joins.
//
// Wiring a trigger is one call: `alerts.Send(alerts::kind::kLoginFailed,
// "follower-2: AB1050 Invalid totp")`.
#pragma once

#include <nlohmann/json.hpp>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "common/config/env_file.h"
#include "common/config/settings.h"
#include "common/core/result.h"
#include "common/time/clock.h"

namespace ct::alerts {

namespace kind {
inline constexpr std::string_view kProcessFatal = "process_fatal";  // supervisord gave up on a process
inline constexpr std::string_view kLoginFailed = "login_failed";
inline constexpr std::string_view kCopyFailed = "copy_failed";      // a copy rejected or failed
inline constexpr std::string_view kLossLimit = "loss_limit";        // a daily loss limit hit
inline constexpr std::string_view kFeedDown = "feed_down";          // order feed down > feed_down_alert_s
}  // namespace kind

struct Alert {
  std::string kind;
  std::string text;  // already masked
  std::string process;
  std::string host;
  int64_t time_ns = 0;     // wall clock, Unix ns
  int64_t suppressed = 0;  // alerts of this kind suppressed since the previous one sent
};

nlohmann::json ToJson(const Alert& alert, const std::string& chat_id);

// One way an alert leaves. Deliver is called from the sender's thread only.
class AlertDelivery {
 public:
  virtual ~AlertDelivery() = default;
  virtual Result<Ok, std::string> Deliver(const std::string& json_body) = 0;
  virtual std::string name() const = 0;  // "webhook", "command": never the URL
};

// POSTs the body (Content-Type: application/json); any 2xx is success.
// Errors never name the URL (it holds a token).
std::unique_ptr<AlertDelivery> MakeWebhookDelivery(std::string url, int64_t timeout_ms);
// `/bin/sh -c command`, the body on stdin, stdout to stderr; exit 0 is
// success; killed after timeout_ms (on `clock`).
std::unique_ptr<AlertDelivery> MakeCommandDelivery(std::string command, int64_t timeout_ms, const Clock& clock);

// [alerts] with ALERT_WEBHOOK_URL from .env in place of webhook_url when
// set (the .env is the place for secrets); the URL is registered with the
// log mask.
config::AlertSettings ResolveAlertSettings(const config::Settings& settings, const config::EnvFile& env);

class AlertSender {
 public:
  // Deliveries from `settings` (webhook and/or command; none: disabled).
  AlertSender(const config::AlertSettings& settings, std::string process, const Clock& clock);
  // Given deliveries (tests).
  AlertSender(const config::AlertSettings& settings, std::string process, const Clock& clock,
              std::vector<std::unique_ptr<AlertDelivery>> deliveries);
  ~AlertSender();
  AlertSender(const AlertSender&) = delete;
  AlertSender& operator=(const AlertSender&) = delete;

  bool enabled() const { return !deliveries_.empty(); }

  // Queues an alert unless alerts are disabled, one of this kind went out
  // less than min_interval_s ago (then it is counted as suppressed), or the
  // queue is full (counted as dropped). True when queued. `about`: the
  // process the alert is about when it is not this one (the alert
  // listener's FATAL processes); kinds are rate-limited per `about`.
  bool Send(std::string_view kind, std::string_view text, std::string_view about = {});

  // Waits until everything queued has been delivered (or failed). For a
  // process about to exit, and tests. False on timeout.
  bool Flush(std::chrono::milliseconds timeout);

  struct Stats {
    int64_t queued = 0, delivered = 0, failed = 0, suppressed = 0, dropped = 0;
  };
  Stats stats() const;

  static constexpr size_t kMaxQueued = 64;

 private:
  void Run();

  config::AlertSettings settings_;
  std::string process_;
  std::string host_;
  const Clock& clock_;
  std::vector<std::unique_ptr<AlertDelivery>> deliveries_;

  mutable std::mutex mu_;
  std::condition_variable wake_, idle_;
  std::deque<Alert> queue_;
  bool busy_ = false;
  bool stop_ = false;
  struct KindState {
    std::optional<SteadyTime> last_sent;
    int64_t suppressed = 0;
  };
  std::map<std::string, KindState, std::less<>> kinds_;
  Stats stats_;
  std::thread thread_;
};

// The order feed down for longer than feed_down_alert_s: Update on every
// status tick; true exactly once per outage, when it has lasted
// `threshold`. Pure logic, time passed in.
class FeedDownAlarm {
 public:
  explicit FeedDownAlarm(std::chrono::nanoseconds threshold) : threshold_(threshold) {}
  bool Update(bool connected, SteadyTime now);
  // How long the current outage has lasted (0 when connected).
  std::chrono::nanoseconds down_for(SteadyTime now) const;

 private:
  std::chrono::nanoseconds threshold_;
  std::optional<SteadyTime> down_since_;
  bool alerted_ = false;
};

}  // namespace ct::alerts
