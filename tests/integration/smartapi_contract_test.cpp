// Contract tests: every client call against the real copytrade-sim over
// loopback, and every error dialect and injected fault mapped to the right
// typed error. One emulator per suite; /sim/v1/reset between tests.
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <nlohmann/json.hpp>

#include "common/smartapi/client.h"
#include "common/smartapi/testing/sim_process.h"

namespace ct::smartapi {
namespace {

using nlohmann::json;
using testing::SimProcess;
using namespace std::chrono_literals;

class SmartApiContractTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto started = SimProcess::Start(std::string(CT_BIN_DIR) + "/copytrade-sim", 1);
    ASSERT_TRUE(started.has_value()) << "copytrade-sim did not start";
    sim_ = new SimProcess(std::move(*started));
  }
  static void TearDownTestSuite() {
    delete sim_;
    sim_ = nullptr;
  }
  void SetUp() override {
    ASSERT_NE(sim_, nullptr);
    ASSERT_TRUE(Admin("reset", json::object()).ok());
  }
  void TearDown() override { (void)Admin("fault/clear", json::object()); }

  // POST /sim/v1/<op>; the emulator's admin API (tests only).
  static Result<json> Admin(const std::string& op, const json& body) {
    CurlOptions options;
    options.base_url = sim_->base_url();
    auto transport = MakeCurlTransport(options);
    HttpRequest r;
    r.method = "POST";
    r.path = "/sim/v1/" + op;
    r.headers = {{"Content-Type", "application/json"}};
    r.body = body.dump();
    auto reply = transport->Send(r);
    if (!reply.ok()) return TransportFailure(reply.error(), false);
    return ParseReply(*reply, false);
  }
  static void Fault(const std::string& clientcode, const std::string& endpoint, const std::string& kind,
                    json extra = json::object()) {
    extra["clientcode"] = clientcode;
    extra["endpoint"] = endpoint;
    extra["kind"] = kind;
    auto r = Admin("fault", extra);
    ASSERT_TRUE(r.ok()) << r.error().ToString();
  }

  std::unique_ptr<Client> MakeClient(LoginCredentials credentials, ClientOptions options = {}, long timeout_ms = 7000) {
    CurlOptions curl;
    curl.base_url = sim_->base_url();
    curl.timeout_ms = timeout_ms;
    return std::make_unique<Client>(std::move(credentials), MakeCurlTransport(curl), SystemClock::instance(),
                                    std::move(options));
  }
  std::unique_ptr<Client> Master(ClientOptions options = {}, long timeout_ms = 7000) {
    return MakeClient(sim_->master(), std::move(options), timeout_ms);
  }

  static OrderRequest Order(const std::string& ordertype, double price, const std::string& tag) {
    OrderRequest r;
    r.tradingsymbol = "SBIN-EQ";
    r.symboltoken = "3045";
    r.transactiontype = "BUY";
    r.exchange = "NSE";
    r.ordertype = ordertype;
    r.producttype = "INTRADAY";
    r.price = price;
    r.quantity = 1;
    r.ordertag = tag;
    return r;
  }

  // A BUY LIMIT at or above this fills at once: the emulator's default
  // prices for cash are below 1000, and it has no price band on NSE cash.
  // (The API refuses MARKET orders under the 2026 rules; a marketable
  // LIMIT is how a client fills at once.)
  static constexpr double kMarketable = 1000.0;
  static OrderRequest Marketable(const std::string& tag) { return Order("LIMIT", kMarketable, tag); }

  // A LIMIT price far below the market: the order stays open.
  double RestingPrice(Client& client) {
    auto ltp = client.GetLtpData("NSE", "SBIN-EQ", "3045");
    EXPECT_TRUE(ltp.ok()) << ltp.error().ToString();
    return ltp.ok() ? std::floor(ltp->ltp / 2) : 1.0;
  }

  static std::vector<smartapi::Order> WithTag(const std::vector<smartapi::Order>& book, const std::string& tag) {
    std::vector<smartapi::Order> out;
    for (const auto& o : book) {
      if (o.ordertag() == tag) out.push_back(o);
    }
    return out;
  }

  static SimProcess* sim_;
};

SimProcess* SmartApiContractTest::sim_ = nullptr;

TEST_F(SmartApiContractTest, LoginAndProfile) {
  auto client = Master();
  auto session = client->Login();
  ASSERT_TRUE(session.ok()) << session.error().ToString();
  EXPECT_FALSE(session->jwt_token.empty());
  EXPECT_FALSE(session->refresh_token.empty());
  EXPECT_FALSE(session->feed_token.empty());
  // The emulator's JWT expires at midnight IST at the latest.
  const int64_t now = SystemClock::instance().wall_ns();
  EXPECT_GT(client->session_expiry_ns(), now);
  EXPECT_LE(client->session_expiry_ns(), NextMidnightIst(now));

  auto profile = client->GetProfile();
  ASSERT_TRUE(profile.ok()) << profile.error().ToString();
  EXPECT_EQ(profile->clientcode, sim_->master().client_id);
}

TEST_F(SmartApiContractTest, WrongTotpIsRejectedAB1050) {
  LoginCredentials wrong = sim_->master();
  wrong.totp_secret = totp::NewSecret();
  auto client = MakeClient(wrong);
  auto session = client->Login();
  ASSERT_FALSE(session.ok());
  EXPECT_EQ(session.error().kind, ErrorKind::kRejected);
  EXPECT_EQ(session.error().code, "AB1050");
}

TEST_F(SmartApiContractTest, WrongApiKeyIsRejectedAG8004) {
  LoginCredentials wrong = sim_->master();
  wrong.api_key = "not-a-key";
  auto session = MakeClient(wrong)->Login();
  ASSERT_FALSE(session.ok());
  EXPECT_EQ(session.error().kind, ErrorKind::kRejected);
  EXPECT_EQ(session.error().code, "AG8004");
}

TEST_F(SmartApiContractTest, EmptyBooksAreEmptyVectors) {
  auto client = Master();
  auto book = client->GetOrderBook();
  ASSERT_TRUE(book.ok()) << book.error().ToString();
  EXPECT_TRUE(book->empty());
  auto trades = client->GetTradeBook();
  ASSERT_TRUE(trades.ok()) << trades.error().ToString();
  EXPECT_TRUE(trades->empty());
  auto positions = client->GetPosition();
  ASSERT_TRUE(positions.ok()) << positions.error().ToString();
}

TEST_F(SmartApiContractTest, MarketableLimitFillsAndShowsInBookDetailsTradesAndPositions) {
  auto client = Master();
  auto placed = client->PlaceOrder(Marketable("ct-market-1"));
  ASSERT_TRUE(placed.ok()) << placed.error().ToString();
  EXPECT_FALSE(placed->orderid.empty());
  EXPECT_FALSE(placed->uniqueorderid.empty());

  auto book = client->GetOrderBook();
  ASSERT_TRUE(book.ok()) << book.error().ToString();
  auto mine = WithTag(*book, "ct-market-1");
  ASSERT_EQ(mine.size(), 1u);
  EXPECT_EQ(mine[0].orderid(), placed->orderid);
  EXPECT_EQ(mine[0].uniqueorderid(), placed->uniqueorderid);
  EXPECT_EQ(mine[0].status(), "complete");
  EXPECT_EQ(mine[0].quantity(), 1);
  EXPECT_EQ(mine[0].filledshares(), 1);
  EXPECT_GT(mine[0].averageprice(), 0);

  auto details = client->GetOrderDetails(placed->uniqueorderid);
  ASSERT_TRUE(details.ok()) << details.error().ToString();
  EXPECT_EQ(details->orderid(), placed->orderid);
  EXPECT_EQ(details->status(), "complete");

  auto trades = client->GetTradeBook();
  ASSERT_TRUE(trades.ok()) << trades.error().ToString();
  bool found_fill = false;
  for (const Trade& t : *trades) {
    if (t.orderid == placed->orderid) {
      found_fill = true;
      EXPECT_EQ(t.fillsize, 1);
      EXPECT_GT(t.fillprice, 0);
      EXPECT_EQ(t.tradingsymbol, "SBIN-EQ");
    }
  }
  EXPECT_TRUE(found_fill);

  auto positions = client->GetPosition();
  ASSERT_TRUE(positions.ok()) << positions.error().ToString();
  bool found_position = false;
  for (const Position& p : *positions) {
    if (p.tradingsymbol == "SBIN-EQ" && p.producttype == "INTRADAY") {
      found_position = true;
      EXPECT_EQ(p.netqty, 1);
    }
  }
  EXPECT_TRUE(found_position);
}

TEST_F(SmartApiContractTest, LimitOrderRestsThenIsModifiedAndCancelled) {
  auto client = Master();
  const double price = RestingPrice(*client);
  auto placed = client->PlaceOrder(Order("LIMIT", price, "ct-limit-1"));
  ASSERT_TRUE(placed.ok()) << placed.error().ToString();

  auto details = client->GetOrderDetails(placed->uniqueorderid);
  ASSERT_TRUE(details.ok()) << details.error().ToString();
  EXPECT_EQ(details->status(), "open");
  EXPECT_DOUBLE_EQ(details->price(), price);

  ModifyRequest modify;
  modify.orderid = placed->orderid;
  modify.ordertype = "LIMIT";
  modify.producttype = "INTRADAY";
  modify.price = price - 1;
  modify.quantity = 2;
  modify.tradingsymbol = "SBIN-EQ";
  modify.symboltoken = "3045";
  modify.exchange = "NSE";
  auto modified = client->ModifyOrder(modify);
  ASSERT_TRUE(modified.ok()) << modified.error().ToString();
  EXPECT_EQ(modified->orderid, placed->orderid);
  auto after_modify = client->GetOrderDetails(placed->uniqueorderid);
  ASSERT_TRUE(after_modify.ok()) << after_modify.error().ToString();
  EXPECT_DOUBLE_EQ(after_modify->price(), price - 1);
  EXPECT_EQ(after_modify->quantity(), 2);

  auto cancelled = client->CancelOrder("NORMAL", placed->orderid);
  ASSERT_TRUE(cancelled.ok()) << cancelled.error().ToString();
  auto after_cancel = client->GetOrderDetails(placed->uniqueorderid);
  ASSERT_TRUE(after_cancel.ok()) << after_cancel.error().ToString();
  EXPECT_EQ(after_cancel->status(), "cancelled");
}

TEST_F(SmartApiContractTest, RmsAndLtp) {
  auto client = Master();
  auto rms = client->GetRms();
  ASSERT_TRUE(rms.ok()) << rms.error().ToString();
  EXPECT_GT(rms->net, 0);
  auto ltp = client->GetLtpData("NSE", "SBIN-EQ", "3045");
  ASSERT_TRUE(ltp.ok()) << ltp.error().ToString();
  EXPECT_EQ(ltp->tradingsymbol, "SBIN-EQ");
  EXPECT_GT(ltp->ltp, 0);
  auto unknown = client->GetLtpData("NSE", "NOPE-EQ", "1");
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().kind, ErrorKind::kRejected);
  EXPECT_EQ(unknown.error().code, "AB1009");
}

TEST_F(SmartApiContractTest, BrokerRejectionsCarryTheirCodes) {
  auto client = Master();
  auto long_tag = client->PlaceOrder(Marketable("a-tag-of-more-than-20-chars"));
  ASSERT_FALSE(long_tag.ok());
  EXPECT_EQ(long_tag.error().kind, ErrorKind::kRejected);
  EXPECT_EQ(long_tag.error().code, "AB4008");

  auto unknown = client->GetOrderDetails("00000000-0000-0000-0000-000000000000");
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().kind, ErrorKind::kRejected);
  EXPECT_EQ(unknown.error().code, "AB1007");
}

TEST_F(SmartApiContractTest, MarketStopLossMarketAndIocAreRejectedNamingTheRule) {
  auto client = Master();
  OrderRequest stop_market = Order("STOPLOSS_MARKET", 0, "ct-slm-1");
  stop_market.variety = "STOPLOSS";
  stop_market.triggerprice = kMarketable;
  OrderRequest ioc = Marketable("ct-ioc-1");
  ioc.duration = "IOC";
  for (const auto& [order, rule] : std::vector<std::pair<OrderRequest, std::string>>{
           {Order("MARKET", 0, "ct-mkt-1"), "MARKET orders are not allowed"},
           {stop_market, "STOPLOSS_MARKET orders are not allowed"},
           {ioc, "IOC orders are not allowed"}}) {
    auto placed = client->PlaceOrder(order);
    ASSERT_FALSE(placed.ok()) << rule;
    EXPECT_EQ(placed.error().kind, ErrorKind::kRejected) << placed.error().ToString();
    EXPECT_EQ(placed.error().code, "AB2000");
    EXPECT_NE(placed.error().message.find(rule), std::string::npos) << placed.error().ToString();
  }
  auto book = client->GetOrderBook();
  ASSERT_TRUE(book.ok()) << book.error().ToString();
  EXPECT_TRUE(book->empty());
}

// An emulator started with --legacy-order-rules, for side-by-side runs with
// clients that still send MARKET.
TEST(SmartApiLegacyRulesContract, MarketOrderFillsWithLegacyOrderRules) {
  auto sim = SimProcess::Start(std::string(CT_BIN_DIR) + "/copytrade-sim", 0, {"--legacy-order-rules"});
  ASSERT_TRUE(sim.has_value()) << "copytrade-sim did not start";
  CurlOptions curl;
  curl.base_url = sim->base_url();
  Client client(sim->master(), MakeCurlTransport(curl), SystemClock::instance());
  OrderRequest market;
  market.tradingsymbol = "SBIN-EQ";
  market.symboltoken = "3045";
  market.transactiontype = "BUY";
  market.exchange = "NSE";
  market.ordertype = "MARKET";
  market.producttype = "INTRADAY";
  market.quantity = 1;
  auto placed = client.PlaceOrder(market);
  ASSERT_TRUE(placed.ok()) << placed.error().ToString();
  auto details = client.GetOrderDetails(placed->uniqueorderid);
  ASSERT_TRUE(details.ok()) << details.error().ToString();
  EXPECT_EQ(details->status(), "complete");
  EXPECT_EQ(details->ordertype(), "MARKET");
}

TEST_F(SmartApiContractTest, ExpiredSessionIsRenewedByOneReLogin) {
  auto client = Master();
  ASSERT_TRUE(client->Login().ok());
  const std::string first_jwt = client->session().jwt_token;
  ASSERT_TRUE(Admin("expire", {{"clientcode", sim_->master().client_id}}).ok());
  auto book = client->GetOrderBook();
  ASSERT_TRUE(book.ok()) << book.error().ToString();
  EXPECT_NE(client->session().jwt_token, first_jwt);
}

TEST_F(SmartApiContractTest, GenerateTokensAndLogout) {
  auto client = Master();
  ASSERT_TRUE(client->Login().ok());
  const std::string first_jwt = client->session().jwt_token;
  auto refreshed = client->GenerateTokens();
  ASSERT_TRUE(refreshed.ok()) << refreshed.error().ToString();
  EXPECT_NE(refreshed->jwt_token, first_jwt);
  ASSERT_TRUE(client->GetProfile().ok());

  const std::string jwt = client->session().jwt_token;
  auto logout = client->Logout();
  ASSERT_TRUE(logout.ok()) << logout.error().ToString();
  EXPECT_FALSE(client->logged_in());
  // The next call logs in afresh.
  ASSERT_TRUE(client->GetProfile().ok());
  EXPECT_NE(client->session().jwt_token, jwt);
}

TEST_F(SmartApiContractTest, Http500OnPlaceOrderIsUnknownOutcome) {
  auto client = Master();
  ASSERT_TRUE(client->Login().ok());
  Fault(sim_->master().client_id, "placeOrder", "http500");
  auto placed = client->PlaceOrder(Marketable("ct-500"));
  ASSERT_FALSE(placed.ok());
  EXPECT_EQ(placed.error().kind, ErrorKind::kUnknownOutcome);
  EXPECT_EQ(placed.error().http_status, 500);
}

TEST_F(SmartApiContractTest, Http500OnReadIsTransport) {
  auto client = Master();
  ASSERT_TRUE(client->Login().ok());
  Fault(sim_->master().client_id, "getOrderBook", "http500");
  auto book = client->GetOrderBook();
  ASSERT_FALSE(book.ok());
  EXPECT_EQ(book.error().kind, ErrorKind::kTransport);
  EXPECT_EQ(book.error().code, "AB2001");
  EXPECT_EQ(book.error().http_status, 500);
}

TEST_F(SmartApiContractTest, LostReplyIsUnknownOutcomeAndTheOrderExistsExactlyOnce) {
  auto client = Master();
  ASSERT_TRUE(client->Login().ok());
  ASSERT_TRUE(client->GetProfile().ok());  // a kept-alive connection to lose
  Fault(sim_->master().client_id, "placeOrder", "lost_reply");
  auto placed = client->PlaceOrder(Marketable("ct-lost-1"));
  ASSERT_FALSE(placed.ok());
  EXPECT_EQ(placed.error().kind, ErrorKind::kUnknownOutcome);
  auto book = client->GetOrderBook();
  ASSERT_TRUE(book.ok()) << book.error().ToString();
  EXPECT_EQ(WithTag(*book, "ct-lost-1").size(), 1u);  // placed once, never re-sent
}

TEST_F(SmartApiContractTest, DroppedConnectionOnPlaceOrderIsUnknownOutcome) {
  auto client = Master();
  ASSERT_TRUE(client->Login().ok());
  Fault(sim_->master().client_id, "placeOrder", "drop");
  auto placed = client->PlaceOrder(Marketable("ct-drop-1"));
  ASSERT_FALSE(placed.ok());
  EXPECT_EQ(placed.error().kind, ErrorKind::kUnknownOutcome);
  auto book = client->GetOrderBook();
  ASSERT_TRUE(book.ok()) << book.error().ToString();
  EXPECT_TRUE(WithTag(*book, "ct-drop-1").empty());
}

TEST_F(SmartApiContractTest, LatencyBeyondTheTimeoutIsUnknownOutcome) {
  auto client = Master({}, /*timeout_ms=*/300);
  ASSERT_TRUE(client->Login().ok());
  Fault(sim_->master().client_id, "placeOrder", "latency", {{"latency_ms", 1000}});
  auto placed = client->PlaceOrder(Marketable("ct-slow-1"));
  ASSERT_FALSE(placed.ok());
  EXPECT_EQ(placed.error().kind, ErrorKind::kUnknownOutcome);
}

TEST_F(SmartApiContractTest, InjectedRejectionIsRejected) {
  auto client = Master();
  ASSERT_TRUE(client->Login().ok());
  Fault(sim_->master().client_id, "placeOrder", "reject",
        {{"errorcode", "AB1004"}, {"message", "Something Went Wrong, Please Try After Sometime"}});
  auto placed = client->PlaceOrder(Marketable("ct-rej-1"));
  ASSERT_FALSE(placed.ok());
  EXPECT_EQ(placed.error().kind, ErrorKind::kRejected);
  EXPECT_EQ(placed.error().code, "AB1004");
}

TEST_F(SmartApiContractTest, WithoutTheLimiterTheBroker403IsThrottled) {
  ClientOptions options;
  options.rate_limit = false;
  options.throttle_retries = 0;
  auto client = Master(options);
  ASSERT_TRUE(client->Login().ok());
  bool throttled = false;
  for (int i = 0; i < 5 && !throttled; ++i) {
    auto book = client->GetOrderBook();
    if (!book.ok()) {
      EXPECT_EQ(book.error().kind, ErrorKind::kThrottled) << book.error().ToString();
      EXPECT_EQ(book.error().http_status, 403);
      throttled = true;
    }
  }
  EXPECT_TRUE(throttled);
}

TEST_F(SmartApiContractTest, LimiterKeepsABurstOf50OrderWritesUnder9PerSecondWithNo403) {
  ClientOptions options;
  options.throttle_retries = 0;  // a 403 must surface, not be retried away
  auto client = Master(options);
  ASSERT_TRUE(client->Login().ok());
  const double price = RestingPrice(*client);
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 50; ++i) {
    auto placed = client->PlaceOrder(Order("LIMIT", price, "ct-burst-" + std::to_string(i)));
    ASSERT_TRUE(placed.ok()) << i << ": " << placed.error().ToString();
  }
  const auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_GE(elapsed, 5s);  // 50 writes at <= 9 per second
  auto book = client->GetOrderBook();
  ASSERT_TRUE(book.ok()) << book.error().ToString();
  EXPECT_EQ(book->size(), 50u);
}

TEST_F(SmartApiContractTest, LimiterKeepsReadsInsideTheirLimitsWithNo403) {
  ClientOptions options;
  options.throttle_retries = 0;
  auto client = Master(options);
  auto placed = client->PlaceOrder(Marketable("ct-reads-1"));
  ASSERT_TRUE(placed.ok()) << placed.error().ToString();
  for (int i = 0; i < 3; ++i) {
    auto book = client->GetOrderBook();
    ASSERT_TRUE(book.ok()) << i << ": " << book.error().ToString();
    auto positions = client->GetPosition();
    ASSERT_TRUE(positions.ok()) << i << ": " << positions.error().ToString();
    auto trades = client->GetTradeBook();
    ASSERT_TRUE(trades.ok()) << i << ": " << trades.error().ToString();
  }
  for (int i = 0; i < 7; ++i) {  // details 10/s, profile 3/s
    auto details = client->GetOrderDetails(placed->uniqueorderid);
    ASSERT_TRUE(details.ok()) << i << ": " << details.error().ToString();
    auto profile = client->GetProfile();
    ASSERT_TRUE(profile.ok()) << i << ": " << profile.error().ToString();
  }
}

TEST_F(SmartApiContractTest, StopLossOrderWaitsInTriggerPending) {
  auto client = Master();
  auto ltp = client->GetLtpData("NSE", "SBIN-EQ", "3045");
  ASSERT_TRUE(ltp.ok()) << ltp.error().ToString();
  // A BUY stop above the market waits for the price to rise to the trigger.
  OrderRequest stop = Order("STOPLOSS_LIMIT", std::floor(ltp->ltp * 1.5) + 1, "ct-stop-1");
  stop.variety = "STOPLOSS";
  stop.triggerprice = std::floor(ltp->ltp * 1.5);
  auto placed = client->PlaceOrder(stop);
  ASSERT_TRUE(placed.ok()) << placed.error().ToString();
  auto details = client->GetOrderDetails(placed->uniqueorderid);
  ASSERT_TRUE(details.ok()) << details.error().ToString();
  EXPECT_EQ(details->status(), "trigger pending");
  EXPECT_DOUBLE_EQ(details->triggerprice(), stop.triggerprice);
  EXPECT_EQ(details->variety(), "STOPLOSS");
}

TEST_F(SmartApiContractTest, AccountsAreIsolated) {
  auto master = Master();
  auto follower = MakeClient(sim_->follower(1));
  ASSERT_TRUE(master->PlaceOrder(Marketable("ct-iso-1")).ok());
  auto book = follower->GetOrderBook();
  ASSERT_TRUE(book.ok()) << book.error().ToString();
  EXPECT_TRUE(WithTag(*book, "ct-iso-1").empty());
}

}  // namespace
}  // namespace ct::smartapi
