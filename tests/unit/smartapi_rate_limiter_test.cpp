// RateLimiter driven by a FakeClock; waiting advances the clock, no sleeps.
#include <gtest/gtest.h>

#include <vector>

#include "common/smartapi/rate_limiter.h"

namespace ct::smartapi {
namespace {

using namespace std::chrono_literals;

class RateLimiterTest : public ::testing::Test {
 protected:
  Sleeper Advance() {
    return [this](std::chrono::nanoseconds d) { clock_.advance(d); };
  }
  // Largest number of `times` inside any half-open interval of `length`.
  static int MaxInWindow(const std::vector<SteadyTime>& times, std::chrono::nanoseconds length) {
    int best = 0;
    size_t begin = 0;
    for (size_t end = 0; end < times.size(); ++end) {
      while (times[end] - times[begin] >= length) ++begin;
      best = std::max(best, static_cast<int>(end - begin + 1));
    }
    return best;
  }
  FakeClock clock_;
};

TEST_F(RateLimiterTest, BurstOf50OrderWritesStaysWithin9PerSecond) {
  RateLimiter limiter(clock_, Advance());
  std::vector<SteadyTime> sent;
  const SteadyTime start = clock_.steady();
  for (int i = 0; i < 50; ++i) {
    limiter.Acquire(Endpoint::kOrderWrite);
    sent.push_back(clock_.steady());
  }
  EXPECT_LE(MaxInWindow(sent, 1s), 9);
  // The first 9 go at once; 41 more need 5 further windows of 1 s + margin.
  EXPECT_EQ(sent[8], start);
  EXPECT_GT(sent[9], start + 1s);
  EXPECT_LT(clock_.steady() - start, 5s + 5 * 100ms);
}

TEST_F(RateLimiterTest, OrderWritesAlsoRespect500PerMinuteAnd1000PerHour) {
  RateLimiter limiter(clock_, Advance(), 0ns);
  std::vector<SteadyTime> sent;
  for (int i = 0; i < 1100; ++i) {
    limiter.Acquire(Endpoint::kOrderWrite);
    sent.push_back(clock_.steady());
  }
  EXPECT_LE(MaxInWindow(sent, 1s), 9);
  EXPECT_LE(MaxInWindow(sent, 60s), 500);
  EXPECT_LE(MaxInWindow(sent, 3600s), 1000);
  // Request 1001 had to wait for the first hour to pass.
  EXPECT_GE(sent[1000] - sent[0], 3600s);
}

TEST_F(RateLimiterTest, OrderBookPositionsTradeBookAndLoginAreOnePerSecond) {
  for (Endpoint e : {Endpoint::kGetOrderBook, Endpoint::kGetPosition, Endpoint::kGetTradeBook, Endpoint::kLogin}) {
    RateLimiter limiter(clock_, Advance(), 0ns);
    EXPECT_EQ(limiter.Acquire(e), 0ns);
    EXPECT_EQ(limiter.WaitTime(e), 1s);
    EXPECT_EQ(limiter.Acquire(e), 1s);
    clock_.advance(400ms);
    EXPECT_EQ(limiter.WaitTime(e), 600ms);
  }
}

TEST_F(RateLimiterTest, DetailsAllowTenPerSecond) {
  RateLimiter limiter(clock_, Advance(), 0ns);
  for (int i = 0; i < 10; ++i) EXPECT_EQ(limiter.Acquire(Endpoint::kOrderDetails), 0ns);
  EXPECT_EQ(limiter.WaitTime(Endpoint::kOrderDetails), 1s);
}

TEST_F(RateLimiterTest, EndpointsHaveIndependentBudgetsButWritesShareOne) {
  RateLimiter limiter(clock_, Advance(), 0ns);
  for (int i = 0; i < 9; ++i) limiter.Acquire(Endpoint::kOrderWrite);
  EXPECT_GT(limiter.WaitTime(Endpoint::kOrderWrite), 0ns);
  EXPECT_EQ(limiter.WaitTime(Endpoint::kGetOrderBook), 0ns);
  EXPECT_EQ(limiter.WaitTime(Endpoint::kOrderDetails), 0ns);
}

TEST_F(RateLimiterTest, MarginIsAddedToEveryWindow) {
  RateLimiter limiter(clock_, Advance(), 50ms);
  limiter.Acquire(Endpoint::kGetOrderBook);
  EXPECT_EQ(limiter.WaitTime(Endpoint::kGetOrderBook), 1050ms);
}

TEST_F(RateLimiterTest, EmptyLimitsMeanUnlimited) {
  RateLimiter limiter(clock_, Advance());
  limiter.SetLimits(Endpoint::kGetOrderBook, {});
  for (int i = 0; i < 100; ++i) EXPECT_EQ(limiter.Acquire(Endpoint::kGetOrderBook), 0ns);
}

TEST_F(RateLimiterTest, WaitingIsDoneThroughTheInjectedSleeper) {
  std::vector<std::chrono::nanoseconds> sleeps;
  RateLimiter limiter(
      clock_,
      [&](std::chrono::nanoseconds d) {
        sleeps.push_back(d);
        clock_.advance(d);
      },
      0ns);
  limiter.Acquire(Endpoint::kGetOrderBook);
  clock_.advance(250ms);
  EXPECT_EQ(limiter.Acquire(Endpoint::kGetOrderBook), 750ms);
  ASSERT_EQ(sleeps.size(), 1u);
  EXPECT_EQ(sleeps[0], 750ms);
}

TEST(DocumentedLimitsTest, MatchTheTable) {
  auto writes = DocumentedLimits(Endpoint::kOrderWrite);
  ASSERT_EQ(writes.size(), 3u);
  EXPECT_EQ(writes[0].max_requests, 9);
  EXPECT_EQ(writes[0].length, 1s);
  EXPECT_EQ(writes[1].max_requests, 500);
  EXPECT_EQ(writes[1].length, 60s);
  EXPECT_EQ(writes[2].max_requests, 1000);
  EXPECT_EQ(writes[2].length, 3600s);
}

}  // namespace
}  // namespace ct::smartapi
