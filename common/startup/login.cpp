#include "common/startup/login.h"


#include <filesystem>
#include <fstream>

#include "common/alerts/alerts.h"
#include "common/log/log.h"

namespace ct::startup {

smartapi::Result<smartapi::Session> LoginOrAlert(smartapi::Client& client, const config::Settings& settings,
                                                 const config::EnvFile& env, const std::string& process,
                                                 const std::string& who) {
  auto session = client.Login();
  if (session.ok()) return session;
  const std::string text = "login for " + who + " failed: " + session.error().ToString();
  log::Get("login")->critical("{}", text);
  const auto alert_settings = alerts::ResolveAlertSettings(settings, env);
  alerts::AlertSender sender(alert_settings, process, SystemClock::instance());
  if (!sender.enabled()) return session;
  // The process exits next and supervisord restarts it: the rate limit
  // spans restarts through a marker file's time, so a login failing at
  // every restart is one alert per min_interval_s, not one per restart.
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::create_directories(settings.state_dir, ec);
  const fs::path marker = fs::path(settings.state_dir) / (process + ".login_failed.alerted");
  const auto last = fs::last_write_time(marker, ec);
  if (!ec && fs::file_time_type::clock::now() - last < std::chrono::seconds(alert_settings.min_interval_s)) {
    log::Get("login")->warn("login_failed alert suppressed (one went out less than {} s ago)",
                            alert_settings.min_interval_s);
    return session;
  }
  if (sender.Send(alerts::kind::kLoginFailed, text)) {
    sender.Flush(std::chrono::milliseconds(alert_settings.timeout_ms + 1000));
    std::ofstream(marker, std::ios::trunc) << SystemClock::instance().wall_ns() << "\n";
  }
  return session;
}

}  // namespace ct::startup
