#include "common/alerts/alerts.h"

#include <gtest/gtest.h>

#include <condition_variable>
#include <mutex>

#include "common/log/log.h"
#include "tests/support/http_server.h"
#include "tests/support/process.h"

namespace ct::alerts {
namespace {

using ct::testing::LoopbackHttpServer;

config::AlertSettings WebhookTo(const std::string& url) {
  config::AlertSettings s;
  s.webhook_url = url;
  s.min_interval_s = 60;
  return s;
}

// Records what would have been delivered.
class RecordingDelivery final : public AlertDelivery {
 public:
  explicit RecordingDelivery(std::vector<nlohmann::json>* out, std::mutex* mu) : out_(out), mu_(mu) {}
  Result<Ok, std::string> Deliver(const std::string& body) override {
    std::lock_guard lock(*mu_);
    out_->push_back(nlohmann::json::parse(body));
    return Ok{};
  }
  std::string name() const override { return "recording"; }

 private:
  std::vector<nlohmann::json>* out_;
  std::mutex* mu_;
};

// Blocks every delivery until released: the caller of Send must not wait.
class StuckDelivery final : public AlertDelivery {
 public:
  Result<Ok, std::string> Deliver(const std::string&) override {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return released_; });
    return Ok{};
  }
  std::string name() const override { return "stuck"; }
  void Release() {
    std::lock_guard lock(mu_);
    released_ = true;
    cv_.notify_all();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool released_ = false;
};

TEST(AlertSender, PostsJsonToAWebhook) {
  LoopbackHttpServer receiver;
  AlertSender sender(WebhookTo(receiver.url("/bot/sendMessage?chat_id=7")), "executor-2", SystemClock::instance());
  ASSERT_TRUE(sender.enabled());
  EXPECT_TRUE(sender.Send(kind::kLoginFailed, "login failed: AB1050 Invalid totp"));
  ASSERT_TRUE(sender.Flush(std::chrono::seconds(10)));
  const auto requests = receiver.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].method, "POST");
  EXPECT_EQ(requests[0].target, "/bot/sendMessage?chat_id=7");
  EXPECT_EQ(requests[0].headers.at("content-type"), "application/json");
  const auto body = nlohmann::json::parse(requests[0].body);
  EXPECT_EQ(body["kind"], "login_failed");
  EXPECT_EQ(body["process"], "executor-2");
  EXPECT_NE(body["text"].get<std::string>().find("executor-2"), std::string::npos);
  EXPECT_NE(body["text"].get<std::string>().find("AB1050 Invalid totp"), std::string::npos);
  EXPECT_EQ(body["time"].get<std::string>().size(), std::string("2026-12-01T10:00:00.000Z").size());
  EXPECT_EQ(body["suppressed"], 0);
  EXPECT_FALSE(body.contains("chat_id"));
  EXPECT_EQ(sender.stats().delivered, 1);
}

TEST(AlertSender, AddsTheTelegramChatIdWhenConfigured) {
  LoopbackHttpServer receiver;
  auto settings = WebhookTo(receiver.url("/sendMessage"));
  settings.chat_id = "-100123";
  AlertSender sender(settings, "router", SystemClock::instance());
  sender.Send(kind::kLossLimit, "daily loss limit hit");
  ASSERT_TRUE(sender.Flush(std::chrono::seconds(10)));
  ASSERT_EQ(receiver.requests().size(), 1u);
  EXPECT_EQ(nlohmann::json::parse(receiver.requests()[0].body)["chat_id"], "-100123");
}

TEST(AlertSender, MasksSecretsButNotIds) {
  log::RegisterSecret("Zq8ApiKeyOfFollower");
  LoopbackHttpServer receiver;
  AlertSender sender(WebhookTo(receiver.url("/hook")), "executor-1", SystemClock::instance());
  sender.Send(kind::kCopyFailed,
              "copy 261202000000002 qty 10000 failed: key Zq8ApiKeyOfFollower body {\"password\":\"0000\"} token "
              "eyJhbGciOiJIUzUxMiJ9.eyJ1c2VybmFtZSI6IkExMjMifQ.sig");
  ASSERT_TRUE(sender.Flush(std::chrono::seconds(10)));
  ASSERT_EQ(receiver.requests().size(), 1u);
  const std::string text = nlohmann::json::parse(receiver.requests()[0].body)["text"];
  EXPECT_NE(text.find("copy 261202000000002 qty 10000 failed"), std::string::npos) << text;
  EXPECT_EQ(text.find("Zq8ApiKeyOfFollower"), std::string::npos) << text;
  EXPECT_EQ(text.find("\"0000\""), std::string::npos) << text;
  EXPECT_EQ(text.find("eyJhbGci"), std::string::npos) << text;
}

TEST(AlertSender, AFailingWebhookIsCountedNotRetried) {
  LoopbackHttpServer receiver([](const ct::testing::HttpRequest&) { return ct::testing::HttpResponse{500, {}, "no"}; });
  AlertSender sender(WebhookTo(receiver.url("/hook")), "router", SystemClock::instance());
  sender.Send(kind::kFeedDown, "order feed down for 60 s");
  ASSERT_TRUE(sender.Flush(std::chrono::seconds(10)));
  EXPECT_EQ(sender.stats().failed, 1);
  EXPECT_EQ(receiver.requests().size(), 1u);
}

TEST(AlertSender, RunsTheCommandWithTheAlertOnStdin) {
  ct::testing::TempDir dir;
  config::AlertSettings settings;
  settings.command = "cat > '" + dir / "alert.json" + "'";
  AlertSender sender(settings, "watcher", SystemClock::instance());
  sender.Send(kind::kFeedDown, "order feed down for 61 s");
  ASSERT_TRUE(sender.Flush(std::chrono::seconds(10)));
  EXPECT_EQ(sender.stats().delivered, 1);
  const auto alert = nlohmann::json::parse(ct::testing::ReadFile(dir / "alert.json"));
  EXPECT_EQ(alert["kind"], "feed_down");
  EXPECT_EQ(alert["process"], "watcher");
}

TEST(AlertSender, AFailingCommandIsCounted) {
  config::AlertSettings settings;
  settings.command = "read line; exit 3";
  AlertSender sender(settings, "watcher", SystemClock::instance());
  sender.Send(kind::kFeedDown, "down");
  ASSERT_TRUE(sender.Flush(std::chrono::seconds(10)));
  EXPECT_EQ(sender.stats().failed, 1);
  EXPECT_EQ(sender.stats().delivered, 0);
}

TEST(AlertSender, RateLimitsPerKindAndCountsWhatItSuppressed) {
  FakeClock clock;
  std::mutex mu;
  std::vector<nlohmann::json> sent;
  std::vector<std::unique_ptr<AlertDelivery>> d;
  d.push_back(std::make_unique<RecordingDelivery>(&sent, &mu));
  config::AlertSettings settings;
  settings.min_interval_s = 60;
  AlertSender sender(settings, "executor-1", clock, std::move(d));

  EXPECT_TRUE(sender.Send(kind::kCopyFailed, "copy 1 rejected"));
  clock.advance(std::chrono::seconds(10));
  EXPECT_FALSE(sender.Send(kind::kCopyFailed, "copy 2 rejected"));
  clock.advance(std::chrono::seconds(49));
  EXPECT_FALSE(sender.Send(kind::kCopyFailed, "copy 3 rejected"));
  EXPECT_TRUE(sender.Send(kind::kLoginFailed, "login failed"));  // another kind is not limited by it
  clock.advance(std::chrono::seconds(1));                         // 60 s after the first
  EXPECT_TRUE(sender.Send(kind::kCopyFailed, "copy 4 rejected"));
  ASSERT_TRUE(sender.Flush(std::chrono::seconds(10)));

  std::lock_guard lock(mu);
  ASSERT_EQ(sent.size(), 3u);
  EXPECT_EQ(sent[0]["suppressed"], 0);
  EXPECT_EQ(sent[1]["kind"], "login_failed");
  EXPECT_EQ(sent[2]["suppressed"], 2);
  const std::string text = sent[2]["text"];
  EXPECT_NE(text.find("copy 4 rejected (2 more copy_failed alerts suppressed since the last one)"), std::string::npos)
      << text;
  EXPECT_EQ(sender.stats().suppressed, 2);
}

TEST(AlertSender, FatalAlertsAboutDifferentProcessesAreNotSuppressedByEachOther) {
  FakeClock clock;
  std::mutex mu;
  std::vector<nlohmann::json> sent;
  std::vector<std::unique_ptr<AlertDelivery>> d;
  d.push_back(std::make_unique<RecordingDelivery>(&sent, &mu));
  AlertSender sender(config::AlertSettings{}, "supervisord", clock, std::move(d));
  EXPECT_TRUE(sender.Send(kind::kProcessFatal, "FATAL", "executor-1"));
  EXPECT_TRUE(sender.Send(kind::kProcessFatal, "FATAL", "executor-2"));
  EXPECT_FALSE(sender.Send(kind::kProcessFatal, "FATAL", "executor-2"));
  ASSERT_TRUE(sender.Flush(std::chrono::seconds(10)));
  std::lock_guard lock(mu);
  ASSERT_EQ(sent.size(), 2u);
  EXPECT_EQ(sent[1]["process"], "executor-2");
}

TEST(AlertSender, SendNeverWaitsForADelivery) {
  FakeClock clock;
  auto stuck = std::make_unique<StuckDelivery>();
  StuckDelivery* handle = stuck.get();
  std::vector<std::unique_ptr<AlertDelivery>> d;
  d.push_back(std::move(stuck));
  config::AlertSettings settings;
  settings.min_interval_s = 0;
  AlertSender sender(settings, "router", clock, std::move(d));
  // One in delivery (stuck), kMaxQueued waiting, then the queue is full.
  int queued = 0;
  for (size_t i = 0; i < AlertSender::kMaxQueued + 5; ++i)
    queued += sender.Send(kind::kCopyFailed, "copy " + std::to_string(i)) ? 1 : 0;
  EXPECT_GE(queued, static_cast<int>(AlertSender::kMaxQueued));
  EXPECT_GE(sender.stats().dropped, 4);
  handle->Release();
  ASSERT_TRUE(sender.Flush(std::chrono::seconds(10)));
  EXPECT_EQ(sender.stats().delivered, queued);
}

TEST(AlertSender, WithoutWebhookOrCommandItIsOff) {
  AlertSender sender(config::AlertSettings{}, "router", SystemClock::instance());
  EXPECT_FALSE(sender.enabled());
  EXPECT_FALSE(sender.Send(kind::kLossLimit, "x"));
}

TEST(AlertSettings, TheEnvWebhookUrlWinsAndIsMasked) {
  config::Settings settings;
  settings.alerts.webhook_url = "http://127.0.0.1:1/from-toml";
  auto env = config::ParseEnv(".env", "ALERT_WEBHOOK_URL=https://api.telegram.org/bot123456789:SECRETtokenSECRETtokenSECRETtokenXY/sendMessage\n");
  ASSERT_TRUE(env.ok());
  const auto resolved = ResolveAlertSettings(settings, *env);
  EXPECT_EQ(resolved.webhook_url.rfind("https://api.telegram.org/", 0), 0u);
  EXPECT_EQ(log::Mask(resolved.webhook_url), "****");
}

TEST(FeedDownAlarm, OncePerOutageAfterTheThreshold) {
  FeedDownAlarm alarm(std::chrono::seconds(60));
  SteadyTime t{};
  EXPECT_FALSE(alarm.Update(true, t));
  EXPECT_FALSE(alarm.Update(false, t += std::chrono::seconds(1)));  // down from here
  EXPECT_FALSE(alarm.Update(false, t += std::chrono::seconds(60) - std::chrono::milliseconds(1)));
  EXPECT_TRUE(alarm.Update(false, t += std::chrono::milliseconds(1)));
  EXPECT_EQ(alarm.down_for(t), std::chrono::seconds(60));
  EXPECT_FALSE(alarm.Update(false, t += std::chrono::seconds(120)));  // the same outage
  EXPECT_FALSE(alarm.Update(true, t += std::chrono::seconds(1)));
  EXPECT_EQ(alarm.down_for(t), std::chrono::seconds(0));
  EXPECT_FALSE(alarm.Update(false, t += std::chrono::seconds(1)));
  EXPECT_TRUE(alarm.Update(false, t += std::chrono::seconds(60)));  // a new outage alerts again
}

}  // namespace
}  // namespace ct::alerts
