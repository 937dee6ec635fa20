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

}  // namespace
}  // namespace ct::tools
