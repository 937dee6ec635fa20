// The CLI's control commands, talking to the router's control socket
// (router/control_server.h):
//   copytrade pending              copies held for approval
//   copytrade approve ID|all       send held copies to their executors
//   copytrade reject ID|all        drop held copies (recorded as skipped)
//   copytrade pause [FOLLOWER]     new entries skipped ("paused"); all followers without one
//   copytrade resume [FOLLOWER]
//   copytrade stop-all             pause everything, then cancel every open copy at the brokers
// Output is for people; errors are one line on stderr. Exit 0 on success,
// 1 when the router refuses or does not answer (not running), 2 for a
// config error.
#pragma once

#include <CLI/CLI.hpp>

#include <string>
#include <vector>

#include "copytrade.pb.h"

namespace ct::tools {

struct ControlOptions {
  std::string config = "copytrade.toml";
  std::string command;  // the ControlRequest command
  std::string target;
  int64_t timeout_ms = 3000;
};

// Registers the six subcommands; returns them (one of them ran when it is set).
std::vector<CLI::App*> AddControlCommands(CLI::App& app, ControlOptions& options);

// What the CLI prints for a reply to `request` (pure; `now_ns` for "expires in").
std::string RenderControlReply(const copytrade::v1::ControlRequest& request, const copytrade::v1::ControlReply& reply,
                               int64_t now_ns);

int RunControl(const ControlOptions& options);

}  // namespace ct::tools
