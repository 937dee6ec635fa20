#include <gtest/gtest.h>

#include "sim/order_feed.h"
#include "sim/sessions.h"
#include "sim_test_support.h"

namespace ct::sim {
namespace {

class RecordingSubscriber final : public FeedSubscriber {
 public:
  void Send(std::string message) override { messages.push_back(std::move(message)); }
  void Drop() override { dropped = true; }
  std::vector<std::string> messages;
  bool dropped = false;
};

TEST(SimOrderFeed, FansOutPerClientWithAtMostThreeConnections) {
  OrderFeed feed;
  auto a = std::make_shared<RecordingSubscriber>();
  auto b = std::make_shared<RecordingSubscriber>();
  auto c = std::make_shared<RecordingSubscriber>();
  auto d = std::make_shared<RecordingSubscriber>();
  auto other = std::make_shared<RecordingSubscriber>();
  EXPECT_TRUE(feed.TryAdd("A1", a));
  EXPECT_TRUE(feed.TryAdd("A1", b));
  EXPECT_TRUE(feed.TryAdd("A1", c));
  EXPECT_FALSE(feed.TryAdd("A1", d));
  EXPECT_TRUE(feed.TryAdd("B2", other));
  feed.Publish("A1", "m1");
  EXPECT_EQ(a->messages, std::vector<std::string>{"m1"});
  EXPECT_EQ(c->messages, std::vector<std::string>{"m1"});
  EXPECT_TRUE(other->messages.empty());
  feed.Remove("A1", b.get());
  EXPECT_EQ(feed.Connections("A1"), 2u);
  EXPECT_TRUE(feed.TryAdd("A1", d));
  // A destroyed connection frees its slot too.
  a.reset();
  EXPECT_EQ(feed.Connections("A1"), 2u);
}

TEST(SimOrderFeed, MuteLosesUpdatesAndDropHangsUp) {
  OrderFeed feed;
  auto a = std::make_shared<RecordingSubscriber>();
  feed.TryAdd("A1", a);
  feed.SetMuted("A1", true);
  feed.Publish("A1", "lost");
  feed.SetMuted("A1", false);
  feed.Publish("A1", "kept");
  EXPECT_EQ(a->messages, std::vector<std::string>{"kept"});
  EXPECT_EQ(feed.DropAll("A1"), 1u);
  EXPECT_TRUE(a->dropped);
  EXPECT_EQ(feed.DropAll("nobody"), 0u);
}

TEST(SimSessions, RefreshKeepsTheDayAndFailsAfterMidnight) {
  FakeClock clock(testing::kMorningNs);
  SessionStore store(clock, "key");
  store.AddAccount({"A1", "k", "1", testing::kMasterSecret, "a"});
  EXPECT_FALSE(store.AddAccount({"A1", "k2", "2", testing::kMasterSecret, "dup"}));
  const SessionTokens t = store.Open("A1");
  EXPECT_EQ(store.Authenticate("Bearer " + t.jwt)->client_code, "A1");
  EXPECT_EQ(store.Authenticate("Bearer " + t.refresh).error(), AuthFailure::kInvalid);
  EXPECT_EQ(store.Authenticate("").error(), AuthFailure::kMissing);
  auto refreshed = store.Refresh(t.refresh);
  ASSERT_TRUE(refreshed.ok());
  EXPECT_EQ(store.OwnerOf(refreshed->refresh), "A1");
  clock.advance(std::chrono::hours(14));  // 00:00 IST
  EXPECT_EQ(store.Authenticate("Bearer " + refreshed->jwt).error(), AuthFailure::kExpired);
  EXPECT_EQ(store.Refresh(refreshed->refresh).error(), RefreshFailure::kExpired);
  EXPECT_EQ(store.Refresh("nonsense").error(), RefreshFailure::kInvalid);
}

TEST(SimSessions, ClosedSessionIsInvalidAndExpireAllCountsLiveOnes) {
  FakeClock clock(testing::kMorningNs);
  SessionStore store(clock, "key");
  store.AddAccount({"A1", "k", "1", testing::kMasterSecret, "a"});
  const SessionTokens first = store.Open("A1");
  const SessionTokens second = store.Open("A1");
  store.Close(store.Authenticate("Bearer " + first.jwt)->session_id);
  EXPECT_EQ(store.Authenticate("Bearer " + first.jwt).error(), AuthFailure::kInvalid);
  EXPECT_EQ(store.ExpireAll("A1"), 1);
  EXPECT_EQ(store.Authenticate("Bearer " + second.jwt).error(), AuthFailure::kExpired);
  EXPECT_EQ(store.ExpireAll("A1"), 0);
}

}  // namespace
}  // namespace ct::sim
