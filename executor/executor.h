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
// Lives on the process loop's thread.
#pragma once

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
#include "common/instruments/instrument_master.h"
#include "common/time/clock.h"
#include "copytrade.pb.h"
#include "executor/broker.h"
#include "executor/copy.h"
#include "executor/copy_store.h"

namespace ct::executor {

struct ExecutorOptions {
  std::string follower_id;  // "follower-1"
  bool dry_run = true;
  int64_t max_copy_delay_ms = 30'000;
  config::ExecutionSettings execution;
};

// Where reports go: staged inside the journal transaction of the step that
// produced them, sent after it commits (StreamPublisher's Stage/Send).
class ReportOutbox {
 public:
  virtual ~ReportOutbox() = default;
  virtual void Stage(const copytrade::v1::ExecutionReport& report) = 0;
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
// From the instrument master (by exchange and token), else from the order.
InstrumentLookup InstrumentsFrom(std::shared_ptr<const instruments::InstrumentMaster> master);

class Executor {
 public:
  Executor(ExecutorOptions options, bus::Journal& journal, FollowerBroker& broker, bus::TimerQueue& timers,
           const Clock& clock, ReportOutbox& outbox, InstrumentLookup instruments = InstrumentFromOrder);
  ~Executor();

  // StreamSubscriber::Apply for this follower's instruction stream.
  bool Apply(const bus::Envelope& envelope);
  // An order update pushed by the follower's order-update WebSocket.
  void OnOrderUpdate(const smartapi::Order& order);
  // At start: carries on every copy the journal holds as not final.
  void Resume();

  size_t working() const { return copies_.size(); }

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
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);  // completions after destruction are dropped
};

}  // namespace ct::executor
