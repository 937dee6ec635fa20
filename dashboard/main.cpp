// copytrade-dashboard: the web page and /metrics. A bus subscriber that
// acts only through the router's control socket (dashboard/dashboard.h).
#include <CLI/CLI.hpp>

#include "common/config/load.h"
#include "common/log/log.h"
#include "common/startup/process.h"
#include "dashboard/dashboard.h"

int main(int argc, char** argv) {
  CLI::App app{"copytrade-dashboard: live web page of the copies, and /metrics"};
  ct::startup::ConfigPaths paths;
  ct::startup::AddConfigFlags(app, paths);
  CLI11_PARSE(app, argc, argv);

  auto cfg = ct::config::LoadOrExit(paths.config, paths.env);
  auto resolved = ct::dashboard::ResolveDashboardConfig(cfg.settings, cfg.env);
  if (!resolved.ok()) ct::config::ExitWithError(resolved.error());
  ct::log::Init("dashboard", cfg.settings.log_level);
  auto lg = ct::log::Get("dashboard");

  auto& clock = ct::SystemClock::instance();
  zmq::context_t ctx;
  ct::bus::Loop loop;
  loop.StopOnSignals();
  ct::dashboard::DashboardProcess dashboard(cfg.settings, cfg.env, resolved.value(), ctx, loop, clock);
  std::string error;
  if (!dashboard.Start(&error)) {
    lg->error("{}", error);
    return 1;
  }
  const auto& c = resolved.value();
  lg->info("dashboard listening on http://{}:{}/{}", c.listen_host, dashboard.port(),
           ct::dashboard::IsLoopbackHost(c.listen_host) ? "" : " (token required)");
  loop.Run();
  lg->info("dashboard stopped");
  return 0;
}
