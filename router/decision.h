// Decide: the router's whole copy decision as ONE pure function. A master
// order event, one follower's settings, the instrument data, the
// follower's day state and what was already done for this master order go
// in; the CopyInstructions to send come out, or a skip / hold with its
// reason. No I/O; the time is passed in (`now_ns`, wall clock: the IST
// window, the IST day of the freeze quantities). Thread-safe.
//
// Which events copy what:
//  - Orders placed before the watcher started (its baseline) produce no
//    events at all (watcher/order_tracker.h), so they are never copied.
//  - The first event the router sees of a master order is its arrival,
//    whatever its kind (a poll may see an order only once it is filled).
//  - copy_mode complete: a copy when the order ends with something filled
//    (FILLED, or CANCELLED / REJECTED after a partial fill), for the filled
//    quantity, MARKETABLE with reference_price = the master's average fill
//    price. A filled stop-loss is copied as a marketable entry (ordertype
//    MARKET, no trigger): never as a stop whose trigger is already crossed.
//    Every other event: kNothing.
//  - copy_mode mirror: PLACE at arrival (LIMIT / STOPLOSS_* RESTING at the
//    master's price and trigger; MARKET MARKETABLE; an order first seen
//    already filled or ended: as in complete mode). MODIFIED: one MODIFY per
//    live leg (target_ordertag = that leg's ordertag) with the re-sized
//    quantity and the new price / trigger / order type; legs added or
//    cancelled when the new quantity needs more or fewer of them. CANCELLED:
//    CANCEL per live leg. A master REJECTED at arrival: nothing placed, a
//    skip with the broker's text (reported). Fills need no instruction.
//  - Exits: when master_position_known and the order reduces the master's
//    position (a SELL of a long, a BUY of a short), `exit` is set with
//    exit_sizing = proportional: fraction = reduced / |before|, flatten when
//    the master ends flat (or flips: the part beyond flat is a separate
//    entry, legs after the exit's, filtered and capped like any entry).
//    order.quantity is the router's estimate: from the follower's position
//    in day.positions when known, else the follower's rule; the executor
//    sizes the exit from its own position (authoritative) and never sells
//    more than it holds. exit_sizing = rule: sized like an entry.
//  - Freeze slicing: a copy above the instrument's freeze quantity is split
//    into legs, each at most the freeze quantity and whole lots (1400 at lot
//    35, freeze 600: 595 + 595 + 210), each with its own ordertag
//    OrderTag(master order, follower, leg), all with one copy_id (leg 0's
//    ordertag) and leg / legs set.
//
// Rules, in this order (the first that applies decides):
//  1. Master rejection with nothing filled: skip, "master order rejected".
//  2. Entries only (proportional exits pass: they only reduce what the
//     follower holds, and blocking one would leave it exposed):
//     filters (symbols allow / block as exact symbol or underlying,
//     exchanges, products, sides, order types), the IST window; then
//     sizing (mirror / multiplier / fixed / fixed_lots, whole lots rounded
//     down, under one lot skipped unless min_one_lot); then caps
//     max_quantity (the copy's whole quantity, before slicing),
//     max_order_value (quantity x reference price; not checked when the
//     price is not known yet, e.g. a mirrored MARKET: the executor checks
//     again), max_orders_per_day (copies, not legs).
//     exit_sizing = rule exits go through filters, sizing and the quantity
//     caps too (they are sized like entries), but not max_orders_per_day.
//  3. Paused: entries skipped "paused"; exits copied unless pause_exits.
//  4. Daily loss limit (day P&L <= -daily_loss_limit, or already hit
//     today): entries skipped with the reason and `alert` set; exits
//     copied.
//  5. require_approval: a PLACE is held (kHold, the instructions kept by
//     the router until approved, rejected or expired at expires_ns).
//     MODIFY / CANCEL of an approved copy go straight through; a MODIFIED
//     while still held re-decides the held instructions (kHold again); a
//     CANCELLED while held is a skip ("cancelled before approval").
//  reverse swaps BUY and SELL on every copy (entries and exits).
//  MODIFY and CANCEL of a live copy are sent whatever the filters, pause
//  and loss limit say: they follow a copy already at the broker.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/config/settings.h"
#include "common/instruments/freeze_quantities.h"
#include "common/instruments/instrument_master.h"
#include "copytrade.pb.h"

namespace ct::router {

// Instrument data; either pointer may be null (tests, or no file): the lot
// size then comes from the order row, and nothing is sliced.
struct InstrumentData {
  const instruments::InstrumentMaster* master = nullptr;
  const instruments::FreezeTable* freeze = nullptr;
};

// "exchange|symboltoken|producttype", as the executor's and watcher's
// position keys.
std::string PositionKey(const copytrade::v1::Order& order);

// What the router knows of one follower today (RouterStore keeps it).
struct FollowerDay {
  bool paused = false;
  bool loss_limit_hit = false;  // latched for the IST day once breached
  int64_t orders_today = 0;     // copies placed this IST day
  bool day_pnl_known = false;   // from the follower's latest FollowerState
  double day_pnl = 0;
  bool positions_known = false;
  std::map<std::string, int64_t> positions;  // PositionKey -> signed net units
};

// One leg already made for this master order and follower.
struct LegMade {
  int leg = 0;
  std::string ordertag;
  int64_t quantity = 0;
  bool live = true;  // false once cancelled by a mirror change
};

// What was already decided for this master order and follower.
struct CopyMade {
  enum class State { kSkipped, kHeld, kPlaced, kEnded };
  State state = State::kSkipped;
  std::string copy_id;
  std::vector<LegMade> legs;  // every leg ever placed (kPlaced, kEnded)
  std::vector<copytrade::v1::CopyInstruction> held;  // kHeld: what approval sends
};

struct DecisionInput {
  const copytrade::v1::MasterOrderEvent* event = nullptr;
  const config::FollowerSettings* follower = nullptr;
  InstrumentData instruments;
  const FollowerDay* day = nullptr;
  const CopyMade* made = nullptr;  // null: the first event of this order for this follower
  int64_t now_ns = 0;               // wall clock
};

struct Decision {
  enum class Verdict {
    kNothing,  // no instruction and nothing to report (a fill of a mirrored order, ...)
    kSend,     // send `instructions`
    kSkip,     // not copied: `reason`
    kHold,     // awaiting approval: `instructions` are what approval sends
  };
  Verdict verdict = Verdict::kNothing;
  std::vector<copytrade::v1::CopyInstruction> instructions;
  std::string reason;
  bool alert = false;        // alert-worthy (the daily loss limit)
  bool loss_limit_hit = false;  // the day's P&L breaches the limit (latch it)
  bool exit = false;         // the copy reduces the follower's position
  bool new_copy = false;     // a PLACE of a new copy: counts towards max_orders_per_day
  int64_t expires_ns = 0;    // kHold: when the held copy turns STALE
  // The part of a flip beyond flat that was not copied, and why (the exit
  // part is in `instructions`).
  std::string partial_reason;
};

Decision Decide(const DecisionInput& input);

const char* ToString(Decision::Verdict verdict);

}  // namespace ct::router
