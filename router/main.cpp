// copytrade-router: master events in, one CopyInstruction stream per
// follower out, execution reports in, session records written.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <filesystem>

#include "common/alerts/alerts.h"
#include "common/bus/status.h"
#include "common/bus/stream.h"
#include "common/config/load.h"
#include "common/startup/bus_security.h"
#include "common/startup/process.h"
#include "common/instruments/load.h"
#include "common/log/log.h"
#include "router/control_server.h"
#include "router/records_reader.h"
#include "router/router.h"
#include "router/summary.h"

int main(int argc, char** argv) {
  CLI::App app{"copytrade-router: applies filters and quantity rules per follower"};
  ct::startup::ConfigPaths paths;
  ct::startup::AddConfigFlags(app, paths);
  CLI11_PARSE(app, argc, argv);

  auto cfg = ct::config::LoadOrExit(paths.config, paths.env);
  // Key files are checked before anything else starts.
  const auto security = ct::startup::LoadBusSecurityOrExit(cfg.settings, ct::startup::BusRole::kRouter);
  ct::log::Init("router", cfg.settings.log_level);
  auto lg = ct::log::Get("router");
  auto journal = ct::startup::OpenJournalOrExit(cfg.settings, "router");
  std::vector<ct::router::FollowerTarget> followers;
  for (const auto& f : cfg.env.followers)
    followers.push_back({cfg.settings.Follower(f.number), f.credentials.client_id});

  auto& clock = ct::SystemClock::instance();
  // Lot sizes and freeze quantities size the copies.
  auto instruments = ct::instruments::LoadInstruments(cfg.settings, clock, ct::log::Get("instruments"));
  if (!instruments.ok()) {
    if (!cfg.settings.instruments.file.empty())
      ct::config::ExitWithError({cfg.settings.path, "instruments.file", instruments.error()});
    lg->critical("no instrument data: {}", instruments.error());
    return 1;
  }
  ct::alerts::AlertSender alerts(ct::alerts::ResolveAlertSettings(cfg.settings, cfg.env), "router", clock);
  zmq::context_t ctx;
  ct::bus::Loop loop;
  loop.StopOnSignals();
  std::optional<ct::bus::ZapAuthenticator> zap;
  if (security.enabled) zap.emplace(ctx, loop, security.allowed_clients);
  ct::bus::StreamPublisher publisher(ctx, loop, *journal, clock,
                                     {.publish_endpoint = cfg.settings.bus.router_publish_bind,
                                      .replay_endpoint = cfg.settings.bus.router_replay_bind,
                                      .process = "router",
                                      .prune_after = std::chrono::hours(cfg.settings.journal_prune_after_hours),
                                      .curve = security.server});
  ct::router::SessionRecords records(*journal,
                                     ct::router::RecordsFileName(cfg.settings.records_dir, clock.wall_ns()),
                                     followers);
  records.Write();
  ct::router::RouterStore store(*journal);
  ct::router::Router router(cfg.settings, followers, *journal, publisher, records, store, clock,
                            {instruments->master.get(), instruments->freeze.get()}, &alerts);
  ct::router::ControlServer control(ctx, loop, cfg.settings.bus.router_control_bind, security.server,
                                    [&](const auto& request) { return router.Control(request); });

  ct::bus::StreamSubscriber master(
      ctx, loop, clock,
      {.publish_endpoint = cfg.settings.bus.watcher_publish_connect,
       .replay_endpoint = cfg.settings.bus.watcher_replay_connect,
       .stream = "master",
       // A burst of master events (an order's placement and fill arrive
       // together) commits once; the router sends after that commit.
       .group_commit = journal.get(),
       .curve = security.client_of_watcher},
      journal->Cursor("master"), [&](const ct::bus::Envelope& e) { return router.ApplyMasterEvent(e); });

  // Each executor publishes its reports on a reliable stream of its own.
  std::vector<std::unique_ptr<ct::bus::StreamSubscriber>> reports;
  for (const auto& f : cfg.env.followers) {
    const std::string stream = "reports/" + cfg.settings.Follower(f.number).id;
    reports.push_back(std::make_unique<ct::bus::StreamSubscriber>(
        ctx, loop, clock,
        ct::bus::SubscriberOptions{
            .publish_endpoint = ct::config::ExecutorEndpoint(cfg.settings.bus.executor_publish_connect, f.number),
            .replay_endpoint = ct::config::ExecutorEndpoint(cfg.settings.bus.executor_replay_connect, f.number),
            .stream = stream,
            .group_commit = journal.get(),  // reports only change the records (in the journal)
            .curve = security.client_of_executors},
        journal->Cursor(stream), [&](const ct::bus::Envelope& e) { return router.ApplyReport(e); }));
  }

  loop.Every(std::chrono::milliseconds(200), [&] {
    router.ExpireHeld();
    records.Flush();
  });
  ct::bus::StatusFile status(loop, clock, cfg.settings.state_dir, "router");
  loop.Every(std::chrono::seconds(1), [&] {
    status.Set("followers", router.StatusFollowers());
    status.Set("held", router.StatusHeld());
  });
  status.Watch(publisher);
  status.Watch(master);
  for (const auto& r : reports) status.Watch(*r);
  status.Set("records", records.file());
  status.Set("dry_run", cfg.settings.dry_run);
  lg->info("router up: {} follower(s), dry_run={}, records {}", followers.size(), cfg.settings.dry_run,
           records.file());
  master.Start();
  for (const auto& r : reports) r->Start();
  status.Write();
  loop.Run();
  status.Set("stopped", true);
  status.Write();
  records.Write();
  lg->info("router stopped; records in {}", records.file());
  // The seed's session summary on stop (`copytrade report` prints the same).
  std::fputs(ct::router::SummaryText(ct::router::Summarize(ct::router::ReadRecordsFile(records.file())),
                                     "COPY TRADING SESSION SUMMARY", records.file())
                 .c_str(),
             stdout);
  std::fflush(stdout);
  return 0;
}
