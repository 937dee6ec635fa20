// copytrade-executor --follower N: places follower N's copies, exactly once.
#include <CLI/CLI.hpp>

#include <filesystem>

#include "common/bus/socket_options.h"
#include "common/bus/status.h"
#include "common/bus/stream.h"
#include "common/startup/broker_client.h"
#include "common/startup/bus_security.h"
#include "common/startup/process.h"
#include "common/config/load.h"
#include "common/log/log.h"
#include "executor/executor.h"

int main(int argc, char** argv) {
  CLI::App app{"copytrade-executor: places one follower's copies"};
  ct::startup::ConfigPaths paths;
  int follower = 0;
  ct::startup::AddConfigFlags(app, paths);
  app.add_option("--follower", follower, "follower number n (FOLLOWER_<n>_* in .env)")->required();
  CLI11_PARSE(app, argc, argv);

  auto cfg = ct::config::LoadOrExit(paths.config, paths.env);
  // Key files are checked before anything else starts.
  const auto security = ct::startup::LoadBusSecurityOrExit(cfg.settings, ct::startup::BusRole::kExecutor);
  const auto* account = cfg.env.Follower(follower);
  if (!account)
    ct::config::ExitWithError({paths.env, "FOLLOWER_" + std::to_string(follower) + "_*",
                               "no credentials for follower " + std::to_string(follower)});
  const auto fs = cfg.settings.Follower(follower);
  ct::log::Init("executor-" + std::to_string(follower), cfg.settings.log_level);
  auto lg = ct::log::Get("executor");
  auto journal = ct::startup::OpenJournalOrExit(cfg.settings, "executor-" + std::to_string(follower));

  auto& clock = ct::SystemClock::instance();
  const auto& c = account->credentials;
  auto client_ptr = ct::startup::MakeBrokerClient(*account, cfg.settings.broker, clock);
  auto& client = *client_ptr;
  if (!cfg.settings.dry_run) {
    auto session = client.Login();
    if (!session.ok()) {
      // Fail alone: supervisord restarts this follower, the others go on.
      lg->critical("login for {} ({}) failed: {}", fs.id, c.client_id, session.error().ToString());
      return 1;
    }
    lg->info("logged in as {} ({})", c.client_id, fs.id);
  }
  ct::executor::SmartApiBroker broker(client);

  zmq::context_t ctx;
  ct::bus::Loop loop;
  loop.StopOnSignals();
  zmq::socket_t reports(ctx, zmq::socket_type::push);
  ct::bus::ConfigureSocket(reports, ct::bus::SocketRole::kReportSender);
  if (security.client_of_router) ct::bus::ApplyCurveClient(reports, *security.client_of_router);
  reports.connect(cfg.settings.bus.router_reports_connect);
  ct::executor::Executor executor(
      {fs.id, cfg.settings.dry_run, fs.max_copy_delay_ms}, *journal, broker, clock,
      [&](const copytrade::v1::ExecutionReport& report) {
        ct::bus::Envelope env;
        env.set_stream_id("reports/" + fs.id);
        env.set_sent_time_ns(clock.wall_ns());
        *env.mutable_execution_report() = report;
        const std::string bytes = env.SerializeAsString();
        (void)reports.send(zmq::buffer(bytes), zmq::send_flags::dontwait);
      });
  executor.ResolvePending();

  ct::bus::StreamSubscriber stream(
      ctx, loop, clock,
      {.publish_endpoint = cfg.settings.bus.router_publish_connect,
       .replay_endpoint = cfg.settings.bus.router_replay_connect,
       .stream = fs.id,
       .curve = security.client_of_router},
      journal->Cursor(fs.id), [&](const ct::bus::Envelope& e) { return executor.Apply(e); });
  ct::bus::StatusFile status(loop, clock, cfg.settings.state_dir, "executor-" + std::to_string(follower));
  status.Watch(stream);
  status.Set("follower", c.client_id);
  status.Set("dry_run", cfg.settings.dry_run);
  lg->info("executor up for {} ({}): dry_run={}, rule {}", fs.id, c.client_id, cfg.settings.dry_run,
           ct::config::ToString(fs.rule.mode));
  stream.Start();
  if (!cfg.settings.dry_run) {
    // Sessions end at midnight IST: log in again as soon as that happens,
    // so the first copy of the day does not pay for the login.
    loop.Every(std::chrono::minutes(1), [&] {
      if (!client.NeedsDailyRelogin(clock.wall_ns())) return;
      if (auto ok = client.EnsureSession(); !ok.ok())
        lg->error("daily re-login for {} failed: {}", fs.id, ok.error().ToString());
      else
        lg->info("logged in again for the new day ({})", c.client_id);
    });
  }
  status.Write();
  loop.Run();
  status.Set("stopped", true);
  status.Write();
  lg->info("executor for {} stopped", fs.id);
  return 0;
}
