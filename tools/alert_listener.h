// `copytrade alert-listener --config F --env F`: a supervisord event
// listener (supervisord's eventlistener protocol on stdin/stdout) that
// sends an alert ([alerts], common/alerts) when a process goes FATAL, i.e.
// supervisord gave up restarting it. Runs under [eventlistener:alerts]
// with events=PROCESS_STATE_FATAL (`copytrade deploy supervisord` writes
// it). Its stdout is the protocol: logs go to stderr only.
#pragma once

#include <CLI/CLI.hpp>

#include <functional>
#include <iosfwd>
#include <map>
#include <string>

namespace ct::tools {

struct SupervisorEvent {
  std::map<std::string, std::string> header;   // ver, server, serial, pool, eventname, len, ...
  std::map<std::string, std::string> payload;  // processname, groupname, from_state, ...
  std::string name() const;                    // header "eventname"
};

// "key:value key:value" tokens, as in supervisord's header and payload.
std::map<std::string, std::string> ParseTokens(const std::string& line);

// The listener's side of the protocol until `in` ends: "READY\n", a header
// line, `len` bytes of payload, handle it, "RESULT 2\nOK", repeat. A
// garbled header is answered "RESULT 4\nFAIL" (supervisord re-sends).
// Returns the number of events handled.
int RunEventListener(std::istream& in, std::ostream& out, const std::function<void(const SupervisorEvent&)>& on_event);

// The alert text for a PROCESS_STATE_FATAL event.
std::string FatalAlertText(const SupervisorEvent& event);

struct AlertListenerOptions {
  std::string config_path = "copytrade.toml";
  std::string env_path = ".env";
};
CLI::App* AddAlertListenerCommand(CLI::App& app, AlertListenerOptions& options);
int RunAlertListener(const AlertListenerOptions& options);

}  // namespace ct::tools
