// Wire parsing (common/smartapi/wire.h) against the shapes in SMARTAPI.md.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "common/smartapi/wire.h"

namespace ct::smartapi {
namespace {

using nlohmann::json;

HttpResponse Reply(int status, std::string body, std::string content_type = "application/json") {
  return HttpResponse{status, std::move(content_type), std::move(body)};
}

// --- envelopes ------------------------------------------------------------

TEST(ParseReplyTest, BackendDialectSuccessReturnsData) {
  auto r = ParseReply(Reply(200, R"({"status":true,"message":"SUCCESS","errorcode":"","data":{"a":1}})"), false);
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  EXPECT_EQ(*r, json({{"a", 1}}));
}

TEST(ParseReplyTest, BackendDialectFailureIsRejectedWithCodeAndMessage) {
  auto r =
      ParseReply(Reply(200, R"({"status":false,"message":"Invalid totp","errorcode":"AB1050","data":null})"), false);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::kRejected);
  EXPECT_EQ(r.error().code, "AB1050");
  EXPECT_EQ(r.error().message, "Invalid totp");
  EXPECT_EQ(r.error().http_status, 200);
}

TEST(ParseReplyTest, GatewayDialectInvalidTokenIsAuthExpired) {
  auto r =
      ParseReply(Reply(200, R"({"success":false,"message":"Invalid Token","errorCode":"AG8001","data":""})"), true);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::kAuthExpired);
  EXPECT_EQ(r.error().code, "AG8001");
  EXPECT_EQ(r.error().message, "Invalid Token");
}

TEST(ParseReplyTest, EveryAuthCodeIsAuthExpiredInBothDialects) {
  for (const char* code : {"AG8001", "AG8002", "AG8003", "AB1010", "AB1011"}) {
    auto backend = ParseReply(
        Reply(200, std::string(R"({"status":false,"message":"x","errorcode":")") + code + R"(","data":null})"), false);
    auto gateway = ParseReply(
        Reply(200, std::string(R"({"success":false,"message":"x","errorCode":")") + code + R"(","data":""})"), false);
    ASSERT_FALSE(backend.ok());
    ASSERT_FALSE(gateway.ok());
    EXPECT_EQ(backend.error().kind, ErrorKind::kAuthExpired) << code;
    EXPECT_EQ(gateway.error().kind, ErrorKind::kAuthExpired) << code;
  }
}

TEST(ParseReplyTest, GatewayDialectOtherCodeIsRejected) {
  auto r =
      ParseReply(Reply(200, R"({"success":false,"message":"Invalid API Key","errorCode":"AG8004","data":""})"), false);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::kRejected);
  EXPECT_EQ(r.error().code, "AG8004");
}

TEST(ParseReplyTest, GatewayDialectOn403IsStillParsed) {
  auto r =
      ParseReply(Reply(403, R"({"success":false,"message":"Token Expired","errorCode":"AG8002","data":""})"), false);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::kAuthExpired);
  EXPECT_EQ(r.error().http_status, 403);
}

TEST(ParseReplyTest, DocsStringTypoStatusFalseIsAccepted) {
  auto r = ParseReply(
      Reply(200,
            R"({"status":"false","message":"Login Id or password is invalid","errorcode":"AB1007","data":"null"})"),
      false);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::kRejected);
  EXPECT_EQ(r.error().code, "AB1007");
}

TEST(ParseReplyTest, SuccessWithoutDataIsNull) {
  auto r = ParseReply(Reply(200, R"({"status":true,"message":"SUCCESS","errorcode":""})"), false);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->is_null());
}

TEST(ParseReplyTest, LogoutEmptyStringData) {
  auto r = ParseReply(Reply(200, R"({"status":true,"message":"SUCCESS","errorcode":"","data":""})"), false);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, json(""));
}

// --- throttle -------------------------------------------------------------

TEST(ParseReplyTest, PlainText403ThrottleBodyIsThrottled) {
  for (bool order_write : {false, true}) {
    auto r = ParseReply(Reply(403, "Access denied because of exceeding access rate", "text/plain"), order_write);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().kind, ErrorKind::kThrottled);
    EXPECT_EQ(r.error().http_status, 403);
  }
}

TEST(ParseReplyTest, ThrottleTextIsCaseInsensitiveAndHasAVariant) {
  auto lower = ParseReply(Reply(403, "access denied because of exceeding access rate\n", "text/plain"), false);
  auto limits = ParseReply(Reply(403, "Access Denied because of exceeding access limits", ""), true);
  ASSERT_FALSE(lower.ok());
  ASSERT_FALSE(limits.ok());
  EXPECT_EQ(lower.error().kind, ErrorKind::kThrottled);
  EXPECT_EQ(limits.error().kind, ErrorKind::kThrottled);
}

TEST(ParseReplyTest, Http429IsThrottled) {
  auto r = ParseReply(Reply(429, ""), true);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::kThrottled);
}

// --- unreadable replies -----------------------------------------------------

TEST(ParseReplyTest, NotJsonOnReadIsBadResponse) {
  auto r = ParseReply(Reply(200, "<html>gateway</html>", "text/html"), false);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::kBadResponse);
}

TEST(ParseReplyTest, NotJsonOnOrderWriteIsUnknownOutcome) {
  auto r = ParseReply(Reply(200, "<html>gateway</html>", "text/html"), true);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::kUnknownOutcome);
}

TEST(ParseReplyTest, Other403PlainTextIsNotThrottle) {
  auto r = ParseReply(Reply(403, "Forbidden", "text/plain"), false);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::kBadResponse);
}

TEST(ParseReplyTest, WrongShapeIsBadResponseOnReadsUnknownOnWrites) {
  for (const char* body : {"[1,2]", R"({"foo":1})", R"("text")", R"({"status":"maybe"})"}) {
    auto read = ParseReply(Reply(200, body), false);
    auto write = ParseReply(Reply(200, body), true);
    ASSERT_FALSE(read.ok()) << body;
    ASSERT_FALSE(write.ok()) << body;
    EXPECT_EQ(read.error().kind, ErrorKind::kBadResponse) << body;
    EXPECT_EQ(write.error().kind, ErrorKind::kUnknownOutcome) << body;
  }
}

TEST(ParseReplyTest, EmptyBodyOnOrderWriteIsUnknownOutcome) {
  for (int status : {200, 400, 502}) {
    auto r = ParseReply(Reply(status, ""), true);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().kind, ErrorKind::kUnknownOutcome) << status;
  }
}

TEST(ParseReplyTest, EmptyBodyOnReadIsBadResponse) {
  auto r = ParseReply(Reply(200, ""), false);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::kBadResponse);
}

TEST(ParseReplyTest, ServerErrorOnOrderWriteIsUnknownOutcomeEvenWithAnEnvelope) {
  auto plain = ParseReply(Reply(503, "Service Unavailable", "text/plain"), true);
  auto envelope =
      ParseReply(Reply(500, R"({"status":false,"message":"Internal Error","errorcode":"AB2001","data":null})"), true);
  ASSERT_FALSE(plain.ok());
  ASSERT_FALSE(envelope.ok());
  EXPECT_EQ(plain.error().kind, ErrorKind::kUnknownOutcome);
  EXPECT_EQ(envelope.error().kind, ErrorKind::kUnknownOutcome);
  EXPECT_EQ(envelope.error().code, "AB2001");
  EXPECT_EQ(envelope.error().http_status, 500);
}

TEST(ParseReplyTest, ServerErrorOnReadIsTransportWithOrWithoutEnvelope) {
  auto plain = ParseReply(Reply(502, "Bad Gateway", "text/plain"), false);
  auto envelope =
      ParseReply(Reply(500, R"({"status":false,"message":"Internal Error","errorcode":"AB2001","data":null})"), false);
  ASSERT_FALSE(plain.ok());
  ASSERT_FALSE(envelope.ok());
  EXPECT_EQ(plain.error().kind, ErrorKind::kTransport);
  EXPECT_EQ(envelope.error().kind, ErrorKind::kTransport);
  EXPECT_EQ(envelope.error().code, "AB2001");
}

TEST(ParseReplyTest, Http401WithoutEnvelopeIsAuthExpired) {
  auto r = ParseReply(Reply(401, "Unauthorized", "text/plain"), true);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::kAuthExpired);
}

TEST(TransportFailureTest, MaybeDeliveredOnlyMattersForOrderWrites) {
  EXPECT_EQ(TransportFailure({true, "timeout"}, true).kind, ErrorKind::kUnknownOutcome);
  EXPECT_EQ(TransportFailure({false, "refused"}, true).kind, ErrorKind::kTransport);
  EXPECT_EQ(TransportFailure({true, "timeout"}, false).kind, ErrorKind::kTransport);
}

TEST(ErrorTest, ToStringNamesKindCodeStatusAndMessage) {
  Error e{ErrorKind::kRejected, "AB1050", "Invalid totp", 200};
  EXPECT_EQ(e.ToString(), "Rejected AB1050 (HTTP 200): Invalid totp");
  EXPECT_STREQ(ToString(ErrorKind::kUnknownOutcome), "UnknownOutcome");
}

// --- order book -------------------------------------------------------------

// The real row of SMARTAPI.md §2.9 (Dec-2023).
constexpr const char* kRealRow =
    R"({"variety":"NORMAL","ordertype":"LIMIT","producttype":"INTRADAY","duration":"DAY","price":10.55,
 "triggerprice":0.0,"quantity":"1","disclosedquantity":"0","squareoff":0.0,"stoploss":0.0,
 "trailingstoploss":0.0,"tradingsymbol":"IOC-EQ","transactiontype":"BUY","exchange":"NSE",
 "symboltoken":"1624","ordertag":"","instrumenttype":"","strikeprice":-1.0,"optiontype":"",
 "expirydate":"","lotsize":"1","cancelsize":"0","averageprice":0.0,"filledshares":"0",
 "unfilledshares":"1","orderid":"231229000008865",
 "text":"You are trying to place the order with a price which is outside circuit limits.Try placing order within the circut limits.",
 "status":"rejected","orderstatus":"rejected","updatetime":"29-Dec-2023 09:01:02","exchtime":"",
 "exchorderupdatetime":"","fillid":"","filltime":"","parentorderid":"",
 "uniqueorderid":"f93b47d7-4ff0-48f1-9f22-63aa14dffa3b"})";

TEST(OrderBookTest, ParsesTheRealRowWithEveryField) {
  auto book = ParseOrderBook(json::array({json::parse(kRealRow)}));
  ASSERT_TRUE(book.ok()) << book.error().ToString();
  ASSERT_EQ(book->size(), 1u);
  const Order& o = book->front();
  EXPECT_EQ(o.variety(), "NORMAL");
  EXPECT_EQ(o.ordertype(), "LIMIT");
  EXPECT_EQ(o.producttype(), "INTRADAY");
  EXPECT_EQ(o.duration(), "DAY");
  EXPECT_DOUBLE_EQ(o.price(), 10.55);
  EXPECT_DOUBLE_EQ(o.triggerprice(), 0.0);
  EXPECT_EQ(o.quantity(), 1);
  EXPECT_EQ(o.disclosedquantity(), 0);
  EXPECT_DOUBLE_EQ(o.squareoff(), 0.0);
  EXPECT_DOUBLE_EQ(o.stoploss(), 0.0);
  EXPECT_DOUBLE_EQ(o.trailingstoploss(), 0.0);
  EXPECT_EQ(o.tradingsymbol(), "IOC-EQ");
  EXPECT_EQ(o.transactiontype(), "BUY");
  EXPECT_EQ(o.exchange(), "NSE");
  EXPECT_EQ(o.symboltoken(), "1624");
  EXPECT_EQ(o.ordertag(), "");
  EXPECT_EQ(o.instrumenttype(), "");
  EXPECT_DOUBLE_EQ(o.strikeprice(), -1.0);
  EXPECT_EQ(o.optiontype(), "");
  EXPECT_EQ(o.expirydate(), "");
  EXPECT_EQ(o.lotsize(), 1);
  EXPECT_EQ(o.cancelsize(), 0);
  EXPECT_DOUBLE_EQ(o.averageprice(), 0.0);
  EXPECT_EQ(o.filledshares(), 0);
  EXPECT_EQ(o.unfilledshares(), 1);
  EXPECT_EQ(o.orderid(), "231229000008865");
  EXPECT_EQ(o.text(),
            "You are trying to place the order with a price which is outside circuit limits.Try "
            "placing order within the circut limits.");
  EXPECT_EQ(o.status(), "rejected");
  EXPECT_EQ(o.orderstatus(), "rejected");
  EXPECT_EQ(o.updatetime(), "29-Dec-2023 09:01:02");
  EXPECT_EQ(o.exchtime(), "");
  EXPECT_EQ(o.exchorderupdatetime(), "");
  EXPECT_EQ(o.fillid(), "");
  EXPECT_EQ(o.filltime(), "");
  EXPECT_EQ(o.parentorderid(), "");
  EXPECT_EQ(o.uniqueorderid(), "f93b47d7-4ff0-48f1-9f22-63aa14dffa3b");
  EXPECT_EQ(o.exchangeorderid(), "");  // absent in this row
}

TEST(OrderBookTest, NumbersAcceptedAsStringsAndStringsAsNumbers) {
  // The docs' all-strings shape, and numbers where strings are usual.
  auto row = json::parse(R"({"price":"194.50","triggerprice":"0","quantity":"1120","lotsize":40,
      "filledshares":"","unfilledshares":1120.0,"averageprice":"265.62","strikeprice":"21750.0",
      "symboltoken":3045,"orderid":231229000008865,"squareoff":" 0 ","cancelsize":null})");
  auto o = ParseOrderRow(row);
  ASSERT_TRUE(o.ok()) << o.error().ToString();
  EXPECT_DOUBLE_EQ(o->price(), 194.5);
  EXPECT_EQ(o->quantity(), 1120);
  EXPECT_EQ(o->lotsize(), 40);
  EXPECT_EQ(o->filledshares(), 0);
  EXPECT_EQ(o->unfilledshares(), 1120);
  EXPECT_DOUBLE_EQ(o->averageprice(), 265.62);
  EXPECT_DOUBLE_EQ(o->strikeprice(), 21750.0);
  EXPECT_EQ(o->symboltoken(), "3045");
  EXPECT_EQ(o->orderid(), "231229000008865");
  EXPECT_EQ(o->cancelsize(), 0);
}

TEST(OrderBookTest, MissingOptionalFieldsAndUnknownKeysAreTolerated) {
  auto o = ParseOrderRow(json::parse(R"({"orderid":"1","status":"open","somethingnew":[1]})"));
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(o->orderid(), "1");
  EXPECT_EQ(o->status(), "open");
  EXPECT_EQ(o->quantity(), 0);
}

TEST(OrderBookTest, DataNullIsAnEmptyBook) {
  auto book = ParseOrderBook(json(nullptr));
  ASSERT_TRUE(book.ok());
  EXPECT_TRUE(book->empty());
  auto empty_array = ParseOrderBook(json::array());
  ASSERT_TRUE(empty_array.ok());
  EXPECT_TRUE(empty_array->empty());
}

TEST(OrderBookTest, RowThatIsNotAnObjectIsBadResponse) {
  auto book = ParseOrderBook(json::array({json::parse(kRealRow), json("oops")}));
  ASSERT_FALSE(book.ok());
  EXPECT_EQ(book.error().kind, ErrorKind::kBadResponse);
}

TEST(OrderBookTest, DataThatIsNotAnArrayIsBadResponse) {
  auto book = ParseOrderBook(json({{"orderid", "1"}}));
  ASSERT_FALSE(book.ok());
  EXPECT_EQ(book.error().kind, ErrorKind::kBadResponse);
}

TEST(OrderBookTest, NonNumericValueInNumericFieldIsBadResponseNamingTheField) {
  auto o = ParseOrderRow(json::parse(R"({"quantity":"ten"})"));
  ASSERT_FALSE(o.ok());
  EXPECT_EQ(o.error().kind, ErrorKind::kBadResponse);
  EXPECT_NE(o.error().message.find("quantity"), std::string::npos);
  auto fractional = ParseOrderRow(json::parse(R"({"quantity":1.5})"));
  EXPECT_FALSE(fractional.ok());
  auto object = ParseOrderRow(json::parse(R"({"tradingsymbol":{"a":1}})"));
  EXPECT_FALSE(object.ok());
}

TEST(OrderDetailsTest, ParsesTheFeb2024DetailsSample) {
  auto o =
      ParseOrderRow(json::parse(R"({"variety":"NORMAL","ordertype":"LIMIT","producttype":"INTRADAY","duration":"DAY",
          "price":16.45,"triggerprice":0.0,"quantity":"2","disclosedquantity":"0","squareoff":0.0,
          "stoploss":0.0,"trailingstoploss":0.0,"tradingsymbol":"IDEA-EQ","transactiontype":"BUY",
          "exchange":"NSE","symboltoken":"14366","ordertag":"","instrumenttype":"","strikeprice":-1.0,
          "optiontype":"","expirydate":"","lotsize":"1","cancelsize":"0","averageprice":16.45,
          "filledshares":"2","unfilledshares":"0","orderid":"240216000318017","text":"",
          "status":"complete","orderstatus":"complete","updatetime":"16-Feb-2024 11:28:49",
          "exchtime":"16-Feb-2024 11:28:49","exchorderupdatetime":"16-Feb-2024 11:28:49",
          "fillid":"","filltime":"","parentorderid":"",
          "uniqueorderid":"4cb05962-1303-4f6d-b4f5-8a8b66f89876"})"));
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(o->filledshares(), 2);
  EXPECT_DOUBLE_EQ(o->averageprice(), 16.45);
  EXPECT_EQ(o->status(), "complete");
}

// --- other replies ----------------------------------------------------------

TEST(PlacedOrderTest, ParsesPlaceOrderData) {
  auto p = ParsePlacedOrder(
      json::parse(R"({"script":"SBIN-EQ","orderid":"240216000318017","uniqueorderid":"34reqfachdfih"})"));
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->script, "SBIN-EQ");
  EXPECT_EQ(p->orderid, "240216000318017");
  EXPECT_EQ(p->uniqueorderid, "34reqfachdfih");
}

TEST(PlacedOrderTest, SuccessWithoutOrderIdIsUnknownOutcome) {
  for (const char* data : {"null", R"({"script":"SBIN-EQ","orderid":""})", R"("")"}) {
    auto p = ParsePlacedOrder(json::parse(data));
    ASSERT_FALSE(p.ok()) << data;
    EXPECT_EQ(p.error().kind, ErrorKind::kUnknownOutcome) << data;
  }
}

TEST(SessionTest, ParsesLoginData) {
  auto s = ParseSession(
      json::parse(R"({"jwtToken":"eyJhbGciOiJIUzUxMiJ9.a.b","refreshToken":"r","feedToken":"f","state":"live"})"));
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->jwt_token, "eyJhbGciOiJIUzUxMiJ9.a.b");
  EXPECT_EQ(s->refresh_token, "r");
  EXPECT_EQ(s->feed_token, "f");
  auto prefixed = ParseSession(json::parse(R"({"jwtToken":"Bearer abc"})"));
  ASSERT_TRUE(prefixed.ok());
  EXPECT_EQ(prefixed->jwt_token, "abc");
  EXPECT_FALSE(ParseSession(json::parse(R"({"refreshToken":"r"})")).ok());
  EXPECT_FALSE(ParseSession(json(nullptr)).ok());
}

TEST(ProfileTest, ParsesDocumentedAndLiveShapes) {
  auto docs = ParseProfile(json::parse(R"({"clientcode":"YOUR_CLIENT_CODE","name":"YOUR_NAME","email":"","mobileno":"",
          "exchanges":["NSE","BSE","MCX","CDS","NCDEX","NFO"],"products":["DELIVERY","INTRADAY","MARGIN"],
          "lastlogintime":"","brokerid":"B2C"})"));
  ASSERT_TRUE(docs.ok());
  EXPECT_EQ(docs->clientcode, "YOUR_CLIENT_CODE");
  EXPECT_EQ(docs->exchanges.size(), 6u);
  EXPECT_EQ(docs->products.back(), "MARGIN");
  EXPECT_EQ(docs->broker, "B2C");
  auto live = ParseProfile(json::parse(R"({"clientcode":"A1234567","name":"...","email":"","mobileno":"",
         "exchanges":["nse_fo","nse_cm"],"products":["MARGIN","MIS"],"lastlogintime":"","broker":""})"));
  ASSERT_TRUE(live.ok());
  EXPECT_EQ(live->exchanges[1], "nse_cm");
}

TEST(RmsTest, ParsesStringsAndNulls) {
  auto rms =
      ParseRms(json::parse(R"({"net": "19948.7700", "availablecash": "19948.7700", "availableintradaypayin": "0.0000",
          "availablelimitmargin": "0.0000", "collateral": "0.0000", "m2munrealized": "0.0000",
          "m2mrealized": "-3.0500", "utiliseddebits": "29.0700", "utilisedspan": null,
          "utilisedoptionpremium": null, "utilisedholdingsales": null, "utilisedexposure": null,
          "utilisedturnover": null, "utilisedpayout": "19948.7700"})"));
  ASSERT_TRUE(rms.ok()) << rms.error().ToString();
  EXPECT_DOUBLE_EQ(rms->net, 19948.77);
  EXPECT_DOUBLE_EQ(rms->m2mrealized, -3.05);
  EXPECT_DOUBLE_EQ(rms->utiliseddebits, 29.07);
  EXPECT_DOUBLE_EQ(rms->utilisedspan, 0);
}

TEST(TradeBookTest, ParsesDocumentedRowAndNull) {
  auto trades = ParseTradeBook(json::parse(R"([{"exchange":"NSE","producttype":"DELIVERY","tradingsymbol":"ITC-EQ",
      "instrumenttype":"","symbolgroup":"EQ","strikeprice":"-1","optiontype":"","expirydate":"",
      "marketlot":"1","precision":"2","multiplier":"-1","tradevalue":"175.00","transactiontype":"BUY",
      "fillprice":"175.00","fillsize":"1","orderid":"201020000000095","fillid":"50005750","filltime":"13:27:53"}])"));
  ASSERT_TRUE(trades.ok()) << trades.error().ToString();
  ASSERT_EQ(trades->size(), 1u);
  const Trade& t = trades->front();
  EXPECT_EQ(t.tradingsymbol, "ITC-EQ");
  EXPECT_DOUBLE_EQ(t.strikeprice, -1);
  EXPECT_EQ(t.marketlot, 1);
  EXPECT_EQ(t.precision, 2);
  EXPECT_DOUBLE_EQ(t.fillprice, 175.0);
  EXPECT_EQ(t.fillsize, 1);
  EXPECT_EQ(t.fillid, "50005750");
  EXPECT_EQ(t.filltime, "13:27:53");
  auto empty = ParseTradeBook(json(nullptr));
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->empty());
}

TEST(PositionTest, ParsesStringsIncludingTheDocsSpacedNegative) {
  auto positions = ParsePositions(json::parse(R"([{"exchange":"NSE","symboltoken":"2885","producttype":"INTRADAY",
      "tradingsymbol":"RELIANCE-EQ","netqty":"-1","buyqty":"0","sellqty":"1","netvalue":"- 2235.80",
      "pnl":"-13.75","realised":"-13.75","unrealised":"-0.00","ltp":"6.9","close":"9.0","lotsize":"1"}])"));
  ASSERT_TRUE(positions.ok()) << positions.error().ToString();
  const Position& p = positions->front();
  EXPECT_EQ(p.netqty, -1);
  EXPECT_EQ(p.sellqty, 1);
  EXPECT_DOUBLE_EQ(p.netvalue, -2235.80);
  EXPECT_DOUBLE_EQ(p.pnl, -13.75);
  EXPECT_DOUBLE_EQ(p.ltp, 6.9);
}

TEST(LtpTest, ParsesStringsOrNumbers) {
  auto ltp = ParseLtp(json::parse(R"({"exchange":"NSE","tradingsymbol":"SBIN-EQ","symboltoken":"3045",
         "open":"186","high":191.25,"low":"185","close":"187.80","ltp":"191"})"));
  ASSERT_TRUE(ltp.ok());
  EXPECT_DOUBLE_EQ(ltp->high, 191.25);
  EXPECT_DOUBLE_EQ(ltp->close, 187.80);
  EXPECT_DOUBLE_EQ(ltp->ltp, 191);
}

// --- request bodies ---------------------------------------------------------

TEST(OrderRequestJsonTest, SendsNumbersAsStringsLikeTheDocs) {
  OrderRequest r;
  r.tradingsymbol = "SBIN-EQ";
  r.symboltoken = "3045";
  r.transactiontype = "BUY";
  r.exchange = "NSE";
  r.ordertype = "LIMIT";
  r.producttype = "INTRADAY";
  r.price = 194.50;
  r.quantity = 1;
  r.ordertag = "ct-abc";
  const json j = json::parse(OrderRequestJson(r));
  EXPECT_EQ(j.at("variety"), "NORMAL");
  EXPECT_EQ(j.at("tradingsymbol"), "SBIN-EQ");
  EXPECT_EQ(j.at("symboltoken"), "3045");
  EXPECT_EQ(j.at("transactiontype"), "BUY");
  EXPECT_EQ(j.at("exchange"), "NSE");
  EXPECT_EQ(j.at("ordertype"), "LIMIT");
  EXPECT_EQ(j.at("producttype"), "INTRADAY");
  EXPECT_EQ(j.at("duration"), "DAY");
  EXPECT_EQ(j.at("price"), "194.5");
  EXPECT_EQ(j.at("squareoff"), "0");
  EXPECT_EQ(j.at("stoploss"), "0");
  EXPECT_EQ(j.at("quantity"), "1");
  EXPECT_EQ(j.at("ordertag"), "ct-abc");
  EXPECT_FALSE(j.contains("disclosedquantity"));
  EXPECT_FALSE(j.contains("trailingStopLoss"));
  EXPECT_FALSE(j.contains("scripconsent"));
}

TEST(OrderRequestJsonTest, FormatNumberIsShortestExactDecimal) {
  EXPECT_EQ(FormatNumber(0), "0");
  EXPECT_EQ(FormatNumber(-0.0), "0");
  EXPECT_EQ(FormatNumber(10.55), "10.55");
  EXPECT_EQ(FormatNumber(0.0025), "0.0025");
  EXPECT_EQ(FormatNumber(24400), "24400");
}

TEST(ModifyRequestJsonTest, CarriesTheWholeOrder) {
  ModifyRequest r;
  r.orderid = "201020000000080";
  r.ordertype = "LIMIT";
  r.producttype = "INTRADAY";
  r.price = 194.0;
  r.quantity = 2;
  r.tradingsymbol = "SBIN-EQ";
  r.symboltoken = "3045";
  r.exchange = "NSE";
  const json j = json::parse(ModifyRequestJson(r));
  EXPECT_EQ(j.at("orderid"), "201020000000080");
  EXPECT_EQ(j.at("price"), "194");
  EXPECT_EQ(j.at("quantity"), "2");
  EXPECT_EQ(j.at("variety"), "NORMAL");
  EXPECT_FALSE(j.contains("triggerprice"));
}

}  // namespace
}  // namespace ct::smartapi
