#include "tools/alert_listener.h"

#include <iostream>
#include <sstream>

#include "common/alerts/alerts.h"
#include "common/config/load.h"
#include "common/log/log.h"

namespace ct::tools {

std::string SupervisorEvent::name() const {
  auto it = header.find("eventname");
  return it == header.end() ? "" : it->second;
}

std::map<std::string, std::string> ParseTokens(const std::string& line) {
  std::map<std::string, std::string> out;
  std::istringstream in(line);
  std::string token;
  while (in >> token) {
    const auto colon = token.find(':');
    if (colon != std::string::npos) out[token.substr(0, colon)] = token.substr(colon + 1);
  }
  return out;
}

int RunEventListener(std::istream& in, std::ostream& out, const std::function<void(const SupervisorEvent&)>& on_event) {
  int handled = 0;
  for (;;) {
    out << "READY\n" << std::flush;
    std::string line;
    if (!std::getline(in, line)) return handled;
    SupervisorEvent event;
    event.header = ParseTokens(line);
    size_t len = 0;
    try {
      len = std::stoul(event.header.at("len"));
    } catch (const std::exception&) {
      out << "RESULT 4\nFAIL" << std::flush;
      continue;
    }
    std::string payload(len, '\0');
    if (!in.read(payload.data(), static_cast<std::streamsize>(len))) return handled;
    // The payload's first line holds the tokens; PROCESS_LOG events carry
    // data after it, which this listener does not ask for.
    event.payload = ParseTokens(payload.substr(0, payload.find('\n')));
    on_event(event);
    ++handled;
    out << "RESULT 2\nOK" << std::flush;
  }
}

std::string FatalAlertText(const SupervisorEvent& event) {
  auto get = [&](const char* key) {
    auto it = event.payload.find(key);
    return it == event.payload.end() ? std::string("?") : it->second;
  };
  const std::string name = get("processname");
  return "FATAL: it exited during start-up again and again, so supervisord stopped restarting it (from " +
         get("from_state") + "). Read logs/" + name + ".log, fix the cause, then `supervisorctl start " + name + "`.";
}

CLI::App* AddAlertListenerCommand(CLI::App& app, AlertListenerOptions& options) {
  auto* sub = app.add_subcommand("alert-listener", "supervisord event listener: alert when a process goes FATAL");
  sub->add_option("--config", options.config_path, "copytrade.toml");
  sub->add_option("--env", options.env_path, ".env (ALERT_WEBHOOK_URL)");
  return sub;
}

int RunAlertListener(const AlertListenerOptions& options) {
  auto cfg = config::LoadOrExit(options.config_path, options.env_path);
  ct::log::Init("alert-listener", cfg.settings.log_level);
  alerts::AlertSender sender(alerts::ResolveAlertSettings(cfg.settings, cfg.env), "supervisord",
                             SystemClock::instance());
  auto lg = log::Get("alerts");
  if (!sender.enabled()) lg->warn("[alerts] has no webhook_url and no command: FATAL processes are only logged");
  lg->info("alert listener up");
  RunEventListener(std::cin, std::cout, [&](const SupervisorEvent& event) {
    if (event.name() != "PROCESS_STATE_FATAL") return;
    const auto it = event.payload.find("processname");
    const std::string process = it == event.payload.end() ? "?" : it->second;
    lg->error("{} is FATAL", process);
    sender.Send(alerts::kind::kProcessFatal, FatalAlertText(event), process);
  });
  sender.Flush(std::chrono::seconds(10));
  return 0;
}

}  // namespace ct::tools
