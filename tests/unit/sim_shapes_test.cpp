// The sim's replies compared field by field (names and JSON types) with the
// real examples quoted in SMARTAPI.md.
#include <gtest/gtest.h>

#include <set>

#include "sim/order_json.h"
#include "sim_test_support.h"

namespace ct::sim {
namespace {

using json = nlohmann::json;
using ct::sim::testing::ApiHarness;
using ct::sim::testing::SbinOrder;

// SMARTAPI.md §2.9, real order-book row (Dec-2023).
constexpr char kDocOrderRow[] =
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

// SMARTAPI.md §6, real order-update message (Dec-2024).
constexpr char kDocUpdate[] =
    R"({"user-id": "A1234567", "status-code": "200", "order-status": "AB09", "error-message": "",
 "orderData": {"variety": "NORMAL", "ordertype": "LIMIT", "ordertag": "", "producttype": "DELIVERY",
   "price": 260.0, "triggerprice": 0.0, "quantity": "1", "disclosedquantity": "0", "duration": "DAY",
   "squareoff": 0.0, "stoploss": 0.0, "trailingstoploss": 0.0, "tradingsymbol": "NIFTYBEES-EQ",
   "transactiontype": "BUY", "exchange": "NSE", "symboltoken": "10576", "instrumenttype": "",
   "strikeprice": -1.0, "optiontype": "", "expirydate": "", "lotsize": "1", "cancelsize": "0",
   "averageprice": 0.0, "filledshares": "0", "unfilledshares": "1", "orderid": "241226000761133",
   "text": "", "status": "open pending", "orderstatus": "open pending",
   "updatetime": "26-Dec-2024 13:48:37", "exchtime": "", "exchorderupdatetime": "",
   "fillid": "", "filltime": "", "parentorderid": ""}})";

// SMARTAPI.md §6, the AB00 message on connect.
constexpr char kDocConnected[] =
    R"({"user-id": "Your_client_code", "status-code": "200", "order-status": "AB00", "error-message": "",
 "orderData": {"variety": "", "ordertype": "", "ordertag": "", "producttype": "", "price": 0,
   "triggerprice": 0, "quantity": "0", "disclosedquantity": "0", "duration": "", "squareoff": 0,
   "stoploss": 0, "trailingstoploss": 0, "tradingsymbol": "", "transactiontype": "", "exchange": "",
   "symboltoken": "", "instrumenttype": "", "strikeprice": 0, "optiontype": "", "expirydate": "",
   "lotsize": "0", "cancelsize": "0", "averageprice": 0, "filledshares": "", "unfilledshares": "",
   "orderid": "", "text": "", "status": "", "orderstatus": "", "updatetime": "", "exchtime": "",
   "exchorderupdatetime": "", "fillid": "", "filltime": "", "parentorderid": ""}})";

// SMARTAPI.md §2.12 documented position keys plus the real extras.
constexpr const char* kPositionKeys[] = {"exchange",
                                         "symboltoken",
                                         "producttype",
                                         "tradingsymbol",
                                         "symbolname",
                                         "instrumenttype",
                                         "priceden",
                                         "pricenum",
                                         "genden",
                                         "gennum",
                                         "precision",
                                         "multiplier",
                                         "boardlotsize",
                                         "buyqty",
                                         "sellqty",
                                         "buyamount",
                                         "sellamount",
                                         "symbolgroup",
                                         "strikeprice",
                                         "optiontype",
                                         "expirydate",
                                         "lotsize",
                                         "cfbuyqty",
                                         "cfsellqty",
                                         "cfbuyamount",
                                         "cfsellamount",
                                         "buyavgprice",
                                         "sellavgprice",
                                         "avgnetprice",
                                         "netvalue",
                                         "netqty",
                                         "totalbuyvalue",
                                         "totalsellvalue",
                                         "cfbuyavgprice",
                                         "cfsellavgprice",
                                         "totalbuyavgprice",
                                         "totalsellavgprice",
                                         "netprice",
                                         "pnl",
                                         "realised",
                                         "unrealised",
                                         "ltp",
                                         "close"};

constexpr const char* kTradeKeys[] = {"exchange",    "producttype", "tradingsymbol",   "instrumenttype", "symbolgroup",
                                      "strikeprice", "optiontype",  "expirydate",      "marketlot",      "precision",
                                      "multiplier",  "tradevalue",  "transactiontype", "fillprice",      "fillsize",
                                      "orderid",     "fillid",      "filltime"};

std::string TypeOf(const json& v) {
  if (v.is_string()) return "string";
  if (v.is_number()) return "number";
  if (v.is_boolean()) return "bool";
  if (v.is_null()) return "null";
  if (v.is_object()) return "object";
  return "array";
}

// Every key of `expected` is in `actual` with the same JSON type, and
// `actual` has no keys beyond `expected` and `extra`.
void ExpectSameShape(const json& expected, const json& actual, const std::set<std::string>& extra = {}) {
  for (const auto& [key, value] : expected.items()) {
    ASSERT_TRUE(actual.contains(key)) << "missing " << key;
    EXPECT_EQ(TypeOf(actual[key]), TypeOf(value)) << key;
    if (value.is_object() && !value.empty()) ExpectSameShape(value, actual[key]);
  }
  if (expected.empty()) return;  // {} stands for "any object"
  for (const auto& [key, value] : actual.items())
    EXPECT_TRUE(expected.contains(key) || extra.count(key) != 0) << "unexpected " << key;
}

class SimShapesTest : public ::testing::Test {
 protected:
  ApiHarness h_;
  std::string jwt_ = h_.Jwt();
};

TEST_F(SimShapesTest, OrderBookRowMatchesTheRealRow) {
  h_.Call("POST", "/rest/secure/angelbroking/order/v1/placeOrder", SbinOrder("LIMIT", 100).dump(), jwt_);
  const json book = ApiHarness::Parse(h_.Call("GET", "/rest/secure/angelbroking/order/v1/getOrderBook", "", jwt_));
  ASSERT_EQ(book["data"].size(), 1u);
  ExpectSameShape(json::parse(kDocOrderRow), book["data"][0], {"exchangeorderid"});
  EXPECT_TRUE(book["data"][0]["exchangeorderid"].is_string());
  // Field order as in the documentation.
  const auto doc = nlohmann::ordered_json::parse(kDocOrderRow);
  std::vector<std::string> doc_keys;
  for (auto it = doc.begin(); it != doc.end(); ++it) doc_keys.push_back(it.key());
  const auto row = OrderRow(*h_.engine.Orders("M1234567")[0]);
  std::vector<std::string> our_keys;
  for (auto it = row.begin(); it != row.end(); ++it) our_keys.push_back(it.key());
  our_keys.pop_back();  // exchangeorderid, added in 2024 after the sample
  EXPECT_EQ(our_keys, doc_keys);
}

TEST_F(SimShapesTest, DetailsAnswerIsTheEnvelopeAroundOneRow) {
  const json placed =
      ApiHarness::Parse(h_.Call("POST", "/rest/secure/angelbroking/order/v1/placeOrder", SbinOrder().dump(), jwt_));
  const json envelope = ApiHarness::Parse(
      h_.Call("GET", "/rest/secure/angelbroking/order/v1/details/" + placed["data"]["uniqueorderid"].get<std::string>(),
              "", jwt_));
  ExpectSameShape(json::parse(R"({"status":true,"message":"SUCCESS","errorcode":"","data":{}})"), envelope);
  ExpectSameShape(json::parse(kDocOrderRow), envelope["data"], {"exchangeorderid"});
}

TEST_F(SimShapesTest, PlaceOrderReplyMatchesTheDocs) {
  const json r =
      ApiHarness::Parse(h_.Call("POST", "/rest/secure/angelbroking/order/v1/placeOrder", SbinOrder().dump(), jwt_));
  ExpectSameShape(json::parse(R"({"status": true, "message": "SUCCESS", "errorcode": "",
 "data": {"script": "MIDCPNIFTY05FEB2410375PE", "orderid": "240205000140605",
          "uniqueorderid": "b837bc9d-8113-4bdc-b515-696e5bea278f"}})"),
                  r);
}

TEST_F(SimShapesTest, OrderUpdateMessagesMatchTheRealMessage) {
  const Order* order = nullptr;
  std::vector<std::string> messages;
  h_.engine.SetListener([&](const Order& o, std::string_view code, std::string_view status) {
    order = &o;
    messages.push_back(OrderUpdateMessage(o, code, status));
  });
  h_.Call("POST", "/rest/secure/angelbroking/order/v1/placeOrder", SbinOrder("LIMIT", 100).dump(), jwt_);
  ASSERT_EQ(messages.size(), 2u);
  const json first = json::parse(messages[0]);
  ExpectSameShape(json::parse(kDocUpdate), first);
  EXPECT_EQ(first["order-status"], "AB09");
  EXPECT_EQ(first["orderData"]["status"], "open pending");
  EXPECT_EQ(first["user-id"], "M1234567");
  EXPECT_EQ(json::parse(messages[1])["order-status"], "AB01");
  ExpectSameShape(json::parse(kDocConnected), json::parse(ConnectedMessage("M1234567")));
  EXPECT_EQ(json::parse(ConnectedMessage("M1234567")), [] {
    json j = json::parse(kDocConnected);
    j["user-id"] = "M1234567";
    return j;
  }());
}

TEST_F(SimShapesTest, TradeAndPositionRowsAreAllStrings) {
  h_.Call("POST", "/rest/secure/angelbroking/order/v1/placeOrder", SbinOrder().dump(), jwt_);
  const json trades = ApiHarness::Parse(h_.Call("GET", "/rest/secure/angelbroking/order/v1/getTradeBook", "", jwt_));
  json expected_trade;
  for (const char* k : kTradeKeys) expected_trade[k] = "";
  ExpectSameShape(expected_trade, trades["data"][0]);
  const json positions = ApiHarness::Parse(h_.Call("GET", "/rest/secure/angelbroking/order/v1/getPosition", "", jwt_));
  json expected_position;
  for (const char* k : kPositionKeys) expected_position[k] = "";
  ExpectSameShape(expected_position, positions["data"][0]);
}

TEST_F(SimShapesTest, ProfileRmsAndLtpMatchTheDocs) {
  const json profile = ApiHarness::Parse(h_.Call("GET", "/rest/secure/angelbroking/user/v1/getProfile", "", jwt_));
  ExpectSameShape(json::parse(R"({"status":true,"message":"SUCCESS","errorcode":"",
 "data":{"clientcode":"A1234567","name":"...","email":"","mobileno":"",
         "exchanges":["nse_fo","nse_cm","cde_fo","ncx_fo","bse_fo","bse_cm","mcx_fo"],
         "products":["MARGIN","MIS","NRML","CNC","CO","BO"],"lastlogintime":"","broker":""}})"),
                  profile);
  const json rms = ApiHarness::Parse(h_.Call("GET", "/rest/secure/angelbroking/user/v1/getRMS", "", jwt_));
  ExpectSameShape(json::parse(R"({"status": true, "message": "SUCCESS", "errorcode": "",
 "data": {"net": "19948.7700", "availablecash": "19948.7700", "availableintradaypayin": "0.0000",
          "availablelimitmargin": "0.0000", "collateral": "0.0000", "m2munrealized": "0.0000",
          "m2mrealized": "-3.0500", "utiliseddebits": "29.0700", "utilisedspan": null,
          "utilisedoptionpremium": null, "utilisedholdingsales": null, "utilisedexposure": null,
          "utilisedturnover": null, "utilisedpayout": "19948.7700"}})"),
                  rms);
  const json ltp =
      ApiHarness::Parse(h_.Call("POST", "/rest/secure/angelbroking/order/v1/getLtpData",
                                R"({"exchange":"NSE","tradingsymbol":"SBIN-EQ","symboltoken":"3045"})", jwt_));
  ExpectSameShape(json::parse(R"({"status":true,"message":"SUCCESS","errorcode":"",
 "data":{"exchange":"NSE","tradingsymbol":"SBIN-EQ","symboltoken":"3045",
         "open":"186","high":"191.25","low":"185","close":"187.80","ltp":"191"}})"),
                  ltp);
}

TEST_F(SimShapesTest, ErrorDialects) {
  EXPECT_EQ(h_.Call("GET", "/rest/secure/angelbroking/order/v1/getOrderBook", "", "bad").body,
            R"({"success":false,"message":"Invalid Token","errorCode":"AG8001","data":""})");
  const json tag = ApiHarness::Parse(h_.Call(
      "POST", "/rest/secure/angelbroking/order/v1/placeOrder",
      [] {
        json o = SbinOrder();
        o["ordertag"] = std::string(25, 'a');
        return o.dump();
      }(),
      jwt_));
  EXPECT_EQ(
      tag,
      json::parse(
          R"({"message":"Ordertag length should not exceed 20 characters","errorcode":"AB4008","status":false,"data":null})"));
}

}  // namespace
}  // namespace ct::sim
