// Limit Price Protection bands, freeze quantities from their data file, and
// positions following admin price moves (engine and BrokerApi, no sockets).
#include <gtest/gtest.h>

#include "sim/algo_rules.h"
#include "sim/format.h"
#include "sim/freeze_quantities.h"
#include "sim_test_support.h"

namespace ct::sim {
namespace {

using json = nlohmann::json;
using ct::sim::testing::ApiHarness;
using ct::sim::testing::kMorningNs;
using ct::sim::testing::ShippedFreezeQuantities;
using ct::sim::testing::ShippedInstruments;

constexpr char kPlace[] = "/rest/secure/angelbroking/order/v1/placeOrder";
constexpr char kModify[] = "/rest/secure/angelbroking/order/v1/modifyOrder";
constexpr char kDetails[] = "/rest/secure/angelbroking/order/v1/details/";
constexpr char kPositions[] = "/rest/secure/angelbroking/order/v1/getPosition";
const std::string kLpp = "Order price is beyond the Limit Price Protection range defined by the exchange. ";

std::pair<double, double> Band(const Instrument& in, double reference) {
  const auto band = LppBand(in, reference);
  EXPECT_TRUE(band) << in.symbol;
  if (!band) return {0, 0};
  return {static_cast<double>(band->low_paise) / 100.0, static_cast<double>(band->high_paise) / 100.0};
}

class SimLppTest : public ::testing::Test {
 protected:
  SimLppTest() : clock_(kMorningNs), instruments_(ShippedInstruments()), engine_(clock_, instruments_) {
    engine_.set_freeze_quantities(ShippedFreezeQuantities());
    engine_.SetListener([this](const Order& o, std::string_view code, std::string_view) {
      codes_.push_back(o.orderid + " " + std::string(code));
    });
  }
  const Instrument& In(const std::string& exchange, const std::string& symbol) {
    const Instrument* in = instruments_.FindBySymbol(exchange, symbol);
    EXPECT_NE(in, nullptr) << symbol;
    return *in;
  }
  OrderParams Limit(const Instrument& in, double price, int64_t qty, const std::string& side = "BUY") {
    OrderParams p;
    p.instrument = &in;
    p.ordertype = "LIMIT";
    p.producttype = "CARRYFORWARD";
    p.transactiontype = side;
    p.quantity = qty;
    p.price = price;
    return p;
  }
  std::vector<std::string> CodesOf(const std::string& orderid) const {
    std::vector<std::string> out;
    for (const auto& c : codes_)
      if (c.rfind(orderid + " ", 0) == 0) out.push_back(c.substr(orderid.size() + 1));
    return out;
  }

  FakeClock clock_;
  InstrumentTable instruments_;
  OrderEngine engine_;
  std::vector<std::string> codes_;
};

TEST_F(SimLppTest, BandsOfNseOptionsInBothReferenceRegimes) {
  const Instrument& ce = In("NFO", "NIFTY01DEC2626000CE");
  EXPECT_EQ(Band(ce, 200.0), std::make_pair(120.0, 280.0));  // > 50: +/- 40 %
  EXPECT_EQ(Band(ce, 50.05), std::make_pair(30.05, 70.05));  // 30.03 .. 70.07, inwards to the tick
  EXPECT_EQ(Band(ce, 50.0), std::make_pair(30.0, 70.0));     // <= 50: +/- 20 rupees
  EXPECT_EQ(Band(ce, 30.0), std::make_pair(10.0, 50.0));
  EXPECT_EQ(Band(ce, 10.0), std::make_pair(0.05, 30.0));  // never below one tick
}

TEST_F(SimLppTest, BandsOfFuturesAndBseDerivatives) {
  EXPECT_EQ(Band(In("NFO", "NIFTY29DEC26FUT"), 1000.0), std::make_pair(970.0, 1030.0));  // +/- 3 %
  EXPECT_EQ(Band(In("NFO", "BANKNIFTY29DEC26FUT"), 500.0), std::make_pair(485.0, 515.0));
  const Instrument& bfo_ce = In("BFO", "SENSEX31DEC2685000CE");
  EXPECT_EQ(Band(bfo_ce, 200.0), std::make_pair(80.0, 320.0));  // +/- 60 %
  EXPECT_EQ(Band(bfo_ce, 40.0), std::make_pair(10.0, 70.0));    // at least 30 rupees
  const Instrument& bfo_fut = In("BFO", "SENSEX31DEC26FUT");
  EXPECT_EQ(Band(bfo_fut, 500.0), std::make_pair(485.0, 515.0));  // +/- 3 %
  EXPECT_EQ(Band(bfo_fut, 40.0), std::make_pair(38.5, 41.5));     // at least 1.50
  // Cash has no LPP band here (circuit limits instead).
  EXPECT_FALSE(LppBand(In("NSE", "SBIN-EQ"), 800.0));
  EXPECT_FALSE(LppBand(In("BSE", "SBIN"), 800.0));
}

TEST_F(SimLppTest, ANewLimitOutsideTheBandIsAcceptedThenRejectedWithTheText) {
  const Instrument& ce = In("NFO", "NIFTY01DEC2626000CE");
  engine_.SetPrice(ce, 200.0);
  const Order& high = engine_.Place("A1", Limit(ce, 280.05, 75));
  EXPECT_EQ(high.status, "rejected");
  EXPECT_EQ(high.text, kLpp + "Please decrease the limit price to at most 280.00 (allowed range 120.00 - 280.00).");
  EXPECT_EQ(CodesOf(high.orderid), (std::vector<std::string>{"AB09", "AB03"}));
  const Order& low = engine_.Place("A1", Limit(ce, 119.95, 75, "SELL"));
  EXPECT_EQ(low.status, "rejected");
  EXPECT_EQ(low.text, kLpp + "Please increase the limit price to at least 120.00 (allowed range 120.00 - 280.00).");
  // On the band's ends: accepted (a BUY at 280 fills at once at 200).
  EXPECT_EQ(engine_.Place("A1", Limit(ce, 280.0, 75)).status, "complete");
  EXPECT_EQ(engine_.Place("A1", Limit(ce, 120.0, 75)).status, "open");

  engine_.SetPrice(ce, 30.0);  // the rupee regime
  EXPECT_EQ(engine_.Place("A1", Limit(ce, 50.05, 75)).status, "rejected");
  EXPECT_EQ(engine_.Place("A1", Limit(ce, 50.0, 75)).status, "complete");
  EXPECT_EQ(engine_.Place("A1", Limit(ce, 9.95, 75, "SELL")).status, "rejected");
}

TEST_F(SimLppTest, FuturesAndBseDerivativesAreCheckedToo) {
  const Instrument& fut = In("NFO", "NIFTY29DEC26FUT");
  engine_.SetPrice(fut, 1000.0);
  EXPECT_EQ(engine_.Place("A1", Limit(fut, 1030.1, 75)).status, "rejected");
  EXPECT_EQ(engine_.Place("A1", Limit(fut, 1030.0, 75)).status, "complete");
  const Instrument& bfo_ce = In("BFO", "SENSEX31DEC2685000CE");
  engine_.SetPrice(bfo_ce, 40.0);
  const Order& o = engine_.Place("A1", Limit(bfo_ce, 70.05, 20));
  EXPECT_EQ(o.status, "rejected");
  EXPECT_EQ(o.text, kLpp + "Please decrease the limit price to at most 70.00 (allowed range 10.00 - 70.00).");
  EXPECT_EQ(engine_.Place("A1", Limit(bfo_ce, 70.0, 20)).status, "complete");
  const Instrument& bfo_fut = In("BFO", "SENSEX31DEC26FUT");
  engine_.SetPrice(bfo_fut, 40.0);
  EXPECT_EQ(engine_.Place("A1", Limit(bfo_fut, 38.45, 20, "SELL")).status, "rejected");
  EXPECT_EQ(engine_.Place("A1", Limit(bfo_fut, 38.5, 20, "SELL")).status, "complete");
}

TEST_F(SimLppTest, AModificationOutsideTheBandIsRefusedAndTheOrderKeepsItsPrice) {
  const Instrument& ce = In("NFO", "NIFTY01DEC2626000CE");
  engine_.SetPrice(ce, 200.0);
  const Order& o = engine_.Place("A1", Limit(ce, 150.0, 75));
  ASSERT_EQ(o.status, "open");
  ModifyParams m;
  m.price = 100.0;
  const auto refused = engine_.Modify("A1", o.orderid, m);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, "AB2000");
  EXPECT_EQ(refused.error().message,
            kLpp + "Please increase the limit price to at least 120.00 (allowed range 120.00 - 280.00).");
  EXPECT_EQ(o.params.price, 150.0);
  EXPECT_EQ(o.status, "open");
  EXPECT_EQ(CodesOf(o.orderid).back(), "AB01");  // no AB04: nothing changed
  m.price = 125.0;
  ASSERT_TRUE(engine_.Modify("A1", o.orderid, m).ok());
  EXPECT_EQ(o.params.price, 125.0);
}

TEST_F(SimLppTest, AStopLossLimitIsCheckedWhenItTriggers) {
  const Instrument& ce = In("NFO", "NIFTY01DEC2626000CE");
  engine_.SetPrice(ce, 200.0);
  OrderParams sl = Limit(ce, 80.0, 75, "SELL");
  sl.ordertype = "STOPLOSS_LIMIT";
  sl.variety = "STOPLOSS";
  sl.triggerprice = 150.0;
  // 80 is outside today's band (120..280), but it is not checked yet.
  const Order& o = engine_.Place("A1", sl);
  ASSERT_EQ(o.status, "trigger pending");
  engine_.SetPrice(ce, 140.0);  // triggers; the band around 140 is 84..196
  EXPECT_EQ(o.status, "rejected");
  EXPECT_EQ(o.text,
            kLpp + "Please increase the stop loss limit price to at least 84.00 (allowed range 84.00 - 196.00).");
  EXPECT_EQ(CodesOf(o.orderid), (std::vector<std::string>{"AB09", "AB10", "AB03"}));
  EXPECT_TRUE(engine_.Trades("A1").empty());

  // Inside the band at the trigger: it works as before.
  engine_.SetPrice(ce, 200.0);
  sl.price = 130.0;
  const Order& ok = engine_.Place("A1", sl);
  engine_.SetPrice(ce, 140.0);
  EXPECT_EQ(ok.status, "complete");
  EXPECT_EQ(ok.average_price, 140.0);
}

TEST(SimLppApi, ThroughSmartApiTheOrderIdComesBackAndTheRejectionFollows) {
  ApiHarness h;
  const Instrument& ce = *h.instruments.FindBySymbol("NFO", "BANKNIFTY29DEC2659000CE");
  h.engine.SetPrice(ce, 300.0);
  const std::string jwt = h.Jwt();
  json order = {{"variety", "NORMAL"},      {"tradingsymbol", ce.symbol}, {"symboltoken", ce.token},
                {"transactiontype", "BUY"}, {"exchange", "NFO"},          {"ordertype", "LIMIT"},
                {"producttype", "CARRYFORWARD"}, {"duration", "DAY"},     {"price", "450"},
                {"quantity", "35"}};
  const json placed = ApiHarness::Parse(h.Call("POST", kPlace, order.dump(), jwt));
  ASSERT_EQ(placed["status"], true) << placed;
  const json d = ApiHarness::Parse(h.Call("GET", kDetails + placed["data"]["uniqueorderid"].get<std::string>(), "", jwt));
  EXPECT_EQ(d["data"]["status"], "rejected");
  EXPECT_EQ(d["data"]["text"],
            kLpp + "Please decrease the limit price to at most 420.00 (allowed range 180.00 - 420.00).");

  order["price"] = "200";
  h.NextSecond();
  const std::string id = ApiHarness::Parse(h.Call("POST", kPlace, order.dump(), jwt))["data"]["orderid"];
  h.NextSecond();
  const json modify = {{"variety", "NORMAL"}, {"orderid", id}, {"ordertype", "LIMIT"}, {"price", "175"}};
  const json refused = ApiHarness::Parse(h.Call("POST", kModify, modify.dump(), jwt));
  EXPECT_EQ(refused, json({{"status", false},
                           {"message", kLpp + "Please increase the limit price to at least 180.00 (allowed range "
                                              "180.00 - 420.00)."},
                           {"errorcode", "AB2000"},
                           {"data", nullptr}}));
  EXPECT_EQ(h.engine.FindByOrderId("M1234567", id)->params.price, 200.0);
}

TEST(SimFreezeQuantities, TheRowInForceIsTheLatestNotAfterTheDay) {
  auto t = FreezeQuantities::Parse(
      "# a comment\n"
      "underlying,exchange,freeze_quantity,effective_from\r\n"
      "BANKNIFTY,NFO,600,2026-02-01\n"
      "\n"
      "BANKNIFTY,NFO,900,2025-10-01\n"
      "  NIFTY , NFO , 1800 , 2026-02-01\n"
      "# trailing comment\n");
  ASSERT_TRUE(t.ok()) << t.error();
  EXPECT_EQ(t->rows(), 3u);
  EXPECT_EQ(t->For("BANKNIFTY", "NFO", "2026-11-25"), 600);
  EXPECT_EQ(t->For("BANKNIFTY", "NFO", "2026-02-01"), 600);
  EXPECT_EQ(t->For("BANKNIFTY", "NFO", "2026-01-31"), 900);
  EXPECT_EQ(t->For("BANKNIFTY", "NFO", "2025-09-30"), std::nullopt);
  EXPECT_EQ(t->For("NIFTY", "NFO", "2026-11-25"), 1800);
  EXPECT_EQ(t->For("NIFTY", "BFO", "2026-11-25"), std::nullopt);
  EXPECT_EQ(t->For("SENSEX", "BFO", "2026-11-25"), std::nullopt);
}

TEST(SimFreezeQuantities, TheShippedFileCarriesTheValuesOfFebruary2026) {
  const FreezeQuantities t = ShippedFreezeQuantities();
  EXPECT_EQ(t.For("NIFTY", "NFO", "2026-11-25"), 1800);
  EXPECT_EQ(t.For("BANKNIFTY", "NFO", "2026-11-25"), 600);
  EXPECT_EQ(t.For("BANKNIFTY", "NFO", "2026-01-15"), 900);
  EXPECT_EQ(t.For("FINNIFTY", "NFO", "2026-11-25"), 1800);
  EXPECT_EQ(t.For("MIDCPNIFTY", "NFO", "2026-11-25"), 2800);
  EXPECT_EQ(t.For("NIFTYNXT50", "NFO", "2026-11-25"), 600);
}

TEST(SimFreezeQuantities, ABadFileNamesTheLineAndTheProblem) {
  const std::string header = "underlying,exchange,freeze_quantity,effective_from\n";
  auto error = [](const std::string& text) {
    auto t = FreezeQuantities::Parse(text);
    return t.ok() ? std::string("ok") : t.error();
  };
  EXPECT_EQ(error("# only a comment\n"),
            "line 1: no header \"underlying,exchange,freeze_quantity,effective_from\"");
  EXPECT_EQ(error(""), "line 1: no header \"underlying,exchange,freeze_quantity,effective_from\"");
  EXPECT_EQ(error("# c\nunderlying,exchange,qty,effective_from\n"),
            "line 2: expected the header \"underlying,exchange,freeze_quantity,effective_from\"");
  EXPECT_EQ(error(header + "NIFTY,NFO,1800\n"),
            "line 2: expected 4 fields (underlying,exchange,freeze_quantity,effective_from), found 3");
  EXPECT_EQ(error(header + "NIFTY,NFO,1800,2026-02-01\nBANKNIFTY,NFO,-600,2026-02-01\n"),
            "line 3: freeze_quantity must be a positive whole number");
  EXPECT_EQ(error(header + "BANKNIFTY,NFO,0,2026-02-01\n"), "line 2: freeze_quantity must be a positive whole number");
  EXPECT_EQ(error(header + "BANKNIFTY,NFO,600,2026-02-30\n"), "line 2: effective_from must be a date YYYY-MM-DD");
  EXPECT_EQ(error(header + "BANKNIFTY,NFO,600,01-02-2026\n"), "line 2: effective_from must be a date YYYY-MM-DD");
  EXPECT_EQ(error(header + "BANKNIFTY,XYZ,600,2026-02-01\n"),
            "line 2: exchange must be one of NFO, BFO, NSE, BSE, MCX, CDS");
  EXPECT_EQ(error(header + ",NFO,600,2026-02-01\n"), "line 2: underlying must be a name like NIFTY");
  EXPECT_EQ(error(header + "BANKNIFTY,NFO,600,2026-02-01\nBANKNIFTY,NFO,900,2026-02-01\n"),
            "line 3: a second row for BANKNIFTY NFO effective 2026-02-01");
  EXPECT_EQ(error(header + "NIFTY,NFO,1800,2024-02-29\n"), "ok");  // a leap day
  EXPECT_EQ(error("# c\n" + header + "# none yet\n"), "line 3: no rows after the header");
  auto missing = FreezeQuantities::Load("/nonexistent/freeze.csv");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error(), "/nonexistent/freeze.csv: cannot open the freeze quantity file");
}

TEST_F(SimLppTest, TheFreezeQuantityInForceOnTheClocksDayApplies) {
  const Instrument& bn = In("NFO", "BANKNIFTY29DEC2659000CE");
  engine_.SetPrice(bn, 300.0);
  // 2026-11-25: BANKNIFTY 600.
  const Order& big = engine_.Place("A1", Limit(bn, 300.0, 700));
  EXPECT_EQ(big.status, "rejected");
  EXPECT_EQ(big.text, "Order quantity 700 exceeds the freeze quantity 600");
  EXPECT_EQ(engine_.Place("A1", Limit(bn, 300.0, 595)).status, "complete");
  // 2026-01-15 IST: the older row (900) was in force.
  clock_.set_wall_ns(1'768'450'000'000'000'000);
  ASSERT_EQ(IstIsoDate(clock_.wall_ns() / 1'000'000'000), "2026-01-15");
  EXPECT_EQ(engine_.Place("A1", Limit(bn, 300.0, 700)).status, "complete");
  EXPECT_EQ(engine_.Place("A1", Limit(bn, 300.0, 945)).status, "rejected");
}

TEST(SimPositions, PnlAndLtpFollowAdminPriceMoves) {
  ApiHarness h;
  const std::string jwt = h.Jwt();
  ASSERT_EQ(h.Call("POST", "/sim/v1/price", R"({"tradingsymbol":"NIFTY01DEC2626100CE","exchange":"NFO","price":200})")
                .status,
            200);
  const json buy = {{"variety", "NORMAL"},      {"tradingsymbol", "NIFTY01DEC2626100CE"}, {"symboltoken", "47103"},
                    {"transactiontype", "BUY"}, {"exchange", "NFO"},                      {"ordertype", "LIMIT"},
                    {"producttype", "CARRYFORWARD"}, {"duration", "DAY"},                 {"price", "210"},
                    {"quantity", "150"}};
  ASSERT_EQ(ApiHarness::Parse(h.Call("POST", kPlace, buy.dump(), jwt))["status"], true);
  auto position = [&] {
    h.NextSecond();
    const json rows = ApiHarness::Parse(h.Call("GET", kPositions, "", jwt))["data"];
    EXPECT_EQ(rows.size(), 1u) << rows;
    return rows[0];
  };
  json p = position();
  EXPECT_EQ(p["netqty"], "150");
  EXPECT_EQ(p["ltp"], "200.00");
  EXPECT_EQ(p["unrealised"], "0.00");

  h.Call("POST", "/sim/v1/price", R"({"tradingsymbol":"NIFTY01DEC2626100CE","exchange":"NFO","price":180.5})");
  p = position();
  EXPECT_EQ(p["ltp"], "180.50");
  EXPECT_EQ(p["unrealised"], "-2925.00");  // 150 x (180.50 - 200)
  EXPECT_EQ(p["realised"], "0.00");
  EXPECT_EQ(p["pnl"], "-2925.00");
  EXPECT_EQ(p["close"], FixedDecimals(DefaultPrice(*h.instruments.FindBySymbol("NFO", "NIFTY01DEC2626100CE")), 2));
  const json rms = ApiHarness::Parse(h.Call("GET", "/rest/secure/angelbroking/user/v1/getRMS", "", jwt));
  EXPECT_EQ(rms["data"]["m2munrealized"], "-2925.0000");

  // Sell half at the new price: realised on 75, unrealised on the rest.
  json sell = buy;
  sell["transactiontype"] = "SELL";
  sell["price"] = "170";
  sell["quantity"] = "75";
  h.NextSecond();
  ASSERT_EQ(ApiHarness::Parse(h.Call("POST", kPlace, sell.dump(), jwt))["status"], true);
  h.Call("POST", "/sim/v1/price", R"({"tradingsymbol":"NIFTY01DEC2626100CE","exchange":"NFO","price":210})");
  p = position();
  EXPECT_EQ(p["netqty"], "75");
  EXPECT_EQ(p["realised"], "-1462.50");   // 75 x (180.50 - 200)
  EXPECT_EQ(p["unrealised"], "750.00");   // 75 x (210 - 200)
  EXPECT_EQ(p["pnl"], "-712.50");
  EXPECT_EQ(p["ltp"], "210.00");
}

}  // namespace
}  // namespace ct::sim
