// Copy: one copy of one master order at the follower's broker, as a small
// state machine over its journal record (CopyRecord). Pure logic: no I/O;
// every input carries `now` (wall-clock Unix ns), every output is a Step
// the executor carries out — journal the record and the reports in one
// transaction, THEN make the broker calls — so an order is only ever sent
// once its intent is durable.
//
// Life of a copy (CopyPhase):
//   PRICING     marketable copy without a reference price: getLtpData
//   PLACING     placeOrder sent. Rejected -> REJECTED. Throttled or not
//               reachable (surely not processed) -> RETRYING. Unknown
//               outcome -> LOOKING_UP.
//   LOOKING_UP  the book is read for the ordertag; absent is believed only
//               after kAbsentAfterReads reads, and only then is it placed
//               again. Never a blind retry.
//   WORKING     at the broker. Followed by the order-update feed (pushes),
//               and read back (details, else the book) when no push came
//               for followup_ms. A marketable copy is chased: every
//               chase_interval_ms it is re-priced to LTP ± buffer (never
//               past the slippage cap, inside the band) when that moved by
//               a tick; after chase_for_s what is left is cancelled.
//   CANCELLING  cancelOrder sent; the broker's view decides the outcome.
//   DONE        FILLED, PARTIALLY_FILLED (rest cancelled), CANCELLED,
//               REJECTED (with the broker's text), FAILED, STALE, DRY_RUN.
// One broker call at a time per copy (CopyRecord.await).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/config/settings.h"
#include "common/smartapi/client.h"
#include "copytrade.pb.h"
#include "executor/price_policy.h"

namespace ct::executor {

// What the executor knows of the instrument (from the instrument master).
struct InstrumentInfo {
  int64_t tick_paise = 5;
  Segment segment = Segment::kEquity;
  int64_t lot_size = 0;         // 0: unknown (the order's lotsize, else 1)
  int64_t freeze_quantity = 0;  // most units per order; 0: no limit known
};

struct CopyContext {
  std::string follower_id;
  bool dry_run = true;
  int64_t max_copy_delay_ms = 30'000;
  config::ExecutionSettings execution;
  InstrumentInfo instrument;
};

struct BrokerCommand {
  enum class Kind { kPlace, kModify, kCancel, kFindByTag, kReadOrder, kGetLtp };
  Kind kind = Kind::kPlace;
  smartapi::OrderRequest place;
  smartapi::ModifyRequest modify;
  std::string variety;        // kCancel
  std::string orderid;        // kCancel
  std::string uniqueorderid;  // kReadOrder: details by it; empty = read the book
  std::string exchange, tradingsymbol, symboltoken;  // kGetLtp
};

struct Step {
  std::vector<BrokerCommand> commands;
  std::vector<copytrade::v1::ExecutionReport> reports;
  bool changed = false;  // the record must be journaled
};

class Copy {
 public:
  static constexpr int kAbsentAfterReads = 3;
  static constexpr int kMaxPlaceAttempts = 3;

  // A new copy from a PLACE instruction; call Start().
  Copy(CopyContext context, const copytrade::v1::CopyInstruction& instruction, uint64_t seq, int64_t now_ns);
  // A copy read back from the journal; call Resume().
  Copy(CopyContext context, copytrade::v1::CopyRecord record);

  Step Start(int64_t now_ns);
  // After a restart: find out where the order is, then carry on.
  Step Resume(int64_t now_ns);

  Step OnLtp(const smartapi::Result<smartapi::Ltp>& ltp, int64_t now_ns);
  Step OnPlaced(const smartapi::Result<smartapi::PlacedOrder>& placed, int64_t now_ns);
  Step OnBook(const smartapi::Result<std::vector<smartapi::Order>>& book, int64_t now_ns);
  Step OnDetails(const smartapi::Result<smartapi::Order>& order, int64_t now_ns);
  Step OnModified(const smartapi::Result<smartapi::PlacedOrder>& result, int64_t now_ns);
  Step OnCancelled(const smartapi::Result<smartapi::PlacedOrder>& result, int64_t now_ns);
  // A push from the order-update feed for this copy (matched by orderid or
  // ordertag).
  Step OnPush(const smartapi::Order& order, int64_t now_ns);
  // The wake-up time (wake_at_ns()) has come.
  Step OnTimer(int64_t now_ns);

  // Cancel what is left (stop-all, a mirrored master cancel); `reason` is
  // reported. Before the order id is known the cancel waits for it.
  Step Cancel(const std::string& reason, int64_t now_ns);
  // Mirror mode: the master modified its order (price, trigger, quantity
  // already sized, order type in `instruction.order()`). Applied with
  // modifyOrder once the order is working at the broker and no other call
  // is in flight; a newer modify replaces one still waiting. A copy that
  // has ended is not the Copy's business (the executor reports it).
  Step Mirror(const copytrade::v1::CopyInstruction& instruction, uint64_t seq, int64_t now_ns);
  // Not placed, for `reason` (exit sizing, risk caps): a final SKIPPED.
  Step Skip(const std::string& reason, int64_t now_ns);
  // Sends what waits for the copy to be free (a mirrored modify, a
  // cancel); the executor calls it after every input.
  Step Poll(int64_t now_ns);

  // A final report of a MODIFY / CANCEL instruction itself (own key).
  copytrade::v1::ExecutionReport InstructionReport(const copytrade::v1::CopyInstruction& instruction, uint64_t seq,
                                                   copytrade::v1::Outcome outcome, const std::string& reason,
                                                   int64_t now_ns) const;
  const copytrade::v1::CopyRecord& record() const { return rec_; }
  const std::string& ordertag() const { return rec_.instruction().ordertag(); }
  bool done() const { return rec_.phase() == copytrade::v1::COPY_PHASE_DONE; }
  // When OnTimer wants to run (wall ns); 0 = no timer.
  int64_t wake_at_ns() const;

 private:
  bool buy() const { return rec_.instruction().order().transactiontype() == "BUY"; }
  bool Stale(int64_t now_ns, int64_t* age_ms) const;
  Step Place(Step step, int64_t now_ns);
  Step PriceAndPlace(Step step, double reference, int64_t now_ns);
  Step Poll(Step step, int64_t now_ns);
  Step Look(Step step);
  Step Read(Step step, int64_t now_ns);
  // Applies the broker's view of the order; finishes the copy when final.
  Step Apply(Step step, const smartapi::Order& order, int64_t now_ns);
  Step Accepted(Step step, int64_t now_ns);
  Step SendModify(Step step, const smartapi::ModifyRequest& request, int64_t now_ns);
  Step SendCancel(Step step, const std::string& reason, int64_t now_ns);
  Step Finish(Step step, copytrade::v1::Outcome outcome, const std::string& code, const std::string& text,
              int64_t now_ns);
  Step Progress(Step step, copytrade::v1::Outcome outcome, int64_t now_ns);
  copytrade::v1::ExecutionReport Report(copytrade::v1::Outcome outcome, int64_t now_ns) const;
  double MasterPrice() const;
  smartapi::ModifyRequest ModifyRequestFor(double price) const;
  void ScheduleWork(int64_t now_ns);

  CopyContext ctx_;
  copytrade::v1::CopyRecord rec_;
};

// The key of a MODIFY / CANCEL instruction's own report (records are kept
// per key, so it must not be the copy's ordertag): the instruction's
// ordertag when it has its own, else "<target>/m<seq>" or "/c<seq>".
std::string InstructionKey(const copytrade::v1::CopyInstruction& instruction, uint64_t seq);

// The order as copytrade sends it, from an instruction's order: variety,
// product and the rest as the master's, duration DAY, quantity sized.
smartapi::OrderRequest RequestFrom(const copytrade::v1::Order& order);

}  // namespace ct::executor
