#include <gtest/gtest.h>

#include <set>
#include <sstream>

#include "common/time/ist.h"
#include "router/decision.h"
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


// ---- Decide: every rule through the one decision function ----------------

namespace v1 = copytrade::v1;
using Verdict = Decision::Verdict;

std::string Row(const std::string& token, const std::string& symbol, const std::string& name, const std::string& lot,
                const std::string& type, const std::string& exch) {
  return R"({"token":")" + token + R"(","symbol":")" + symbol + R"(","name":")" + name +
         R"(","expiry":"","strike":"-1","lotsize":")" + lot + R"(","instrumenttype":")" + type +
         R"(","exch_seg":")" + exch + R"(","tick_size":"5.000000"})";
}

const instruments::InstrumentMaster& TestMaster() {
  static const auto master = [] {
    std::istringstream in("[" + Row("47101", "NIFTY01DEC2626000CE", "NIFTY", "75", "OPTIDX", "NFO") + "," +
                          Row("48211", "BANKNIFTY29DEC2659000CE", "BANKNIFTY", "35", "OPTIDX", "NFO") + "," +
                          Row("49001", "FINNIFTY29DEC2624000CE", "FINNIFTY", "65", "OPTIDX", "NFO") + "," +
                          Row("3045", "SBIN-EQ", "SBIN", "1", "", "NSE") + "]");
    return std::move(instruments::InstrumentMaster::Parse(in, "test.json")).value();
  }();
  return master;
}

const instruments::FreezeTable& TestFreeze() {
  static const auto freeze =
      std::move(instruments::FreezeTable::Parse("underlying,exchange,freeze_quantity,effective_from\n"
                                                "NIFTY,NFO,1800,2026-02-01\nBANKNIFTY,NFO,600,2026-02-01\n"
                                                "BANKNIFTY,NFO,900,2025-10-01\n",
                                                "freeze.csv"))
          .value();
  return freeze;
}

// 2026-12-08 at hh:mm IST.
int64_t IstTime(int hh, int mm) {
  using namespace std::chrono;
  return ist::StartOfDayNs(ist::Day{year{2026}, month{12}, day{8}}) + (int64_t{hh} * 60 + mm) * 60 * ist::kNsPerSecond;
}

struct Instr {
  std::string token, symbol, exchange;
};
const Instr kNifty{"47101", "NIFTY01DEC2626000CE", "NFO"};
const Instr kBankNifty{"48211", "BANKNIFTY29DEC2659000CE", "NFO"};
const Instr kFinNifty{"49001", "FINNIFTY29DEC2624000CE", "NFO"};
const Instr kSbin{"3045", "SBIN-EQ", "NSE"};

v1::MasterOrderEvent Event(v1::OrderEventKind kind, const Instr& in, const std::string& side, int64_t quantity,
                           int64_t filled = -1, double price = 100.0, const std::string& type = "LIMIT") {
  v1::MasterOrderEvent e;
  e.set_kind(kind);
  auto* o = e.mutable_order();
  o->set_orderid("M1");
  o->set_tradingsymbol(in.symbol);
  o->set_symboltoken(in.token);
  o->set_exchange(in.exchange);
  o->set_transactiontype(side);
  o->set_ordertype(type);
  o->set_producttype("CARRYFORWARD");
  o->set_variety(type.rfind("STOPLOSS", 0) == 0 ? "STOPLOSS" : "NORMAL");
  o->set_quantity(quantity);
  o->set_price(type == "MARKET" || type == "STOPLOSS_MARKET" ? 0.0 : price);
  if (filled < 0) filled = kind == v1::ORDER_EVENT_FILLED ? quantity : 0;
  o->set_filledshares(filled);
  if (filled > 0) o->set_averageprice(price);
  e.set_master_event_time_ns(IstTime(10, 0));
  e.set_detected_time_ns(IstTime(10, 0));
  return e;
}

v1::MasterOrderEvent Filled(const Instr& in, const std::string& side, int64_t quantity, double price = 100.0) {
  return Event(v1::ORDER_EVENT_FILLED, in, side, quantity, quantity, price);
}

// The master held `before` (signed) when this order came.
v1::MasterOrderEvent WithPosition(v1::MasterOrderEvent e, int64_t before) {
  e.set_master_position_known(true);
  e.set_master_position_before(before);
  return e;
}

config::FollowerSettings Follower() {
  config::FollowerSettings f;
  f.number = 1;
  f.id = "follower-1";
  f.rules = Defaults();
  f.max_copy_delay_ms = 30'000;
  return f;
}

struct Case {
  config::FollowerSettings follower = Follower();
  FollowerDay day;
  std::optional<CopyMade> made;
  int64_t now = IstTime(10, 0);
  Decision Run(const v1::MasterOrderEvent& e) const {
    DecisionInput in;
    in.event = &e;
    in.follower = &follower;
    in.instruments = {&TestMaster(), &TestFreeze()};
    in.day = &day;
    in.made = made ? &*made : nullptr;
    in.now_ns = now;
    return Decide(in);
  }
};

std::vector<int64_t> Quantities(const Decision& d) {
  std::vector<int64_t> q;
  for (const auto& ci : d.instructions) q.push_back(ci.order().quantity());
  return q;
}

// What the router records after sending `d` (a placed copy's legs).
CopyMade Placed(const Decision& d) {
  CopyMade m;
  m.state = CopyMade::State::kPlaced;
  for (const auto& ci : d.instructions) {
    m.copy_id = ci.copy_id();
    m.legs.push_back({ci.leg(), ci.ordertag(), ci.order().quantity(), true});
  }
  return m;
}

TEST(Decide, LotsComeFromTheInstrumentMasterRoundedDown) {
  Case c;
  c.follower.rule = Rule(QuantityMode::kMultiplier, 0.5);
  auto d = c.Run(Filled(kNifty, "BUY", 225));  // 112.5 units -> 1 lot of 75
  ASSERT_EQ(d.verdict, Verdict::kSend);
  EXPECT_EQ(Quantities(d), std::vector<int64_t>{75});
  EXPECT_EQ(d.instructions[0].order().lotsize(), 75);

  d = c.Run(Filled(kNifty, "BUY", 75));  // 37.5 units: under one lot
  EXPECT_EQ(d.verdict, Verdict::kSkip);
  EXPECT_NE(d.reason.find("less than one lot (75)"), std::string::npos) << d.reason;

  c.follower.rule.min_one_lot = true;
  d = c.Run(Filled(kNifty, "BUY", 75));
  ASSERT_EQ(d.verdict, Verdict::kSend);
  EXPECT_EQ(Quantities(d), std::vector<int64_t>{75});

  c.follower.rule = Rule(QuantityMode::kFixedLots);
  c.follower.rule.fixed_lots = 2;
  EXPECT_EQ(Quantities(c.Run(Filled(kBankNifty, "BUY", 35))), std::vector<int64_t>{70});
  c.follower.rule = Rule(QuantityMode::kFixed, 1.0, 100);  // 100 units of lot 35 -> 70
  EXPECT_EQ(Quantities(c.Run(Filled(kBankNifty, "BUY", 35))), std::vector<int64_t>{70});
}

TEST(Decide, NiftyAboveTheFreezeQuantityIsSlicedIntoWholeLotLegs) {
  Case c;
  const auto d = c.Run(Filled(kNifty, "BUY", 3000));
  ASSERT_EQ(d.verdict, Verdict::kSend);
  EXPECT_EQ(Quantities(d), (std::vector<int64_t>{1800, 1200}));
  ASSERT_EQ(d.instructions.size(), 2u);
  EXPECT_NE(d.instructions[0].ordertag(), d.instructions[1].ordertag());
  for (int i = 0; i < 2; ++i) {
    const auto& ci = d.instructions[static_cast<size_t>(i)];
    EXPECT_EQ(ci.leg(), i);
    EXPECT_EQ(ci.legs(), 2);
    EXPECT_EQ(ci.ordertag(), OrderTag("M1", "follower-1", i));
    EXPECT_EQ(ci.order().ordertag(), ci.ordertag());
    EXPECT_EQ(ci.copy_id(), d.instructions[0].ordertag());
  }
  EXPECT_TRUE(d.new_copy);
}

TEST(Decide, BankNiftyLegsAreWithinTheFreezeAndWholeLots) {
  Case c;
  const auto d = c.Run(Filled(kBankNifty, "SELL", 1400));
  ASSERT_EQ(d.verdict, Verdict::kSend);
  // Freeze 600 (not the outdated 900) at lot 35: 17 lots = 595 per leg.
  EXPECT_EQ(Quantities(d), (std::vector<int64_t>{595, 595, 210}));
  for (const auto& ci : d.instructions) EXPECT_EQ(ci.legs(), 3);
  // At or under the freeze quantity: one order.
  EXPECT_EQ(Quantities(c.Run(Filled(kNifty, "BUY", 1800))), std::vector<int64_t>{1800});
  EXPECT_EQ(Quantities(c.Run(Filled(kSbin, "BUY", 5000))), std::vector<int64_t>{5000});
}

TEST(Decide, UnderlyingEntriesMatchNiftyButNotBankNiftyOrFinNifty) {
  Case c;
  c.follower.rules.symbols_allow = {"nifty"};
  EXPECT_EQ(c.Run(Filled(kNifty, "BUY", 75)).verdict, Verdict::kSend);
  auto d = c.Run(Filled(kBankNifty, "BUY", 35));
  EXPECT_EQ(d.verdict, Verdict::kSkip);
  EXPECT_NE(d.reason.find("symbols_allow"), std::string::npos) << d.reason;
  EXPECT_EQ(c.Run(Filled(kFinNifty, "BUY", 65)).verdict, Verdict::kSkip);

  c.follower.rules.symbols_allow.clear();
  c.follower.rules.symbols_block = {"NIFTY"};
  d = c.Run(Filled(kNifty, "BUY", 75));
  EXPECT_EQ(d.verdict, Verdict::kSkip);
  EXPECT_NE(d.reason.find("matches 'NIFTY' in copy.symbols_block"), std::string::npos) << d.reason;
  EXPECT_EQ(c.Run(Filled(kBankNifty, "BUY", 35)).verdict, Verdict::kSend);
  // An exact trading symbol still works.
  c.follower.rules.symbols_block = {"BANKNIFTY29DEC2659000CE"};
  EXPECT_EQ(c.Run(Filled(kBankNifty, "BUY", 35)).verdict, Verdict::kSkip);
  EXPECT_EQ(c.Run(Filled(kNifty, "BUY", 75)).verdict, Verdict::kSend);
}

TEST(Decide, ExchangeProductSideAndOrderTypeFilters) {
  Case c;
  c.follower.rules.exchanges = {"NFO"};
  EXPECT_EQ(c.Run(Filled(kNifty, "BUY", 75)).verdict, Verdict::kSend);
  EXPECT_NE(c.Run(Filled(kSbin, "BUY", 1)).reason.find("copy.exchanges"), std::string::npos);
  c.follower.rules.exchanges.clear();
  c.follower.rules.product_types = {"INTRADAY"};
  EXPECT_NE(c.Run(Filled(kSbin, "BUY", 1)).reason.find("product CARRYFORWARD"), std::string::npos);
  c.follower.rules.product_types.clear();
  c.follower.rules.sides = {"BUY"};
  EXPECT_EQ(c.Run(Filled(kSbin, "BUY", 1)).verdict, Verdict::kSend);
  EXPECT_NE(c.Run(Filled(kSbin, "SELL", 1)).reason.find("side SELL"), std::string::npos);
  c.follower.rules.sides.clear();
  c.follower.rules.order_types["LIMIT"] = false;
  EXPECT_NE(c.Run(Filled(kSbin, "BUY", 1)).reason.find("order type LIMIT"), std::string::npos);
}

TEST(Decide, TradingWindowInIstOnTheGivenTime) {
  Case c;
  c.follower.rules.window = config::ParseTimeWindow("09:20-15:10");
  c.now = IstTime(9, 19);
  auto d = c.Run(Filled(kSbin, "BUY", 10));
  EXPECT_EQ(d.verdict, Verdict::kSkip);
  EXPECT_NE(d.reason.find("outside the trading window 09:20-15:10 IST (now 09:19 IST)"), std::string::npos) << d.reason;
  c.now = IstTime(9, 20);
  EXPECT_EQ(c.Run(Filled(kSbin, "BUY", 10)).verdict, Verdict::kSend);
  c.now = IstTime(15, 10);
  EXPECT_EQ(c.Run(Filled(kSbin, "BUY", 10)).verdict, Verdict::kSend);
  c.now = IstTime(15, 11);
  EXPECT_EQ(c.Run(Filled(kSbin, "BUY", 10)).verdict, Verdict::kSkip);
  // An exit outside the window is still copied: it only reduces what is held.
  d = c.Run(WithPosition(Filled(kSbin, "SELL", 10), 10));
  EXPECT_EQ(d.verdict, Verdict::kSend);
  EXPECT_TRUE(d.exit);
}

TEST(Decide, ReverseSwapsTheSide) {
  Case c;
  c.follower.rules.reverse = true;
  EXPECT_EQ(c.Run(Filled(kSbin, "BUY", 10)).instructions.at(0).order().transactiontype(), "SELL");
  EXPECT_EQ(c.Run(Filled(kSbin, "SELL", 10)).instructions.at(0).order().transactiontype(), "BUY");
}

TEST(Decide, EachCapSkipsWithItsReason) {
  Case c;
  c.follower.rules.max_quantity = 150;
  EXPECT_EQ(c.Run(Filled(kNifty, "BUY", 150)).verdict, Verdict::kSend);
  auto d = c.Run(Filled(kNifty, "BUY", 225));
  EXPECT_EQ(d.verdict, Verdict::kSkip);
  EXPECT_NE(d.reason.find("quantity 225 is over max_quantity 150"), std::string::npos) << d.reason;

  c.follower.rules.max_quantity = 0;
  c.follower.rules.max_order_value = 10'000;
  EXPECT_EQ(c.Run(Filled(kSbin, "BUY", 100, 100.0)).verdict, Verdict::kSend);  // exactly 10000
  d = c.Run(Filled(kSbin, "BUY", 101, 100.0));
  EXPECT_EQ(d.verdict, Verdict::kSkip);
  EXPECT_NE(d.reason.find("order value 10100.00 (101 x 100.00) is over max_order_value 10000.00"), std::string::npos)
      << d.reason;

  c.follower.rules.max_order_value = 0;
  c.follower.rules.max_orders_per_day = 3;
  c.day.orders_today = 2;
  EXPECT_EQ(c.Run(Filled(kSbin, "BUY", 1)).verdict, Verdict::kSend);
  c.day.orders_today = 3;
  d = c.Run(Filled(kSbin, "BUY", 1));
  EXPECT_EQ(d.verdict, Verdict::kSkip);
  EXPECT_NE(d.reason.find("max_orders_per_day 3 reached"), std::string::npos) << d.reason;
  // An exit still goes out: blocking it would leave the follower exposed.
  EXPECT_EQ(c.Run(WithPosition(Filled(kSbin, "SELL", 1), 5)).verdict, Verdict::kSend);
}

TEST(Decide, DailyLossLimitSkipsEntriesWithAnAlertAndCopiesExits) {
  Case c;
  c.follower.rules.daily_loss_limit = 5000;
  c.day.day_pnl_known = true;
  c.day.day_pnl = -4999;
  auto d = c.Run(Filled(kSbin, "BUY", 10));
  EXPECT_EQ(d.verdict, Verdict::kSend);
  EXPECT_FALSE(d.loss_limit_hit);
  c.day.day_pnl = -5000;
  d = c.Run(Filled(kSbin, "BUY", 10));
  EXPECT_EQ(d.verdict, Verdict::kSkip);
  EXPECT_TRUE(d.alert);
  EXPECT_TRUE(d.loss_limit_hit);
  EXPECT_NE(d.reason.find("daily loss limit reached: day P&L -5000.00 against daily_loss_limit 5000.00"),
            std::string::npos)
      << d.reason;
  d = c.Run(WithPosition(Filled(kSbin, "SELL", 10), 10));
  EXPECT_EQ(d.verdict, Verdict::kSend);
  EXPECT_TRUE(d.exit);
  EXPECT_FALSE(d.alert);
  // Latched for the day: a recovered P&L does not reopen entries.
  c.day.day_pnl = -100;
  c.day.loss_limit_hit = true;
  EXPECT_EQ(c.Run(Filled(kSbin, "BUY", 10)).verdict, Verdict::kSkip);
}

TEST(Decide, PausedSkipsEntriesAndCopiesExitsUnlessPauseExits) {
  Case c;
  c.day.paused = true;
  auto d = c.Run(Filled(kSbin, "BUY", 10));
  EXPECT_EQ(d.verdict, Verdict::kSkip);
  EXPECT_EQ(d.reason, "paused");
  EXPECT_EQ(c.Run(WithPosition(Filled(kSbin, "SELL", 10), 10)).verdict, Verdict::kSend);
  c.follower.rules.pause_exits = true;
  d = c.Run(WithPosition(Filled(kSbin, "SELL", 10), 10));
  EXPECT_EQ(d.verdict, Verdict::kSkip);
  EXPECT_NE(d.reason.find("paused"), std::string::npos);
}

TEST(Decide, RequireApprovalHoldsUntilMaxCopyDelay) {
  Case c;
  c.follower.rules.require_approval = true;
  c.follower.max_copy_delay_ms = 20'000;
  const auto d = c.Run(Filled(kNifty, "BUY", 3000));
  ASSERT_EQ(d.verdict, Verdict::kHold);
  EXPECT_EQ(Quantities(d), (std::vector<int64_t>{1800, 1200}));
  EXPECT_EQ(d.expires_ns, IstTime(10, 0) + 20'000'000'000);
  // A skip is a skip, approval or not.
  c.day.paused = true;
  EXPECT_EQ(c.Run(Filled(kNifty, "BUY", 75)).verdict, Verdict::kSkip);
}

TEST(Decide, CompleteModeCopiesWhatFilledWhenTheOrderEnds) {
  Case c;
  EXPECT_EQ(c.Run(Event(v1::ORDER_EVENT_PLACED, kSbin, "BUY", 10)).verdict, Verdict::kNothing);
  EXPECT_EQ(c.Run(Event(v1::ORDER_EVENT_PARTIALLY_FILLED, kSbin, "BUY", 10, 4)).verdict, Verdict::kNothing);
  EXPECT_EQ(c.Run(Event(v1::ORDER_EVENT_CANCELLED, kSbin, "BUY", 10, 0)).verdict, Verdict::kNothing);
  // 4 of 10 filled, the rest cancelled: 4 are copied, at the market.
  auto d = c.Run(Event(v1::ORDER_EVENT_CANCELLED, kSbin, "BUY", 10, 4, 101.5));
  ASSERT_EQ(d.verdict, Verdict::kSend);
  EXPECT_EQ(Quantities(d), std::vector<int64_t>{4});
  EXPECT_EQ(d.instructions[0].execution(), v1::EXECUTION_MARKETABLE);
  EXPECT_EQ(d.instructions[0].reference_price(), 101.5);
  EXPECT_EQ(d.instructions[0].action(), v1::COPY_ACTION_PLACE);
  EXPECT_EQ(Quantities(c.Run(Event(v1::ORDER_EVENT_REJECTED, kSbin, "BUY", 10, 3))), std::vector<int64_t>{3});
  d = c.Run(Event(v1::ORDER_EVENT_REJECTED, kSbin, "BUY", 10, 0));
  EXPECT_EQ(d.verdict, Verdict::kSkip);
  EXPECT_NE(d.reason.find("master order rejected"), std::string::npos);
  // One decision per master order.
  c.made = Placed(c.Run(Filled(kSbin, "BUY", 10)));
  EXPECT_EQ(c.Run(Filled(kSbin, "BUY", 10)).verdict, Verdict::kNothing);
}

TEST(Decide, TriggeredStopLossIsCopiedAsAMarketableEntry) {
  Case c;
  auto e = Event(v1::ORDER_EVENT_FILLED, kSbin, "SELL", 10, 10, 98.0, "STOPLOSS_LIMIT");
  e.mutable_order()->set_triggerprice(98.5);
  const auto d = c.Run(e);
  ASSERT_EQ(d.verdict, Verdict::kSend);
  const auto& ci = d.instructions.at(0);
  EXPECT_EQ(ci.execution(), v1::EXECUTION_MARKETABLE);
  EXPECT_EQ(ci.order().ordertype(), "MARKET");
  EXPECT_EQ(ci.order().variety(), "NORMAL");
  EXPECT_EQ(ci.order().triggerprice(), 0.0);
  EXPECT_EQ(ci.reference_price(), 98.0);
}

TEST(Decide, MirrorModeFollowsPlacementModificationAndCancellation) {
  Case c;
  c.follower.copy_mode = config::CopyMode::kMirror;
  c.follower.rule = Rule(QuantityMode::kMultiplier, 2.0);
  auto placed = c.Run(Event(v1::ORDER_EVENT_PLACED, kSbin, "BUY", 10, 0, 100.0));
  ASSERT_EQ(placed.verdict, Verdict::kSend);
  EXPECT_EQ(placed.instructions.at(0).execution(), v1::EXECUTION_RESTING);
  EXPECT_EQ(placed.instructions[0].order().price(), 100.0);
  EXPECT_EQ(Quantities(placed), std::vector<int64_t>{20});
  c.made = Placed(placed);

  auto modified = Event(v1::ORDER_EVENT_MODIFIED, kSbin, "BUY", 15, 0, 99.5);
  auto d = c.Run(modified);
  ASSERT_EQ(d.verdict, Verdict::kSend);
  ASSERT_EQ(d.instructions.size(), 1u);
  EXPECT_EQ(d.instructions[0].action(), v1::COPY_ACTION_MODIFY);
  EXPECT_EQ(d.instructions[0].target_ordertag(), placed.instructions[0].ordertag());
  EXPECT_EQ(d.instructions[0].order().quantity(), 30);
  EXPECT_EQ(d.instructions[0].order().price(), 99.5);
  EXPECT_FALSE(d.new_copy);

  EXPECT_EQ(c.Run(Event(v1::ORDER_EVENT_PARTIALLY_FILLED, kSbin, "BUY", 15, 5, 99.5)).verdict, Verdict::kNothing);
  EXPECT_EQ(c.Run(Filled(kSbin, "BUY", 15)).verdict, Verdict::kNothing);
  d = c.Run(Event(v1::ORDER_EVENT_CANCELLED, kSbin, "BUY", 15, 0));
  ASSERT_EQ(d.verdict, Verdict::kSend);
  EXPECT_EQ(d.instructions.at(0).action(), v1::COPY_ACTION_CANCEL);
  EXPECT_EQ(d.instructions[0].target_ordertag(), placed.instructions[0].ordertag());

  // Stop-loss: rests at the master's trigger; MARKET: marketable.
  c.made.reset();
  auto sl = Event(v1::ORDER_EVENT_TRIGGER_PENDING, kSbin, "SELL", 10, 0, 95.0, "STOPLOSS_LIMIT");
  sl.mutable_order()->set_triggerprice(95.5);
  d = c.Run(sl);
  EXPECT_EQ(d.instructions.at(0).execution(), v1::EXECUTION_RESTING);
  EXPECT_EQ(d.instructions[0].order().triggerprice(), 95.5);
  EXPECT_EQ(d.instructions[0].order().variety(), "STOPLOSS");
  d = c.Run(Event(v1::ORDER_EVENT_PLACED, kSbin, "BUY", 10, 0, 0.0, "MARKET"));
  EXPECT_EQ(d.instructions.at(0).execution(), v1::EXECUTION_MARKETABLE);
  // A master rejection places nothing and is reported.
  d = c.Run(Event(v1::ORDER_EVENT_REJECTED, kSbin, "BUY", 10, 0));
  EXPECT_EQ(d.verdict, Verdict::kSkip);
  EXPECT_TRUE(d.instructions.empty());
}

TEST(Decide, MirrorQuantityChangeAcrossTheFreezeAddsAndCancelsLegs) {
  Case c;
  c.follower.copy_mode = config::CopyMode::kMirror;
  auto placed = c.Run(Event(v1::ORDER_EVENT_PLACED, kNifty, "BUY", 1500, 0, 120.0));
  ASSERT_EQ(Quantities(placed), std::vector<int64_t>{1500});
  c.made = Placed(placed);
  auto d = c.Run(Event(v1::ORDER_EVENT_MODIFIED, kNifty, "BUY", 3000, 0, 120.0));
  ASSERT_EQ(d.instructions.size(), 2u);
  EXPECT_EQ(d.instructions[0].action(), v1::COPY_ACTION_MODIFY);
  EXPECT_EQ(d.instructions[0].order().quantity(), 1800);
  EXPECT_EQ(d.instructions[1].action(), v1::COPY_ACTION_PLACE);
  EXPECT_EQ(d.instructions[1].order().quantity(), 1200);
  EXPECT_EQ(d.instructions[1].ordertag(), OrderTag("M1", "follower-1", 1));
  EXPECT_EQ(d.instructions[1].copy_id(), placed.instructions[0].copy_id());
  // Back down to one leg: leg 1 is cancelled.
  c.made->legs.push_back({1, d.instructions[1].ordertag(), 1200, true});
  d = c.Run(Event(v1::ORDER_EVENT_MODIFIED, kNifty, "BUY", 750, 0, 121.0));
  ASSERT_EQ(d.instructions.size(), 2u);
  EXPECT_EQ(d.instructions[0].action(), v1::COPY_ACTION_MODIFY);
  EXPECT_EQ(d.instructions[0].order().quantity(), 750);
  EXPECT_EQ(d.instructions[1].action(), v1::COPY_ACTION_CANCEL);
  EXPECT_EQ(d.instructions[1].target_ordertag(), OrderTag("M1", "follower-1", 1));
}

TEST(Decide, MirrorHeldCopyFollowsChangesAndEndsWithACancel) {
  Case c;
  c.follower.copy_mode = config::CopyMode::kMirror;
  c.follower.rules.require_approval = true;
  auto held = c.Run(Event(v1::ORDER_EVENT_PLACED, kSbin, "BUY", 10));
  ASSERT_EQ(held.verdict, Verdict::kHold);
  c.made = CopyMade{CopyMade::State::kHeld, held.instructions[0].copy_id(), {}, held.instructions};
  auto d = c.Run(Event(v1::ORDER_EVENT_MODIFIED, kSbin, "BUY", 12, 0, 99.0));
  ASSERT_EQ(d.verdict, Verdict::kHold);
  EXPECT_EQ(d.instructions.at(0).order().quantity(), 12);
  EXPECT_EQ(d.instructions[0].action(), v1::COPY_ACTION_PLACE);
  d = c.Run(Event(v1::ORDER_EVENT_CANCELLED, kSbin, "BUY", 12, 0));
  EXPECT_EQ(d.verdict, Verdict::kSkip);
  EXPECT_NE(d.reason.find("cancelled before approval"), std::string::npos);
}

TEST(Decide, ExitsCarryTheFractionOfTheMastersPosition) {
  Case c;
  c.follower.rule = Rule(QuantityMode::kMultiplier, 1.5);
  // Master long 150, sells 75: half.
  auto d = c.Run(WithPosition(Filled(kNifty, "SELL", 75), 150));
  ASSERT_EQ(d.verdict, Verdict::kSend);
  EXPECT_TRUE(d.exit);
  ASSERT_TRUE(d.instructions.at(0).has_exit());
  EXPECT_DOUBLE_EQ(d.instructions[0].exit().fraction(), 0.5);
  EXPECT_FALSE(d.instructions[0].exit().flatten());
  // Master sells all 150: flatten. The follower (1.5x, rounded) holds 225:
  // the estimate is its whole position.
  c.day.positions_known = true;
  c.day.positions[PositionKey(Filled(kNifty, "SELL", 150).order())] = 225;
  d = c.Run(WithPosition(Filled(kNifty, "SELL", 150), 150));
  EXPECT_TRUE(d.instructions.at(0).exit().flatten());
  EXPECT_EQ(Quantities(d), std::vector<int64_t>{225});
  // Half of 225 = 112.5 -> one lot.
  d = c.Run(WithPosition(Filled(kNifty, "SELL", 75), 150));
  EXPECT_EQ(Quantities(d), std::vector<int64_t>{75});
  // Not an exit: adding to the position, or the position unknown.
  EXPECT_FALSE(c.Run(WithPosition(Filled(kNifty, "BUY", 75), 150)).exit);
  EXPECT_FALSE(c.Run(Filled(kNifty, "SELL", 75)).exit);
}

TEST(Decide, AFlipClosesThePositionAndEntersTheRest) {
  Case c;
  // Master long 75 sells 150: close 75 (flatten) and go short 75.
  const auto d = c.Run(WithPosition(Filled(kNifty, "SELL", 150), 75));
  ASSERT_EQ(d.instructions.size(), 2u);
  EXPECT_TRUE(d.instructions[0].exit().flatten());
  EXPECT_FALSE(d.instructions[1].has_exit());
  EXPECT_EQ(d.instructions[1].order().quantity(), 75);
  EXPECT_EQ(d.instructions[1].leg(), 1);
  EXPECT_EQ(d.instructions[1].copy_id(), d.instructions[0].copy_id());
  // Paused: the exit part only.
  Case p;
  p.day.paused = true;
  const auto e = p.Run(WithPosition(Filled(kNifty, "SELL", 150), 75));
  ASSERT_EQ(e.instructions.size(), 1u);
  EXPECT_NE(e.partial_reason.find("paused"), std::string::npos);
}

TEST(Decide, RuleExitSizingSizesExitsLikeEntries) {
  Case c;
  c.follower.exit_sizing = config::ExitSizingMode::kRule;
  c.follower.rule = Rule(QuantityMode::kMultiplier, 2.0);
  const auto d = c.Run(WithPosition(Filled(kSbin, "SELL", 10), 20));
  ASSERT_EQ(d.verdict, Verdict::kSend);
  EXPECT_TRUE(d.exit);
  EXPECT_FALSE(d.instructions.at(0).has_exit());
  EXPECT_EQ(Quantities(d), std::vector<int64_t>{20});
}

}  // namespace
}  // namespace ct::router
