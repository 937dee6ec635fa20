#include "common/alerts/alerts.h"

#include <unistd.h>

#include <cstdio>
#include <ctime>

#include "common/log/log.h"

namespace ct::alerts {
namespace {

std::string IsoUtc(int64_t wall_ns) {
  const time_t secs = static_cast<time_t>(wall_ns / 1'000'000'000);
  const int ms = static_cast<int>((wall_ns / 1'000'000) % 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ms);
  return buf;
}

std::string HostName() {
  char name[256] = {};
  if (gethostname(name, sizeof name - 1) != 0) return "unknown-host";
  return name;
}

}  // namespace

nlohmann::json ToJson(const Alert& alert, const std::string& chat_id) {
  nlohmann::json j{{"text", alert.text},       {"kind", alert.kind}, {"process", alert.process},
                   {"host", alert.host},       {"time", IsoUtc(alert.time_ns)},
                   {"suppressed", alert.suppressed}};
  if (!chat_id.empty()) j["chat_id"] = chat_id;
  return j;
}

config::AlertSettings ResolveAlertSettings(const config::Settings& settings, const config::EnvFile& env) {
  config::AlertSettings out = settings.alerts;
  if (auto it = env.vars.find("ALERT_WEBHOOK_URL"); it != env.vars.end() && !it->second.empty())
    out.webhook_url = it->second;
  log::RegisterSecret(out.webhook_url);
  return out;
}

AlertSender::AlertSender(const config::AlertSettings& settings, std::string process, const Clock& clock)
    : AlertSender(settings, std::move(process), clock, [&] {
        std::vector<std::unique_ptr<AlertDelivery>> d;
        if (!settings.webhook_url.empty()) d.push_back(MakeWebhookDelivery(settings.webhook_url, settings.timeout_ms));
        if (!settings.command.empty())
          d.push_back(MakeCommandDelivery(settings.command, settings.timeout_ms, clock));
        return d;
      }()) {}

AlertSender::AlertSender(const config::AlertSettings& settings, std::string process, const Clock& clock,
                         std::vector<std::unique_ptr<AlertDelivery>> deliveries)
    : settings_(settings),
      process_(std::move(process)),
      host_(HostName()),
      clock_(clock),
      deliveries_(std::move(deliveries)) {
  if (enabled()) thread_ = std::thread([this] { Run(); });
}

AlertSender::~AlertSender() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

bool AlertSender::Send(std::string_view kind, std::string_view text, std::string_view about) {
  if (!enabled()) return false;
  const SteadyTime now = clock_.steady();
  const std::string process = about.empty() ? process_ : std::string(about);
  const std::string key = std::string(kind) + "/" + process;
  Alert alert;
  {
    std::lock_guard lock(mu_);
    auto it = kinds_.find(key);
    if (it == kinds_.end()) it = kinds_.emplace(key, KindState{}).first;
    KindState& k = it->second;
    if (k.last_sent && now - *k.last_sent < std::chrono::seconds(settings_.min_interval_s)) {
      ++k.suppressed;
      ++stats_.suppressed;
      return false;
    }
    if (queue_.size() >= kMaxQueued) {
      ++stats_.dropped;
      return false;
    }
    alert.kind = std::string(kind);
    alert.process = process;
    alert.host = host_;
    alert.time_ns = clock_.wall_ns();
    alert.suppressed = k.suppressed;
    std::string line = "copytrade " + process + " on " + host_ + ": " + std::string(text);
    if (k.suppressed > 0)
      line += " (" + std::to_string(k.suppressed) + " more " + alert.kind + " alert" + (k.suppressed == 1 ? "" : "s") +
              " suppressed since the last one)";
    alert.text = log::Mask(line);
    k.last_sent = now;
    k.suppressed = 0;
    ++stats_.queued;
    queue_.push_back(std::move(alert));
  }
  wake_.notify_one();
  return true;
}

bool AlertSender::Flush(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  return idle_.wait_for(lock, timeout, [&] { return queue_.empty() && !busy_; });
}

AlertSender::Stats AlertSender::stats() const {
  std::lock_guard lock(mu_);
  return stats_;
}

void AlertSender::Run() {
  auto lg = log::Get("alerts");
  std::unique_lock lock(mu_);
  for (;;) {
    wake_.wait(lock, [&] { return stop_ || !queue_.empty(); });
    if (queue_.empty()) break;  // stopping, everything delivered
    Alert alert = std::move(queue_.front());
    queue_.pop_front();
    busy_ = true;
    lock.unlock();
    const std::string body = ToJson(alert, settings_.chat_id).dump();
    bool ok = true;
    for (auto& d : deliveries_) {
      auto r = d->Deliver(body);
      if (!r.ok()) {
        ok = false;
        lg->warn("alert {} not delivered by {}: {}", alert.kind, d->name(), r.error());
      }
    }
    if (ok) lg->info("alert {} sent: {}", alert.kind, alert.text);
    lock.lock();
    busy_ = false;
    ++(ok ? stats_.delivered : stats_.failed);
    if (queue_.empty()) idle_.notify_all();
  }
  idle_.notify_all();
}

bool FeedDownAlarm::Update(bool connected, SteadyTime now) {
  if (connected) {
    down_since_.reset();
    alerted_ = false;
    return false;
  }
  if (!down_since_) down_since_ = now;
  if (alerted_ || now - *down_since_ < threshold_) return false;
  alerted_ = true;
  return true;
}

std::chrono::nanoseconds FeedDownAlarm::down_for(SteadyTime now) const {
  return down_since_ ? now - *down_since_ : std::chrono::nanoseconds(0);
}

}  // namespace ct::alerts
