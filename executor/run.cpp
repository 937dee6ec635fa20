#include "executor/run.h"

#include <CLI/CLI.hpp>

#include "common/alerts/alerts.h"
#include "common/bus/status.h"
#include "common/bus/stream.h"
#include "common/config/load.h"
#include "common/instruments/load.h"
#include "common/log/log.h"
#include "common/orderfeed/order_feed.h"
#include "common/startup/broker_client.h"
#include "common/startup/bus_security.h"
#include "common/startup/login.h"
#include "common/startup/process.h"
#include "executor/executor.h"
#include "executor/worker_broker.h"

namespace ct::executor {

int RunExecutor(int argc, char** argv) {
  CLI::App app{"copytrade-executor: places one follower's copies"};
  ct::startup::ConfigPaths paths;
  int n = 0;
  ct::startup::AddConfigFlags(app, paths);
  app.add_option("--follower", n, "follower number n (FOLLOWER_<n>_* in .env)")->required();
  CLI11_PARSE(app, argc, argv);

  auto cfg = ct::config::LoadOrExit(paths.config, paths.env);
  const auto& settings = cfg.settings;
  // Key files are checked before anything else starts.
  const auto security = ct::startup::LoadBusSecurityOrExit(settings, ct::startup::BusRole::kExecutor);
  const auto* account = cfg.env.Follower(n);
  if (!account)
    ct::config::ExitWithError({paths.env, "FOLLOWER_" + std::to_string(n) + "_*",
                               "no credentials for follower " + std::to_string(n)});
  const auto fs = settings.Follower(n);
  const std::string name = "executor-" + std::to_string(n);
  ct::log::Init(name, settings.log_level);
  auto lg = ct::log::Get("executor");
  auto journal = ct::startup::OpenJournalOrExit(settings, name);
  auto& clock = ct::SystemClock::instance();
  // Ticks and segments price the copies; without them nothing is placed.
  auto instruments = ct::instruments::LoadInstruments(settings, clock, ct::log::Get("instruments"));
  if (!instruments.ok()) {
    if (!settings.instruments.file.empty())
      ct::config::ExitWithError({settings.path, "instruments.file", instruments.error()});
    lg->critical("no instrument data: {}", instruments.error());
    return 1;
  }
  auto client = ct::startup::MakeBrokerClient(*account, settings.broker, clock, fs.source_address);
  ct::alerts::AlertSender alerts(ct::alerts::ResolveAlertSettings(settings, cfg.env), name, clock);
  if (!settings.dry_run) {
    // Fail alone: supervisord restarts this follower, the others go on.
    // The failure is logged and alerted (login_failed) before this returns.
    if (!ct::startup::LoginOrAlert(*client, settings, cfg.env, name,
                                   fs.id + " (" + account->credentials.client_id + ")").ok())
      return 1;
    lg->info("logged in as {} ({}){}", account->credentials.client_id, fs.id,
             fs.source_address.empty() ? "" : ", order calls from " + fs.source_address);
  }

  zmq::context_t ctx;
  ct::bus::Loop loop(clock);
  loop.StopOnSignals();
  // Broker replies and pushes that arrive together (a placeOrder's reply
  // and the order's updates) commit together: one fsync, not one each.
  // The executor sends reports and calls the broker after the commit.
  loop.WrapPosted([&](const std::function<void()>& run) { journal->Transaction(run); });
  std::optional<ct::bus::ZapAuthenticator> zap;
  if (security.enabled) zap.emplace(ctx, loop, security.allowed_clients);
  ct::bus::StreamPublisher reports(ctx, loop, *journal, clock,
                                   {.publish_endpoint = ct::config::ExecutorEndpoint(settings.bus.executor_publish_bind, n),
                                    .replay_endpoint = ct::config::ExecutorEndpoint(settings.bus.executor_replay_bind, n),
                                    .process = name,
                                    .prune_after = std::chrono::hours(settings.journal_prune_after_hours),
                                    .curve = security.server});
  StreamReportOutbox outbox(reports, "reports/" + fs.id);
  WorkerBroker broker(*client, loop, clock);
  ExecutorOptions options;
  options.follower_id = fs.id;
  options.dry_run = settings.dry_run;
  options.max_copy_delay_ms = fs.max_copy_delay_ms;
  options.execution = fs.execution;
  options.max_quantity = fs.rules.max_quantity;
  options.max_order_value = fs.rules.max_order_value;
  options.copy_failed = [&alerts](const std::string& text) { alerts.Send(ct::alerts::kind::kCopyFailed, text); };
  Executor executor(options, *journal, broker, loop.timers(), clock, outbox,
                                  InstrumentsFrom(instruments->master, instruments->freeze, &clock));
  executor.Resume();

  ct::bus::StreamSubscriber stream(
      ctx, loop, clock,
      {.publish_endpoint = settings.bus.router_publish_connect,
       .replay_endpoint = settings.bus.router_replay_connect,
       .stream = fs.id,
       .group_commit = journal.get(),  // an order's legs arrive together; calls wait for the commit
       .curve = security.client_of_router},
      journal->Cursor(fs.id), [&](const ct::bus::Envelope& e) { return executor.Apply(e); });
  ct::bus::StatusFile status(loop, clock, settings.state_dir, name);
  status.Watch(stream);
  status.Watch(reports);
  status.Set("follower", account->credentials.client_id);
  status.Set("dry_run", settings.dry_run);
  status.Set("order_feed_connected", false);
  ct::alerts::FeedDownAlarm feed_alarm(std::chrono::seconds(settings.alerts.feed_down_alert_s));
  bool feed_connected = false;
  const bool feed_expected = !settings.dry_run && settings.order_feed;
  // Once a second: getPosition (day P&L), the FollowerState when it
  // changed, the status file's extras.
  loop.Every(std::chrono::seconds(1), [&] {
    executor.Tick();
    const nlohmann::json extras = executor.StatusExtras();
    for (const auto& [key, value] : extras.items()) status.Set(key, value);
    status.Set("order_feed_connected", feed_connected);
    if (feed_expected && feed_alarm.Update(feed_connected, clock.steady()))
      alerts.Send(ct::alerts::kind::kFeedDown, fs.id + ": order-update feed down for " +
                                                   std::to_string(settings.alerts.feed_down_alert_s) + " s");
  });

  // The follower's own order-update WebSocket follows each copy to its
  // final state (reads of the order are the fallback).
  ct::orderfeed::OrderFeedClient feed(
      {settings.broker.ws_url, account->credentials.api_key, account->credentials.client_id},
      {[&] { return broker.token(); },
       [&](const copytrade::v1::Order& order) { loop.Post([&executor, order] { executor.OnOrderUpdate(order); }); },
       [&](bool connected) {
         loop.Post([&, connected] {
           feed_connected = connected;
           executor.SetFeedConnected(connected);
           status.Set("order_feed_connected", connected);
         });
       }});
  if (!settings.dry_run && settings.order_feed) feed.Start();

  lg->info("executor up for {} ({}): dry_run={}, rule {}, reports on {}", fs.id, account->credentials.client_id,
           settings.dry_run, ct::config::ToString(fs.rule.mode), outbox.stream());
  stream.Start();
  status.Write();
  loop.Run();

  // SIGTERM: the broker call in flight finishes and is journaled; calls not
  // yet sent are journaled as not placed (placed at the next start).
  feed.Stop();
  broker.Stop();
  for (int round = 0; round < 10 && loop.RunPosted() > 0; ++round) {
  }
  status.Set("stopped", true);
  status.Write();
  lg->info("executor for {} stopped ({} cop{} still working)", fs.id, executor.working(),
           executor.working() == 1 ? "y" : "ies");
  return 0;
}

}  // namespace ct::executor
