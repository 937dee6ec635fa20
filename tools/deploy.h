// `copytrade deploy supervisord`: writes the supervisord configuration for
// this deployment, from copytrade.toml and .env:
//  - the router, one executor per follower of the .env (numbered as the
//    .env numbers them, gaps included) and the watcher; with --host NAME
//    only the processes [deploy] places on NAME;
//  - start order by priority: router 10, executors 20, watcher 30 (the
//    alert listener 1, so it hears about the others);
//  - `autorestart=unexpected` with `exitcodes=0,2,3`: a config error (2)
//    and a fail-closed stop (startup::kFailClosedExitCode, 3) are never
//    restarted; a crash is. An exit within startsecs is a failed start:
//    retried startretries times, then FATAL;
//  - `stopwaitsecs` longer than a broker call and its retry (2 x
//    [broker] timeout_ms + 5 s), so a stop never cuts an order write off;
//  - one log file per process under <home>/logs;
//  - `[eventlistener:alerts]` (copytrade alert-listener) when [alerts] has
//    a webhook or a command.
// Host placement: [deploy] default_host / watcher_host / router_host and
// [followers.<n>] host (deploy/README.md).
#pragma once

#include <CLI/CLI.hpp>

#include <string>
#include <vector>

#include "common/config/env_file.h"
#include "common/config/settings.h"
#include "common/core/result.h"

namespace ct::tools {

struct PlacedProcess {
  enum class Role { kRouter, kExecutor, kWatcher };
  Role role = Role::kRouter;
  int follower = 0;   // executors: n of FOLLOWER_<n>_
  std::string name;   // "router", "executor-2", "watcher"
  std::string host;   // from [deploy]; empty when none is named
};

// Every process of the deployment: router, executors ascending, watcher.
std::vector<PlacedProcess> PlaceProcesses(const config::Settings& settings, const config::EnvFile& env);

// Those placed on `host`; every process when `host` is empty. Errors
// (exit 2): `host` given and a process names no host while [deploy] has no
// default_host, or no process is placed on `host`.
Result<std::vector<PlacedProcess>, config::ConfigError> ProcessesOnHost(const config::Settings& settings,
                                                                       const config::EnvFile& env,
                                                                       const std::string& host);

struct SupervisordLayout {
  std::string bin_dir;      // the copytrade binaries
  std::string home_dir;     // working folder: supervisor.sock, logs/
  std::string config_path;  // absolute
  std::string env_path;     // absolute
};

// stopwaitsecs for a [broker] timeout.
int StopWaitSecs(int64_t broker_timeout_ms);

std::string RenderSupervisord(const config::Settings& settings, const std::vector<PlacedProcess>& processes,
                              const SupervisordLayout& layout, bool alert_listener);

struct DeployOptions {
  std::string config_path = "copytrade.toml";
  std::string env_path = ".env";
  std::string host;
  std::string out;       // empty: stdout
  std::string bin_dir;   // empty: the folder of this copytrade binary
  std::string home_dir;  // empty: the folder of copytrade.toml
};

CLI::App* AddDeployCommand(CLI::App& app, DeployOptions& options);
int RunDeploySupervisord(const DeployOptions& options);

}  // namespace ct::tools
