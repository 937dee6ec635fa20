// copytrade-watcher: detects the master's orders and publishes them.
#include <CLI/CLI.hpp>

#include "common/config/load.h"
#include "common/log/log.h"
#include "common/startup/bus_security.h"
#include "common/startup/process.h"
#include "watcher/watcher_process.h"

int main(int argc, char** argv) {
  CLI::App app{"copytrade-watcher: publishes the master account's order events"};
  ct::startup::ConfigPaths paths;
  ct::startup::AddConfigFlags(app, paths);
  CLI11_PARSE(app, argc, argv);

  auto cfg = ct::config::LoadOrExit(paths.config, paths.env);
  // Key files are checked before anything else starts.
  const auto security = ct::startup::LoadBusSecurityOrExit(cfg.settings, ct::startup::BusRole::kWatcher);
  if (!cfg.env.master)
    ct::config::ExitWithError({paths.env, "API_KEY, CLIENT_ID, PASSWORD, TOTP_SECRET", "master account missing"});
  ct::log::Init("watcher", cfg.settings.log_level);
  return ct::watcher::RunWatcher(cfg, security);
}
