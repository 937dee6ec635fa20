#include "watcher/watcher_process.h"

#include <mutex>

#include <optional>

#include "common/alerts/alerts.h"
#include "common/bus/status.h"
#include "common/log/log.h"
#include "common/orderfeed/order_feed.h"
#include "common/startup/broker_client.h"
#include "common/startup/login.h"
#include "common/startup/process.h"
#include "watcher/watcher.h"

namespace ct::watcher {

int RunWatcher(const config::Loaded& cfg, const startup::BusSecurity& security) {
  auto lg = log::Get("watcher");
  auto journal = startup::OpenJournalOrExit(cfg.settings, "watcher");
  auto& clock = SystemClock::instance();
  const auto& c = cfg.env.master->credentials;
  auto client = startup::MakeBrokerClient(*cfg.env.master, cfg.settings.broker, clock);
  if (!startup::LoginOrAlert(*client, cfg.settings, cfg.env, "watcher", "master " + c.client_id).ok()) return 1;
  lg->info("logged in to the master account {}", c.client_id);
  ClientMasterAccount account(*client);

  zmq::context_t ctx;
  bus::Loop loop;
  loop.StopOnSignals();
  std::optional<bus::ZapAuthenticator> zap;
  if (security.enabled) zap.emplace(ctx, loop, security.allowed_clients);
  bus::StreamPublisher publisher(ctx, loop, *journal, clock,
                                 {.publish_endpoint = cfg.settings.bus.watcher_publish_bind,
                                  .replay_endpoint = cfg.settings.bus.watcher_replay_bind,
                                  .process = "watcher",
                                  .prune_after = std::chrono::hours(cfg.settings.journal_prune_after_hours),
                                  .curve = security.server});
  Watcher watcher(*journal, publisher, clock, c.client_id);
  bus::StatusFile status(loop, clock, cfg.settings.state_dir, "watcher");
  status.Watch(publisher);
  status.Set("master", c.client_id);
  status.Set("order_feed_connected", false);
  status.Set("feed_connected", false);
  auto begun = watcher.Begin(account);
  if (!begun.ok()) {
    lg->critical("cannot read the master order book for the baseline: {}", begun.error().ToString());
    return 1;
  }
  if (*begun == Watcher::Start::kRestored)
    lg->info("restored today's baseline and state ({} orders tracked)", watcher.tracked());

  // Push first: the order-update WebSocket reports each change as it
  // happens; the order book poll below is the safety net.
  // Pushes queue here; one drain on the loop applies all that arrived by
  // then in one transaction.
  std::mutex push_mu;
  std::vector<Watcher::Push> pushes;
  bool drain_posted = false;
  auto drain = [&] {
    std::vector<Watcher::Push> burst;
    {
      std::lock_guard lock(push_mu);
      burst.swap(pushes);
      drain_posted = false;
    }
    watcher.OnPushes(burst);
  };
  bool feed_connected = false;
  orderfeed::OrderFeedClient feed(
      {cfg.settings.broker.ws_url, c.api_key, c.client_id},
      {[&account] { return account.token(); },
       [&](const copytrade::v1::Order& order) {
         const SteadyTime received = clock.steady();
         std::lock_guard lock(push_mu);
         pushes.push_back({order, received});
         if (!drain_posted) {
           drain_posted = true;
           loop.Post(drain);
         }
       },
       [&](bool connected) {
         loop.Post([&, connected] {
           feed_connected = connected;
           status.Set("order_feed_connected", connected);
           status.Set("feed_connected", connected);
         });
       }});
  if (cfg.settings.order_feed) feed.Start();

  // The order feed down longer than feed_down_alert_s is an alert (once
  // per outage); the poll still sees every change, seconds later.
  alerts::AlertSender alert_sender(alerts::ResolveAlertSettings(cfg.settings, cfg.env), "watcher", clock);
  alerts::FeedDownAlarm feed_alarm(std::chrono::seconds(cfg.settings.alerts.feed_down_alert_s));
  int64_t last_poll_ns = 0;  // wall time of the last order book answered
  loop.Every(std::chrono::seconds(1), [&] {
    status.Set("last_poll_ns", last_poll_ns);
    status.Set("last_poll_age_ms", last_poll_ns ? (clock.wall_ns() - last_poll_ns) / 1'000'000 : -1);
    if (!cfg.settings.order_feed) return;
    if (feed_alarm.Update(feed_connected, clock.steady()))
      alert_sender.Send(alerts::kind::kFeedDown,
                  "master " + c.client_id + ": order feed down for " +
                      std::to_string(std::chrono::duration_cast<std::chrono::seconds>(
                                         feed_alarm.down_for(clock.steady())).count()) +
                      " s; the order book poll carries on");
  });

  Poller poller(clock, std::chrono::milliseconds(cfg.settings.poll_interval_ms), [&] {
    // Stamped before the request: the snapshot holds what the broker had at
    // some time after this (order_tracker.h, "stale").
    const SteadyTime sent = clock.steady();
    auto book = account.OrderBook();
    if (!book.ok()) {
      lg->warn("order book poll failed: {}", book.error().ToString());
      return;
    }
    loop.Post([&watcher, &last_poll_ns, &clock, snapshot = std::move(book).value(), sent] {
      last_poll_ns = clock.wall_ns();
      watcher.OnPoll(snapshot, sent);
    });
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

}  // namespace ct::watcher
