// The 2026 rules at the BrokerApi level (no sockets): API order types,
// the broker's app, static IP, the hold fault, the order-write log and the
// HTTP Date format.
#include <gtest/gtest.h>

#include "sim/algo_rules.h"
#include "sim/format.h"
#include "sim/request_log.h"
#include "sim_test_support.h"

namespace ct::sim {
namespace {

using json = nlohmann::json;
using ct::sim::testing::ApiHarness;
using ct::sim::testing::kFollowerSecret;
using ct::sim::testing::kMarketableSbin;
using ct::sim::testing::SbinOrder;

constexpr char kPlace[] = "/rest/secure/angelbroking/order/v1/placeOrder";
constexpr char kModify[] = "/rest/secure/angelbroking/order/v1/modifyOrder";
constexpr char kCancel[] = "/rest/secure/angelbroking/order/v1/cancelOrder";
constexpr char kBook[] = "/rest/secure/angelbroking/order/v1/getOrderBook";
constexpr char kAppPlace[] = "/sim/v1/app/placeOrder";
constexpr char kAppModify[] = "/sim/v1/app/modifyOrder";
constexpr char kAppCancel[] = "/sim/v1/app/cancelOrder";

constexpr char kMarketRefusal[] =
    "MARKET orders are not allowed through the API under the exchange's retail algo rules; place a LIMIT order "
    "instead";
constexpr char kStopMarketRefusal[] =
    "STOPLOSS_MARKET orders are not allowed through the API under the exchange's retail algo rules; place a "
    "STOPLOSS_LIMIT order instead";
constexpr char kIocRefusal[] =
    "IOC orders are not allowed through the API under the exchange's retail algo rules; use duration DAY";

json Refusal(const std::string& code, const std::string& message) {
  return {{"status", false}, {"message", message}, {"errorcode", code}, {"data", nullptr}};
}

// An app request: no token, no API key, just the body with "clientcode".
SimReply App(ApiHarness& h, const std::string& path, json body, const std::string& client = "M1234567") {
  body["clientcode"] = client;
  SimRequest r;
  r.method = "POST";
  r.target = path;
  r.body = body.dump();
  r.peer_address = h.peer;
  return h.api.Handle(r);
}

json SlMarket(double trigger) {
  json o = SbinOrder("STOPLOSS_MARKET", 0);
  o["triggerprice"] = trigger;
  return o;
}

class SimRulesTest : public ::testing::Test {
 protected:
  SimRulesTest() { h_.engine.SetPrice(*h_.instruments.FindBySymbol("NSE", "SBIN-EQ"), 800.0); }
  json Post(const std::string& path, const json& body, const std::string& jwt) {
    h_.NextSecond();
    return ApiHarness::Parse(h_.Call("POST", path, body.dump(), jwt));
  }
  size_t Orders() const { return h_.engine.Orders("M1234567").size(); }

  ApiHarness h_;
};

TEST_F(SimRulesTest, MarketStopLossMarketAndIocAreRefusedThroughTheApiNamingTheRule) {
  const std::string jwt = h_.Jwt();
  EXPECT_EQ(Post(kPlace, SbinOrder("MARKET", 0), jwt), Refusal("AB2000", kMarketRefusal));
  EXPECT_EQ(Post(kPlace, SlMarket(900), jwt), Refusal("AB2000", kStopMarketRefusal));
  json ioc = SbinOrder();
  ioc["duration"] = "IOC";
  EXPECT_EQ(Post(kPlace, ioc, jwt), Refusal("AB2000", kIocRefusal));
  EXPECT_EQ(Orders(), 0u);  // refused at once: nothing reached the book
  // A LIMIT DAY order is what the API takes.
  EXPECT_EQ(Post(kPlace, SbinOrder(), jwt)["status"], true);
  EXPECT_EQ(h_.engine.Orders("M1234567").back()->status, "complete");
}

TEST_F(SimRulesTest, ModifyingIntoMarketOrIocIsRefusedAndTheOrderStaysAsItWas) {
  const std::string jwt = h_.Jwt();
  const std::string id = Post(kPlace, SbinOrder("LIMIT", 700), jwt)["data"]["orderid"];
  const json base = {{"variety", "NORMAL"}, {"orderid", id}, {"producttype", "INTRADAY"}, {"quantity", "1"}};
  json to_market = base;
  to_market["ordertype"] = "MARKET";
  EXPECT_EQ(Post(kModify, to_market, jwt), Refusal("AB2000", kMarketRefusal));
  json to_ioc = base;
  to_ioc["ordertype"] = "LIMIT";
  to_ioc["price"] = "701";
  to_ioc["duration"] = "IOC";
  EXPECT_EQ(Post(kModify, to_ioc, jwt), Refusal("AB2000", kIocRefusal));
  const Order* o = h_.engine.FindByOrderId("M1234567", id);
  EXPECT_EQ(o->params.ordertype, "LIMIT");
  EXPECT_EQ(o->params.duration, "DAY");
  EXPECT_EQ(o->params.price, 700.0);
  EXPECT_EQ(o->status, "open");
}

TEST_F(SimRulesTest, AnSlMarketPlacedInTheAppCannotBeModifiedThroughTheApi) {
  // The order that would result is still STOPLOSS_MARKET.
  const json placed = ApiHarness::Parse(App(h_, kAppPlace, SlMarket(900)));
  ASSERT_EQ(placed["status"], true) << placed;
  EXPECT_EQ(h_.engine.Orders("M1234567").back()->status, "trigger pending");
  const json modify = {{"variety", "STOPLOSS"}, {"orderid", placed["data"]["orderid"]}, {"triggerprice", "910"}};
  EXPECT_EQ(Post(kModify, modify, h_.Jwt()), Refusal("AB2000", kStopMarketRefusal));
  EXPECT_EQ(ApiHarness::Parse(App(h_, kAppModify, modify))["status"], true);
  EXPECT_EQ(h_.engine.Orders("M1234567").back()->params.triggerprice, 910.0);
}

TEST(SimLegacyRules, LegacyOrderRulesLetTheApiPlaceMarketSlMarketAndIoc) {
  OrderRules legacy;
  legacy.legacy_order_types = true;
  ApiHarness h(legacy);
  h.engine.SetPrice(*h.instruments.FindBySymbol("NSE", "SBIN-EQ"), 800.0);
  const std::string jwt = h.Jwt();
  auto place = [&](const json& body) {
    h.NextSecond();
    return ApiHarness::Parse(h.Call("POST", kPlace, body.dump(), jwt));
  };
  EXPECT_EQ(place(SbinOrder("MARKET", 0))["status"], true);
  EXPECT_EQ(h.engine.Orders("M1234567").back()->status, "complete");
  EXPECT_EQ(place(SlMarket(900))["status"], true);
  EXPECT_EQ(h.engine.Orders("M1234567").back()->status, "trigger pending");
  json ioc = SbinOrder("LIMIT", 700);
  ioc["duration"] = "IOC";
  EXPECT_EQ(place(ioc)["status"], true);
  EXPECT_EQ(h.engine.Orders("M1234567").back()->status, "cancelled");
}

TEST_F(SimRulesTest, TheAppTakesMarketWithoutAuthAndRepliesLikeSmartApi) {
  std::vector<std::string> events;
  h_.engine.SetListener([&](const Order& o, std::string_view code, std::string_view) {
    events.push_back(o.client_code + " " + std::string(code));
  });
  const SimReply reply = App(h_, kAppPlace, SbinOrder("MARKET", 0, 3));
  EXPECT_EQ(reply.status, 200);
  const json j = ApiHarness::Parse(reply);
  ASSERT_EQ(j["status"], true) << j;
  EXPECT_EQ(j["message"], "SUCCESS");
  EXPECT_EQ(j["errorcode"], "");
  EXPECT_EQ(j["data"]["script"], "SBIN-EQ");
  EXPECT_EQ(j["data"]["orderid"].get<std::string>().size(), 15u);
  EXPECT_EQ(j["data"]["uniqueorderid"].get<std::string>().size(), 36u);
  // The same engine and the same order-update pushes as an API order.
  EXPECT_EQ(events, (std::vector<std::string>{"M1234567 AB09", "M1234567 AB01", "M1234567 AB05"}));
  // The master's SmartAPI book shows it.
  const json book = ApiHarness::Parse(h_.Call("GET", kBook, "", h_.Jwt()));
  ASSERT_EQ(book["data"].size(), 1u);
  EXPECT_EQ(book["data"][0]["orderid"], j["data"]["orderid"]);
  EXPECT_EQ(book["data"][0]["ordertype"], "MARKET");
  EXPECT_EQ(book["data"][0]["status"], "complete");
  EXPECT_EQ(book["data"][0]["averageprice"], 800.0);
}

TEST_F(SimRulesTest, TheAppModifiesAndCancelsWithTheSmartApiBodies) {
  const std::string id = ApiHarness::Parse(App(h_, kAppPlace, SbinOrder("LIMIT", 700, 2)))["data"]["orderid"];
  const json modified = ApiHarness::Parse(App(h_, kAppModify,
                                              {{"variety", "NORMAL"},
                                               {"orderid", id},
                                               {"ordertype", "LIMIT"},
                                               {"producttype", "INTRADAY"},
                                               {"duration", "DAY"},
                                               {"price", "705.00"},
                                               {"quantity", "4"},
                                               {"tradingsymbol", "SBIN-EQ"},
                                               {"symboltoken", "3045"},
                                               {"exchange", "NSE"}}));
  ASSERT_EQ(modified["status"], true) << modified;
  EXPECT_EQ(modified["data"]["orderid"], id);
  const Order* o = h_.engine.FindByOrderId("M1234567", id);
  EXPECT_EQ(o->params.price, 705.0);
  EXPECT_EQ(o->params.quantity, 4);
  const json cancelled = ApiHarness::Parse(App(h_, kAppCancel, {{"variety", "NORMAL"}, {"orderid", id}}));
  ASSERT_EQ(cancelled["status"], true) << cancelled;
  EXPECT_EQ(cancelled["data"]["uniqueorderid"], o->uniqueorderid);
  EXPECT_EQ(o->status, "cancelled");
  // IOC is a hand-entered order's right too.
  json ioc = SbinOrder("LIMIT", 700);
  ioc["duration"] = "IOC";
  EXPECT_EQ(ApiHarness::Parse(App(h_, kAppPlace, ioc))["status"], true);
  EXPECT_EQ(h_.engine.Orders("M1234567").back()->status, "cancelled");
}

TEST_F(SimRulesTest, TheAppValidatesLikeSmartApiAndAnswersInTheSameEnvelope) {
  json unknown = SbinOrder();
  unknown["tradingsymbol"] = "NOPE-EQ";
  EXPECT_EQ(ApiHarness::Parse(App(h_, kAppPlace, unknown)), Refusal("AB1009", "Symbol Not Found"));
  EXPECT_EQ(ApiHarness::Parse(App(h_, kAppPlace, SbinOrder(), "NOBODY")), Refusal("AB1007", "Invalid clientcode"));
  json tag = SbinOrder();
  tag["ordertag"] = std::string(21, 'x');
  EXPECT_EQ(ApiHarness::Parse(App(h_, kAppPlace, tag))["errorcode"], "AB4008");
  EXPECT_EQ(ApiHarness::Parse(App(h_, kAppCancel, {{"variety", "NORMAL"}, {"orderid", "1"}}))["errorcode"], "AB1013");
  SimRequest garbage;
  garbage.method = "POST";
  garbage.target = kAppPlace;
  garbage.body = "{not json";
  EXPECT_EQ(ApiHarness::Parse(h_.api.Handle(garbage))["errorcode"], "AB2000");
  garbage.method = "GET";
  EXPECT_EQ(h_.api.Handle(garbage).status, 405);
  garbage.target = "/sim/v1/app/getOrderBook";
  EXPECT_EQ(h_.api.Handle(garbage).status, 404);
  EXPECT_EQ(Orders(), 0u);
}

TEST_F(SimRulesTest, TheAppHasNoRateLimitAndNoFaults) {
  ASSERT_EQ(h_.Call("POST", "/sim/v1/fault", R"({"clientcode":"M1234567","endpoint":"placeOrder","kind":"reject","count":-1})").status, 200);
  for (int i = 0; i < 20; ++i) EXPECT_EQ(ApiHarness::Parse(App(h_, kAppPlace, SbinOrder()))["status"], true) << i;
  EXPECT_EQ(Orders(), 20u);
  // The fault still waits for the account's SmartAPI calls.
  EXPECT_EQ(ApiHarness::Parse(h_.Call("POST", kPlace, SbinOrder().dump(), h_.Jwt()))["errorcode"], "AB1004");
}

class SimStaticIpTest : public ::testing::Test {
 protected:
  static OrderRules Rules() {
    OrderRules r;
    r.static_ips = {{"F1111111", "127.0.0.11"}};
    return r;
  }
  json As(const std::string& peer, const std::string& method, const std::string& path, const json& body) {
    h_.peer = peer;
    h_.NextSecond();
    return ApiHarness::Parse(h_.Call(method, path, method == "GET" ? "" : body.dump(), jwt_, "f1key"));
  }

  ApiHarness h_{Rules()};
  std::string jwt_ = [this] {
    h_.peer = "127.0.0.12";  // logging in from anywhere is fine
    return h_.Login("F1111111", "f1key", "1111", kFollowerSecret)["data"]["jwtToken"].get<std::string>();
  }();
};

TEST_F(SimStaticIpTest, OrderWritesOnlyFromTheRegisteredAddress) {
  const json placed = As("127.0.0.11", "POST", kPlace, SbinOrder("LIMIT", 100));
  ASSERT_EQ(placed["status"], true) << placed;
  const std::string id = placed["data"]["orderid"];
  const json refused = Refusal(
      "AB1100", "Order not allowed from IP 127.0.0.12: the registered static IP of F1111111 is 127.0.0.11");
  EXPECT_EQ(As("127.0.0.12", "POST", kPlace, SbinOrder("LIMIT", 100)), refused);
  EXPECT_EQ(As("127.0.0.12", "POST", kModify, {{"variety", "NORMAL"}, {"orderid", id}, {"price", "101"}}), refused);
  EXPECT_EQ(As("127.0.0.12", "POST", kCancel, {{"variety", "NORMAL"}, {"orderid", id}}), refused);
  EXPECT_EQ(h_.engine.Orders("F1111111").size(), 1u);
  EXPECT_EQ(h_.engine.Orders("F1111111")[0]->status, "open");
  EXPECT_EQ(h_.engine.Orders("F1111111")[0]->params.price, 100.0);
  // Reads are not checked.
  const json book = As("127.0.0.12", "GET", kBook, {});
  ASSERT_EQ(book["status"], true) << book;
  EXPECT_EQ(book["data"].size(), 1u);
  EXPECT_EQ(As("127.0.0.12", "POST", "/rest/secure/angelbroking/order/v1/getLtpData",
               {{"exchange", "NSE"}, {"tradingsymbol", "SBIN-EQ"}, {"symboltoken", "3045"}})["status"],
            true);
  EXPECT_EQ(As("127.0.0.11", "POST", kCancel, {{"variety", "NORMAL"}, {"orderid", id}})["status"], true);
}

TEST_F(SimStaticIpTest, AccountsWithoutARegisteredAddressAndTheAppAreNotChecked) {
  h_.peer = "10.9.8.7";
  EXPECT_EQ(ApiHarness::Parse(h_.Call("POST", kPlace, SbinOrder().dump(), h_.Jwt()))["status"], true);
  EXPECT_EQ(ApiHarness::Parse(App(h_, kAppPlace, SbinOrder(), "F1111111"))["status"], true);
  EXPECT_EQ(h_.engine.Orders("F1111111").size(), 1u);
}

TEST(SimStaticIpFlag, ParsesClientEqualsAddressAndNamesBadValues) {
  const std::vector<std::string> accounts = {"M1", "F101", "F102"};
  auto ok = ParseStaticIps({"F101=127.0.0.11", "F102=::1", "M1=::ffff:127.0.0.13"}, accounts);
  ASSERT_TRUE(ok.ok()) << ok.error();
  EXPECT_EQ(ok->at("F101"), "127.0.0.11");
  EXPECT_EQ(ok->at("F102"), "::1");
  EXPECT_EQ(ok->at("M1"), "127.0.0.13");  // as the server reports an IPv4 peer
  EXPECT_EQ(ParseStaticIps({"F101"}, accounts).error(), "F101: expected CLIENTCODE=ADDRESS");
  EXPECT_EQ(ParseStaticIps({"F101=127.0.0.999"}, accounts).error(), "F101=127.0.0.999: 127.0.0.999 is not an IP address");
  EXPECT_EQ(ParseStaticIps({"X9=127.0.0.1"}, accounts).error(), "X9=127.0.0.1: no account X9 in the .env file");
  EXPECT_EQ(ParseStaticIps({"F101=127.0.0.11", "F101=127.0.0.12"}, accounts).error(),
            "F101=127.0.0.12: a second static IP for F101");
}

TEST_F(SimRulesTest, HoldFaultProcessesOnlyAfterTheWaitSoItSeesAPriceMovedMeanwhile) {
  const std::string jwt = h_.Jwt();
  ASSERT_EQ(h_.Call("POST", "/sim/v1/fault",
                    R"({"clientcode":"M1234567","endpoint":"placeOrder","kind":"hold","latency_ms":400})")
                .status,
            200);
  SimRequest r;
  r.method = "POST";
  r.target = kPlace;
  r.body = SbinOrder("LIMIT", 810).dump();
  r.headers = {{"authorization", "Bearer " + jwt}, {"x-privatekey", "masterkey"}};
  r.received_ns = h_.clock.wall_ns();
  const SimReply held = h_.api.Handle(r);
  ASSERT_TRUE(held.resume);
  EXPECT_EQ(held.hold, std::chrono::milliseconds(400));
  EXPECT_EQ(Orders(), 0u);  // nothing processed yet
  // The receive time is the arrival's, not the processing's.
  ASSERT_EQ(h_.api.requests().entries().size(), 1u);
  EXPECT_EQ(h_.api.requests().entries()[0].received_ns, r.received_ns);

  h_.clock.advance(std::chrono::milliseconds(400));
  ApiHarness::Parse(h_.Call("POST", "/sim/v1/price", R"({"tradingsymbol":"SBIN-EQ","price":805})"));
  const SimReply reply = held.resume();
  const json j = ApiHarness::Parse(reply);
  ASSERT_EQ(j["status"], true) << j;
  const Order* o = h_.engine.FindByOrderId("M1234567", j["data"]["orderid"].get<std::string>());
  EXPECT_EQ(o->status, "complete");
  EXPECT_EQ(o->average_price, 805.0);  // the moved price, not the 800 of arrival
  EXPECT_EQ(h_.api.requests().entries()[0].orderid, o->orderid);
  // One-shot: the next order is not held.
  EXPECT_FALSE(h_.Call("POST", kPlace, SbinOrder().dump(), jwt).resume);
}

TEST_F(SimRulesTest, HoldFaultOnLoginAlsoWaitsBeforeProcessing) {
  ASSERT_EQ(h_.Call("POST", "/sim/v1/fault", R"({"clientcode":"M1234567","kind":"hold","latency_ms":50})").status,
            200);
  const json body = {{"clientcode", "M1234567"}, {"password", "1234"}, {"totp", h_.Totp(ct::sim::testing::kMasterSecret)}};
  const SimReply held = h_.Call("POST", "/rest/auth/angelbroking/user/v1/loginByPassword", body.dump());
  ASSERT_TRUE(held.resume);
  EXPECT_EQ(ApiHarness::Parse(held.resume())["status"], true);
}

TEST_F(SimRulesTest, RequestsLogListsEveryOrderWriteWithItsReceiveTime) {
  const std::string jwt = h_.Jwt();
  json tagged = SbinOrder("LIMIT", 700);
  tagged["ordertag"] = "ct-abc-1";
  SimRequest r;
  r.method = "POST";
  r.target = kPlace;
  r.body = tagged.dump();
  r.headers = {{"authorization", "Bearer " + jwt}, {"x-privatekey", "masterkey"}};
  r.received_ns = 1'795'581'000'123'456'789;
  const std::string id = ApiHarness::Parse(h_.api.Handle(r))["data"]["orderid"];
  Post(kModify, {{"variety", "NORMAL"}, {"orderid", id}, {"price", "701"}}, jwt);
  Post(kCancel, {{"variety", "NORMAL"}, {"orderid", id}}, jwt);
  const std::string app_id = ApiHarness::Parse(App(h_, kAppPlace, SbinOrder("MARKET", 0)))["data"]["orderid"];
  Post(kPlace, SbinOrder("MARKET", 0), jwt);  // refused by the rules, but received
  h_.Call("GET", kBook, "", jwt);             // reads are not listed

  const json log = ApiHarness::Parse(h_.Call("GET", "/sim/v1/requests"));
  ASSERT_EQ(log["status"], true);
  const json& rows = log["data"];
  ASSERT_EQ(rows.size(), 5u) << rows;
  EXPECT_EQ(rows[0], json({{"seq", 1},
                           {"clientcode", "M1234567"},
                           {"endpoint", "placeOrder"},
                           {"source", "api"},
                           {"received_ns", 1'795'581'000'123'456'789},
                           {"ordertag", "ct-abc-1"},
                           {"orderid", id}}));
  EXPECT_EQ(rows[1]["endpoint"], "modifyOrder");
  EXPECT_EQ(rows[1]["orderid"], id);
  EXPECT_EQ(rows[2]["endpoint"], "cancelOrder");
  EXPECT_EQ(rows[3]["source"], "app");
  EXPECT_EQ(rows[3]["orderid"], app_id);
  EXPECT_EQ(rows[4]["orderid"], "");
  // Without a time from the server, the clock's.
  EXPECT_EQ(rows[4]["received_ns"], h_.clock.wall_ns());
  EXPECT_GT(rows[4]["received_ns"].get<int64_t>(), rows[2]["received_ns"].get<int64_t>());

  EXPECT_EQ(h_.Call("POST", "/sim/v1/requests/clear", "").status, 200);
  EXPECT_TRUE(ApiHarness::Parse(h_.Call("GET", "/sim/v1/requests"))["data"].empty());
  App(h_, kAppPlace, SbinOrder());
  EXPECT_EQ(ApiHarness::Parse(h_.Call("GET", "/sim/v1/requests"))["data"][0]["seq"], 6);
}

TEST(SimRequestLog, IsABoundedRing) {
  RequestLog log(3);
  for (int i = 0; i < 5; ++i) log.Record({0, "C", "placeOrder", "api", i, "", ""});
  ASSERT_EQ(log.entries().size(), 3u);
  EXPECT_EQ(log.entries().front().seq, 3u);
  EXPECT_EQ(log.entries().back().seq, 5u);
  log.SetOrderId(4, "X");
  log.SetOrderId(1, "gone");  // fell out: ignored
  EXPECT_EQ(log.entries()[1].orderid, "X");
}

TEST(SimHttpDate, IsImfFixdate) {
  EXPECT_EQ(FormatHttpDate(784111777), "Sun, 06 Nov 1994 08:49:37 GMT");
  EXPECT_EQ(FormatHttpDate(1'795'581'000), "Wed, 25 Nov 2026 04:30:00 GMT");
  EXPECT_EQ(IstIsoDate(1'795'581'000), "2026-11-25");
  EXPECT_EQ(IstIsoDate(1'795'581'000 + 14 * 3600), "2026-11-26");  // 00:00 IST
}

}  // namespace
}  // namespace ct::sim
