// Executor: one follower's copies at its broker, each a Copy state machine
// (copy.h) journaled at every step, several in flight at once.
//
// Exactly once: a copy's record (its intent), the reports it produced and
// the instruction stream's cursor commit in one journal transaction BEFORE
// any broker call of that step is made. An unknown outcome is resolved by
// finding the ordertag in the follower's book, never by placing blindly;
// after a restart every copy not final is read back from the broker and
// carried on (Resume), so a copy never gets a second order.
//
// The loop never blocks: broker calls are asynchronous (FollowerBroker;
// completions come back on the loop), timers run on the loop's TimerQueue
// on the injected clock. Reports leave on the executor's own reliable
// stream ("reports/follower-<n>", ReportOutbox), so an outcome reached
// while the router is down reaches the records when it is back.
//
// What the instructions mean here (the router's side of the contract):
//   PLACE, execution MARKETABLE: a marketable LIMIT, chased (a MARKET order
//     is always marketable); RESTING: at the order's own price and trigger
//     (LIMIT; SL -> STOPLOSS_LIMIT; SL-M -> STOPLOSS_LIMIT off its trigger),
//     followed to its end without a chase.
//   PLACE with `exit` set: the quantity is the executor's, from the
//     follower's position book (PositionBook: getPosition at start, then its
//     own fills): |position| x exit.fraction rounded down to whole lots, or
//     all of it with exit.flatten; nothing held is SKIPPED with the reason.
//     The first leg of an exit to arrive sizes the whole exit and slices it
//     at the freeze quantity (LegTag); the router's other legs of that
//     exit (same copy_id) are SKIPPED, "sized with its first leg". A MODIFY
//     of an exit changes its price, trigger and type, not its quantity.
//   MODIFY / CANCEL: target_ordertag = the leg's ordertag (its PLACE's);
//     only that leg changes. An unknown or empty target: every copy of
//     master_order_id (CopyStore::OfMaster). The order carries the new
//     price, trigger, type and quantity (already sized); a CANCEL's
//     order.text, when set, is the reason reported.
//     A copy that has ended gets no new order: a final SKIPPED report under
//     the instruction's own key (InstructionKey) says so, target_ordertag set.
//   CANCEL_ALL: every open copy is cancelled.
// Risk caps (max_quantity, max_order_value) are checked again before an
// entry is placed.
//
// Lives on the process loop's thread.
#pragma once

#include <nlohmann/json.hpp>

#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/bus/journal.h"
#include "common/bus/stream.h"
#include "common/bus/timer_queue.h"
#include "common/config/settings.h"
#include "common/instruments/freeze_quantities.h"
#include "common/instruments/instrument_master.h"
#include "common/time/clock.h"
#include "copytrade.pb.h"
#include "executor/broker.h"
#include "executor/copy.h"
#include "executor/copy_store.h"
#include "executor/position_book.h"

namespace ct::executor {

struct ExecutorOptions {
  std::string follower_id;  // "follower-1"
  bool dry_run = true;
  int64_t max_copy_delay_ms = 30'000;
  config::ExecutionSettings execution;
  // Risk caps re-checked before placing (the router checks them first):
  // an entry over them is skipped; an exit is sliced at max_quantity and
  // never refused (refusing it would leave the risk open). 0 = none.
  int64_t max_quantity = 0;
  double max_order_value = 0;
  // A copy REJECTED or FAILED (alerts::kind::kCopyFailed); called after
  // the report is durable.
  std::function<void(const std::string& text)> copy_failed;
};

// Where reports go: staged inside the journal transaction of the step that
// produced them, sent after it commits (StreamPublisher's Stage/Send).
class ReportOutbox {
 public:
  virtual ~ReportOutbox() = default;
  virtual void Stage(const copytrade::v1::ExecutionReport& report) = 0;
  // The follower's state (FollowerState) on the same stream.
  virtual void StageState(const copytrade::v1::FollowerState& /*state*/) {}
  virtual void Flush() = 0;
};

// ReportOutbox on a StreamPublisher stream.
class StreamReportOutbox final : public ReportOutbox {
 public:
  StreamReportOutbox(bus::StreamPublisher& publisher, std::string stream)
      : publisher_(publisher), stream_(std::move(stream)) {
    publisher_.DeclareStream(stream_);
  }
  void Stage(const copytrade::v1::ExecutionReport& report) override;
  void StageState(const copytrade::v1::FollowerState& state) override;
  void Flush() override;
  const std::string& stream() const { return stream_; }

 private:
  bus::StreamPublisher& publisher_;
  std::string stream_;
  std::vector<bus::StreamPublisher::Staged> staged_;
};

// Tick size and segment of an instruction's instrument.
using InstrumentLookup = std::function<InstrumentInfo(const copytrade::v1::Order&)>;
// Without an instrument master: the segment from the order, a 5-paise tick.
InstrumentInfo InstrumentFromOrder(const copytrade::v1::Order& order);
// From the instrument master (by exchange and token), else from the order;
// with `freeze`, the freeze quantity of the IST day `clock` is on.
InstrumentLookup InstrumentsFrom(std::shared_ptr<const instruments::InstrumentMaster> master,
                                 std::shared_ptr<const instruments::FreezeTable> freeze = nullptr,
                                 const Clock* clock = nullptr);

// The ordertag of leg `leg` (> 0) of a copy the executor slices itself
// (an exit over the freeze quantity): deterministic, 15 characters.
std::string LegTag(const std::string& ordertag, int leg);

class Executor {
 public:
  Executor(ExecutorOptions options, bus::Journal& journal, FollowerBroker& broker, bus::TimerQueue& timers,
           const Clock& clock, ReportOutbox& outbox, InstrumentLookup instruments = InstrumentFromOrder);
  ~Executor();

  // StreamSubscriber::Apply for this follower's instruction stream.
  bool Apply(const bus::Envelope& envelope);
  // An order update pushed by the follower's order-update WebSocket.
  void OnOrderUpdate(const smartapi::Order& order);
  // At start: carries on every copy the journal holds as not final, and
  // reads the follower's positions.
  void Resume();
  // Every second, from the loop: getPosition (day P&L, broker_ok; the
  // position book when not yet loaded) and the FollowerState when changed.
  void Tick();
  void SetFeedConnected(bool connected) { feed_connected_ = connected; }

  size_t working() const { return copies_.size(); }
  const PositionBook& positions() const { return positions_; }
  copytrade::v1::FollowerState State() const;
  // The status file's extras (`copytrade status`): follower_id, broker_ok,
  // feed_connected, working_copies, copies_today{state: count}, last_error.
  nlohmann::json StatusExtras();

 private:
  struct Live {
    std::unique_ptr<Copy> copy;
    bus::TimerQueue::TimerId timer = 0;
    int64_t timer_at_ns = 0;
  };
  using Work = std::vector<std::pair<std::string, Step>>;  // ordertag -> its step

  CopyContext ContextFor(const copytrade::v1::CopyInstruction& instruction) const;
  void Start(const copytrade::v1::CopyInstruction& instruction, uint64_t seq, const std::string& stream);
  void CancelAll(const std::string& reason, uint64_t seq, const std::string& stream);
  // MODIFY / CANCEL of a copy (mirror mode): applied to the copy's open
  // legs, or reported as not applied when the copy has ended.
  void MirrorInstruction(const copytrade::v1::CopyInstruction& instruction, uint64_t seq, const std::string& stream);
  // The copies an instruction applies to: its target and the master order's legs.
  std::vector<std::string> TargetsOf(const copytrade::v1::CopyInstruction& instruction);
  // Journals every step (with `also` inside the same transaction), then
  // sends the reports, arms timers and makes the broker calls.
  void Commit(Work work, const std::function<void()>& also = {});
  void Issue(const std::string& ordertag, const BrokerCommand& command);
  void Arm(const std::string& ordertag);
  void OnTimer(const std::string& ordertag);
  // Runs `input` on the live copy `ordertag` (if it is still live) and commits.
  void Feed(const std::string& ordertag, const std::function<Step(Copy&, int64_t)>& input);
  // Order book reads are shared: every copy waiting for the book gets the
  // next read made after it started waiting.
  void WantBook(const std::string& ordertag);
  void LogReport(const copytrade::v1::ExecutionReport& report) const;
  void RequestPositions();
  void OnPositions(const smartapi::Result<std::vector<smartapi::Position>>& positions);
  // Moves the position book by what `record` filled since it was last seen.
  void AccountFills(const std::string& ordertag, const copytrade::v1::CopyRecord& record, bool done);
  // Units still to fill of open copies on `order`'s instrument and side.
  int64_t InFlight(const copytrade::v1::Order& order) const;
  // An exit instruction whose copy (copy_id) already has an exit copy: the
  // first leg to arrive sized and sliced the whole exit.
  bool ExitAlreadySized(const copytrade::v1::CopyInstruction& instruction);
  // Why an entry breaks max_quantity / max_order_value ("" = it does not).
  std::string CapBreach(const copytrade::v1::CopyInstruction& instruction) const;
  void SetError(const std::string& text);

  ExecutorOptions options_;
  bus::Journal& journal_;
  FollowerBroker& broker_;
  bus::TimerQueue& timers_;
  const Clock& clock_;
  ReportOutbox& outbox_;
  InstrumentLookup instruments_;
  CopyStore store_;
  std::map<std::string, Live> copies_;                      // by ordertag: copies not final
  std::unordered_map<std::string, std::string> by_orderid_;  // broker orderid -> ordertag
  bool book_in_flight_ = false;
  std::set<std::string> book_current_, book_next_;
  PositionBook positions_;
  std::map<std::string, int64_t> accounted_;  // ordertag -> filled units already in positions_
  bool positions_in_flight_ = false;
  bool broker_ok_ = false;
  bool feed_connected_ = false;
  bool day_pnl_known_ = false;
  double day_pnl_ = 0;
  std::string last_error_;
  int64_t last_error_ns_ = 0;
  std::string published_state_;  // the last FollowerState sent, without its time
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);  // completions after destruction are dropped
};

}  // namespace ct::executor
