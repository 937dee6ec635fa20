#include <gtest/gtest.h>

#include "sim/format.h"
#include "sim/jwt.h"
#include "sim_test_support.h"

namespace ct::sim {
namespace {

using json = nlohmann::json;
using ct::sim::testing::ApiHarness;
using ct::sim::testing::kFollowerSecret;
using ct::sim::testing::kMasterSecret;
using ct::sim::testing::SbinOrder;

constexpr char kLogin[] = "/rest/auth/angelbroking/user/v1/loginByPassword";
constexpr char kBook[] = "/rest/secure/angelbroking/order/v1/getOrderBook";
constexpr char kPlace[] = "/rest/secure/angelbroking/order/v1/placeOrder";
constexpr char kModify[] = "/rest/secure/angelbroking/order/v1/modifyOrder";
constexpr char kCancel[] = "/rest/secure/angelbroking/order/v1/cancelOrder";
constexpr char kDetails[] = "/rest/secure/angelbroking/order/v1/details/";

class SimApiTest : public ::testing::Test {
 protected:
  json Post(const std::string& path, const json& body, const std::string& jwt) {
    return ApiHarness::Parse(h_.Call("POST", path, body.dump(), jwt));
  }
  json Get(const std::string& path, const std::string& jwt) { return ApiHarness::Parse(h_.Call("GET", path, "", jwt)); }
  static void ExpectError(const json& reply, const std::string& code) {
    EXPECT_EQ(reply["status"], false) << reply;
    EXPECT_EQ(reply["errorcode"], code) << reply;
    EXPECT_TRUE(reply["data"].is_null()) << reply;
  }
  static void ExpectGateway(const json& reply, const std::string& code) {
    EXPECT_EQ(reply["success"], false) << reply;
    EXPECT_EQ(reply["errorCode"], code) << reply;
    EXPECT_EQ(reply["data"], "") << reply;
    EXPECT_FALSE(reply.contains("status")) << reply;
  }

  ApiHarness h_;
};

TEST_F(SimApiTest, LoginReturnsHs512TokensExpiringAtMidnightIst) {
  json body = {{"clientcode", "M1234567"}, {"password", "1234"}, {"totp", h_.Totp(kMasterSecret)}, {"state", "live"}};
  const SimReply reply = h_.Call("POST", kLogin, body.dump());
  EXPECT_EQ(reply.status, 200);
  const json j = ApiHarness::Parse(reply);
  EXPECT_EQ(j["status"], true);
  EXPECT_EQ(j["message"], "SUCCESS");
  EXPECT_EQ(j["errorcode"], "");
  EXPECT_EQ(j["data"]["state"], "live");
  for (const char* key : {"jwtToken", "refreshToken", "feedToken"}) {
    const std::string token = j["data"][key];
    EXPECT_EQ(token.rfind("eyJhbGciOiJIUzUxMiJ9.", 0), 0u) << key;
    EXPECT_EQ(token.rfind("Bearer", 0), std::string::npos);
  }
  const std::string jwt = j["data"]["jwtToken"];
  const size_t a = jwt.find('.');
  const size_t b = jwt.find('.', a + 1);
  const json claims = json::parse(*Base64UrlDecode(jwt.substr(a + 1, b - a - 1)));
  EXPECT_EQ(claims["username"], "M1234567");
  const int64_t now = h_.clock.wall_ns() / 1'000'000'000;
  EXPECT_EQ(claims["iat"], now);
  EXPECT_EQ(claims["exp"], NextIstMidnight(now));
}

TEST_F(SimApiTest, WrongTotpIsAb1050) {
  json body = {{"clientcode", "M1234567"}, {"password", "1234"}, {"totp", "000000"}};
  const SimReply reply = h_.Call("POST", kLogin, body.dump());
  EXPECT_EQ(reply.status, 200);
  EXPECT_EQ(reply.body, R"({"status":false,"message":"Invalid totp","errorcode":"AB1050","data":null})");
}

TEST_F(SimApiTest, TotpOneStepOldIsAccepted) {
  const std::string old_code = ct::totp::Code(kMasterSecret, h_.clock.wall_ns() / 1'000'000'000 - 30).value();
  json body = {{"clientcode", "M1234567"}, {"password", "1234"}, {"totp", old_code}};
  EXPECT_EQ(ApiHarness::Parse(h_.Call("POST", kLogin, body.dump()))["status"], true);
}

TEST_F(SimApiTest, WrongPasswordUnknownClientAndWrongKey) {
  ExpectError(h_.Login("M1234567", "masterkey", "9999"), "AB1007");
  h_.NextSecond();
  ExpectError(h_.Login("NOPE", "masterkey"), "AB1007");
  h_.NextSecond();
  ExpectError(h_.Login("M1234567", "wrongkey"), "AG8004");
  h_.NextSecond();
  // Another account's key does not open this account.
  ExpectError(h_.Login("M1234567", "f1key"), "AG8004");
  h_.NextSecond();
  EXPECT_EQ(h_.Login("F1111111", "f1key", "1111", kFollowerSecret)["status"], true);
}

TEST_F(SimApiTest, LoginIsLimitedToOnePerSecondPerClient) {
  EXPECT_EQ(h_.Login()["status"], true);
  const SimReply throttled = h_.Call(
      "POST", kLogin, json{{"clientcode", "M1234567"}, {"password", "1234"}, {"totp", h_.Totp(kMasterSecret)}}.dump());
  EXPECT_EQ(throttled.status, 403);
  EXPECT_EQ(throttled.content_type, "text/plain");
  EXPECT_EQ(throttled.body, "Access denied because of exceeding access rate");
  EXPECT_EQ(h_.Login("F1111111", "f1key", "1111", kFollowerSecret)["status"], true);
}

TEST_F(SimApiTest, SecureCallsCheckTheToken) {
  ExpectGateway(Get(kBook, ""), "AG8003");
  ExpectGateway(Get(kBook, "not-a-jwt"), "AG8001");
  ExpectGateway(Get(kBook, JwtSigner("forged").Sign({{"username", "M1234567"}})), "AG8001");
  SimRequest no_bearer;
  no_bearer.method = "GET";
  no_bearer.target = kBook;
  const std::string jwt = h_.Jwt();
  no_bearer.headers["authorization"] = jwt;  // without "Bearer "
  no_bearer.headers["x-privatekey"] = "masterkey";
  ExpectGateway(ApiHarness::Parse(h_.api.Handle(no_bearer)), "AG8001");
  EXPECT_EQ(Get(kBook, jwt)["status"], true);
}

TEST_F(SimApiTest, SecureCallsCheckTheApiKey) {
  const std::string jwt = h_.Jwt();
  ExpectError(ApiHarness::Parse(h_.Call("GET", kBook, "", jwt, "f1key")), "AG8004");
}

TEST_F(SimApiTest, TokensExpireAtMidnightIst) {
  const std::string jwt = h_.Jwt();
  EXPECT_EQ(Get(kBook, jwt)["status"], true);
  h_.clock.advance(std::chrono::hours(14));  // 10:00 IST -> 00:00 IST
  ExpectGateway(Get(kBook, jwt), "AG8002");
}

TEST_F(SimApiTest, AdminExpireEndsSessionsAtOnce) {
  const std::string jwt = h_.Jwt();
  const json r = ApiHarness::Parse(h_.Call("POST", "/sim/v1/expire", json{{"clientcode", "M1234567"}}.dump()));
  EXPECT_EQ(r["data"]["expired"], 1);
  ExpectGateway(Get(kBook, jwt), "AG8002");
  h_.NextSecond();
  EXPECT_EQ(Get(kBook, h_.Jwt())["status"], true);
}

TEST_F(SimApiTest, LogoutInvalidatesTheToken) {
  const std::string jwt = h_.Jwt();
  const json r = Post("/rest/secure/angelbroking/user/v1/logout", {{"clientcode", "M1234567"}}, jwt);
  EXPECT_EQ(r["status"], true);
  EXPECT_EQ(r["data"], "");
  ExpectGateway(Get(kBook, jwt), "AG8001");
}

TEST_F(SimApiTest, GenerateTokensRefreshesAndRejectsBadRefreshTokens) {
  const json login = h_.Login();
  const json r =
      Post("/rest/auth/angelbroking/jwt/v1/generateTokens", {{"refreshToken", login["data"]["refreshToken"]}}, "");
  ASSERT_EQ(r["status"], true) << r;
  const std::string fresh = r["data"]["jwtToken"];
  EXPECT_NE(fresh, login["data"]["jwtToken"]);
  EXPECT_EQ(Get(kBook, fresh)["status"], true);
  h_.NextSecond();
  ExpectError(Post("/rest/auth/angelbroking/jwt/v1/generateTokens", {{"refreshToken", "x"}}, ""), "AB8050");
  // The access token is not a refresh token.
  ExpectError(Post("/rest/auth/angelbroking/jwt/v1/generateTokens", {{"refreshToken", login["data"]["jwtToken"]}}, ""),
              "AB8050");
}

TEST_F(SimApiTest, EmptyOrderBookIsNullAndQueryStringsAreIgnored) {
  const std::string jwt = h_.Jwt();
  const json r = Get(std::string(kBook) + "?%7B%7D", jwt);
  EXPECT_EQ(r["status"], true);
  EXPECT_TRUE(r["data"].is_null());
}

TEST_F(SimApiTest, PlaceOrderAcceptsStringsOrNumbersAndShowsInTheBook) {
  const std::string jwt = h_.Jwt();
  json strings = SbinOrder("LIMIT", 100.0, 2);
  strings["ordertag"] = "copy-1";
  const json a = Post(kPlace, strings, jwt);
  ASSERT_EQ(a["status"], true) << a;
  EXPECT_EQ(a["data"]["script"], "SBIN-EQ");
  EXPECT_EQ(a["data"]["orderid"].get<std::string>().size(), 15u);
  json numbers = SbinOrder();
  numbers["quantity"] = 3;
  numbers["price"] = 1000;
  const json b = Post(kPlace, numbers, jwt);
  ASSERT_EQ(b["status"], true) << b;

  h_.NextSecond();
  const json book = Get(kBook, jwt);
  ASSERT_EQ(book["data"].size(), 2u);
  const json& limit = book["data"][0];
  EXPECT_EQ(limit["orderid"], a["data"]["orderid"]);
  EXPECT_EQ(limit["uniqueorderid"], a["data"]["uniqueorderid"]);
  EXPECT_EQ(limit["status"], "open");
  EXPECT_EQ(limit["ordertag"], "copy-1");
  EXPECT_EQ(limit["quantity"], "2");
  EXPECT_EQ(limit["price"], 100.0);
  const json& marketable = book["data"][1];
  EXPECT_EQ(marketable["status"], "complete");
  EXPECT_EQ(marketable["filledshares"], "3");
  EXPECT_EQ(marketable["price"], 1000.0);
  EXPECT_EQ(marketable["averageprice"], h_.engine.Price(*h_.instruments.FindBySymbol("NSE", "SBIN-EQ")));
  // updatetime "dd-MMM-yyyy HH:mm:ss" IST.
  EXPECT_EQ(marketable["updatetime"], "25-Nov-2026 10:00:00");
}

TEST_F(SimApiTest, PlaceOrderValidation) {
  const std::string jwt = h_.Jwt();
  auto place = [&](json body) {
    h_.NextSecond();
    return Post(kPlace, body, jwt);
  };
  json o = SbinOrder();
  o["ordertag"] = std::string(21, 'x');
  ExpectError(place(o), "AB4008");
  o["ordertag"] = std::string(20, 'x');
  EXPECT_EQ(place(o)["status"], true);

  o = SbinOrder();
  o["symboltoken"] = "2885";  // RELIANCE's token with SBIN's symbol
  ExpectError(place(o), "AB1009");
  o = SbinOrder();
  o["tradingsymbol"] = "NOPE-EQ";
  ExpectError(place(o), "AB1009");
  o = SbinOrder();
  o["variety"] = "AMO";
  ExpectError(place(o), "AB1008");
  o = SbinOrder();
  o["variety"] = "ROBO";
  ExpectError(place(o), "AB2002");
  o = SbinOrder();
  o["producttype"] = "BO";
  ExpectError(place(o), "AB1012");
  o = SbinOrder();
  o.erase("quantity");
  ExpectError(place(o), "AB2000");
  o = SbinOrder();
  o["quantity"] = "abc";
  ExpectError(place(o), "AB2000");
  o = SbinOrder();
  o["quantity"] = json::array();
  ExpectError(place(o), "AB2000");
  o = SbinOrder();
  o["quantity"] = "-1";
  ExpectError(place(o), "AB2000");
  o = SbinOrder("LIMIT", 0);
  ExpectError(place(o), "AB2000");
  o = SbinOrder();
  o["transactiontype"] = "HOLD";
  ExpectError(place(o), "AB2000");
  o = SbinOrder();
  o["ordertype"] = "STOPLOSS_MARKET";  // with variety NORMAL
  ExpectError(place(o), "AB1008");
  o = SbinOrder("STOPLOSS_MARKET");
  ExpectError(place(o), "AB2000");  // no trigger price
  o = SbinOrder();
  o["tradingsymbol"] = 3045;
  ExpectError(place(o), "AB1009");

  h_.NextSecond();
  ExpectError(ApiHarness::Parse(h_.Call("POST", kPlace, "{not json", jwt)), "AB2000");
  h_.NextSecond();
  ExpectError(ApiHarness::Parse(h_.Call("POST", kPlace, "[1,2]", jwt)), "AB2000");
  h_.NextSecond();
  ExpectError(ApiHarness::Parse(h_.Call("POST", kPlace, "", jwt)), "AB2000");
  // Only the valid placement reached the book.
  h_.NextSecond();
  EXPECT_EQ(Get(kBook, jwt)["data"].size(), 1u);
}

TEST_F(SimApiTest, LotSizeRejectionHappensAfterAcceptance) {
  const std::string jwt = h_.Jwt();
  const double price = h_.engine.Price(*h_.instruments.FindBySymbol("NFO", "NIFTY01DEC2626000CE"));
  const json o = {{"variety", "NORMAL"},
                  {"tradingsymbol", "NIFTY01DEC2626000CE"},
                  {"symboltoken", "47101"},
                  {"transactiontype", "BUY"},
                  {"exchange", "NFO"},
                  {"ordertype", "LIMIT"},
                  {"price", price},
                  {"producttype", "CARRYFORWARD"},
                  {"duration", "DAY"},
                  {"quantity", "80"}};
  const json r = Post(kPlace, o, jwt);
  ASSERT_EQ(r["status"], true) << r;
  const json details = Get(kDetails + r["data"]["uniqueorderid"].get<std::string>(), jwt);
  EXPECT_EQ(details["data"]["status"], "rejected");
  EXPECT_EQ(details["data"]["text"], "Quantity should be in multiples of lot size 75");
  EXPECT_EQ(details["data"]["lotsize"], "75");
  EXPECT_EQ(details["data"]["optiontype"], "CE");
  EXPECT_EQ(details["data"]["strikeprice"], 26000.0);
  EXPECT_EQ(details["data"]["expirydate"], "01DEC2026");
  EXPECT_EQ(details["data"]["instrumenttype"], "OPTIDX");
}

TEST_F(SimApiTest, ModifyCancelAndDetails) {
  const std::string jwt = h_.Jwt();
  const json placed = Post(kPlace, SbinOrder("LIMIT", 100.0, 2), jwt);
  const std::string id = placed["data"]["orderid"];
  const std::string uid = placed["data"]["uniqueorderid"];
  const json m = Post(kModify,
                      {{"variety", "NORMAL"},
                       {"orderid", id},
                       {"ordertype", "LIMIT"},
                       {"producttype", "INTRADAY"},
                       {"duration", "DAY"},
                       {"price", "101.00"},
                       {"quantity", "3"},
                       {"tradingsymbol", "SBIN-EQ"},
                       {"symboltoken", "3045"},
                       {"exchange", "NSE"}},
                      jwt);
  ASSERT_EQ(m["status"], true) << m;
  EXPECT_EQ(m["data"]["orderid"], id);
  EXPECT_EQ(m["data"]["uniqueorderid"], uid);
  json d = Get(kDetails + uid, jwt);
  EXPECT_EQ(d["data"]["price"], 101.0);
  EXPECT_EQ(d["data"]["quantity"], "3");
  const json c = Post(kCancel, {{"variety", "NORMAL"}, {"orderid", id}}, jwt);
  ASSERT_EQ(c["status"], true) << c;
  d = Get(kDetails + uid, jwt);
  EXPECT_EQ(d["data"]["status"], "cancelled");
  EXPECT_EQ(d["data"]["cancelsize"], "3");

  ExpectError(Get(std::string(kDetails) + id, jwt), "AB1007");  // numeric id is not the uuid
  ExpectError(Post(kCancel, {{"variety", "NORMAL"}, {"orderid", "1"}}, jwt), "AB1013");
  h_.NextSecond();
  ExpectError(Post(kModify, {{"variety", "NORMAL"}, {"orderid", "1"}, {"price", "1"}}, jwt), "AB1013");
  ExpectError(Post(kCancel, {{"variety", "NORMAL"}, {"orderid", id}}, jwt), "AB2000");
}

TEST_F(SimApiTest, OrderWritesAreLimitedToNinePerSecond) {
  const std::string jwt = h_.Jwt();
  for (int i = 0; i < 9; ++i) EXPECT_EQ(Post(kPlace, SbinOrder(), jwt)["status"], true) << i;
  const SimReply r = h_.Call("POST", kPlace, SbinOrder().dump(), jwt);
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(r.body, "Access denied because of exceeding access rate");
  EXPECT_EQ(h_.engine.Orders("M1234567").size(), 9u);  // the refused one was not placed
  h_.NextSecond();
  EXPECT_EQ(Post(kPlace, SbinOrder(), jwt)["status"], true);
}

TEST_F(SimApiTest, AdminPriceMovesOpenLimits) {
  const std::string jwt = h_.Jwt();
  const json placed = Post(kPlace, SbinOrder("LIMIT", 100.0), jwt);
  const json r = ApiHarness::Parse(h_.Call(
      "POST", "/sim/v1/price", json{{"tradingsymbol", "SBIN-EQ"}, {"exchange", "NSE"}, {"price", 99.5}}.dump()));
  EXPECT_EQ(r["data"]["price"], 99.5);
  const json d = Get(kDetails + placed["data"]["uniqueorderid"].get<std::string>(), jwt);
  EXPECT_EQ(d["data"]["status"], "complete");
  EXPECT_EQ(d["data"]["averageprice"], 99.5);
  EXPECT_EQ(h_.Call("POST", "/sim/v1/price", R"({"tradingsymbol":"NOPE","price":1})").status, 400);
  EXPECT_EQ(h_.Call("POST", "/sim/v1/price", R"({"tradingsymbol":"SBIN-EQ","price":-1})").status, 400);
}

TEST_F(SimApiTest, FaultsPerAccountAndEndpoint) {
  const std::string jwt = h_.Jwt();
  auto fault = [&](json f) {
    f["clientcode"] = "M1234567";
    f["endpoint"] = "placeOrder";
    const SimReply r = h_.Call("POST", "/sim/v1/fault", f.dump());
    ASSERT_EQ(r.status, 200) << r.body;
  };
  const auto placed = [&] { return h_.engine.Orders("M1234567").size(); };

  fault({{"kind", "reject"}, {"errorcode", "AB1004"}, {"message", "Try later"}});
  ExpectError(Post(kPlace, SbinOrder(), jwt), "AB1004");
  EXPECT_EQ(placed(), 0u);

  fault({{"kind", "http500"}});
  SimReply r = h_.Call("POST", kPlace, SbinOrder().dump(), jwt);
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(placed(), 0u);

  fault({{"kind", "drop"}});
  r = h_.Call("POST", kPlace, SbinOrder().dump(), jwt);
  EXPECT_TRUE(r.close_without_reply);
  EXPECT_EQ(placed(), 0u);

  fault({{"kind", "lost_reply"}});
  r = h_.Call("POST", kPlace, SbinOrder().dump(), jwt);
  EXPECT_TRUE(r.close_without_reply);
  EXPECT_EQ(placed(), 1u);  // processed: the unknown-outcome case

  h_.NextSecond();
  fault({{"kind", "latency"}, {"latency_ms", 250}, {"count", 2}});
  r = h_.Call("POST", kPlace, SbinOrder().dump(), jwt);
  EXPECT_EQ(r.delay, std::chrono::milliseconds(250));
  EXPECT_EQ(placed(), 2u);
  EXPECT_EQ(h_.Call("POST", kPlace, SbinOrder().dump(), jwt).delay, std::chrono::milliseconds(250));
  EXPECT_EQ(h_.Call("POST", kPlace, SbinOrder().dump(), jwt).delay, std::chrono::milliseconds(0));

  // Faults are per endpoint and per account.
  fault({{"kind", "http500"}});
  EXPECT_EQ(Get(kBook, jwt)["status"], true);
  h_.NextSecond();
  const std::string f1 = h_.Login("F1111111", "f1key", "1111", kFollowerSecret)["data"]["jwtToken"];
  EXPECT_EQ(ApiHarness::Parse(h_.Call("POST", kPlace, SbinOrder().dump(), f1, "f1key"))["status"], true);
  EXPECT_EQ(h_.Call("POST", kPlace, SbinOrder().dump(), jwt).status, 500);

  EXPECT_EQ(h_.Call("POST", "/sim/v1/fault", R"({"clientcode":"M1234567","kind":"nope"})").status, 400);
  EXPECT_EQ(h_.Call("POST", "/sim/v1/fault", R"({"clientcode":"X","kind":"drop"})").status, 400);
}

TEST_F(SimApiTest, TradeBookAndPositionsFollowFills) {
  const std::string jwt = h_.Jwt();
  EXPECT_TRUE(Get("/rest/secure/angelbroking/order/v1/getTradeBook", jwt)["data"].is_null());
  EXPECT_TRUE(Get("/rest/secure/angelbroking/order/v1/getPosition", jwt)["data"].is_null());
  Post(kPlace, SbinOrder("LIMIT", ct::sim::testing::kMarketableSbin, 5), jwt);
  h_.NextSecond();
  const json trades = Get("/rest/secure/angelbroking/order/v1/getTradeBook", jwt);
  ASSERT_EQ(trades["data"].size(), 1u);
  EXPECT_EQ(trades["data"][0]["fillsize"], "5");
  EXPECT_EQ(trades["data"][0]["filltime"], "10:00:00");
  const json pos = Get("/rest/secure/angelbroking/order/v1/getPosition", jwt);
  ASSERT_EQ(pos["data"].size(), 1u);
  EXPECT_EQ(pos["data"][0]["netqty"], "5");
  EXPECT_EQ(pos["data"][0]["buyqty"], "5");
}

TEST_F(SimApiTest, UnknownPathsAndMethods) {
  const std::string jwt = h_.Jwt();
  EXPECT_EQ(h_.Call("GET", "/rest/secure/angelbroking/order/v1/nope", "", jwt).status, 404);
  EXPECT_EQ(h_.Call("GET", kPlace, "", jwt).status, 405);
  EXPECT_EQ(h_.Call("GET", "/", "").status, 404);
  EXPECT_EQ(h_.Call("GET", "/sim/v1/health", "").status, 200);
}

TEST_F(SimApiTest, AdminResetClearsBooksButKeepsSessions) {
  const std::string jwt = h_.Jwt();
  Post(kPlace, SbinOrder(), jwt);
  EXPECT_EQ(h_.Call("POST", "/sim/v1/reset", "").status, 200);
  EXPECT_TRUE(Get(kBook, jwt)["data"].is_null());
}

}  // namespace
}  // namespace ct::sim

namespace ct::sim {
namespace {

// Malformed input of every kind to every endpoint: always an answer in the
// broker's shape, never a crash or an exception.
TEST(SimApiMalformed, EveryEndpointSurvivesGarbage) {
  ct::sim::testing::ApiHarness h;
  h.limiter.set_enabled(false);
  const std::string jwt = h.Jwt();
  const std::vector<std::string> paths = {"/rest/auth/angelbroking/user/v1/loginByPassword",
                                          "/rest/auth/angelbroking/jwt/v1/generateTokens",
                                          "/rest/secure/angelbroking/user/v1/logout",
                                          "/rest/secure/angelbroking/order/v1/placeOrder",
                                          "/rest/secure/angelbroking/order/v1/modifyOrder",
                                          "/rest/secure/angelbroking/order/v1/cancelOrder",
                                          "/rest/secure/angelbroking/order/v1/getLtpData",
                                          "/sim/v1/price",
                                          "/sim/v1/fault",
                                          "/sim/v1/fill",
                                          "/sim/v1/expire",
                                          "/sim/v1/ratelimit"};
  const std::vector<std::string> bodies = {
      "",
      "{",
      "null",
      "[]",
      "123",
      "\"str\"",
      "{\"a\":",
      "\xff\xfe",
      R"({"clientcode":5,"password":[],"totp":{}})",
      R"({"variety":"NORMAL","tradingsymbol":"SBIN-EQ","symboltoken":"3045","transactiontype":"BUY","exchange":"NSE","ordertype":"LIMIT","producttype":"INTRADAY","duration":"DAY","price":"1e308","quantity":"1"})",
      R"({"variety":"NORMAL","tradingsymbol":"SBIN-EQ","symboltoken":"3045","transactiontype":"BUY","exchange":"NSE","ordertype":"LIMIT","producttype":"INTRADAY","duration":"DAY","price":"nan","quantity":"1e30"})",
      R"({"variety":"NORMAL","tradingsymbol":"SBIN-EQ","symboltoken":"3045","transactiontype":"BUY","exchange":"NSE","ordertype":"MARKET","producttype":"INTRADAY","duration":"DAY","quantity":true,"ordertag":7})",
      R"({"variety":"NORMAL","orderid":{"x":1},"price":"abc","quantity":-5})",
      R"({"variety":null,"orderid":null,"price":null,"quantity":null,"tradingsymbol":null})",
      R"({"tradingsymbol":"SBIN-EQ","price":1e308,"clientcode":"M1234567","kind":"latency","latency_ms":-1,"count":"x","enabled":"yes","orderid":"1","quantity":-1})",
      R"({"refreshToken":123,"exchange":[],"symboltoken":{}})",
      std::string(1000, '['),
  };
  for (const auto& path : paths) {
    for (const auto& body : bodies) {
      SimReply r;
      ASSERT_NO_THROW(r = h.Call("POST", path, body, jwt)) << path << " " << body;
      const auto j = nlohmann::json::parse(r.body, nullptr, false);
      ASSERT_FALSE(j.is_discarded()) << path << " " << body << " -> " << r.body;
      EXPECT_TRUE(j.contains("status") || j.contains("success")) << r.body;
      EXPECT_NE(r.status, 500) << path << " " << body << " -> " << r.body;
    }
  }
  // Still fully working afterwards (the garbage logged out and expired the
  // session, so log in again).
  EXPECT_EQ(ct::sim::testing::ApiHarness::Parse(h.Call("POST", "/rest/secure/angelbroking/order/v1/placeOrder",
                                                       ct::sim::testing::SbinOrder().dump(), h.Jwt()))["status"],
            true);
}

}  // namespace
}  // namespace ct::sim

namespace ct::sim {
namespace {

TEST(SimApiFaults, RmsRejectAcceptsThenRejectsWithText) {
  ct::sim::testing::ApiHarness h;
  const std::string jwt = h.Jwt();
  ASSERT_EQ(h.Call("POST", "/sim/v1/fault", R"({"clientcode":"M1234567","endpoint":"placeOrder","kind":"rms_reject"})")
                .status,
            200);
  const auto placed = ct::sim::testing::ApiHarness::Parse(
      h.Call("POST", "/rest/secure/angelbroking/order/v1/placeOrder", ct::sim::testing::SbinOrder().dump(), jwt));
  ASSERT_EQ(placed["status"], true) << placed;
  const auto details = ct::sim::testing::ApiHarness::Parse(
      h.Call("GET", "/rest/secure/angelbroking/order/v1/details/" + placed["data"]["uniqueorderid"].get<std::string>(),
             "", jwt));
  EXPECT_EQ(details["data"]["status"], "rejected");
  EXPECT_EQ(details["data"]["text"], "Your order has been rejected due to Insufficient Funds.");
  // One-shot: the next order goes through.
  EXPECT_EQ(ct::sim::testing::ApiHarness::Parse(h.Call("POST", "/rest/secure/angelbroking/order/v1/placeOrder",
                                                       ct::sim::testing::SbinOrder().dump(), jwt))["status"],
            true);
  EXPECT_EQ(h.engine.Orders("M1234567").back()->status, "complete");
}

}  // namespace
}  // namespace ct::sim
