// Client behaviour over a FakeTransport and a FakeClock: headers, login,
// re-login once, unknown outcomes, throttle retry, daily expiry.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "common/log/log.h"
#include "common/smartapi/client.h"
#include "common/totp/totp.h"
#include "tests/unit/smartapi_fake_transport.h"

namespace ct::smartapi {
namespace {

using nlohmann::json;
using testing::FakeTransport;
using testing::Json;
using testing::Ok;
using namespace std::chrono_literals;

constexpr int64_t kNs = 1'000'000'000;
// 2026-11-25 09:00:00 IST (03:30 UTC).
constexpr int64_t kMorningIst = 1795577400 * kNs;
// 2026-11-26 00:00:00 IST.
constexpr int64_t kMidnightIst = 1795631400 * kNs;

constexpr const char* kSecret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";

const LoginCredentials kCredentials{"api-key-123", "A1234567", "4321", kSecret};

std::string LoginData(const std::string& jwt) {
  return json({{"jwtToken", jwt}, {"refreshToken", "refresh-" + jwt}, {"feedToken", "feed-" + jwt}, {"state", "live"}})
      .dump();
}

std::string Header(const HttpRequest& r, const std::string& name) {
  for (const auto& [k, v] : r.headers) {
    if (k == name) return v;
  }
  return "<absent>";
}

const char* kAg8001 = R"({"success":false,"message":"Invalid Token","errorCode":"AG8001","data":""})";

class ClientTest : public ::testing::Test {
 protected:
  std::unique_ptr<Client> MakeClient(ClientOptions options = {}) {
    options.identity = ClientIdentity{"10.0.0.5", "203.0.113.7", "aa:bb:cc:dd:ee:ff"};
    options.sleep = [this](std::chrono::nanoseconds d) {
      clock_.advance(d);
      slept_ += d;
    };
    return std::make_unique<Client>(kCredentials, std::make_unique<FakeTransport>(&state_), clock_, std::move(options));
  }
  std::unique_ptr<Client> LoggedInClient(ClientOptions options = {}) {
    auto client = MakeClient(std::move(options));
    state_.replies.push_back(Ok(LoginData("jwt-one")));
    EXPECT_TRUE(client->Login().ok());
    return client;
  }
  void Queue(HttpResponse r) { state_.replies.push_back(std::move(r)); }
  void Queue(TransportError e) { state_.replies.push_back(std::move(e)); }
  const std::vector<HttpRequest>& requests() const { return state_.requests; }

  FakeTransport::State state_;
  FakeClock clock_{kMorningIst};
  std::chrono::nanoseconds slept_{0};
};

OrderRequest MarketBuy() {
  OrderRequest r;
  r.tradingsymbol = "SBIN-EQ";
  r.symboltoken = "3045";
  r.transactiontype = "BUY";
  r.exchange = "NSE";
  r.ordertype = "MARKET";
  r.producttype = "INTRADAY";
  r.quantity = 1;
  r.ordertag = "ct-1";
  return r;
}

const char* kPlaced = R"({"script":"SBIN-EQ","orderid":"201020000000080","uniqueorderid":"34reqfachdfih"})";

TEST_F(ClientTest, LoginSendsClientCodePinAndCurrentTotpWithoutAuthorization) {
  auto client = MakeClient();
  Queue(Ok(LoginData("jwt-one")));
  auto session = client->Login();
  ASSERT_TRUE(session.ok()) << session.error().ToString();
  EXPECT_EQ(session->jwt_token, "jwt-one");
  EXPECT_EQ(client->session().refresh_token, "refresh-jwt-one");
  EXPECT_EQ(client->session().feed_token, "feed-jwt-one");
  EXPECT_TRUE(client->logged_in());

  ASSERT_EQ(requests().size(), 1u);
  const HttpRequest& r = requests()[0];
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.path, "/rest/auth/angelbroking/user/v1/loginByPassword");
  const json body = json::parse(r.body);
  EXPECT_EQ(
      body,
      json({{"clientcode", "A1234567"}, {"password", "4321"}, {"totp", *totp::Code(kSecret, kMorningIst / kNs)}}));
  EXPECT_EQ(Header(r, "Authorization"), "<absent>");
  EXPECT_EQ(Header(r, "X-PrivateKey"), "api-key-123");
}

TEST_F(ClientTest, EveryCallSendsTheDocumentedHeaders) {
  auto client = LoggedInClient();
  Queue(Ok("null"));
  ASSERT_TRUE(client->GetOrderBook().ok());
  const HttpRequest& r = requests().back();
  EXPECT_EQ(r.method, "GET");
  EXPECT_EQ(r.path, "/rest/secure/angelbroking/order/v1/getOrderBook");
  const std::vector<std::pair<std::string, std::string>> expected = {
      {"Content-Type", "application/json"},
      {"Accept", "application/json"},
      {"X-UserType", "USER"},
      {"X-SourceID", "WEB"},
      {"X-ClientLocalIP", "10.0.0.5"},
      {"X-ClientPublicIP", "203.0.113.7"},
      {"X-MACAddress", "aa:bb:cc:dd:ee:ff"},
      {"X-PrivateKey", "api-key-123"},
      {"Authorization", "Bearer jwt-one"},
  };
  EXPECT_EQ(r.headers, expected);
  EXPECT_TRUE(r.may_resend);
}

TEST_F(ClientTest, FirstCallLogsInWhenThereIsNoSession) {
  auto client = MakeClient();
  Queue(Ok(LoginData("jwt-one")));
  Queue(Ok("[]"));
  auto book = client->GetOrderBook();
  ASSERT_TRUE(book.ok());
  ASSERT_EQ(requests().size(), 2u);
  EXPECT_EQ(requests()[0].path, "/rest/auth/angelbroking/user/v1/loginByPassword");
  EXPECT_EQ(Header(requests()[1], "Authorization"), "Bearer jwt-one");
}

TEST_F(ClientTest, OrderBookRowsAreParsed) {
  auto client = LoggedInClient();
  Queue(Ok(R"([{"orderid":"1","quantity":"5","price":10.5,"status":"open"},{"orderid":"2","quantity":2}])"));
  auto book = client->GetOrderBook();
  ASSERT_TRUE(book.ok());
  ASSERT_EQ(book->size(), 2u);
  EXPECT_EQ((*book)[0].quantity(), 5);
  EXPECT_EQ((*book)[1].orderid(), "2");
}

TEST_F(ClientTest, AuthExpiredReLogsInOnceAndRetries) {
  auto client = LoggedInClient();
  Queue(Json(200, kAg8001));
  Queue(Ok(LoginData("jwt-two")));
  Queue(Ok("null"));
  auto book = client->GetOrderBook();
  ASSERT_TRUE(book.ok()) << book.error().ToString();
  ASSERT_EQ(requests().size(), 4u);
  EXPECT_EQ(requests()[2].path, "/rest/auth/angelbroking/user/v1/loginByPassword");
  EXPECT_EQ(Header(requests()[3], "Authorization"), "Bearer jwt-two");
  EXPECT_EQ(client->session().jwt_token, "jwt-two");
}

TEST_F(ClientTest, AuthExpiredTwiceIsReturnedAfterOneReLogin) {
  auto client = LoggedInClient();
  Queue(Json(200, kAg8001));
  Queue(Ok(LoginData("jwt-two")));
  Queue(Json(200, kAg8001));
  auto book = client->GetOrderBook();
  ASSERT_FALSE(book.ok());
  EXPECT_EQ(book.error().kind, ErrorKind::kAuthExpired);
  EXPECT_EQ(requests().size(), 4u);
}

TEST_F(ClientTest, ReLoginFailureIsReturned) {
  auto client = LoggedInClient();
  Queue(Json(200, kAg8001));
  Queue(Json(200, R"({"status":false,"message":"Invalid totp","errorcode":"AB1050","data":null})"));
  auto book = client->GetOrderBook();
  ASSERT_FALSE(book.ok());
  EXPECT_EQ(book.error().code, "AB1050");
  EXPECT_FALSE(client->logged_in());
}

TEST_F(ClientTest, PlaceOrderAfterAg8001IsRetriedOnceAfterReLogin) {
  auto client = LoggedInClient();
  Queue(Json(200, kAg8001));
  Queue(Ok(LoginData("jwt-two")));
  Queue(Ok(kPlaced));
  auto placed = client->PlaceOrder(MarketBuy());
  ASSERT_TRUE(placed.ok()) << placed.error().ToString();
  EXPECT_EQ(placed->orderid, "201020000000080");
  EXPECT_EQ(placed->uniqueorderid, "34reqfachdfih");
  EXPECT_EQ(placed->script, "SBIN-EQ");
  EXPECT_EQ(requests()[1].body, requests()[3].body);
}

TEST_F(ClientTest, PlaceOrderSendsTheBodyOnceAndForbidsTransportResend) {
  auto client = LoggedInClient();
  Queue(Ok(kPlaced));
  ASSERT_TRUE(client->PlaceOrder(MarketBuy()).ok());
  const HttpRequest& r = requests().back();
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.path, "/rest/secure/angelbroking/order/v1/placeOrder");
  EXPECT_FALSE(r.may_resend);
  const json body = json::parse(r.body);
  EXPECT_EQ(body.at("quantity"), "1");
  EXPECT_EQ(body.at("ordertype"), "MARKET");
  EXPECT_EQ(body.at("price"), "0");
  EXPECT_EQ(body.at("ordertag"), "ct-1");
}

TEST_F(ClientTest, PlaceOrderUnknownOutcomeIsNeverRetried) {
  auto client = LoggedInClient();
  Queue(Json(200, ""));
  Queue(Json(502, "Bad Gateway"));
  Queue(Json(500, R"({"status":false,"message":"x","errorcode":"AB2001","data":null})"));
  Queue(TransportError{true, "curl: Timeout was reached"});
  Queue(TransportError{true, "curl: Server returned nothing (no headers, no data)"});
  for (int i = 0; i < 5; ++i) {
    auto placed = client->PlaceOrder(MarketBuy());
    ASSERT_FALSE(placed.ok()) << i;
    EXPECT_EQ(placed.error().kind, ErrorKind::kUnknownOutcome) << i;
  }
  EXPECT_EQ(requests().size(), 1u + 5u);  // login + one attempt each
}

TEST_F(ClientTest, PlaceOrderNotDeliveredIsTransport) {
  auto client = LoggedInClient();
  Queue(TransportError{false, "curl: Couldn't connect to server"});
  auto placed = client->PlaceOrder(MarketBuy());
  ASSERT_FALSE(placed.ok());
  EXPECT_EQ(placed.error().kind, ErrorKind::kTransport);
}

TEST_F(ClientTest, PlaceOrderRejectionCarriesCodeAndMessage) {
  auto client = LoggedInClient();
  Queue(Json(
      200,
      R"({"status":false,"message":"ordertag length should be less than 20 characters","errorcode":"AB4008","data":null})"));
  auto placed = client->PlaceOrder(MarketBuy());
  ASSERT_FALSE(placed.ok());
  EXPECT_EQ(placed.error().kind, ErrorKind::kRejected);
  EXPECT_EQ(placed.error().code, "AB4008");
}

TEST_F(ClientTest, ThrottledIsRetriedOnceAfterBackoff) {
  ClientOptions options;
  options.rate_limit = false;
  auto client = LoggedInClient(options);
  Queue(Json(403, "Access denied because of exceeding access rate"));
  Queue(Ok(kPlaced));
  auto placed = client->PlaceOrder(MarketBuy());
  ASSERT_TRUE(placed.ok());
  EXPECT_EQ(slept_, 1s);

  Queue(Json(403, "Access denied because of exceeding access rate"));
  Queue(Json(403, "Access denied because of exceeding access rate"));
  auto throttled = client->PlaceOrder(MarketBuy());
  ASSERT_FALSE(throttled.ok());
  EXPECT_EQ(throttled.error().kind, ErrorKind::kThrottled);
}

TEST_F(ClientTest, LoginRejectedLeavesClientLoggedOut) {
  auto client = MakeClient();
  Queue(Json(200, R"({"status":false,"message":"Invalid totp","errorcode":"AB1050","data":null})"));
  auto session = client->Login();
  ASSERT_FALSE(session.ok());
  EXPECT_EQ(session.error().kind, ErrorKind::kRejected);
  EXPECT_EQ(session.error().code, "AB1050");
  EXPECT_FALSE(client->logged_in());
}

TEST_F(ClientTest, BadTotpSecretFailsWithoutARequest) {
  LoginCredentials credentials = kCredentials;
  credentials.totp_secret = "not-base32!";
  Client client(credentials, std::make_unique<FakeTransport>(&state_), clock_);
  auto session = client.Login();
  ASSERT_FALSE(session.ok());
  EXPECT_EQ(session.error().code, "CT_TOTP_SECRET");
  EXPECT_TRUE(requests().empty());
}

TEST_F(ClientTest, TokensAndCredentialsAreRegisteredAsLogSecrets) {
  auto client = MakeClient();
  Queue(Ok(LoginData("jwt-secret-value")));
  ASSERT_TRUE(client->Login().ok());
  EXPECT_EQ(log::Mask("token jwt-secret-value"), "token ****");
  EXPECT_EQ(log::Mask("key api-key-123"), "key ****");
  EXPECT_EQ(log::Mask("refresh-jwt-secret-value"), "****");
}

TEST_F(ClientTest, SessionExpiresAtMidnightIstAndIsRenewedByTheNextCall) {
  auto client = LoggedInClient();
  EXPECT_EQ(client->session_expiry_ns(), kMidnightIst);
  EXPECT_FALSE(client->NeedsDailyRelogin(kMidnightIst - 1));
  EXPECT_TRUE(client->NeedsDailyRelogin(kMidnightIst));

  clock_.set_wall_ns(kMidnightIst + 8 * 3600 * kNs);  // 08:00 IST next day
  Queue(Ok(LoginData("jwt-two")));
  Queue(Ok("null"));
  ASSERT_TRUE(client->GetOrderBook().ok());
  ASSERT_EQ(requests().size(), 3u);
  EXPECT_EQ(requests()[1].path, "/rest/auth/angelbroking/user/v1/loginByPassword");
  EXPECT_EQ(Header(requests()[2], "Authorization"), "Bearer jwt-two");
  EXPECT_FALSE(client->NeedsDailyRelogin(clock_.wall_ns()));
}

TEST_F(ClientTest, EnsureSessionIsANoOpWhileTheSessionIsFresh) {
  auto client = LoggedInClient();
  ASSERT_TRUE(client->EnsureSession().ok());
  EXPECT_EQ(requests().size(), 1u);
}

std::string Base64Url(const std::string& in) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  uint32_t buffer = 0;
  int bits = 0;
  for (unsigned char c : in) {
    buffer = (buffer << 8) | c;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out.push_back(kAlphabet[(buffer >> bits) & 0x3F]);
    }
  }
  if (bits > 0) out.push_back(kAlphabet[(buffer << (6 - bits)) & 0x3F]);
  return out;
}

TEST(JwtExpiryTest, ReadsTheExpClaim) {
  const std::string jwt = Base64Url(R"({"alg":"HS512"})") + "." +
                          Base64Url(R"({"username":"A1234567","iat":1795577400,"exp":1795600000})") + ".sig";
  EXPECT_EQ(JwtExpiry(jwt), 1795600000);
  EXPECT_FALSE(JwtExpiry("jwt-one").has_value());
  EXPECT_FALSE(JwtExpiry("a.!!!.c").has_value());
}

TEST_F(ClientTest, JwtExpEarlierThanMidnightWins) {
  const std::string jwt = Base64Url(R"({"alg":"HS512"})") + "." + Base64Url(R"({"exp":1795600000})") + ".sig";
  auto client = MakeClient();
  Queue(Ok(LoginData(jwt)));
  ASSERT_TRUE(client->Login().ok());
  EXPECT_EQ(client->session_expiry_ns(), 1795600000 * kNs);
}

TEST(NextMidnightIstTest, IsTheNextIstDayBoundary) {
  EXPECT_EQ(NextMidnightIst(kMorningIst), kMidnightIst);
  EXPECT_EQ(NextMidnightIst(kMidnightIst - 1), kMidnightIst);
  EXPECT_EQ(NextMidnightIst(kMidnightIst), kMidnightIst + 86400 * kNs);
}

TEST(NextIstTimeTest, SchedulesThePreMarketLogin) {
  // 09:00 IST now: 08:45 IST is tomorrow, 09:15 IST is today.
  EXPECT_EQ(NextIstTime(kMorningIst, 8, 45), kMidnightIst + (8 * 3600 + 45 * 60) * kNs);
  EXPECT_EQ(NextIstTime(kMorningIst, 9, 15), kMorningIst + 15 * 60 * kNs);
  EXPECT_EQ(NextIstTime(kMorningIst, 9, 0), kMorningIst + 86400 * kNs);
  EXPECT_EQ(NextIstTime(kMidnightIst - 1, 0, 0), kMidnightIst);
}

TEST_F(ClientTest, GenerateTokensRefreshesTheSession) {
  auto client = LoggedInClient();
  Queue(Ok(R"({"jwtToken":"jwt-new","refreshToken":"refresh-new","feedToken":"feed-new"})"));
  auto session = client->GenerateTokens();
  ASSERT_TRUE(session.ok()) << session.error().ToString();
  EXPECT_EQ(client->session().jwt_token, "jwt-new");
  const HttpRequest& r = requests().back();
  EXPECT_EQ(r.path, "/rest/auth/angelbroking/jwt/v1/generateTokens");
  EXPECT_EQ(json::parse(r.body), json({{"refreshToken", "refresh-jwt-one"}}));
  EXPECT_EQ(Header(r, "Authorization"), "Bearer jwt-one");
  EXPECT_EQ(client->session_expiry_ns(), kMidnightIst);
}

TEST_F(ClientTest, LogoutSendsClientCodeAndDropsTheSession) {
  auto client = LoggedInClient();
  Queue(Ok(R"("")"));
  ASSERT_TRUE(client->Logout().ok());
  EXPECT_FALSE(client->logged_in());
  EXPECT_EQ(requests().back().path, "/rest/secure/angelbroking/user/v1/logout");
  EXPECT_EQ(json::parse(requests().back().body), json({{"clientcode", "A1234567"}}));
}

TEST_F(ClientTest, ReadsUseTheirPaths) {
  auto client = LoggedInClient();
  Queue(Ok(R"({"clientcode":"A1234567","name":"N","exchanges":["nse_cm"],"products":["MIS"]})"));
  Queue(Ok(R"({"net":"1.5","availablecash":"2"})"));
  Queue(Ok(R"({"orderid":"240216000318017","uniqueorderid":"4cb05962-1303","status":"complete"})"));
  Queue(Ok("null"));
  Queue(Ok("null"));
  Queue(Ok(R"({"exchange":"NSE","tradingsymbol":"SBIN-EQ","symboltoken":"3045","ltp":"191"})"));

  auto profile = client->GetProfile();
  ASSERT_TRUE(profile.ok());
  EXPECT_EQ(profile->clientcode, "A1234567");
  auto rms = client->GetRms();
  ASSERT_TRUE(rms.ok());
  EXPECT_DOUBLE_EQ(rms->net, 1.5);
  auto details = client->GetOrderDetails("4cb05962-1303");
  ASSERT_TRUE(details.ok());
  EXPECT_EQ(details->status(), "complete");
  auto trades = client->GetTradeBook();
  ASSERT_TRUE(trades.ok());
  EXPECT_TRUE(trades->empty());
  auto positions = client->GetPosition();
  ASSERT_TRUE(positions.ok());
  EXPECT_TRUE(positions->empty());
  auto ltp = client->GetLtpData("NSE", "SBIN-EQ", "3045");
  ASSERT_TRUE(ltp.ok());
  EXPECT_DOUBLE_EQ(ltp->ltp, 191);

  const auto& r = requests();
  ASSERT_EQ(r.size(), 7u);
  EXPECT_EQ(r[1].path, "/rest/secure/angelbroking/user/v1/getProfile");
  EXPECT_EQ(r[2].path, "/rest/secure/angelbroking/user/v1/getRMS");
  EXPECT_EQ(r[3].path, "/rest/secure/angelbroking/order/v1/details/4cb05962-1303");
  EXPECT_EQ(r[4].path, "/rest/secure/angelbroking/order/v1/getTradeBook");
  EXPECT_EQ(r[5].path, "/rest/secure/angelbroking/order/v1/getPosition");
  EXPECT_EQ(r[6].path, "/rest/secure/angelbroking/order/v1/getLtpData");
  EXPECT_EQ(r[6].method, "POST");
  EXPECT_EQ(json::parse(r[6].body), json({{"exchange", "NSE"}, {"tradingsymbol", "SBIN-EQ"}, {"symboltoken", "3045"}}));
}

TEST_F(ClientTest, UnknownOrderDetailsIsRejected) {
  auto client = LoggedInClient();
  Queue(Json(200, R"({"data":null,"message":"Order not found","errorcode":"AB1007","status":false})"));
  auto details = client->GetOrderDetails("nope");
  ASSERT_FALSE(details.ok());
  EXPECT_EQ(details.error().kind, ErrorKind::kRejected);
  EXPECT_EQ(details.error().code, "AB1007");
}

TEST_F(ClientTest, ModifyAndCancelAreOrderWrites) {
  auto client = LoggedInClient();
  Queue(Ok(R"({"orderid":"201020000000080","uniqueorderid":"u1"})"));
  Queue(Ok(R"({"orderid":"201020000000080","uniqueorderid":"u1"})"));
  Queue(Json(504, ""));

  ModifyRequest modify;
  modify.orderid = "201020000000080";
  modify.ordertype = "LIMIT";
  modify.producttype = "INTRADAY";
  modify.price = 194;
  modify.quantity = 1;
  modify.tradingsymbol = "SBIN-EQ";
  modify.symboltoken = "3045";
  modify.exchange = "NSE";
  auto modified = client->ModifyOrder(modify);
  ASSERT_TRUE(modified.ok());
  EXPECT_EQ(modified->uniqueorderid, "u1");
  auto cancelled = client->CancelOrder("NORMAL", "201020000000080");
  ASSERT_TRUE(cancelled.ok());
  auto lost = client->CancelOrder("NORMAL", "201020000000080");
  ASSERT_FALSE(lost.ok());
  EXPECT_EQ(lost.error().kind, ErrorKind::kUnknownOutcome);

  const auto& r = requests();
  EXPECT_EQ(r[1].path, "/rest/secure/angelbroking/order/v1/modifyOrder");
  EXPECT_FALSE(r[1].may_resend);
  EXPECT_EQ(r[2].path, "/rest/secure/angelbroking/order/v1/cancelOrder");
  EXPECT_EQ(json::parse(r[2].body), json({{"variety", "NORMAL"}, {"orderid", "201020000000080"}}));
}

TEST_F(ClientTest, BackToBackOrderBookPollsWaitForTheOnePerSecondLimit) {
  auto client = LoggedInClient();
  Queue(Ok("null"));
  Queue(Ok("null"));
  ASSERT_TRUE(client->GetOrderBook().ok());
  EXPECT_EQ(slept_, 0ns);
  ASSERT_TRUE(client->GetOrderBook().ok());
  EXPECT_GE(slept_, 1s);
  EXPECT_LE(slept_, 1100ms);
}

}  // namespace
}  // namespace ct::smartapi
