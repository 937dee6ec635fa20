// copytrade-watcher: detects the master's orders and publishes them.
#include <CLI/CLI.hpp>

#include <filesystem>
#include <mutex>

#include "common/startup/broker_client.h"
#include "common/startup/bus_security.h"
#include "common/startup/process.h"
#include "common/bus/status.h"
#include "common/config/load.h"
#include "common/log/log.h"
#include "common/orderfeed/order_feed.h"
#include "common/smartapi/client.h"
#include "watcher/watcher.h"

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
  auto lg = ct::log::Get("watcher");
  auto journal = ct::startup::OpenJournalOrExit(cfg.settings, "watcher");
  auto& clock = ct::SystemClock::instance();
  const auto& c = cfg.env.master->credentials;
  auto client_ptr = ct::startup::MakeBrokerClient(*cfg.env.master, cfg.settings.broker, clock);
  auto& client = *client_ptr;
  auto session = client.Login();
  if (!session.ok()) {
    lg->critical("master login ({}) failed: {}", c.client_id, session.error().ToString());
    return 1;
  }
  lg->info("logged in to the master account {}", c.client_id);

  zmq::context_t ctx;
  ct::bus::Loop loop;
  loop.StopOnSignals();
  std::optional<ct::bus::ZapAuthenticator> zap;
  if (security.enabled) zap.emplace(ctx, loop, security.allowed_clients);
  ct::bus::StreamPublisher publisher(ctx, loop, *journal, clock,
                                     {.publish_endpoint = cfg.settings.bus.watcher_publish_bind,
                                      .replay_endpoint = cfg.settings.bus.watcher_replay_bind,
                                      .process = "watcher",
                                      .prune_after = std::chrono::hours(cfg.settings.journal_prune_after_hours),
                                      .curve = security.server});
  ct::watcher::Watcher watcher(*journal, publisher, clock, c.client_id);
  ct::bus::StatusFile status(loop, clock, cfg.settings.state_dir, "watcher");
  status.Watch(publisher);
  status.Set("master", c.client_id);
  status.Set("order_feed_connected", false);
  if (watcher.Restore()) {
    lg->info("restored today's baseline and state ({} orders tracked)", watcher.tracked());
  } else {
    auto book = client.GetOrderBook();
    if (!book.ok()) {
      lg->critical("cannot read the master order book for the baseline: {}", book.error().ToString());
      return 1;
    }
    watcher.SetBaseline(*book);
  }

  // Push first: the order-update WebSocket reports each state change as it
  // happens; the order book poll below is the safety net.
  std::mutex token_mu;
  std::string token = client.session().jwt_token;
  ct::orderfeed::OrderFeedClient feed(
      {cfg.settings.broker.ws_url, c.api_key, c.client_id},
      {[&] {
         std::lock_guard lock(token_mu);
         return token;
       },
       [&](const copytrade::v1::Order& order) { loop.Post([&watcher, order] { watcher.OnSnapshot({order}); }); },
       [&](bool connected) { loop.Post([&status, connected] { status.Set("order_feed_connected", connected); }); }});
  if (cfg.settings.order_feed) feed.Start();

  // The client is used only by the poller thread from here on.
  ct::watcher::Poller poller(std::chrono::milliseconds(cfg.settings.poll_interval_ms), [&] {
    auto book = client.GetOrderBook();
    {
      std::lock_guard lock(token_mu);  // a re-login inside the call renews it
      token = client.session().jwt_token;
    }
    if (!book.ok()) {
      lg->warn("order book poll failed: {}", book.error().ToString());
      return;
    }
    loop.Post([&watcher, snapshot = std::move(book).value()] { watcher.OnSnapshot(snapshot); });
  });
  lg->info("watching master {} every {} ms", c.client_id, cfg.settings.poll_interval_ms);
  status.Write();
  loop.Run();
  status.Set("stopped", true);
  status.Write();
  feed.Stop();
  poller.Stop();
  lg->info("watcher stopped");
  return 0;
}
