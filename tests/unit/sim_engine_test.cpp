#include <gtest/gtest.h>

#include <regex>

#include "sim/order_engine.h"
#include "sim_test_support.h"

namespace ct::sim {
namespace {

using ct::sim::testing::kMorningNs;
using ct::sim::testing::ShippedInstruments;

struct Event {
  std::string orderid;
  std::string code;
  std::string status;
};

class SimEngineTest : public ::testing::Test {
 protected:
  SimEngineTest() : clock_(kMorningNs), instruments_(ShippedInstruments()), engine_(clock_, instruments_) {
    engine_.set_freeze_quantities(ct::sim::testing::ShippedFreezeQuantities());
    engine_.SetListener([this](const Order& o, std::string_view code, std::string_view status) {
      events_.push_back({o.orderid, std::string(code), std::string(status)});
    });
    sbin_ = instruments_.FindBySymbol("NSE", "SBIN-EQ");
    nifty_ce_ = instruments_.FindBySymbol("NFO", "NIFTY01DEC2626000CE");
    engine_.SetPrice(*sbin_, 800.0);
  }

  OrderParams Params(const Instrument* in, const std::string& type, double price = 0, int64_t qty = 1,
                     const std::string& side = "BUY") {
    OrderParams p;
    p.instrument = in;
    p.ordertype = type;
    p.variety = type.rfind("STOPLOSS", 0) == 0 ? "STOPLOSS" : "NORMAL";
    p.transactiontype = side;
    p.quantity = qty;
    if (type == "LIMIT" || type == "STOPLOSS_LIMIT") p.price = price;
    return p;
  }

  std::vector<std::string> Codes(const std::string& orderid) const {
    std::vector<std::string> out;
    for (const auto& e : events_)
      if (e.orderid == orderid) out.push_back(e.code + ":" + e.status);
    return out;
  }

  FakeClock clock_;
  InstrumentTable instruments_;
  OrderEngine engine_;
  std::vector<Event> events_;
  const Instrument* sbin_ = nullptr;
  const Instrument* nifty_ce_ = nullptr;
};

TEST_F(SimEngineTest, MarketOrderFillsAtOnceAtTheSymbolPrice) {
  const Order& o = engine_.Place("A1", Params(sbin_, "MARKET", 0, 3));
  EXPECT_EQ(o.status, "complete");
  EXPECT_EQ(o.filled, 3);
  EXPECT_DOUBLE_EQ(o.average_price, 800.0);
  EXPECT_EQ(Codes(o.orderid), (std::vector<std::string>{"AB09:open pending", "AB01:open", "AB05:complete"}));
  ASSERT_EQ(engine_.Trades("A1").size(), 1u);
  EXPECT_EQ(engine_.Trades("A1")[0].size, 3);
}

TEST_F(SimEngineTest, OrderIdsAreDatePrefixedAndUnique) {
  const Order& a = engine_.Place("A1", Params(sbin_, "MARKET"));
  const Order& b = engine_.Place("A1", Params(sbin_, "MARKET"));
  EXPECT_TRUE(std::regex_match(a.orderid, std::regex("^261125[0-9]{9}$"))) << a.orderid;
  EXPECT_NE(a.orderid, b.orderid);
  EXPECT_NE(a.uniqueorderid, b.uniqueorderid);
  EXPECT_EQ(a.uniqueorderid.size(), 36u);
}

TEST_F(SimEngineTest, LimitBuyBelowThePriceRestsUntilThePriceCrosses) {
  const Order& o = engine_.Place("A1", Params(sbin_, "LIMIT", 790.0, 2));
  EXPECT_EQ(o.status, "open");
  engine_.SetPrice(*sbin_, 795.0);
  EXPECT_EQ(o.status, "open");
  engine_.SetPrice(*sbin_, 789.5);
  EXPECT_EQ(o.status, "complete");
  EXPECT_DOUBLE_EQ(o.average_price, 789.5);
  EXPECT_EQ(Codes(o.orderid).back(), "AB05:complete");
}

TEST_F(SimEngineTest, MarketableLimitsFillAtOnceBothSides) {
  EXPECT_EQ(engine_.Place("A1", Params(sbin_, "LIMIT", 800.0)).status, "complete");
  EXPECT_EQ(engine_.Place("A1", Params(sbin_, "LIMIT", 810.0)).status, "complete");
  EXPECT_EQ(engine_.Place("A1", Params(sbin_, "LIMIT", 805.0, 1, "SELL")).status, "open");
  const Order& sell = engine_.Place("A1", Params(sbin_, "LIMIT", 799.0, 1, "SELL"));
  EXPECT_EQ(sell.status, "complete");
  EXPECT_DOUBLE_EQ(sell.average_price, 800.0);
}

TEST_F(SimEngineTest, IocLimitThatDoesNotCrossIsCancelled) {
  OrderParams p = Params(sbin_, "LIMIT", 700.0, 4);
  p.duration = "IOC";
  const Order& o = engine_.Place("A1", p);
  EXPECT_EQ(o.status, "cancelled");
  EXPECT_EQ(o.cancelled, 4);
}

TEST_F(SimEngineTest, StopLossWaitsInTriggerPendingThenFills) {
  OrderParams p = Params(sbin_, "STOPLOSS_MARKET");
  p.triggerprice = 820.0;
  const Order& o = engine_.Place("A1", p);
  EXPECT_EQ(o.status, "trigger pending");
  engine_.SetPrice(*sbin_, 815.0);
  EXPECT_EQ(o.status, "trigger pending");
  engine_.SetPrice(*sbin_, 821.0);
  EXPECT_EQ(o.status, "complete");
  EXPECT_DOUBLE_EQ(o.average_price, 821.0);
  EXPECT_EQ(Codes(o.orderid),
            (std::vector<std::string>{"AB09:open pending", "AB10:trigger pending", "AB01:open", "AB05:complete"}));
}

TEST_F(SimEngineTest, StopLossLimitTriggersIntoARestingLimit) {
  OrderParams p = Params(sbin_, "STOPLOSS_LIMIT", 780.0, 1, "SELL");
  p.triggerprice = 785.0;
  const Order& o = engine_.Place("A1", p);
  EXPECT_EQ(o.status, "trigger pending");
  engine_.SetPrice(*sbin_, 775.0);  // triggers, but below the 780 limit
  EXPECT_EQ(o.status, "open");
  engine_.SetPrice(*sbin_, 781.0);
  EXPECT_EQ(o.status, "complete");
}

TEST_F(SimEngineTest, StopLossWithTriggerAlreadyCrossedIsRejected) {
  OrderParams p = Params(sbin_, "STOPLOSS_MARKET");
  p.triggerprice = 790.0;  // a buy stop below the market
  const Order& o = engine_.Place("A1", p);
  EXPECT_EQ(o.status, "rejected");
  EXPECT_FALSE(o.text.empty());
  EXPECT_EQ(Codes(o.orderid).back(), "AB03:rejected");
}

TEST_F(SimEngineTest, QuantityNotAMultipleOfTheLotIsRejectedWithText) {
  const Order& o = engine_.Place("A1", Params(nifty_ce_, "MARKET", 0, 80));
  EXPECT_EQ(o.status, "rejected");
  EXPECT_NE(o.text.find("lot size 75"), std::string::npos) << o.text;
  EXPECT_EQ(o.exchangeorderid, "");
  EXPECT_EQ(engine_.Place("A1", Params(nifty_ce_, "MARKET", 0, 150)).status, "complete");
}

TEST_F(SimEngineTest, QuantityAboveTheFreezeIsRejected) {
  const Order& o = engine_.Place("A1", Params(nifty_ce_, "MARKET", 0, 1875));
  EXPECT_EQ(o.status, "rejected");
  EXPECT_NE(o.text.find("freeze"), std::string::npos) << o.text;
  EXPECT_EQ(engine_.Place("A1", Params(nifty_ce_, "MARKET", 0, 1800)).status, "complete");
}

TEST_F(SimEngineTest, PriceOffTheTickIsRejected) {
  EXPECT_EQ(engine_.Place("A1", Params(sbin_, "LIMIT", 790.03)).status, "rejected");
  EXPECT_EQ(engine_.Place("A1", Params(sbin_, "LIMIT", 790.05)).status, "open");
}

TEST_F(SimEngineTest, ModifyRepricesAndCanFill) {
  const Order& o = engine_.Place("A1", Params(sbin_, "LIMIT", 780.0, 5));
  ModifyParams m;
  m.price = 785.0;
  m.quantity = 6;
  auto r = engine_.Modify("A1", o.orderid, m);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(o.status, "open");
  EXPECT_EQ(o.params.quantity, 6);
  EXPECT_EQ(Codes(o.orderid).back(), "AB04:modified");
  m.price = 800.0;
  ASSERT_TRUE(engine_.Modify("A1", o.orderid, m).ok());
  EXPECT_EQ(o.status, "complete");
  // A complete order cannot be modified or cancelled.
  EXPECT_EQ(engine_.Modify("A1", o.orderid, m).error().code, "AB2000");
  EXPECT_EQ(engine_.Cancel("A1", o.orderid).error().code, "AB2000");
}

TEST_F(SimEngineTest, CancelOpenOrder) {
  const Order& o = engine_.Place("A1", Params(sbin_, "LIMIT", 780.0, 5));
  auto r = engine_.Cancel("A1", o.orderid);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(o.status, "cancelled");
  EXPECT_EQ(o.cancelled, 5);
  EXPECT_EQ(Codes(o.orderid).back(), "AB02:cancelled");
}

TEST_F(SimEngineTest, UnknownOrOtherAccountsOrderIsNotFound) {
  const Order& o = engine_.Place("A1", Params(sbin_, "LIMIT", 780.0));
  EXPECT_EQ(engine_.Cancel("B2", o.orderid).error().code, "AB1013");
  EXPECT_EQ(engine_.Cancel("A1", "999").error().code, "AB1013");
  EXPECT_EQ(engine_.FindByUniqueId("B2", o.uniqueorderid), nullptr);
  EXPECT_EQ(engine_.FindByUniqueId("A1", o.uniqueorderid), &o);
}

TEST_F(SimEngineTest, PartialFillKeepsTheOrderOpen) {
  const Order& o = engine_.Place("A1", Params(sbin_, "LIMIT", 780.0, 10));
  ASSERT_TRUE(engine_.FillNow(o.orderid, 4).ok());
  EXPECT_EQ(o.status, "open");
  EXPECT_EQ(o.filled, 4);
  EXPECT_EQ(o.unfilled(), 6);
  ASSERT_TRUE(engine_.Cancel("A1", o.orderid).ok());
  EXPECT_EQ(o.cancelled, 6);
}

TEST_F(SimEngineTest, PositionsFollowFills) {
  engine_.Place("A1", Params(sbin_, "MARKET", 0, 10));
  engine_.SetPrice(*sbin_, 810.0);
  engine_.Place("A1", Params(sbin_, "MARKET", 0, 4, "SELL"));
  const auto positions = engine_.Positions("A1");
  ASSERT_EQ(positions.size(), 1u);
  EXPECT_EQ(positions[0].buy_qty, 10);
  EXPECT_EQ(positions[0].sell_qty, 4);
  EXPECT_DOUBLE_EQ(positions[0].buy_amount, 8000.0);
  EXPECT_DOUBLE_EQ(positions[0].sell_amount, 3240.0);
  EXPECT_EQ(engine_.Trades("A1").size(), 2u);
  EXPECT_TRUE(engine_.Positions("B2").empty());
}

TEST_F(SimEngineTest, DefaultPricesAreDeterministicAndOnTick) {
  const Instrument* reliance = instruments_.FindBySymbol("NSE", "RELIANCE-EQ");
  const double p = DefaultPrice(*reliance);
  EXPECT_EQ(p, DefaultPrice(*reliance));
  EXPECT_GE(p, 100.0);
  EXPECT_LT(p, 1000.0);
  EXPECT_TRUE(IsTickMultiple(p, reliance->tick_paise));
  const double opt = DefaultPrice(*nifty_ce_);
  EXPECT_GE(opt, 50.0);
  EXPECT_LT(opt, 500.0);
}

TEST_F(SimEngineTest, ResetForgetsEverything) {
  engine_.Place("A1", Params(sbin_, "MARKET"));
  engine_.Reset();
  EXPECT_TRUE(engine_.Orders("A1").empty());
  EXPECT_EQ(engine_.Price(*sbin_), DefaultPrice(*sbin_));
}

}  // namespace
}  // namespace ct::sim
