#include <gtest/gtest.h>

#include <set>

#include "router/rules.h"

namespace ct::router {
namespace {
using config::QuantityMode;
using config::QuantityRule;

QuantityRule Rule(QuantityMode mode, double multiplier = 1.0, int64_t fixed = 0) {
  QuantityRule r;
  r.mode = mode;
  r.multiplier = multiplier;
  r.fixed_quantity = fixed;
  return r;
}

TEST(QuantityRule, MirrorCopiesTheMasterQuantity) {
  EXPECT_EQ(SizeQuantity(Rule(QuantityMode::kMirror), 10, 1).quantity, 10);
  EXPECT_EQ(SizeQuantity(Rule(QuantityMode::kMirror), 150, 75).quantity, 150);
}

TEST(QuantityRule, MultiplierRoundsDownToWholeLots) {
  EXPECT_EQ(SizeQuantity(Rule(QuantityMode::kMultiplier, 2.0), 10, 1).quantity, 20);
  EXPECT_EQ(SizeQuantity(Rule(QuantityMode::kMultiplier, 0.5), 7, 1).quantity, 3);
  // 3 lots of 75 at 0.5 = 112.5 units -> 1 lot.
  EXPECT_EQ(SizeQuantity(Rule(QuantityMode::kMultiplier, 0.5), 225, 75).quantity, 75);
  // Floating point: 30 * 0.1 must be 3, not 2.
  EXPECT_EQ(SizeQuantity(Rule(QuantityMode::kMultiplier, 0.1), 30, 1).quantity, 3);
}

TEST(QuantityRule, BelowOneLotIsSkippedWithAReason) {
  auto s = SizeQuantity(Rule(QuantityMode::kMultiplier, 0.5), 75, 75);
  EXPECT_EQ(s.quantity, 0);
  EXPECT_NE(s.skipped_reason.find("less than one lot (75)"), std::string::npos);
  EXPECT_EQ(SizeQuantity(Rule(QuantityMode::kMultiplier, 0.4), 2, 1).quantity, 0);
}

TEST(QuantityRule, FixedIgnoresTheMasterQuantity) {
  EXPECT_EQ(SizeQuantity(Rule(QuantityMode::kFixed, 1.0, 5), 100, 1).quantity, 5);
  EXPECT_EQ(SizeQuantity(Rule(QuantityMode::kFixed, 1.0, 160), 75, 75).quantity, 150);
}

config::CopyRules Defaults() {
  auto s = config::ParseSettings("t.toml", "");
  return s.value().default_rules;
}

copytrade::v1::Order Order(const std::string& symbol, const std::string& type) {
  copytrade::v1::Order o;
  o.set_tradingsymbol(symbol);
  o.set_ordertype(type);
  return o;
}

TEST(Filters, EverythingPassesByDefault) {
  EXPECT_FALSE(FilterOut(Defaults(), Order("SBIN-EQ", "MARKET")));
  EXPECT_FALSE(FilterOut(Defaults(), Order("SBIN-EQ", "STOPLOSS_LIMIT")));
}

TEST(Filters, BlockListWinsOverAllowList) {
  auto s = Defaults();
  s.symbols_allow = {"SBIN-EQ", "IDEA-EQ"};
  s.symbols_block = {"IDEA-EQ"};
  EXPECT_FALSE(FilterOut(s, Order("SBIN-EQ", "MARKET")));
  EXPECT_NE(FilterOut(s, Order("IDEA-EQ", "MARKET"))->find("symbols_block"), std::string::npos);
  EXPECT_NE(FilterOut(s, Order("TCS-EQ", "MARKET"))->find("symbols_allow"), std::string::npos);
}

TEST(Filters, OrderTypeSwitches) {
  auto s = Defaults();
  s.order_types["LIMIT"] = false;
  EXPECT_TRUE(FilterOut(s, Order("SBIN-EQ", "LIMIT")));
  EXPECT_FALSE(FilterOut(s, Order("SBIN-EQ", "MARKET")));
  EXPECT_TRUE(FilterOut(s, Order("SBIN-EQ", "ICEBERG")));
}

TEST(OrderTag, DeterministicShortAndDistinct) {
  const std::string tag = OrderTag("261125000000001", "follower-1", 0);
  EXPECT_EQ(tag, OrderTag("261125000000001", "follower-1", 0));
  EXPECT_LE(tag.size(), 20u);
  EXPECT_EQ(tag.rfind("ct", 0), 0u);
  for (char c : tag) EXPECT_TRUE(std::isalnum(static_cast<unsigned char>(c))) << tag;
  std::set<std::string> tags;
  for (int order = 0; order < 200; ++order)
    for (int f = 1; f <= 5; ++f)
      for (int leg = 0; leg < 2; ++leg)
        tags.insert(OrderTag("2611250000" + std::to_string(10000 + order), "follower-" + std::to_string(f), leg));
  EXPECT_EQ(tags.size(), 2000u);
  EXPECT_NE(OrderTag("1", "follower-12", 0), OrderTag("1", "follower-1", 2));
}

}  // namespace
}  // namespace ct::router
