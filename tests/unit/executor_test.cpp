#include <gtest/gtest.h>

#include <deque>

#include "common/bus/journal.h"
#include "executor/executor.h"
#include "tests/support/process.h"

namespace ct::executor {
namespace {
namespace v1 = copytrade::v1;
using smartapi::Error;
using smartapi::ErrorKind;

// A follower account in memory: places go into `book`, unless the next
// scripted failure says otherwise.
class FakeBroker : public FollowerBroker {
 public:
  struct Failure {
    ErrorKind kind;
    bool order_lands;  // for unknown outcomes: did the broker keep it?
  };
  smartapi::Result<smartapi::PlacedOrder> PlaceOrder(const smartapi::OrderRequest& r) override {
    ++place_calls;
    if (!failures.empty()) {
      Failure f = failures.front();
      failures.pop_front();
      if (f.order_lands) Add(r);
      return Error{f.kind, f.kind == ErrorKind::kRejected ? "AB1009" : "", "scripted", 0};
    }
    return Add(r);
  }
  smartapi::Result<std::vector<smartapi::Order>> GetOrderBook() override {
    ++book_calls;
    if (book_down) return Error{ErrorKind::kTransport, "", "down", 0};
    return book;
  }
  smartapi::PlacedOrder Add(const smartapi::OrderRequest& r) {
    smartapi::Order o;
    o.set_orderid(std::to_string(100 + book.size()));
    o.set_uniqueorderid("u-" + o.orderid());
    o.set_tradingsymbol(r.tradingsymbol);
    o.set_quantity(r.quantity);
    o.set_ordertag(r.ordertag);
    o.set_status("complete");
    book.push_back(o);
    return {r.tradingsymbol, o.orderid(), o.uniqueorderid()};
  }
  std::vector<smartapi::Order> book;
  std::deque<Failure> failures;
  bool book_down = false;
  int place_calls = 0;
  int book_calls = 0;
};

class ExecutorTest : public ::testing::Test {
 protected:
  void SetUp() override { journal_ = std::move(bus::Journal::Open(dir_ / "executor.db")).value(); }

  Executor Make(bool dry_run = false) {
    return Executor({"follower-1", dry_run, 30'000}, *journal_, broker_, clock_,
                    [this](const v1::ExecutionReport& r) { reports_.push_back(r); });
  }
  v1::Envelope Instruction(uint64_t seq, const std::string& master_id, int64_t qty = 10) {
    v1::Envelope env;
    env.set_stream_id("follower-1");
    env.set_seq(seq);
    auto* ci = env.mutable_copy_instruction();
    ci->set_follower_id("follower-1");
    ci->set_master_order_id(master_id);
    ci->set_ordertag("ct" + master_id);
    ci->set_master_event_time_ns(clock_.wall_ns());
    auto* o = ci->mutable_order();
    o->set_tradingsymbol("SBIN-EQ");
    o->set_transactiontype("BUY");
    o->set_ordertype("MARKET");
    o->set_quantity(qty);
    o->set_ordertag(ci->ordertag());
    return env;
  }

  testing::TempDir dir_;
  std::unique_ptr<bus::Journal> journal_;
  FakeBroker broker_;
  FakeClock clock_;
  std::vector<v1::ExecutionReport> reports_;
};

TEST_F(ExecutorTest, PlacesOnceAndReportsTheBrokerOrderId) {
  auto ex = Make();
  ASSERT_TRUE(ex.Apply(Instruction(1, "m1")));
  ASSERT_EQ(broker_.book.size(), 1u);
  EXPECT_EQ(broker_.book[0].ordertag(), "ctm1");
  ASSERT_EQ(reports_.size(), 1u);
  EXPECT_EQ(reports_[0].outcome(), v1::OUTCOME_ACCEPTED);
  EXPECT_EQ(reports_[0].broker_order_id(), broker_.book[0].orderid());
  EXPECT_EQ(journal_->Cursor("follower-1"), 1u);
}

TEST_F(ExecutorTest, SameInstructionTwiceIsPlacedOnce) {
  auto ex = Make();
  ex.Apply(Instruction(1, "m1"));
  ex.Apply(Instruction(2, "m1"));  // same ordertag under a new seq
  EXPECT_EQ(broker_.book.size(), 1u);
  EXPECT_EQ(broker_.place_calls, 1);
}

TEST_F(ExecutorTest, DryRunPlacesNothing) {
  auto ex = Make(/*dry_run=*/true);
  ex.Apply(Instruction(1, "m1"));
  EXPECT_EQ(broker_.place_calls, 0);
  ASSERT_EQ(reports_.size(), 1u);
  EXPECT_EQ(reports_[0].outcome(), v1::OUTCOME_DRY_RUN);
}

TEST_F(ExecutorTest, StaleInstructionIsRefused) {
  auto ex = Make();
  auto env = Instruction(1, "m1");
  clock_.advance(std::chrono::seconds(31));
  ex.Apply(env);
  EXPECT_EQ(broker_.place_calls, 0);
  ASSERT_EQ(reports_.size(), 1u);
  EXPECT_EQ(reports_[0].outcome(), v1::OUTCOME_STALE);
}

TEST_F(ExecutorTest, RejectionIsReportedWithTheBrokerCode) {
  broker_.failures.push_back({ErrorKind::kRejected, false});
  auto ex = Make();
  ex.Apply(Instruction(1, "m1"));
  ASSERT_EQ(reports_.size(), 1u);
  EXPECT_EQ(reports_[0].outcome(), v1::OUTCOME_REJECTED);
  EXPECT_EQ(reports_[0].error_code(), "AB1009");
  EXPECT_EQ(broker_.place_calls, 1);
}

TEST_F(ExecutorTest, LostReplyIsFoundInTheBookNotPlacedTwice) {
  broker_.failures.push_back({ErrorKind::kUnknownOutcome, /*order_lands=*/true});
  auto ex = Make();
  ex.Apply(Instruction(1, "m1"));
  EXPECT_EQ(broker_.place_calls, 1);
  EXPECT_EQ(broker_.book_calls, 1);
  EXPECT_EQ(broker_.book.size(), 1u);
  ASSERT_EQ(reports_.size(), 1u);
  EXPECT_EQ(reports_[0].outcome(), v1::OUTCOME_ACCEPTED);
  EXPECT_EQ(reports_[0].broker_order_id(), broker_.book[0].orderid());
}

TEST_F(ExecutorTest, UnknownOutcomeAbsentFromBookIsPlacedAgainOnce) {
  broker_.failures.push_back({ErrorKind::kUnknownOutcome, /*order_lands=*/false});
  auto ex = Make();
  ex.Apply(Instruction(1, "m1"));
  // Absent is believed only after several reads of the book.
  EXPECT_EQ(broker_.book_calls, Executor::kAbsentAfterLookups);
  EXPECT_EQ(broker_.place_calls, 2);
  EXPECT_EQ(broker_.book.size(), 1u);
  EXPECT_EQ(reports_.back().outcome(), v1::OUTCOME_ACCEPTED);
}

TEST_F(ExecutorTest, PendingIntentIsResolvedAfterRestart) {
  // The broker kept the order but the reply was lost, and the book could
  // not be read: the intent stays pending, as after a crash mid-call.
  broker_.failures.push_back({ErrorKind::kUnknownOutcome, /*order_lands=*/true});
  broker_.book_down = true;
  {
    auto ex = Make();
    ex.Apply(Instruction(1, "m1"));
  }
  ASSERT_EQ(broker_.book.size(), 1u);
  broker_.book_down = false;
  reports_.clear();
  auto restarted = Make();
  restarted.ResolvePending();
  EXPECT_EQ(broker_.place_calls, 1);  // found, not placed again
  EXPECT_EQ(broker_.book.size(), 1u);
  ASSERT_EQ(reports_.size(), 1u);
  EXPECT_EQ(reports_[0].outcome(), v1::OUTCOME_ACCEPTED);
  // Resolved intents are not resolved again.
  reports_.clear();
  Make().ResolvePending();
  EXPECT_TRUE(reports_.empty());
}

TEST_F(ExecutorTest, PendingIntentAbsentFromBookIsPlacedAtRestart) {
  broker_.failures.push_back({ErrorKind::kUnknownOutcome, /*order_lands=*/false});
  broker_.book_down = true;
  { Make().Apply(Instruction(1, "m1")); }
  EXPECT_TRUE(broker_.book.empty());
  broker_.book_down = false;
  Make().ResolvePending();
  EXPECT_EQ(broker_.book.size(), 1u);
  EXPECT_EQ(reports_.back().outcome(), v1::OUTCOME_ACCEPTED);
}

}  // namespace
}  // namespace ct::executor
