// OrderTracker: turns what the watcher sees of the master's orders -- pushes
// from the order-update feed and snapshots of the order book from the poll --
// into MasterOrderEvents: every change of a master order, once, in order,
// never rolled back. It also keeps the master's net positions, moved by
// every fill it sees. Pure logic: no I/O, time passed in. Owned and used by
// one thread (the watcher's loop).
//
// Events. Orders of the baseline (the book when watching started) never
// produce events; their fills still move the positions. Any other order:
//  - first sighting: ONE event for the state it is in: PLACED (pending or
//    open, nothing filled), TRIGGER_PENDING, PARTIALLY_FILLED (open, part
//    filled), FILLED, CANCELLED or REJECTED. A consumer takes the first
//    event of an order as its arrival, whatever its kind (a poll may see an
//    order only once it is already filled).
//  - each later view that is accepted (below) publishes, in this order:
//    MODIFIED when price, trigger price, quantity or order type differ from
//    the accepted view (`previous` = that view);
//    TRIGGER_PENDING when a pending order reaches "trigger pending";
//    PARTIALLY_FILLED once per increase of the filled quantity while the
//    order is still working;
//    FILLED / CANCELLED / REJECTED when it reaches a terminal state (with its
//    final fills: no PARTIALLY_FILLED before it for the same view).
//  - a status change that is no change of the order publishes nothing:
//    "open pending" -> "open", "modified" -> "open" (the feed says
//    "modified", the book then says "open"), a stop-loss triggering
//    ("trigger pending" -> "open": the follower's copy triggers at its own
//    exchange). The accepted view still follows it.
//
// Never back. Stages: pending (open pending, AMO, validation ...) <
// working (open, trigger pending, modified, modify pending, ...) < terminal
// (complete, cancelled, rejected); terminal is final. Filled quantity only
// grows. A view with less filled, or an earlier stage, than the accepted one
// is ignored whole (a book that lags its feed).
// A view is STALE for an order when
//  - it is a snapshot whose request was sent before the last push for that
//    order was received (the book's updatetime has 1 s resolution, so it
//    cannot tell which of two views is newer; the request's send time can:
//    the broker answered with what it had at or after that time), or
//  - its updatetime is strictly older than the accepted view's.
// A stale view may only move the order forward (more filled, a later
// stage), never sideways: no MODIFIED, and its price, trigger, quantity and
// order type are not taken. Pushes arrive in order on one connection and are
// judged like a fresh snapshot. The one case no rule here can see: two
// modifies within one second whose first push arrives after a poll already
// showed the second; the order then moves 1 -> 3 -> 2 -> 3, ending right.
//
// Keys. change_key = "<orderid>:<n>:<kind>:f<filled>:<ordertype>:<quantity>@
// <price>/<trigger>:<updatetime>", n = the order's events so far (so two
// changes never share a key, even within one second). A feed push and a
// poll that report the same change publish one event: the second view is no
// change from the accepted one, whichever came first.
//
// Positions. Net signed quantity (+ long, - short) per instrument and
// product ("exchange|symboltoken|producttype"), from getPosition at the
// baseline, then every fill increase the tracker accepts (baseline orders
// included: orders from before the start are never copied, but their fills
// move the position). An event's master_position_before is that position at
// the event less this order's own fills: the position before any fill of
// this order (other orders' fills up to the event included). Unknown
// (master_position_known false) when the baseline had no positions.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "common/time/clock.h"
#include "copytrade.pb.h"

namespace ct::watcher {

enum class Source { kFeed, kPoll };
const char* SourceName(Source source);  // "feed" / "poll"

enum class Stage { kPending = 0, kWorking = 1, kTerminal = 2 };
Stage StageOf(const copytrade::v1::Order& order);

// The event kind an order's status stands for on its own (first sighting).
copytrade::v1::OrderEventKind KindOf(const copytrade::v1::Order& order);

struct TrackedOrder {
  bool baseline = false;
  // The accepted view: price, trigger, quantity and type from the newest
  // view allowed to move it sideways; status and fills only forward.
  copytrade::v1::Order view;
  int64_t events = 0;  // events published for this order (n of the key)
  // When the last push for this order was received. Not persisted: a
  // restarted watcher has received no push yet.
  std::optional<SteadyTime> last_push;
};

// What the tracker knows; what MasterOrderStore saves and restores.
struct TrackerState {
  std::map<std::string, TrackedOrder> orders;  // by orderid
  bool positions_known = false;
  std::map<std::string, int64_t> positions;  // PositionKey -> net quantity
};

struct Observation {
  Source source = Source::kPoll;
  SteadyTime taken{};  // feed: when it was received; poll: when the request was sent
  int64_t now_ns = 0;  // wall clock: the events' detected_time_ns
};

// What one Apply changed: the events to publish, and the orders and
// positions whose state must be saved with them.
struct Applied {
  std::vector<copytrade::v1::MasterOrderEvent> events;
  std::set<std::string> orders;
  std::set<std::string> positions;
  bool empty() const { return events.empty() && orders.empty() && positions.empty(); }
};

class OrderTracker {
 public:
  // `positions`: getPosition's net quantities by PositionKey, taken so that
  // they agree with `book`'s fills; nullopt when unknown.
  void SetBaseline(const std::vector<copytrade::v1::Order>& book,
                   std::optional<std::map<std::string, int64_t>> positions);
  void Restore(TrackerState state) { state_ = std::move(state); }

  // Applies views of orders (one push, or a whole snapshot) in their order.
  Applied Apply(const std::vector<copytrade::v1::Order>& views, const Observation& observation);

  const TrackerState& state() const { return state_; }
  const TrackedOrder* Find(const std::string& orderid) const;
  // Net quantity in the instrument and product; nullopt when unknown.
  std::optional<int64_t> Position(const std::string& key) const;

 private:
  void ApplyOne(const copytrade::v1::Order& view, const Observation& observation, Applied& out);
  void MoveFill(const copytrade::v1::Order& order, int64_t delta, Applied& out);
  void Emit(copytrade::v1::OrderEventKind kind, TrackedOrder& tracked, const copytrade::v1::Order* previous,
            const Observation& observation, Applied& out);

  TrackerState state_;
};

// "NSE|3045|INTRADAY": the key of a position (getPosition row or order).
std::string PositionKey(const std::string& exchange, const std::string& symboltoken, const std::string& producttype);
std::string PositionKeyOf(const copytrade::v1::Order& order);

// SmartAPI "26-Dec-2024 13:48:37" (IST) to Unix ns; 0 when unparsable.
int64_t ParseIstTime(const std::string& text);

}  // namespace ct::watcher
