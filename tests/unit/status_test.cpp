#include <gtest/gtest.h>

#include "tools/status.h"

namespace ct::tools {
namespace {

constexpr int64_t kNow = 1'800'000'000'000'000'000;

nlohmann::json Router(int64_t time_ns, bool watcher_up) {
  return {{"process", "router"},
          {"time_ns", time_ns},
          {"subscribes", {{"master", {{"applied_seq", 12}, {"publisher_up", watcher_up}, {"dropped_frames", 0}}}}},
          {"publishes", {{"follower-1", {{"last_seq", 5}}}, {"follower-2", {{"last_seq", 4}}}}}};
}

TEST(Status, AllRunningAndUpIsHealthy) {
  auto r = RenderStatus({Router(kNow - 500'000'000, true)}, kNow);
  EXPECT_TRUE(r.healthy);
  EXPECT_NE(r.text.find("router       running  master: applied 12, publisher up; publishes follower-1@5 follower-2@4"),
            std::string::npos)
      << r.text;
}

TEST(Status, PublisherDownIsShownAndUnhealthy) {
  auto r = RenderStatus({Router(kNow, false)}, kNow);
  EXPECT_FALSE(r.healthy);
  EXPECT_NE(r.text.find("publisher DOWN"), std::string::npos);
}

TEST(Status, OldFileMeansTheProcessIsDown) {
  auto r = RenderStatus({Router(kNow - 12'000'000'000, true)}, kNow);
  EXPECT_FALSE(r.healthy);
  EXPECT_NE(r.text.find("DOWN     last seen 12 s ago"), std::string::npos) << r.text;
}

TEST(Status, NoFilesIsUnhealthy) {
  auto r = RenderStatus({}, kNow);
  EXPECT_FALSE(r.healthy);
  EXPECT_NE(r.text.find("no status files"), std::string::npos);
}

// Documents with every field of the briefing's contract.
nlohmann::json FullRouter(int64_t time_ns) {
  return {{"process", "router"},
          {"time_ns", time_ns},
          {"subscribes", {{"master", {{"applied_seq", 40}, {"publisher_up", true}}}}},
          {"publishes", {{"follower-1", {{"last_seq", 17}}}, {"follower-2", {{"last_seq", 9}}}, {"decisions", {{"last_seq", 3}}}}},
          {"followers",
           {{"follower-1", {{"paused", false}, {"loss_limit_hit", false}, {"orders_today", 6}}},
            {"follower-2", {{"paused", true}, {"loss_limit_hit", true}, {"orders_today", 2}}}}},
          {"held", nlohmann::json::array()}};
}

nlohmann::json FullExecutor(int n, int64_t time_ns, uint64_t applied, bool broker_ok) {
  const std::string id = "follower-" + std::to_string(n);
  return {{"process", "executor-" + std::to_string(n)},
          {"time_ns", time_ns},
          {"follower_id", id},
          {"follower", "F10" + std::to_string(n)},
          {"broker_ok", broker_ok},
          {"feed_connected", true},
          {"paused", false},
          {"working_copies", 1},
          {"copies_today", {{"FILLED", 4}, {"REJECTED", 1}}},
          {"last_error", broker_ok ? "AB1010: margin" : "AB1050: Invalid totp"},
          {"subscribes", {{id, {{"applied_seq", applied}, {"publisher_up", true}}}}},
          {"publishes", {{"reports/" + id, {{"last_seq", 30}}}}}};
}

nlohmann::json FullWatcher(int64_t time_ns, int64_t last_poll_ns, bool feed) {
  return {{"process", "watcher"},          {"time_ns", time_ns},       {"master", "M100"},
          {"feed_connected", feed},        {"order_feed_connected", feed},
          {"last_poll_ns", last_poll_ns},  {"last_poll_age_ms", 900},
          {"publishes", {{"master", {{"last_seq", 40}}}}}};
}

TEST(Status, EveryFollowerFieldOfTheContractIsRendered) {
  auto r = RenderStatus({FullExecutor(1, kNow, 15, true), FullExecutor(2, kNow, 9, true), FullRouter(kNow),
                         FullWatcher(kNow, kNow - 400'000'000, true)},
                        kNow);
  EXPECT_TRUE(r.healthy) << r.text;
  EXPECT_NE(r.text.find("follower-1   F101       running  yes    yes   no     15       2     1       FILLED 4, REJECTED 1 / AB1010: margin"),
            std::string::npos)
      << r.text;
  // Paused and the loss limit come from the router, which decides them.
  EXPECT_NE(r.text.find("follower-2   F102       running  yes    yes   yes    9        0     1       FILLED 4, REJECTED 1 / AB1010: margin / LOSS LIMIT HIT"),
            std::string::npos)
      << r.text;
  EXPECT_NE(r.text.find("WATCHER      running, master M100, order feed connected, last poll 0.4 s ago"), std::string::npos)
      << r.text;
  const auto& f1 = r.json["followers"][0];
  EXPECT_EQ(f1["follower_id"], "follower-1");
  EXPECT_EQ(f1["lag"], 2);
  EXPECT_EQ(f1["applied_seq"], 15);
  EXPECT_EQ(f1["copies_today"]["FILLED"], 4);
  EXPECT_EQ(r.json["followers"][1]["paused"], true);
  EXPECT_EQ(r.json["watcher"]["last_poll_age_ms"], 400);
  EXPECT_EQ(r.json["healthy"], true);
}

TEST(Status, AFollowerWhoseBrokerIsDownIsUnhealthy) {
  auto r = RenderStatus({FullExecutor(1, kNow, 17, false), FullRouter(kNow)}, kNow);
  EXPECT_FALSE(r.healthy);
  EXPECT_NE(r.text.find("AB1050: Invalid totp"), std::string::npos) << r.text;
}

TEST(Status, FieldsAProcessDoesNotWriteAreAQuestionMark) {
  // Today's executor and router: no broker_ok, paused, copies_today, last_error.
  nlohmann::json ex = {{"process", "executor-3"},
                       {"time_ns", kNow},
                       {"follower", "F103"},
                       {"order_feed_connected", false},
                       {"working_copies", 0},
                       {"subscribes", {{"follower-3", {{"applied_seq", 4}, {"publisher_up", true}}}}}};
  nlohmann::json router = {{"process", "router"}, {"time_ns", kNow}, {"publishes", {{"follower-3", {{"last_seq", 4}}}}}};
  nlohmann::json watcher = {{"process", "watcher"}, {"time_ns", kNow}, {"order_feed_connected", false}};
  auto r = RenderStatus({ex, router, watcher}, kNow);
  EXPECT_NE(r.text.find("follower-3   F103       running  ?      no    ?      4        0     0       ? / ?"), std::string::npos)
      << r.text;
  EXPECT_NE(r.text.find("order feed DISCONNECTED, last poll ?"), std::string::npos) << r.text;
  EXPECT_TRUE(r.json["followers"][0]["broker_ok"].is_null());
  EXPECT_TRUE(r.json["watcher"]["last_poll_age_ms"].is_null());
}

TEST(Status, AFollowerTheRouterKnowsWithoutAnExecutorIsAbsent) {
  auto r = RenderStatus({FullRouter(kNow)}, kNow);
  EXPECT_NE(r.text.find("follower-2   ?          absent"), std::string::npos) << r.text;
  EXPECT_TRUE(r.json["followers"][1]["applied_seq"].is_null());
}

}  // namespace
}  // namespace ct::tools
