#include <gtest/gtest.h>

#include "watcher/order_tracker.h"

namespace ct::watcher {
namespace {
namespace v1 = copytrade::v1;

v1::Order Row(const std::string& id, const std::string& status, int64_t filled = 0) {
  v1::Order o;
  o.set_orderid(id);
  o.set_status(status);
  o.set_orderstatus(status);
  o.set_filledshares(filled);
  o.set_quantity(10);
  o.set_updatetime("26-Dec-2024 13:48:37");
  return o;
}

TEST(OrderTracker, BaselineOrdersAreNeverReported) {
  OrderTracker t;
  t.SetBaseline({Row("1", "complete"), Row("2", "open")});
  EXPECT_TRUE(t.Update({Row("1", "complete"), Row("2", "complete")}, 5).empty());
}

TEST(OrderTracker, ReportsEachStateChangeOnce) {
  OrderTracker t;
  t.SetBaseline({});
  auto e = t.Update({Row("9", "open")}, 100);
  ASSERT_EQ(e.size(), 1u);
  EXPECT_EQ(e[0].kind(), v1::ORDER_EVENT_PLACED);
  EXPECT_TRUE(t.Update({Row("9", "open")}, 200).empty());
  e = t.Update({Row("9", "open", 4)}, 300);
  ASSERT_EQ(e.size(), 1u);
  EXPECT_EQ(e[0].kind(), v1::ORDER_EVENT_PARTIALLY_FILLED);
  e = t.Update({Row("9", "complete", 10)}, 400);
  ASSERT_EQ(e.size(), 1u);
  EXPECT_EQ(e[0].kind(), v1::ORDER_EVENT_FILLED);
  EXPECT_EQ(e[0].detected_time_ns(), 400);
  EXPECT_TRUE(t.Update({Row("9", "complete", 10)}, 500).empty());
}

TEST(OrderTracker, NewOrderAlreadyCompleteIsOneFill) {
  OrderTracker t;
  auto e = t.Update({Row("5", "complete", 10), Row("6", "rejected"), Row("7", "trigger pending")}, 1);
  ASSERT_EQ(e.size(), 3u);
  EXPECT_EQ(e[0].kind(), v1::ORDER_EVENT_FILLED);
  EXPECT_EQ(e[1].kind(), v1::ORDER_EVENT_REJECTED);
  EXPECT_EQ(e[2].kind(), v1::ORDER_EVENT_TRIGGER_PENDING);
}

TEST(OrderTracker, RestoredStateSuppressesRepeats) {
  OrderTracker t;
  t.Restore("5", TrackedOrder{false, v1::ORDER_EVENT_FILLED, 10});
  EXPECT_TRUE(t.Update({Row("5", "complete", 10)}, 1).empty());
}

TEST(IstTime, ParsesSmartApiTimestamps) {
  // 26-Dec-2024 13:48:37 IST = 08:18:37 UTC = 1735201117.
  EXPECT_EQ(ParseIstTime("26-Dec-2024 13:48:37"), 1735201117LL * 1'000'000'000);
  EXPECT_EQ(ParseIstTime(""), 0);
  EXPECT_EQ(ParseIstTime("26-Foo-2024 13:48:37"), 0);
}

}  // namespace
}  // namespace ct::watcher
