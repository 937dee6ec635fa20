// SmartAPI wire format (../shared/SMARTAPI.md): the typed values the client
// returns, request bodies, and reply parsing. Pure functions, no I/O;
// exposed so unit tests pin the protocol without a transport.
//
// Parsing is lenient where the live service and the docs disagree (numbers
// arrive as JSON numbers or numeric strings, `data` may be null, unknown
// keys are ignored) and strict where a wrong guess would be dangerous (an
// unreadable reply to an order write is UnknownOutcome, never Rejected).
#pragma once

#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "common/smartapi/errors.h"
#include "common/smartapi/transport.h"
#include "copytrade.pb.h"

namespace ct::smartapi {

using Order = copytrade::v1::Order;  // one order-book row, typed

struct Session {
  std::string jwt_token;  // without the "Bearer " prefix
  std::string refresh_token;
  std::string feed_token;
};

struct OrderRequest {
  std::string variety = "NORMAL";
  std::string tradingsymbol;
  std::string symboltoken;
  std::string transactiontype;  // BUY / SELL
  std::string exchange;
  std::string ordertype;    // MARKET / LIMIT / STOPLOSS_LIMIT / STOPLOSS_MARKET
  std::string producttype;  // DELIVERY / CARRYFORWARD / MARGIN / INTRADAY / BO
  std::string duration = "DAY";
  double price = 0;
  double triggerprice = 0;
  long long quantity = 0;
  long long disclosedquantity = 0;
  double squareoff = 0;
  double stoploss = 0;
  double trailingstoploss = 0;  // ROBO only; sent as "trailingStopLoss"
  std::string ordertag;         // <= 20 chars; omitted when empty
  std::string scripconsent;     // "yes" for surveillance scrips; omitted when empty
};

// modifyOrder body. The broker wants the full order again, not a delta.
struct ModifyRequest {
  std::string variety = "NORMAL";
  std::string orderid;
  std::string ordertype;
  std::string producttype;
  std::string duration = "DAY";
  double price = 0;
  double triggerprice = 0;  // sent only when non-zero
  long long quantity = 0;
  std::string tradingsymbol;
  std::string symboltoken;
  std::string exchange;
};

// data of placeOrder / modifyOrder / cancelOrder. `script` is set by
// placeOrder only. modify/cancel need `orderid`; /details/ needs
// `uniqueorderid`.
struct PlacedOrder {
  std::string script;
  std::string orderid;
  std::string uniqueorderid;
};

struct Profile {
  std::string clientcode;
  std::string name;
  std::string email;
  std::string mobileno;
  std::vector<std::string> exchanges;
  std::vector<std::string> products;
  std::string lastlogintime;
  std::string broker;  // "broker" (live) or "brokerid" (docs)
};

// getRMS. Values the broker sends as null are 0.
struct Rms {
  double net = 0;
  double availablecash = 0;
  double availableintradaypayin = 0;
  double availablelimitmargin = 0;
  double collateral = 0;
  double m2munrealized = 0;
  double m2mrealized = 0;
  double utiliseddebits = 0;
  double utilisedspan = 0;
  double utilisedoptionpremium = 0;
  double utilisedholdingsales = 0;
  double utilisedexposure = 0;
  double utilisedturnover = 0;
  double utilisedpayout = 0;
};

// One getTradeBook row (one fill).
struct Trade {
  std::string exchange;
  std::string producttype;
  std::string tradingsymbol;
  std::string instrumenttype;
  std::string symbolgroup;
  double strikeprice = 0;
  std::string optiontype;
  std::string expirydate;
  int64_t marketlot = 0;
  int64_t precision = 0;
  double multiplier = 0;
  double tradevalue = 0;
  std::string transactiontype;
  double fillprice = 0;
  int64_t fillsize = 0;
  std::string orderid;
  std::string fillid;
  std::string filltime;  // time of day only, "13:27:53"
};

// One getPosition row (net position of one instrument and product).
struct Position {
  std::string exchange;
  std::string symboltoken;
  std::string producttype;
  std::string tradingsymbol;
  std::string symbolname;
  std::string instrumenttype;
  std::string symbolgroup;
  double strikeprice = 0;
  std::string optiontype;
  std::string expirydate;
  int64_t lotsize = 0;
  int64_t buyqty = 0;
  int64_t sellqty = 0;
  int64_t netqty = 0;
  int64_t cfbuyqty = 0;
  int64_t cfsellqty = 0;
  double buyamount = 0;
  double sellamount = 0;
  double buyavgprice = 0;
  double sellavgprice = 0;
  double avgnetprice = 0;
  double netvalue = 0;
  double netprice = 0;
  double cfbuyamount = 0;
  double cfsellamount = 0;
  double totalbuyvalue = 0;
  double totalsellvalue = 0;
  double pnl = 0;
  double realised = 0;
  double unrealised = 0;
  double ltp = 0;
  double close = 0;
};

// getLtpData. `close` is the previous close.
struct Ltp {
  std::string exchange;
  std::string tradingsymbol;
  std::string symboltoken;
  double open = 0;
  double high = 0;
  double low = 0;
  double close = 0;
  double ltp = 0;
};

// True for the broker codes that mean "log in again": AG8001, AG8002,
// AG8003, AB1010, AB1011.
bool IsAuthExpiredCode(std::string_view code);

// True for the plain-text throttle body ("Access denied because of
// exceeding access rate" / "... access limits"), case-insensitive.
bool IsThrottleText(std::string_view body);

// Turns one HTTP reply into the envelope's `data` (null when absent) or a
// typed error. Both dialects: {"status","message","errorcode","data"} and
// the gateway's {"success","message","errorCode","data":""}.
// `order_write` (place/modify/cancel): any reply that does not say clearly
// yes or no (5xx, empty, not JSON, wrong shape) is kUnknownOutcome. On
// reads a 5xx is kTransport (transient), an unreadable reply kBadResponse.
// A 401 without an envelope is kAuthExpired; a 429 is kThrottled.
// Error messages are masked (ct::log::Mask).
Result<nlohmann::json> ParseReply(const HttpResponse& response, bool order_write);

// Maps a transport failure: on an order write that may have reached the
// broker, kUnknownOutcome; otherwise kTransport.
Error TransportFailure(const TransportError& error, bool order_write);

// Row parsers. Numeric fields take JSON numbers or numeric strings ("" and
// null are 0); string fields take strings or numbers; missing keys keep
// defaults; unknown keys are ignored. Anything else is kBadResponse.
Result<Session> ParseSession(const nlohmann::json& data);
Result<Order> ParseOrderRow(const nlohmann::json& row);
Result<std::vector<Order>> ParseOrderBook(const nlohmann::json& data);  // null -> {}
// `order_write`: a success without an orderid is kUnknownOutcome.
Result<PlacedOrder> ParsePlacedOrder(const nlohmann::json& data, bool order_write = true);
Result<Profile> ParseProfile(const nlohmann::json& data);
Result<Rms> ParseRms(const nlohmann::json& data);
Result<std::vector<Trade>> ParseTradeBook(const nlohmann::json& data);     // null -> {}
Result<std::vector<Position>> ParsePositions(const nlohmann::json& data);  // null -> {}
Result<Ltp> ParseLtp(const nlohmann::json& data);

// Request bodies. Numbers are sent as strings, like the docs and the
// Python SDK ("quantity":"1", "price":"194.5").
std::string OrderRequestJson(const OrderRequest& request);
std::string ModifyRequestJson(const ModifyRequest& request);
std::string FormatNumber(double value);  // shortest exact form: 194.5, 0, 0.0025

}  // namespace ct::smartapi
