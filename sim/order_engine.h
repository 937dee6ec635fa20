// The paper exchange behind the sim: each account's order book, trade book
// and positions, and one last-traded price per instrument.
//
// Lifecycle (status strings as SmartAPI reports them, WS codes in brackets):
//   placed        -> "open pending" [AB09], then one of
//   RMS refusal   -> "rejected" [AB03] with `text` (lot size, freeze
//                    quantity, tick, trigger already crossed, index, a
//                    limit price outside the LPP band)
//   SL orders     -> "trigger pending" [AB10]; when the price crosses the
//                    trigger -> "open" [AB01] and handled as MARKET/LIMIT;
//                    an SL-limit whose price is then outside the LPP band
//                    -> "rejected" [AB03] instead
//   MARKET/LIMIT  -> "open" [AB01]; MARKET fills at once, LIMIT when the
//                    price is at or through the limit -> "complete" [AB05].
//                    Fills are at the current price. IOC leftovers are
//                    cancelled [AB02].
//   modify        -> [AB04] "modified", then re-evaluated; refused (the
//                    order unchanged) when the new limit is outside the
//                    LPP band
//   cancel        -> "cancelled" [AB02]
//   partial fill  -> stays "open" [AB01] with filledshares > 0 (admin only)
// Every change is reported to the listener (the order-update WebSocket).
// LPP bands (sim/algo_rules.h) are taken around the current price; freeze
// quantities are those in force on the clock's IST day.
//
// Input is validated by the caller (BrokerApi); the engine trusts enums.
// Not thread-safe: owned by the server's single io thread.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/core/result.h"
#include "common/time/clock.h"
#include "sim/format.h"
#include "sim/freeze_quantities.h"
#include "sim/instruments.h"

namespace ct::sim {

struct ApiError {
  std::string code;     // "AB1013"
  std::string message;  // "Order not found"
};

struct OrderParams {
  std::string variety = "NORMAL";
  std::string ordertype = "MARKET";
  std::string producttype = "INTRADAY";
  std::string duration = "DAY";
  std::string transactiontype = "BUY";
  const Instrument* instrument = nullptr;
  int64_t quantity = 0;
  double price = 0;
  double triggerprice = 0;
  double squareoff = 0;
  double stoploss = 0;
  double trailingstoploss = 0;
  int64_t disclosedquantity = 0;
  std::string ordertag;
};

struct ModifyParams {
  std::optional<std::string> ordertype;
  std::optional<std::string> duration;
  std::optional<int64_t> quantity;
  std::optional<double> price;
  std::optional<double> triggerprice;
};

struct Order {
  std::string client_code;
  OrderParams params;
  std::string orderid;
  std::string uniqueorderid;
  std::string exchangeorderid;  // "" until the order reaches the exchange
  std::string status;
  std::string text;
  int64_t filled = 0;
  int64_t cancelled = 0;
  double average_price = 0;
  int64_t update_unix = 0;
  int64_t exch_unix = 0;  // 0: never reached the exchange
  bool triggered = false;

  bool IsBuy() const { return params.transactiontype == "BUY"; }
  bool IsStopLoss() const { return params.ordertype.rfind("STOPLOSS", 0) == 0; }
  bool IsWorking() const { return status == "open" || status == "trigger pending"; }
  int64_t unfilled() const { return params.quantity - filled; }
};

struct Trade {
  std::string orderid;
  std::string fillid;
  int64_t fill_unix = 0;
  double price = 0;
  int64_t size = 0;
  bool buy = true;
  std::string producttype;
  const Instrument* instrument = nullptr;
};

struct Position {
  const Instrument* instrument = nullptr;
  std::string producttype;
  int64_t buy_qty = 0;
  int64_t sell_qty = 0;
  double buy_amount = 0;
  double sell_amount = 0;
};

class OrderEngine {
 public:
  // code: WS order-status code ("AB05"); status: the status string of that
  // message (usually order.status, "modified" / "open pending" otherwise).
  using Listener = std::function<void(const Order& order, std::string_view code, std::string_view status)>;

  OrderEngine(const Clock& clock, const InstrumentTable& instruments, uint64_t seed = 1);
  void SetListener(Listener listener) { listener_ = std::move(listener); }
  // Without a table there are no freeze quantities.
  void set_freeze_quantities(FreezeQuantities freeze) { freeze_ = std::move(freeze); }
  // The cap in force now for one order of `instrument`.
  std::optional<int64_t> FreezeQuantity(const Instrument& instrument) const;

  // `forced_rejection`: reject with this text after acceptance (a fault).
  const Order& Place(const std::string& client_code, const OrderParams& params,
                     const std::optional<std::string>& forced_rejection = std::nullopt);
  Result<const Order*, ApiError> Modify(const std::string& client_code, std::string_view orderid,
                                        const ModifyParams& changes);
  Result<const Order*, ApiError> Cancel(const std::string& client_code, std::string_view orderid);
  // Admin: fills `quantity` (all that is left when 0) of a working order at
  // the current price, regardless of its limit or trigger.
  Result<const Order*, ApiError> FillNow(std::string_view orderid, int64_t quantity);

  const Order* FindByOrderId(std::string_view client_code, std::string_view orderid) const;
  const Order* FindByUniqueId(std::string_view client_code, std::string_view uniqueorderid) const;
  std::vector<const Order*> Orders(std::string_view client_code) const;
  std::vector<Trade> Trades(std::string_view client_code) const;
  std::vector<Position> Positions(std::string_view client_code) const;

  double Price(const Instrument& instrument) const;
  // Sets the last traded price and re-evaluates every working order on it.
  void SetPrice(const Instrument& instrument, double price);
  void Reset();  // forgets all orders, trades, positions and price overrides

 private:
  struct Book {
    std::vector<std::unique_ptr<Order>> orders;
    std::vector<Trade> trades;
    std::map<std::string, Position> positions;
  };

  int64_t Now() const { return clock_.wall_ns() / 1'000'000'000; }
  void Emit(Order& order, std::string_view code, std::string_view status);
  void SetStatus(Order& order, std::string status, std::string_view code);
  void Reject(Order& order, std::string text);
  std::optional<std::string> RmsCheck(const Order& order) const;
  // Triggers and fills a working order if the price allows.
  void Evaluate(Order& order);
  void Fill(Order& order, int64_t quantity, double price);
  Order* FindMutable(std::string_view client_code, std::string_view orderid);

  const Clock& clock_;
  const InstrumentTable& instruments_;
  FreezeQuantities freeze_;
  Listener listener_;
  UuidGenerator uuids_;
  std::map<std::string, Book, std::less<>> books_;
  std::unordered_map<std::string, Order*> by_orderid_;
  std::unordered_map<std::string, double> prices_;  // by "exchange|token"
  uint64_t next_order_ = 1;
  uint64_t next_exchange_order_ = 1;
  uint64_t next_fill_ = 1;
};

}  // namespace ct::sim
