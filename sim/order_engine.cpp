#include "sim/order_engine.h"

#include <algorithm>
#include <cstdio>

#include "sim/algo_rules.h"

namespace ct::sim {
namespace {

std::string PriceKey(const Instrument& in) { return in.exchange + "|" + in.token; }

std::string Pad(uint64_t n, int width) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%0*llu", width, static_cast<unsigned long long>(n));
  return buf;
}

}  // namespace

OrderEngine::OrderEngine(const Clock& clock, const InstrumentTable& instruments, uint64_t seed)
    : clock_(clock), instruments_(instruments), uuids_(seed) {}

void OrderEngine::Emit(Order& order, std::string_view code, std::string_view status) {
  if (listener_) listener_(order, code, status);
}

void OrderEngine::SetStatus(Order& order, std::string status, std::string_view code) {
  order.status = std::move(status);
  order.update_unix = Now();
  Emit(order, code, order.status);
}

void OrderEngine::Reject(Order& order, std::string text) {
  order.text = std::move(text);
  SetStatus(order, "rejected", "AB03");
}

std::optional<std::string> OrderEngine::RmsCheck(const Order& order) const {
  const OrderParams& p = order.params;
  const Instrument& in = *p.instrument;
  if (in.IsIndex()) return "Orders are not allowed in index instruments";
  if (p.quantity % in.lot_size != 0)
    return "Quantity should be in multiples of lot size " + std::to_string(in.lot_size);
  if (const auto freeze = FreezeQuantity(in); freeze && p.quantity > *freeze)
    return "Order quantity " + std::to_string(p.quantity) + " exceeds the freeze quantity " + std::to_string(*freeze);
  if (p.disclosedquantity > p.quantity) return "Disclosed quantity cannot be greater than the order quantity";
  const bool has_limit = p.ordertype == "LIMIT" || p.ordertype == "STOPLOSS_LIMIT";
  if (has_limit && !IsTickMultiple(p.price, in.tick_paise))
    return "Price should be a multiple of the tick size " +
           FixedDecimals(static_cast<double>(in.tick_paise) / 100.0, 2);
  // An SL-limit's price is checked against the band when it triggers.
  if (p.ordertype == "LIMIT") {
    if (auto lpp = LppRejection(in, Price(in), p.price, /*stop_loss=*/false)) return lpp;
  }
  if (order.IsStopLoss()) {
    if (!IsTickMultiple(p.triggerprice, in.tick_paise))
      return "Trigger price should be a multiple of the tick size " +
             FixedDecimals(static_cast<double>(in.tick_paise) / 100.0, 2);
    if (p.ordertype == "STOPLOSS_LIMIT") {
      if (order.IsBuy() && p.price < p.triggerprice)
        return "Trigger price for stop loss buy orders should be less than or equal to the limit price";
      if (!order.IsBuy() && p.price > p.triggerprice)
        return "Trigger price for stop loss sell orders should be greater than or equal to the limit price";
    }
    const double ltp = Price(in);
    if (order.IsBuy() && p.triggerprice <= ltp)
      return "Trigger price for stop loss buy orders should be higher than the last traded price";
    if (!order.IsBuy() && p.triggerprice >= ltp)
      return "Trigger price for stop loss sell orders should be lower than the last traded price";
  }
  return std::nullopt;
}

const Order& OrderEngine::Place(const std::string& client_code, const OrderParams& params,
                                const std::optional<std::string>& forced_rejection) {
  const int64_t now = Now();
  auto order = std::make_unique<Order>();
  order->client_code = client_code;
  order->params = params;
  order->orderid = IstDatePrefix(now) + Pad(next_order_++, 9);
  order->uniqueorderid = uuids_.Next();
  order->update_unix = now;
  Order& o = *order;
  books_[client_code].orders.push_back(std::move(order));
  by_orderid_[o.orderid] = &o;

  SetStatus(o, "open pending", "AB09");
  if (forced_rejection) {
    Reject(o, *forced_rejection);
    return o;
  }
  if (auto refusal = RmsCheck(o)) {
    Reject(o, *refusal);
    return o;
  }
  o.exchangeorderid = "1" + Pad(next_exchange_order_++, 15);
  o.exch_unix = now;
  if (o.IsStopLoss()) {
    SetStatus(o, "trigger pending", "AB10");
  } else {
    SetStatus(o, "open", "AB01");
  }
  Evaluate(o);
  return o;
}

void OrderEngine::Evaluate(Order& order) {
  const OrderParams& p = order.params;
  const double ltp = Price(*p.instrument);
  if (order.status == "trigger pending") {
    const bool crossed = order.IsBuy() ? ltp >= p.triggerprice : ltp <= p.triggerprice;
    if (!crossed) return;
    if (p.ordertype == "STOPLOSS_LIMIT") {
      if (auto lpp = LppRejection(*p.instrument, ltp, p.price, /*stop_loss=*/true)) {
        Reject(order, *lpp);
        return;
      }
    }
    order.triggered = true;
    order.exch_unix = Now();
    SetStatus(order, "open", "AB01");
  }
  if (order.status != "open") return;
  const bool market = p.ordertype == "MARKET" || p.ordertype == "STOPLOSS_MARKET";
  const bool crosses = market || (order.IsBuy() ? ltp <= p.price : ltp >= p.price);
  if (crosses) {
    Fill(order, order.unfilled(), ltp);
  } else if (p.duration == "IOC") {
    order.cancelled = order.unfilled();
    SetStatus(order, "cancelled", "AB02");
  }
}

void OrderEngine::Fill(Order& order, int64_t quantity, double price) {
  if (quantity <= 0) return;
  const int64_t now = Now();
  const double value = price * static_cast<double>(quantity);
  order.average_price = RoundPaise((order.average_price * static_cast<double>(order.filled) + value) /
                                   static_cast<double>(order.filled + quantity));
  order.filled += quantity;
  order.exch_unix = now;

  Book& book = books_[order.client_code];
  const OrderParams& p = order.params;
  book.trades.push_back(
      Trade{order.orderid, Pad(next_fill_++, 8), now, price, quantity, order.IsBuy(), p.producttype, p.instrument});
  Position& pos = book.positions[p.instrument->exchange + "|" + p.instrument->token + "|" + p.producttype];
  pos.instrument = p.instrument;
  pos.producttype = p.producttype;
  if (order.IsBuy()) {
    pos.buy_qty += quantity;
    pos.buy_amount += value;
  } else {
    pos.sell_qty += quantity;
    pos.sell_amount += value;
  }
  if (order.unfilled() == 0) {
    SetStatus(order, "complete", "AB05");
  } else {
    SetStatus(order, "open", "AB01");
  }
}

Order* OrderEngine::FindMutable(std::string_view client_code, std::string_view orderid) {
  const auto it = by_orderid_.find(std::string(orderid));
  if (it == by_orderid_.end() || it->second->client_code != client_code) return nullptr;
  return it->second;
}

Result<const Order*, ApiError> OrderEngine::Modify(const std::string& client_code, std::string_view orderid,
                                                   const ModifyParams& changes) {
  Order* order = FindMutable(client_code, orderid);
  if (order == nullptr) return ApiError{"AB1013", "Order not found"};
  if (!order->IsWorking())
    return ApiError{"AB2000", "Order cannot be modified as it is in " + order->status + " state"};
  OrderParams next = order->params;
  if (changes.ordertype) next.ordertype = *changes.ordertype;
  if (changes.duration) next.duration = *changes.duration;
  if (changes.quantity) next.quantity = *changes.quantity;
  if (changes.price) next.price = *changes.price;
  if (changes.triggerprice) next.triggerprice = *changes.triggerprice;
  const Instrument& in = *next.instrument;
  if (next.quantity <= order->filled) return ApiError{"AB2000", "Quantity should be greater than the filled quantity"};
  if (next.quantity % in.lot_size != 0)
    return ApiError{"AB2000", "Quantity should be in multiples of lot size " + std::to_string(in.lot_size)};
  if (const auto freeze = FreezeQuantity(in); freeze && next.quantity > *freeze)
    return ApiError{"AB2000", "Order quantity " + std::to_string(next.quantity) + " exceeds the freeze quantity " +
                                  std::to_string(*freeze)};
  const bool has_limit = next.ordertype == "LIMIT" || next.ordertype == "STOPLOSS_LIMIT";
  if (has_limit && (next.price <= 0 || !IsTickMultiple(next.price, in.tick_paise)))
    return ApiError{"AB2000", "Invalid price"};
  const bool stop = next.ordertype.rfind("STOPLOSS", 0) == 0;
  if (stop && (next.triggerprice <= 0 || !IsTickMultiple(next.triggerprice, in.tick_paise)))
    return ApiError{"AB2000", "Invalid trigger price"};
  // A working limit is checked against the band now, whatever changed; a
  // stop-loss not yet triggered is checked when it triggers.
  if (has_limit && (!stop || order->triggered)) {
    if (auto lpp = LppRejection(in, Price(in), next.price, stop)) return ApiError{std::string(kLppErrorCode), *lpp};
  }

  order->params = next;
  order->text.clear();
  order->update_unix = Now();
  order->status = (stop && !order->triggered) ? "trigger pending" : "open";
  Emit(*order, "AB04", "modified");
  Evaluate(*order);
  return order;
}

Result<const Order*, ApiError> OrderEngine::Cancel(const std::string& client_code, std::string_view orderid) {
  Order* order = FindMutable(client_code, orderid);
  if (order == nullptr) return ApiError{"AB1013", "Order not found"};
  if (!order->IsWorking())
    return ApiError{"AB2000", "Order cannot be cancelled as it is in " + order->status + " state"};
  order->cancelled = order->unfilled();
  SetStatus(*order, "cancelled", "AB02");
  return order;
}

Result<const Order*, ApiError> OrderEngine::FillNow(std::string_view orderid, int64_t quantity) {
  const auto it = by_orderid_.find(std::string(orderid));
  if (it == by_orderid_.end()) return ApiError{"AB1013", "Order not found"};
  Order& order = *it->second;
  if (!order.IsWorking()) return ApiError{"AB2000", "Order is " + order.status};
  if (quantity <= 0 || quantity > order.unfilled()) quantity = order.unfilled();
  if (order.status == "trigger pending") {
    order.triggered = true;
    SetStatus(order, "open", "AB01");
  }
  Fill(order, quantity, Price(*order.params.instrument));
  return &order;
}

const Order* OrderEngine::FindByOrderId(std::string_view client_code, std::string_view orderid) const {
  const auto it = by_orderid_.find(std::string(orderid));
  if (it == by_orderid_.end() || it->second->client_code != client_code) return nullptr;
  return it->second;
}

const Order* OrderEngine::FindByUniqueId(std::string_view client_code, std::string_view uniqueorderid) const {
  const auto book = books_.find(client_code);
  if (book == books_.end()) return nullptr;
  for (const auto& o : book->second.orders)
    if (o->uniqueorderid == uniqueorderid) return o.get();
  return nullptr;
}

std::vector<const Order*> OrderEngine::Orders(std::string_view client_code) const {
  std::vector<const Order*> out;
  const auto book = books_.find(client_code);
  if (book == books_.end()) return out;
  for (const auto& o : book->second.orders) out.push_back(o.get());
  return out;
}

std::vector<Trade> OrderEngine::Trades(std::string_view client_code) const {
  const auto book = books_.find(client_code);
  return book == books_.end() ? std::vector<Trade>{} : book->second.trades;
}

std::vector<Position> OrderEngine::Positions(std::string_view client_code) const {
  std::vector<Position> out;
  const auto book = books_.find(client_code);
  if (book == books_.end()) return out;
  for (const auto& [key, pos] : book->second.positions) out.push_back(pos);
  return out;
}

std::optional<int64_t> OrderEngine::FreezeQuantity(const Instrument& instrument) const {
  return freeze_.For(instrument.name, instrument.exchange, IstIsoDate(Now()));
}

double OrderEngine::Price(const Instrument& instrument) const {
  const auto it = prices_.find(PriceKey(instrument));
  return it == prices_.end() ? DefaultPrice(instrument) : it->second;
}

void OrderEngine::SetPrice(const Instrument& instrument, double price) {
  prices_[PriceKey(instrument)] = RoundPaise(price);
  for (auto& [client, book] : books_) {
    for (auto& order : book.orders) {
      if (order->params.instrument == &instrument && order->IsWorking()) Evaluate(*order);
    }
  }
}

void OrderEngine::Reset() {
  books_.clear();
  by_orderid_.clear();
  prices_.clear();
}

}  // namespace ct::sim
