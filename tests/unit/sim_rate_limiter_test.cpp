#include <gtest/gtest.h>

#include "common/time/clock.h"
#include "sim/rate_limiter.h"

namespace ct::sim {
namespace {

using std::chrono::milliseconds;

TEST(SimRateLimiter, OrderWritesShareNinePerSecond) {
  FakeClock clock;
  RateLimiter limiter(clock);
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(limiter.Allow("A1", "placeOrder"));
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(limiter.Allow("A1", "modifyOrder"));
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(limiter.Allow("A1", "cancelOrder"));
  EXPECT_FALSE(limiter.Allow("A1", "placeOrder"));
  EXPECT_FALSE(limiter.Allow("A1", "cancelOrder"));
  // Another client code has its own budget.
  EXPECT_TRUE(limiter.Allow("B2", "placeOrder"));
}

TEST(SimRateLimiter, WindowSlides) {
  FakeClock clock;
  RateLimiter limiter(clock);
  EXPECT_TRUE(limiter.Allow("A1", "getOrderBook"));
  clock.advance(milliseconds(999));
  EXPECT_FALSE(limiter.Allow("A1", "getOrderBook"));
  clock.advance(milliseconds(1));
  EXPECT_TRUE(limiter.Allow("A1", "getOrderBook"));
  // Refused requests do not count: one per second keeps working.
  clock.advance(milliseconds(1000));
  EXPECT_TRUE(limiter.Allow("A1", "getOrderBook"));
}

TEST(SimRateLimiter, SpreadBurstAtNinePerSecondPasses) {
  FakeClock clock;
  RateLimiter limiter(clock);
  // 50 writes evenly at 9/s (111.2 ms apart) never trip the window.
  for (int i = 0; i < 50; ++i) {
    EXPECT_TRUE(limiter.Allow("A1", "placeOrder")) << i;
    clock.advance(milliseconds(112));
  }
}

TEST(SimRateLimiter, MinuteCapOnOrders) {
  FakeClock clock;
  RateLimiter limiter(clock);
  // 536 writes 112 ms apart all fall inside one minute (last at 59.92 s):
  // the per-second cap never trips, the 500/min cap does.
  int accepted = 0;
  for (int i = 0; i < 536; ++i) {
    if (limiter.Allow("A1", "placeOrder")) ++accepted;
    clock.advance(milliseconds(112));
  }
  EXPECT_EQ(accepted, 500);
  // Once the first write leaves the minute window, one more fits.
  EXPECT_TRUE(limiter.Allow("A1", "placeOrder"));
}

TEST(SimRateLimiter, UnlistedEndpointsAndDisabledLimiterAllowEverything) {
  FakeClock clock;
  RateLimiter limiter(clock);
  for (int i = 0; i < 100; ++i) EXPECT_TRUE(limiter.Allow("A1", "somethingElse"));
  limiter.set_enabled(false);
  for (int i = 0; i < 100; ++i) EXPECT_TRUE(limiter.Allow("A1", "getOrderBook"));
}

}  // namespace
}  // namespace ct::sim
