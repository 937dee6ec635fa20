#include "sim/order_json.h"

#include "sim/format.h"

namespace ct::sim {
namespace {

std::string Time(int64_t unix_seconds) { return unix_seconds == 0 ? "" : FormatIstDateTime(unix_seconds); }

void FillOrderFields(Json& j, const Order& o, std::string_view status) {
  const OrderParams& p = o.params;
  const Instrument& in = *p.instrument;
  j["variety"] = p.variety;
  j["ordertype"] = p.ordertype;
  j["producttype"] = p.producttype;
  j["duration"] = p.duration;
  j["price"] = RoundPaise(p.price);
  j["triggerprice"] = RoundPaise(p.triggerprice);
  j["quantity"] = std::to_string(p.quantity);
  j["disclosedquantity"] = std::to_string(p.disclosedquantity);
  j["squareoff"] = RoundPaise(p.squareoff);
  j["stoploss"] = RoundPaise(p.stoploss);
  j["trailingstoploss"] = RoundPaise(p.trailingstoploss);
  j["tradingsymbol"] = in.symbol;
  j["transactiontype"] = p.transactiontype;
  j["exchange"] = in.exchange;
  j["symboltoken"] = in.token;
  j["ordertag"] = p.ordertag;
  j["instrumenttype"] = in.instrumenttype;
  j["strikeprice"] = in.strike;
  j["optiontype"] = in.OptionType();
  j["expirydate"] = in.expiry;
  j["lotsize"] = std::to_string(in.lot_size);
  j["cancelsize"] = std::to_string(o.cancelled);
  j["averageprice"] = RoundPaise(o.average_price);
  j["filledshares"] = std::to_string(o.filled);
  j["unfilledshares"] = std::to_string(o.unfilled());
  j["orderid"] = o.orderid;
  j["text"] = o.text;
  j["status"] = status;
  j["orderstatus"] = status;
  j["updatetime"] = Time(o.update_unix);
  j["exchtime"] = Time(o.exch_unix);
  j["exchorderupdatetime"] = Time(o.exch_unix);
  j["fillid"] = "";
  j["filltime"] = "";
  j["parentorderid"] = "";
}

}  // namespace

Json SuccessEnvelope(Json data) {
  Json j;
  j["status"] = true;
  j["message"] = "SUCCESS";
  j["errorcode"] = "";
  j["data"] = std::move(data);
  return j;
}

Json ErrorEnvelope(std::string_view code, std::string_view message) {
  Json j;
  j["status"] = false;
  j["message"] = message;
  j["errorcode"] = code;
  j["data"] = nullptr;
  return j;
}

Json GatewayError(std::string_view code, std::string_view message) {
  Json j;
  j["success"] = false;
  j["message"] = message;
  j["errorCode"] = code;
  j["data"] = "";
  return j;
}

Json OrderRow(const Order& order) {
  Json j;
  FillOrderFields(j, order, order.status);
  j["uniqueorderid"] = order.uniqueorderid;
  j["exchangeorderid"] = order.exchangeorderid;
  return j;
}

Json OrderData(const Order& order, std::string_view status) {
  Json j;
  FillOrderFields(j, order, status);
  return j;
}

std::string OrderUpdateMessage(const Order& order, std::string_view code, std::string_view status) {
  Json j;
  j["user-id"] = order.client_code;
  j["status-code"] = "200";
  j["order-status"] = code;
  j["error-message"] = "";
  j["orderData"] = OrderData(order, status);
  return j.dump();
}

std::string ConnectedMessage(std::string_view client_code) {
  Json d;
  for (const char* key : {"variety", "ordertype", "ordertag", "producttype"}) d[key] = "";
  d["price"] = 0;
  d["triggerprice"] = 0;
  d["quantity"] = "0";
  d["disclosedquantity"] = "0";
  d["duration"] = "";
  d["squareoff"] = 0;
  d["stoploss"] = 0;
  d["trailingstoploss"] = 0;
  for (const char* key : {"tradingsymbol", "transactiontype", "exchange", "symboltoken", "instrumenttype"}) d[key] = "";
  d["strikeprice"] = 0;
  d["optiontype"] = "";
  d["expirydate"] = "";
  d["lotsize"] = "0";
  d["cancelsize"] = "0";
  d["averageprice"] = 0;
  for (const char* key : {"filledshares", "unfilledshares", "orderid", "text", "status", "orderstatus", "updatetime",
                          "exchtime", "exchorderupdatetime", "fillid", "filltime", "parentorderid"})
    d[key] = "";
  Json j;
  j["user-id"] = client_code;
  j["status-code"] = "200";
  j["order-status"] = "AB00";
  j["error-message"] = "";
  j["orderData"] = std::move(d);
  return j.dump();
}

Json TradeRow(const Trade& t) {
  const Instrument& in = *t.instrument;
  Json j;
  j["exchange"] = in.exchange;
  j["producttype"] = t.producttype;
  j["tradingsymbol"] = in.symbol;
  j["instrumenttype"] = in.instrumenttype;
  j["symbolgroup"] = in.instrumenttype.empty() ? "EQ" : "XX";
  j["strikeprice"] = in.IsOption() ? FixedDecimals(in.strike, 2) : "-1";
  j["optiontype"] = in.OptionType();
  j["expirydate"] = in.expiry;
  j["marketlot"] = std::to_string(in.lot_size);
  j["precision"] = "2";
  j["multiplier"] = "-1";
  j["tradevalue"] = FixedDecimals(t.price * static_cast<double>(t.size), 2);
  j["transactiontype"] = t.buy ? "BUY" : "SELL";
  j["fillprice"] = FixedDecimals(t.price, 2);
  j["fillsize"] = std::to_string(t.size);
  j["orderid"] = t.orderid;
  j["fillid"] = t.fillid;
  j["filltime"] = FormatIstTime(t.fill_unix);
  return j;
}

Json PositionRow(const Position& p, double ltp) {
  const Instrument& in = *p.instrument;
  const auto buy_qty = static_cast<double>(p.buy_qty);
  const auto sell_qty = static_cast<double>(p.sell_qty);
  const double buy_avg = p.buy_qty > 0 ? p.buy_amount / buy_qty : 0.0;
  const double sell_avg = p.sell_qty > 0 ? p.sell_amount / sell_qty : 0.0;
  const int64_t net_qty = p.buy_qty - p.sell_qty;
  const double net_value = p.sell_amount - p.buy_amount;
  // Realised on the matched quantity, unrealised on the open remainder.
  const auto matched = static_cast<double>(std::min(p.buy_qty, p.sell_qty));
  const double realised = matched > 0 ? matched * (sell_avg - buy_avg) : 0.0;  // never "-0.00"
  double unrealised = 0;
  if (net_qty > 0) unrealised = static_cast<double>(net_qty) * (ltp - buy_avg);
  if (net_qty < 0) unrealised = static_cast<double>(-net_qty) * (sell_avg - ltp);
  const double avg_net = net_qty != 0 ? -net_value / static_cast<double>(net_qty) : 0.0;
  auto money = [](double v) { return FixedDecimals(v, 2); };
  Json j;
  j["exchange"] = in.exchange;
  j["symboltoken"] = in.token;
  j["producttype"] = p.producttype;
  j["tradingsymbol"] = in.symbol;
  j["symbolname"] = in.name;
  j["instrumenttype"] = in.instrumenttype;
  j["priceden"] = "1.00";
  j["pricenum"] = "1.00";
  j["genden"] = "1.00";
  j["gennum"] = "1.00";
  j["precision"] = "2";
  j["multiplier"] = "-1";
  j["boardlotsize"] = "1";
  j["buyqty"] = std::to_string(p.buy_qty);
  j["sellqty"] = std::to_string(p.sell_qty);
  j["buyamount"] = money(p.buy_amount);
  j["sellamount"] = money(p.sell_amount);
  j["symbolgroup"] = in.instrumenttype.empty() ? "EQ" : "XX";
  j["strikeprice"] = in.IsOption() ? FixedDecimals(in.strike, 2) : "-1";
  j["optiontype"] = in.OptionType();
  j["expirydate"] = in.expiry;
  j["lotsize"] = std::to_string(in.lot_size);
  j["cfbuyqty"] = "0";
  j["cfsellqty"] = "0";
  j["cfbuyamount"] = "0.00";
  j["cfsellamount"] = "0.00";
  j["buyavgprice"] = money(buy_avg);
  j["sellavgprice"] = money(sell_avg);
  j["avgnetprice"] = money(avg_net);
  j["netvalue"] = money(net_value);
  j["netqty"] = std::to_string(net_qty);
  j["totalbuyvalue"] = money(p.buy_amount);
  j["totalsellvalue"] = money(p.sell_amount);
  j["cfbuyavgprice"] = "0.00";
  j["cfsellavgprice"] = "0.00";
  j["totalbuyavgprice"] = money(buy_avg);
  j["totalsellavgprice"] = money(sell_avg);
  j["netprice"] = money(avg_net);
  j["pnl"] = money(realised + unrealised);
  j["realised"] = money(realised);
  j["unrealised"] = money(unrealised);
  j["ltp"] = money(ltp);
  j["close"] = money(DefaultPrice(in));  // the previous close, as getLtpData's
  return j;
}

}  // namespace ct::sim
