// The executor's logic in simulated time: the price policy, each copy's
// state machine (placing, unknown outcomes, chasing, cancelling, final
// states) and restarts, against a fake follower account.
#include <gtest/gtest.h>

#include <deque>
#include <map>

#include "common/bus/journal.h"
#include "common/bus/timer_queue.h"
#include "executor/executor.h"
#include "executor/price_policy.h"
#include "tests/support/process.h"

namespace ct::executor {
namespace {
namespace v1 = copytrade::v1;
using smartapi::Error;
using smartapi::ErrorKind;
using std::chrono::milliseconds;
using std::chrono::seconds;

// ---- price policy -------------------------------------------------------------

TEST(PricePolicy, BuyAddsTheBufferAndRoundsDownToTheTick) {
  // 812.35 x 1.01 = 820.4735 -> 820.45 (a BUY never rounds up past its bound)
  const auto p = MarketableLimit({true, 812.35, 1.0, 5, std::nullopt, 0});
  EXPECT_DOUBLE_EQ(p.price, 820.45);
  EXPECT_FALSE(p.capped);
}

TEST(PricePolicy, SellTakesTheBufferOffAndRoundsUpToTheTick) {
  // 812.35 x 0.99 = 804.2265 -> 804.25
  const auto p = MarketableLimit({false, 812.35, 1.0, 5, std::nullopt, 0});
  EXPECT_DOUBLE_EQ(p.price, 804.25);
}

TEST(PricePolicy, TheSlippageCapBindsTheBuffer) {
  // Buffer 8 % wants 108; the cap is 3 % over the master's 100.
  const auto buy = MarketableLimit({true, 100.0, 8.0, 5, std::nullopt, SlippageCap(true, 100.0, 3.0)});
  EXPECT_DOUBLE_EQ(buy.price, 103.0);
  EXPECT_TRUE(buy.capped);
  const auto sell = MarketableLimit({false, 100.0, 8.0, 5, std::nullopt, SlippageCap(false, 100.0, 3.0)});
  EXPECT_DOUBLE_EQ(sell.price, 97.0);
  EXPECT_TRUE(sell.capped);
}

TEST(PricePolicy, OtherTickSizes) {
  EXPECT_DOUBLE_EQ(MarketableLimit({true, 100.0, 1.0, 10, std::nullopt, 0}).price, 101.0);
  EXPECT_DOUBLE_EQ(MarketableLimit({true, 100.07, 0.5, 20, std::nullopt, 0}).price, 100.40);  // 100.57 -> 100.40
  EXPECT_DOUBLE_EQ(MarketableLimit({false, 100.07, 0.5, 20, std::nullopt, 0}).price, 99.60);  // 99.57 -> 99.60
  EXPECT_DOUBLE_EQ(RoundToTick(812.33, 5), 812.35);
  EXPECT_TRUE(DiffersByTick(100.0, 100.05, 5));
  EXPECT_FALSE(DiffersByTick(100.0, 100.04, 5));
}

TEST(PricePolicy, NseOptionBandsAroundTheReference) {
  // <= Rs 50: +/- Rs 20; above: +/- 40 %.
  auto low = LppBand("NFO", Segment::kOptions, 30.0);
  ASSERT_TRUE(low.has_value());
  EXPECT_DOUBLE_EQ(low->low, 10.0);
  EXPECT_DOUBLE_EQ(low->high, 50.0);
  auto high = LppBand("NFO", Segment::kOptions, 200.0);
  EXPECT_DOUBLE_EQ(high->low, 120.0);
  EXPECT_DOUBLE_EQ(high->high, 280.0);
  auto fut = LppBand("NFO", Segment::kFutures, 25000.0);
  EXPECT_DOUBLE_EQ(fut->high, 25750.0);
  EXPECT_FALSE(LppBand("NSE", Segment::kEquity, 100.0).has_value());
}

TEST(PricePolicy, BseBandsHaveTheirMinimums) {
  auto opt = LppBand("BFO", Segment::kOptions, 10.0);  // 60 % = 6, at least Rs 30
  EXPECT_DOUBLE_EQ(opt->high, 40.0);
  EXPECT_DOUBLE_EQ(opt->low, 0.0);
  auto fut = LppBand("BFO", Segment::kFutures, 20.0);  // 3 % = 0.6, at least Rs 1.50
  EXPECT_DOUBLE_EQ(fut->high, 21.5);
}

TEST(PricePolicy, AnOptionIsPricedInsideTheBand) {
  // A 60 % buffer on a Rs 200 option would leave the +/- 40 % band.
  const auto band = SafeBand(LppBand("NFO", Segment::kOptions, 200.0), 5);
  const auto buy = MarketableLimit({true, 200.0, 60.0, 5, band, 0});
  EXPECT_LT(buy.price, 280.0);
  EXPECT_GT(buy.price, 270.0);
  const auto sell = MarketableLimit({false, 200.0, 60.0, 5, band, 0});
  EXPECT_GT(sell.price, 120.0);
  EXPECT_LT(sell.price, 130.0);
}

TEST(PricePolicy, SegmentsFromTheOrder) {
  EXPECT_EQ(SegmentOf("NSE", "", "SBIN-EQ"), Segment::kEquity);
  EXPECT_EQ(SegmentOf("NFO", "OPTIDX", "NIFTY01DEC2626000CE"), Segment::kOptions);
  EXPECT_EQ(SegmentOf("NFO", "", "NIFTY01DEC2626000PE"), Segment::kOptions);
  EXPECT_EQ(SegmentOf("NFO", "FUTIDX", "NIFTY26DECFUT"), Segment::kFutures);
  EXPECT_EQ(SegmentOf("MCX", "FUTCOM", "GOLD"), Segment::kCommodity);
}

TEST(PricePolicy, SlippageIsSignedAgainstTheFollower) {
  EXPECT_DOUBLE_EQ(SlippageBps(true, 101.0, 100.0), 100.0);   // paid more
  EXPECT_DOUBLE_EQ(SlippageBps(false, 99.0, 100.0), 100.0);   // got less
  EXPECT_DOUBLE_EQ(SlippageBps(true, 99.5, 100.0), -50.0);    // better
}

// ---- a fake follower account -------------------------------------------------

// In memory, like the emulator: a LIMIT fills at once when the price allows
// (BUY at or above the LTP, SELL at or below) unless `fills` is off, at the
// LTP. Completions are queued and delivered by Deliver(), as the real
// worker posts them to the loop. Pushes go to `pushes` for the test to hand
// to the executor, like the order-update WebSocket.
class FakeBroker : public FollowerBroker {
 public:
  struct Failure {
    ErrorKind kind;
    bool order_lands;  // for unknown outcomes: did the broker keep it?
  };

  void PlaceOrder(const smartapi::OrderRequest& r, Done<smartapi::PlacedOrder> done) override {
    ++place_calls;
    placed.push_back(r);
    if (!failures.empty()) {
      Failure f = failures.front();
      failures.pop_front();
      if (f.order_lands) Add(r);
      Later([done, f] {
        done(Error{f.kind, f.kind == ErrorKind::kRejected ? "AB1009" : "", "scripted", 0});
      });
      return;
    }
    auto ids = Add(r);
    Later([done, ids] { done(ids); });
  }
  void ModifyOrder(const smartapi::ModifyRequest& m, Done<smartapi::PlacedOrder> done) override {
    ++modify_calls;
    modifies.push_back(m);
    auto* o = Find(m.orderid);
    if (o == nullptr || !Working(*o)) {
      Later([done] { done(Error{ErrorKind::kRejected, "AB2000", "Order cannot be modified", 0}); });
      return;
    }
    o->set_price(m.price);
    o->set_quantity(m.quantity);
    o->set_triggerprice(m.triggerprice);
    o->set_ordertype(m.ordertype);
    Evaluate(*o);
    smartapi::PlacedOrder ids{"", o->orderid(), o->uniqueorderid()};
    Later([done, ids] { done(ids); });
  }
  void CancelOrder(const std::string&, const std::string& orderid, Done<smartapi::PlacedOrder> done) override {
    ++cancel_calls;
    auto* o = Find(orderid);
    if (o == nullptr || !Working(*o)) {
      Later([done] { done(Error{ErrorKind::kRejected, "AB2000", "Order cannot be cancelled", 0}); });
      return;
    }
    SetStatus(*o, "cancelled");
    smartapi::PlacedOrder ids{"", o->orderid(), o->uniqueorderid()};
    Later([done, ids] { done(ids); });
  }
  void GetOrderBook(Done<std::vector<smartapi::Order>> done) override {
    ++book_calls;
    if (book_down) {
      Later([done] { done(Error{ErrorKind::kTransport, "", "down", 0}); });
      return;
    }
    auto rows = book;
    Later([done, rows] { done(rows); });
  }
  void GetOrderDetails(const std::string& uniqueorderid, Done<smartapi::Order> done) override {
    ++details_calls;
    for (const auto& o : book) {
      if (o.uniqueorderid() == uniqueorderid) {
        Later([done, o] { done(o); });
        return;
      }
    }
    Later([done] { done(Error{ErrorKind::kRejected, "AB1007", "Order not found", 0}); });
  }
  void GetLtp(const std::string&, const std::string& symbol, const std::string&, Done<smartapi::Ltp> done) override {
    ++ltp_calls;
    smartapi::Ltp l;
    l.tradingsymbol = symbol;
    l.ltp = ltp;
    Later([done, l] { done(l); });
  }
  void GetPositions(Done<std::vector<smartapi::Position>> done) override {
    ++position_calls;
    if (positions_down) {
      Later([done] { done(Error{ErrorKind::kTransport, "", "down", 0}); });
      return;
    }
    auto rows = positions;
    Later([done, rows] { done(rows); });
  }

  // Runs queued completions (and what they queue) until none are left.
  int Deliver() {
    int n = 0;
    while (!queue.empty()) {
      auto f = std::move(queue.front());
      queue.pop_front();
      f();
      ++n;
    }
    return n;
  }
  // Moves the price: working orders fill when it crosses them.
  void SetLtp(double price) {
    ltp = price;
    for (auto& o : book)
      if (Working(o)) Evaluate(o);
  }
  // Fills `quantity` of a working order at the LTP (a partial fill).
  void FillPart(const std::string& orderid, int64_t quantity) {
    auto* o = Find(orderid);
    ASSERT_NE(o, nullptr);
    Fill(*o, quantity);
  }
  void Reject(const std::string& orderid, const std::string& text) {
    auto* o = Find(orderid);
    o->set_text(text);
    SetStatus(*o, "rejected");
  }
  const smartapi::Order& Row(size_t i) const { return book.at(i); }

  std::vector<smartapi::Order> book;
  std::vector<smartapi::OrderRequest> placed;
  std::vector<smartapi::ModifyRequest> modifies;
  std::vector<smartapi::Order> pushes;
  std::deque<Failure> failures;
  std::deque<std::function<void()>> queue;
  double ltp = 500.0;
  bool fills = true;
  bool book_down = false;
  int place_calls = 0, modify_calls = 0, cancel_calls = 0, book_calls = 0, details_calls = 0, ltp_calls = 0;
  std::vector<smartapi::Position> positions;  // what getPosition answers
  bool positions_down = false;
  int position_calls = 0;

 private:
  void Later(std::function<void()> f) { queue.push_back(std::move(f)); }
  static bool Working(const smartapi::Order& o) { return o.status() == "open" || o.status() == "trigger pending"; }
  smartapi::Order* Find(const std::string& orderid) {
    for (auto& o : book)
      if (o.orderid() == orderid) return &o;
    return nullptr;
  }
  smartapi::PlacedOrder Add(const smartapi::OrderRequest& r) {
    smartapi::Order o;
    o.set_orderid(std::to_string(100 + book.size()));
    o.set_uniqueorderid("u-" + o.orderid());
    o.set_tradingsymbol(r.tradingsymbol);
    o.set_transactiontype(r.transactiontype);
    o.set_ordertype(r.ordertype);
    o.set_price(r.price);
    o.set_triggerprice(r.triggerprice);
    o.set_quantity(r.quantity);
    o.set_ordertag(r.ordertag);
    book.push_back(o);
    SetStatus(book.back(), r.ordertype.rfind("STOPLOSS", 0) == 0 ? "trigger pending" : "open");
    Evaluate(book.back());
    return {r.tradingsymbol, o.orderid(), o.uniqueorderid()};
  }
  void Evaluate(smartapi::Order& o) {
    if (!fills || o.status() != "open") return;
    const bool buy = o.transactiontype() == "BUY";
    if (buy ? ltp <= o.price() : ltp >= o.price()) Fill(o, o.quantity() - o.filledshares());
  }
  void Fill(smartapi::Order& o, int64_t quantity) {
    const int64_t before = o.filledshares();
    o.set_averageprice((o.averageprice() * static_cast<double>(before) + ltp * static_cast<double>(quantity)) /
                       static_cast<double>(before + quantity));
    o.set_filledshares(before + quantity);
    o.set_unfilledshares(o.quantity() - o.filledshares());
    SetStatus(o, o.filledshares() == o.quantity() ? "complete" : "open");
  }
  void SetStatus(smartapi::Order& o, const std::string& status) {
    o.set_status(status);
    o.set_orderstatus(status);
    smartapi::Order push = o;
    push.clear_uniqueorderid();  // as on the WebSocket
    pushes.push_back(push);
  }
};

class FakeOutbox : public ReportOutbox {
 public:
  void Stage(const v1::ExecutionReport& r) override { staged.push_back(r); }
  void StageState(const v1::FollowerState& s) override { staged_states.push_back(s); }
  void Flush() override {
    sent.insert(sent.end(), staged.begin(), staged.end());
    staged.clear();
    states.insert(states.end(), staged_states.begin(), staged_states.end());
    staged_states.clear();
  }
  std::vector<v1::ExecutionReport> staged, sent;
  std::vector<v1::FollowerState> staged_states, states;
};

class ExecutorTest : public ::testing::Test {
 protected:
  void SetUp() override { journal_ = std::move(bus::Journal::Open(dir_ / "executor.db")).value(); }

  std::unique_ptr<Executor> Make(bool dry_run = false) {
    ExecutorOptions o;
    o.follower_id = "follower-1";
    o.dry_run = dry_run;
    o.execution = execution_;
    return std::make_unique<Executor>(o, *journal_, broker_, timers_, clock_, outbox_);
  }
  // The master's MARKET BUY of SBIN-EQ, filled at `master_price`.
  v1::Envelope Instruction(uint64_t seq, const std::string& master_id, int64_t qty = 10, double master_price = 500.0,
                           const std::string& side = "BUY") {
    v1::Envelope env;
    env.set_stream_id("follower-1");
    env.set_seq(seq);
    auto* ci = env.mutable_copy_instruction();
    ci->set_follower_id("follower-1");
    ci->set_master_order_id(master_id);
    ci->set_ordertag("ct" + master_id);
    ci->set_copy_id("ct" + master_id);
    ci->set_master_event_time_ns(clock_.wall_ns());
    ci->set_detected_time_ns(clock_.wall_ns());
    ci->set_action(v1::COPY_ACTION_PLACE);
    ci->set_execution(v1::EXECUTION_MARKETABLE);
    ci->set_reference_price(master_price);
    ci->set_master_average_price(master_price);
    auto* o = ci->mutable_order();
    o->set_tradingsymbol("SBIN-EQ");
    o->set_symboltoken("3045");
    o->set_exchange("NSE");
    o->set_producttype("INTRADAY");
    o->set_transactiontype(side);
    o->set_ordertype("MARKET");
    o->set_quantity(qty);
    o->set_ordertag(ci->ordertag());
    return env;
  }
  // Delivers completions and pushes until both are quiet.
  void Settle(Executor& ex) {
    for (int i = 0; i < 100; ++i) {
      bool any = broker_.Deliver() > 0;
      auto pushes = std::move(broker_.pushes);
      broker_.pushes.clear();
      for (const auto& p : pushes) {
        if (feed_) ex.OnOrderUpdate(p);
        any = true;
      }
      if (!any) return;
    }
  }
  // Simulated time passes in 10 ms steps, timers and completions running.
  void Advance(Executor& ex, std::chrono::milliseconds d) {
    const auto end = clock_.steady() + d;
    while (clock_.steady() < end) {
      clock_.advance(milliseconds(10));
      timers_.RunDue();
      Settle(ex);
    }
  }
  std::vector<v1::Outcome> Outcomes() const {
    std::vector<v1::Outcome> out;
    for (const auto& r : outbox_.sent) out.push_back(r.outcome());
    return out;
  }
  bool HasFinal() const {
    for (const auto& r : outbox_.sent)
      if (r.final()) return true;
    return false;
  }
  const v1::ExecutionReport& Final() const {
    for (const auto& r : outbox_.sent)
      if (r.final()) return r;
    static v1::ExecutionReport none;
    ADD_FAILURE() << "no final report";
    return none;
  }

  testing::TempDir dir_;
  std::unique_ptr<bus::Journal> journal_;
  FakeBroker broker_;
  FakeClock clock_;
  bus::TimerQueue timers_{clock_};
  FakeOutbox outbox_;
  config::ExecutionSettings execution_;
  bool feed_ = true;  // pushes reach the executor
};

TEST_F(ExecutorTest, AMarketCopyIsAMarketableLimitThatFills) {
  auto ex = Make();
  ASSERT_TRUE(ex->Apply(Instruction(1, "m1", 10, 500.0)));
  Settle(*ex);
  ASSERT_EQ(broker_.placed.size(), 1u);
  const auto& r = broker_.placed[0];
  EXPECT_EQ(r.ordertype, "LIMIT");  // never MARKET
  EXPECT_EQ(r.duration, "DAY");     // never IOC
  EXPECT_DOUBLE_EQ(r.price, 505.0);  // +1 % equity buffer
  EXPECT_EQ(r.ordertag, "ctm1");
  EXPECT_EQ(Outcomes(), (std::vector<v1::Outcome>{v1::OUTCOME_ACCEPTED, v1::OUTCOME_FILLED}));
  const auto& f = Final();
  EXPECT_EQ(f.filled_quantity(), 10);
  EXPECT_DOUBLE_EQ(f.average_price(), 500.0);
  EXPECT_DOUBLE_EQ(f.slippage_bps(), 0.0);
  EXPECT_EQ(f.broker_order_id(), broker_.Row(0).orderid());
  EXPECT_EQ(journal_->Cursor("follower-1"), 1u);
  EXPECT_EQ(ex->working(), 0u);
}

TEST_F(ExecutorTest, SameInstructionTwiceIsPlacedOnce) {
  auto ex = Make();
  ex->Apply(Instruction(1, "m1"));
  Settle(*ex);
  ex->Apply(Instruction(2, "m1"));  // same ordertag under a new seq
  Settle(*ex);
  EXPECT_EQ(broker_.place_calls, 1);
  EXPECT_EQ(journal_->Cursor("follower-1"), 2u);
}

TEST_F(ExecutorTest, WithoutAReferencePriceItAsksForTheLtp) {
  auto env = Instruction(1, "m1");
  env.mutable_copy_instruction()->set_reference_price(0);
  env.mutable_copy_instruction()->set_master_average_price(0);
  broker_.ltp = 420.0;
  auto ex = Make();
  ex->Apply(env);
  Settle(*ex);
  EXPECT_EQ(broker_.ltp_calls, 1);
  ASSERT_EQ(broker_.placed.size(), 1u);
  EXPECT_DOUBLE_EQ(broker_.placed[0].price, 424.2);
  EXPECT_EQ(Final().outcome(), v1::OUTCOME_FILLED);
}

TEST_F(ExecutorTest, DryRunPlacesNothingAndSaysAtWhatPrice) {
  auto ex = Make(/*dry_run=*/true);
  ex->Apply(Instruction(1, "m1"));
  Settle(*ex);
  EXPECT_EQ(broker_.place_calls, 0);
  ASSERT_EQ(outbox_.sent.size(), 1u);
  EXPECT_EQ(outbox_.sent[0].outcome(), v1::OUTCOME_DRY_RUN);
  EXPECT_EQ(outbox_.sent[0].order().ordertype(), "LIMIT");
  EXPECT_DOUBLE_EQ(outbox_.sent[0].order().price(), 505.0);
}

TEST_F(ExecutorTest, StaleInstructionIsRefused) {
  auto env = Instruction(1, "m1");
  clock_.advance(seconds(31));
  auto ex = Make();
  ex->Apply(env);
  Settle(*ex);
  EXPECT_EQ(broker_.place_calls, 0);
  EXPECT_EQ(Final().outcome(), v1::OUTCOME_STALE);
}

TEST_F(ExecutorTest, ARefusalIsRejectedWithTheBrokerCode) {
  broker_.failures.push_back({ErrorKind::kRejected, false});
  auto ex = Make();
  ex->Apply(Instruction(1, "m1"));
  Settle(*ex);
  EXPECT_EQ(Final().outcome(), v1::OUTCOME_REJECTED);
  EXPECT_EQ(Final().error_code(), "AB1009");
  EXPECT_EQ(broker_.place_calls, 1);
}

TEST_F(ExecutorTest, AcceptedThenRejectedIsARejectionWithTheBrokersText) {
  broker_.fills = false;
  auto ex = Make();
  ex->Apply(Instruction(1, "m1"));
  Settle(*ex);
  EXPECT_EQ(Outcomes(), std::vector<v1::Outcome>{v1::OUTCOME_ACCEPTED});
  broker_.Reject(broker_.Row(0).orderid(), "Your order has been rejected due to Insufficient Funds.");
  Settle(*ex);
  EXPECT_EQ(Final().outcome(), v1::OUTCOME_REJECTED);
  EXPECT_EQ(Final().error_text(), "Your order has been rejected due to Insufficient Funds.");
}

TEST_F(ExecutorTest, WithoutPushesTheOrderIsReadBackByDetailsThenTheBook) {
  feed_ = false;
  broker_.fills = false;
  execution_.followup_ms = 2000;
  auto ex = Make();
  ex->Apply(Instruction(1, "m1"));
  Settle(*ex);
  broker_.FillPart(broker_.Row(0).orderid(), 10);
  Advance(*ex, milliseconds(1900));
  EXPECT_EQ(broker_.details_calls, 0);
  EXPECT_FALSE(HasFinal()) << "not final before a read";
  Advance(*ex, milliseconds(200));
  EXPECT_EQ(broker_.details_calls, 1);
  EXPECT_EQ(Final().outcome(), v1::OUTCOME_FILLED);
}

TEST_F(ExecutorTest, WhenDetailsFailTheOrderBookIsRead) {
  feed_ = false;
  broker_.fills = false;
  auto ex = Make();
  ex->Apply(Instruction(1, "m1"));
  Settle(*ex);
  broker_.book[0].set_uniqueorderid("changed");  // details can no longer find it
  broker_.FillPart(broker_.Row(0).orderid(), 10);
  const int books = broker_.book_calls;
  Advance(*ex, milliseconds(2100));
  EXPECT_EQ(broker_.details_calls, 1);
  EXPECT_EQ(broker_.book_calls, books + 1);
  EXPECT_EQ(Final().outcome(), v1::OUTCOME_FILLED);
}

TEST_F(ExecutorTest, TheChaseRepricesToTheMovedLtpAndFillsAsOneOrder) {
  broker_.fills = false;
  auto ex = Make();
  ex->Apply(Instruction(1, "m1", 10, 500.0));  // LIMIT 505
  Settle(*ex);
  broker_.ltp = 506.0;  // moved past the limit before anything filled
  broker_.fills = true;
  Advance(*ex, milliseconds(1000));  // the first chase tick
  ASSERT_EQ(broker_.modify_calls, 1);
  // 506 + 1 % = 511.06 -> capped at 3 % over 500 = 515: 511.05 on the tick.
  EXPECT_DOUBLE_EQ(broker_.modifies[0].price, 511.05);
  EXPECT_EQ(broker_.place_calls, 1);
  EXPECT_EQ(Final().outcome(), v1::OUTCOME_FILLED);
  EXPECT_EQ(Final().modifications(), 1);
  EXPECT_DOUBLE_EQ(Final().average_price(), 506.0);
  EXPECT_NEAR(Final().slippage_bps(), 120.0, 1e-6);  // 6 on 500
}

TEST_F(ExecutorTest, TheChaseWaitsForALtpMoveOfATick) {
  broker_.fills = false;
  auto ex = Make();
  ex->Apply(Instruction(1, "m1", 10, 500.0));
  Settle(*ex);
  broker_.ltp = 500.02;  // 505.02 on the tick is the same 505.00
  Advance(*ex, milliseconds(3050));
  EXPECT_EQ(broker_.ltp_calls, 3);
  EXPECT_EQ(broker_.modify_calls, 0);
}

TEST_F(ExecutorTest, ARunawayPriceIsNeverChasedPastTheSlippageCapAndIsCancelled) {
  broker_.fills = false;
  execution_.chase_for_s = 5;
  auto ex = Make();
  ex->Apply(Instruction(1, "m1", 10, 500.0));
  Settle(*ex);
  broker_.SetLtp(530.0);  // 6 % away
  Advance(*ex, seconds(6));
  ASSERT_GE(broker_.modify_calls, 1);
  for (const auto& m : broker_.modifies) EXPECT_LE(m.price, 515.0);  // 3 % over the master's 500
  EXPECT_EQ(broker_.modify_calls, 1) << "at the cap there is nothing left to re-price";
  EXPECT_EQ(broker_.cancel_calls, 1);
  const auto& f = Final();
  EXPECT_EQ(f.outcome(), v1::OUTCOME_CANCELLED);
  EXPECT_EQ(f.filled_quantity(), 0);
  EXPECT_NE(f.reason().find("max_slippage_pct"), std::string::npos) << f.reason();
  EXPECT_EQ(broker_.Row(0).status(), "cancelled");
}

TEST_F(ExecutorTest, APartFilledWhenTheChaseEndsIsPartiallyFilled) {
  broker_.fills = false;
  execution_.chase_for_s = 3;
  auto ex = Make();
  ex->Apply(Instruction(1, "m1", 10, 500.0));
  Settle(*ex);
  broker_.FillPart(broker_.Row(0).orderid(), 4);
  Advance(*ex, seconds(4));
  const auto& f = Final();
  EXPECT_EQ(f.outcome(), v1::OUTCOME_PARTIALLY_FILLED);
  EXPECT_EQ(f.filled_quantity(), 4);
  EXPECT_NE(f.reason().find("chase_for_s"), std::string::npos) << f.reason();
}

TEST_F(ExecutorTest, SeveralCopiesAreInFlightAtOnce) {
  broker_.fills = false;
  auto ex = Make();
  ex->Apply(Instruction(1, "m1"));
  ex->Apply(Instruction(2, "m2"));
  ex->Apply(Instruction(3, "m3"));
  EXPECT_EQ(broker_.place_calls, 3) << "a copy being worked never holds up the next";
  Settle(*ex);
  EXPECT_EQ(ex->working(), 3u);
  broker_.fills = true;
  broker_.SetLtp(499.0);
  Settle(*ex);
  EXPECT_EQ(ex->working(), 0u);
}

TEST_F(ExecutorTest, LostReplyIsFoundInTheBookNotPlacedTwice) {
  broker_.failures.push_back({ErrorKind::kUnknownOutcome, /*order_lands=*/true});
  feed_ = false;
  auto ex = Make();
  ex->Apply(Instruction(1, "m1"));
  Settle(*ex);
  EXPECT_EQ(broker_.place_calls, 1);
  EXPECT_EQ(broker_.book_calls, 1);
  EXPECT_EQ(broker_.book.size(), 1u);
  EXPECT_EQ(Final().outcome(), v1::OUTCOME_FILLED);
  EXPECT_EQ(Final().broker_order_id(), broker_.Row(0).orderid());
}

TEST_F(ExecutorTest, UnknownOutcomeAbsentFromTheBookIsPlacedAgainOnce) {
  broker_.failures.push_back({ErrorKind::kUnknownOutcome, /*order_lands=*/false});
  auto ex = Make();
  ex->Apply(Instruction(1, "m1"));
  Settle(*ex);
  // Absent is believed only after several reads of the book.
  EXPECT_EQ(broker_.book_calls, Copy::kAbsentAfterReads);
  EXPECT_EQ(broker_.place_calls, 2);
  EXPECT_EQ(broker_.book.size(), 1u);
  EXPECT_EQ(Final().outcome(), v1::OUTCOME_FILLED);
}

TEST_F(ExecutorTest, AnUnreadableBookIsNeverTakenForAbsent) {
  broker_.failures.push_back({ErrorKind::kUnknownOutcome, /*order_lands=*/false});
  broker_.book_down = true;
  auto ex = Make();
  ex->Apply(Instruction(1, "m1"));
  Advance(*ex, seconds(10));
  EXPECT_EQ(broker_.place_calls, 1);
  EXPECT_GE(broker_.book_calls, 5);
  broker_.book_down = false;
  Advance(*ex, seconds(5));
  EXPECT_EQ(broker_.place_calls, 2);
  EXPECT_EQ(Final().outcome(), v1::OUTCOME_FILLED);
}

TEST_F(ExecutorTest, AThrottledPlaceIsSentAgainLater) {
  broker_.failures.push_back({ErrorKind::kThrottled, false});
  auto ex = Make();
  ex->Apply(Instruction(1, "m1"));
  Settle(*ex);
  EXPECT_EQ(broker_.place_calls, 1);
  Advance(*ex, milliseconds(300));
  EXPECT_EQ(broker_.place_calls, 2);
  EXPECT_EQ(Final().outcome(), v1::OUTCOME_FILLED);
}

TEST_F(ExecutorTest, AStopLossMarketBecomesAStopLimitOffItsTrigger) {
  auto env = Instruction(1, "m1");
  auto* ci = env.mutable_copy_instruction();
  ci->set_execution(v1::EXECUTION_UNSPECIFIED);
  ci->set_reference_price(0);
  ci->set_master_average_price(0);
  ci->mutable_order()->set_ordertype("STOPLOSS_MARKET");
  ci->mutable_order()->set_variety("STOPLOSS");
  ci->mutable_order()->set_triggerprice(520.0);
  auto ex = Make();
  ex->Apply(env);
  Settle(*ex);
  ASSERT_EQ(broker_.placed.size(), 1u);
  EXPECT_EQ(broker_.placed[0].ordertype, "STOPLOSS_LIMIT");
  EXPECT_EQ(broker_.placed[0].variety, "STOPLOSS");
  EXPECT_DOUBLE_EQ(broker_.placed[0].triggerprice, 520.0);
  EXPECT_DOUBLE_EQ(broker_.placed[0].price, 525.2);  // +1 %, inside 3 % of the trigger
  EXPECT_EQ(Outcomes(), std::vector<v1::Outcome>{v1::OUTCOME_ACCEPTED});
}

TEST_F(ExecutorTest, CancelAllCancelsEveryOpenCopy) {
  broker_.fills = false;
  auto ex = Make();
  ex->Apply(Instruction(1, "m1"));
  ex->Apply(Instruction(2, "m2"));
  Settle(*ex);
  v1::Envelope stop;
  stop.set_stream_id("follower-1");
  stop.set_seq(3);
  stop.mutable_copy_instruction()->set_follower_id("follower-1");
  stop.mutable_copy_instruction()->set_action(v1::COPY_ACTION_CANCEL_ALL);
  ex->Apply(stop);
  Settle(*ex);
  EXPECT_EQ(broker_.cancel_calls, 2);
  for (const auto& o : broker_.book) EXPECT_EQ(o.status(), "cancelled");
  EXPECT_EQ(ex->working(), 0u);
  EXPECT_EQ(journal_->Cursor("follower-1"), 3u);
}

TEST_F(ExecutorTest, ARestartDuringAChaseReadsTheOrderBackAndCarriesOn) {
  broker_.fills = false;
  {
    auto ex = Make();
    ex->Apply(Instruction(1, "m1", 10, 500.0));
    Settle(*ex);
    ASSERT_EQ(ex->working(), 1u);
  }  // killed: nothing more is journaled
  broker_.queue.clear();
  outbox_.sent.clear();
  broker_.SetLtp(508.0);  // still not through the 505 limit
  broker_.fills = true;
  broker_.pushes.clear();
  auto restarted = Make();
  restarted->Resume();
  Settle(*restarted);
  EXPECT_EQ(broker_.details_calls, 1) << "the order is read back by its uniqueorderid";
  Advance(*restarted, milliseconds(1100));
  EXPECT_EQ(broker_.place_calls, 1) << "never a second order for the copy";
  EXPECT_EQ(broker_.modify_calls, 1);
  EXPECT_EQ(Final().outcome(), v1::OUTCOME_FILLED);
  EXPECT_DOUBLE_EQ(Final().average_price(), 508.0);
}

TEST_F(ExecutorTest, AnIntentWithoutAnOutcomeIsResolvedByOrdertagAfterARestart) {
  // The broker kept the order but the reply was lost, and the book could
  // not be read: the copy stays unresolved, as after a crash mid-call.
  broker_.failures.push_back({ErrorKind::kUnknownOutcome, /*order_lands=*/true});
  broker_.book_down = true;
  feed_ = false;
  {
    auto ex = Make();
    ex->Apply(Instruction(1, "m1"));
    Settle(*ex);
  }
  ASSERT_EQ(broker_.book.size(), 1u);
  broker_.book_down = false;
  broker_.queue.clear();
  outbox_.sent.clear();
  auto restarted = Make();
  restarted->Resume();
  Settle(*restarted);
  EXPECT_EQ(broker_.place_calls, 1);  // found, not placed again
  EXPECT_EQ(Final().outcome(), v1::OUTCOME_FILLED);
  // Finished copies are not carried on again.
  outbox_.sent.clear();
  auto again = Make();
  again->Resume();
  Settle(*again);
  EXPECT_TRUE(outbox_.sent.empty());
}

TEST_F(ExecutorTest, ACopyNotYetSentAtStopIsPlacedAtTheNextStart) {
  broker_.failures.push_back({ErrorKind::kTransport, false});  // "not sent: stopping"
  {
    auto ex = Make();
    ex->Apply(Instruction(1, "m1"));
    Settle(*ex);
  }
  EXPECT_TRUE(broker_.book.empty());
  auto restarted = Make();
  restarted->Resume();
  Advance(*restarted, milliseconds(500));
  EXPECT_EQ(broker_.book.size(), 1u);
  EXPECT_EQ(Final().outcome(), v1::OUTCOME_FILLED);
}

TEST_F(ExecutorTest, ReportsCarryTimingsFromDetection) {
  auto env = Instruction(1, "m1");
  env.mutable_copy_instruction()->set_detected_time_ns(clock_.wall_ns() - 2'000'000);  // 2 ms ago
  env.mutable_copy_instruction()->set_routed_time_ns(clock_.wall_ns() - 1'000'000);
  auto ex = Make();
  ex->Apply(env);
  Settle(*ex);
  const auto& t = Final().timings();
  EXPECT_DOUBLE_EQ(t.routed_ms(), 1.0);
  EXPECT_DOUBLE_EQ(t.instruction_received_ms(), 2.0);
  EXPECT_DOUBLE_EQ(t.request_sent_ms(), 2.0);
  EXPECT_DOUBLE_EQ(t.accepted_ms(), 2.0);
  EXPECT_DOUBLE_EQ(t.final_ms(), 2.0);
}

// ---- mirror mode: resting copies, modify and cancel ------------------------------

class MirrorTest : public ExecutorTest {
 protected:
  // The master's resting order (LIMIT / STOPLOSS_LIMIT / STOPLOSS_MARKET)
  // copied at placement.
  v1::Envelope Resting(uint64_t seq, const std::string& master_id, const std::string& type, double price,
                       double trigger, int64_t qty, const std::string& side = "BUY") {
    auto env = Instruction(seq, master_id, qty, 0.0, side);
    auto* ci = env.mutable_copy_instruction();
    ci->set_execution(v1::EXECUTION_RESTING);
    ci->set_reference_price(0);
    ci->set_master_average_price(0);
    auto* o = ci->mutable_order();
    o->set_ordertype(type);
    o->set_variety(type.rfind("STOPLOSS", 0) == 0 ? "STOPLOSS" : "NORMAL");
    o->set_price(price);
    o->set_triggerprice(trigger);
    return env;
  }
  v1::Envelope Change(uint64_t seq, const std::string& master_id, v1::CopyAction action, const std::string& type = "",
                      double price = 0, double trigger = 0, int64_t qty = 0) {
    v1::Envelope env;
    env.set_stream_id("follower-1");
    env.set_seq(seq);
    auto* ci = env.mutable_copy_instruction();
    ci->set_follower_id("follower-1");
    ci->set_master_order_id(master_id);
    ci->set_action(action);
    ci->set_target_ordertag("ct" + master_id);
    ci->set_master_event_time_ns(clock_.wall_ns());
    auto* o = ci->mutable_order();
    o->set_tradingsymbol("SBIN-EQ");
    o->set_symboltoken("3045");
    o->set_exchange("NSE");
    o->set_producttype("INTRADAY");
    o->set_transactiontype("BUY");
    o->set_ordertype(type);
    o->set_price(price);
    o->set_triggerprice(trigger);
    o->set_quantity(qty);
    return env;
  }
  const v1::ExecutionReport* ReportFor(const std::string& key) const {
    for (const auto& r : outbox_.sent)
      if (r.ordertag() == key) return &r;
    return nullptr;
  }
};

TEST_F(MirrorTest, ALimitRestsAtTheMastersPriceAndFollowsEachModifyThenTheCancel) {
  auto ex = Make();
  ex->Apply(Resting(1, "m1", "LIMIT", 480.0, 0, 10));  // LTP 500: a BUY at 480 rests
  Settle(*ex);
  ASSERT_EQ(broker_.placed.size(), 1u);
  EXPECT_EQ(broker_.placed[0].ordertype, "LIMIT");
  EXPECT_DOUBLE_EQ(broker_.placed[0].price, 480.0);
  EXPECT_EQ(broker_.Row(0).status(), "open");

  ex->Apply(Change(2, "m1", v1::COPY_ACTION_MODIFY, "LIMIT", 485.0, 0, 10));
  Settle(*ex);
  ASSERT_EQ(broker_.modify_calls, 1);
  EXPECT_DOUBLE_EQ(broker_.Row(0).price(), 485.0);
  EXPECT_EQ(broker_.Row(0).quantity(), 10);

  ex->Apply(Change(3, "m1", v1::COPY_ACTION_MODIFY, "LIMIT", 485.0, 0, 20));
  Settle(*ex);
  ASSERT_EQ(broker_.modify_calls, 2);
  EXPECT_EQ(broker_.Row(0).quantity(), 20);

  ex->Apply(Change(4, "m1", v1::COPY_ACTION_CANCEL));
  Settle(*ex);
  EXPECT_EQ(broker_.Row(0).status(), "cancelled");
  EXPECT_EQ(Final().outcome(), v1::OUTCOME_CANCELLED);
  EXPECT_EQ(broker_.place_calls, 1);
  EXPECT_EQ(journal_->Cursor("follower-1"), 4u);
  EXPECT_EQ(ex->working(), 0u);
}

TEST_F(MirrorTest, AModifyAfterTheCopyFilledIsReportedAndPlacesNothing) {
  auto ex = Make();
  ex->Apply(Resting(1, "m1", "LIMIT", 480.0, 0, 10));
  Settle(*ex);
  broker_.SetLtp(479.0);  // the copy fills
  Settle(*ex);
  ASSERT_EQ(Final().outcome(), v1::OUTCOME_FILLED);
  ex->Apply(Change(2, "m1", v1::COPY_ACTION_MODIFY, "LIMIT", 470.0, 0, 10));
  Settle(*ex);
  EXPECT_EQ(broker_.place_calls, 1);
  EXPECT_EQ(broker_.modify_calls, 0);
  const auto* r = ReportFor("ctm1/m2");
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->outcome(), v1::OUTCOME_SKIPPED);
  EXPECT_EQ(r->target_ordertag(), "ctm1");
  EXPECT_EQ(r->action(), v1::COPY_ACTION_MODIFY);
  EXPECT_NE(r->reason().find("already ended (FILLED, 10 of 10 filled)"), std::string::npos) << r->reason();
  // A cancel after the end likewise.
  ex->Apply(Change(3, "m1", v1::COPY_ACTION_CANCEL));
  Settle(*ex);
  EXPECT_EQ(broker_.cancel_calls, 0);
  ASSERT_NE(ReportFor("ctm1/c3"), nullptr);
  EXPECT_EQ(journal_->Cursor("follower-1"), 3u);
}

TEST_F(MirrorTest, AModifyOfAnOrderNeverCopiedIsReported) {
  auto ex = Make();
  ex->Apply(Change(1, "m9", v1::COPY_ACTION_MODIFY, "LIMIT", 470.0, 0, 10));
  Settle(*ex);
  EXPECT_EQ(broker_.place_calls + broker_.modify_calls, 0);
  const auto* r = ReportFor("ctm9/m1");
  ASSERT_NE(r, nullptr);
  EXPECT_NE(r->reason().find("not copied"), std::string::npos);
}

TEST_F(MirrorTest, AModifyWhilePlacingWaitsAndOnlyTheLatestIsSent) {
  auto ex = Make();
  ex->Apply(Resting(1, "m1", "LIMIT", 480.0, 0, 10));
  // Before placeOrder answers, two modifies.
  ex->Apply(Change(2, "m1", v1::COPY_ACTION_MODIFY, "LIMIT", 482.0, 0, 10));
  ex->Apply(Change(3, "m1", v1::COPY_ACTION_MODIFY, "LIMIT", 484.0, 0, 10));
  EXPECT_EQ(broker_.modify_calls, 0);
  Settle(*ex);
  EXPECT_EQ(broker_.modify_calls, 1);
  EXPECT_DOUBLE_EQ(broker_.Row(0).price(), 484.0);
}

TEST_F(MirrorTest, ATrailingStopLossIsFollowedEachTime) {
  auto ex = Make();
  // A SELL stop-loss below the market, trailed up three times.
  ex->Apply(Resting(1, "m1", "STOPLOSS_LIMIT", 489.0, 490.0, 10, "SELL"));
  Settle(*ex);
  ASSERT_EQ(broker_.placed.size(), 1u);
  EXPECT_EQ(broker_.placed[0].ordertype, "STOPLOSS_LIMIT");
  EXPECT_EQ(broker_.placed[0].variety, "STOPLOSS");
  EXPECT_DOUBLE_EQ(broker_.placed[0].triggerprice, 490.0);
  EXPECT_DOUBLE_EQ(broker_.placed[0].price, 489.0);
  for (int i = 1; i <= 3; ++i) {
    auto env = Change(1 + i, "m1", v1::COPY_ACTION_MODIFY, "STOPLOSS_LIMIT", 489.0 + i, 490.0 + i, 10);
    env.mutable_copy_instruction()->mutable_order()->set_transactiontype("SELL");
    ex->Apply(env);
    Settle(*ex);
    ASSERT_EQ(broker_.modify_calls, i);
    EXPECT_DOUBLE_EQ(broker_.Row(0).triggerprice(), 490.0 + i);
    EXPECT_DOUBLE_EQ(broker_.Row(0).price(), 489.0 + i);
    EXPECT_EQ(broker_.modifies.back().variety, "STOPLOSS");
  }
  EXPECT_EQ(broker_.place_calls, 1);
  EXPECT_EQ(ex->working(), 1u);
}

TEST_F(MirrorTest, AStopLossMarketRestsAsAStopLimitOffItsTrigger) {
  auto ex = Make();
  ex->Apply(Resting(1, "m1", "STOPLOSS_MARKET", 0, 520.0, 10));
  Settle(*ex);
  ASSERT_EQ(broker_.placed.size(), 1u);
  EXPECT_EQ(broker_.placed[0].ordertype, "STOPLOSS_LIMIT");
  EXPECT_DOUBLE_EQ(broker_.placed[0].triggerprice, 520.0);
  EXPECT_DOUBLE_EQ(broker_.placed[0].price, 525.2);
}

TEST_F(MirrorTest, ARestingCopyIsNotChased) {
  auto ex = Make();
  ex->Apply(Resting(1, "m1", "LIMIT", 480.0, 0, 10));
  Settle(*ex);
  broker_.SetLtp(490.0);
  Advance(*ex, seconds(40));
  EXPECT_EQ(broker_.modify_calls, 0);
  EXPECT_EQ(broker_.cancel_calls, 0);
  EXPECT_EQ(ex->working(), 1u);
  // And it is followed to its fill.
  broker_.SetLtp(479.0);
  Settle(*ex);
  EXPECT_EQ(Final().outcome(), v1::OUTCOME_FILLED);
}

TEST_F(MirrorTest, TheMapSurvivesARestart) {
  {
    auto ex = Make();
    ex->Apply(Resting(1, "m1", "LIMIT", 480.0, 0, 10));
    Settle(*ex);
  }
  broker_.queue.clear();
  broker_.pushes.clear();
  auto restarted = Make();
  restarted->Resume();
  Settle(*restarted);
  restarted->Apply(Change(2, "m1", v1::COPY_ACTION_MODIFY, "LIMIT", 486.0, 0, 10));
  Settle(*restarted);
  EXPECT_EQ(broker_.modify_calls, 1);
  EXPECT_DOUBLE_EQ(broker_.Row(0).price(), 486.0);
  restarted->Apply(Change(3, "m1", v1::COPY_ACTION_CANCEL));
  Settle(*restarted);
  EXPECT_EQ(broker_.Row(0).status(), "cancelled");
  EXPECT_EQ(broker_.place_calls, 1);
}

TEST_F(MirrorTest, APartFillThenTheMastersCancelIsPartiallyFilled) {
  auto ex = Make();
  ex->Apply(Resting(1, "m1", "LIMIT", 480.0, 0, 10));
  Settle(*ex);
  broker_.FillPart(broker_.Row(0).orderid(), 4);
  Settle(*ex);
  ex->Apply(Change(2, "m1", v1::COPY_ACTION_CANCEL));
  Settle(*ex);
  EXPECT_EQ(Final().outcome(), v1::OUTCOME_PARTIALLY_FILLED);
  EXPECT_EQ(Final().filled_quantity(), 4);
}

// ---- positions and exits -------------------------------------------------------

TEST(ExitSizing, RoundsDownToWholeLotsAndNeverSellsMoreThanHeld) {
  EXPECT_EQ(SizeExit(150, true, 0.5, false, 75, 0).quantity, 75);
  EXPECT_EQ(SizeExit(225, true, 0.5, false, 75, 0).quantity, 75);   // 112.5 -> one lot
  EXPECT_EQ(SizeExit(150, true, 1.0, false, 75, 0).quantity, 150);
  EXPECT_EQ(SizeExit(150, true, 0.0, true, 75, 0).quantity, 150);   // flatten
  EXPECT_EQ(SizeExit(160, true, 0.0, true, 75, 0).quantity, 160);   // no residue, lots or not
  EXPECT_EQ(SizeExit(150, true, 0.0, true, 75, 75).quantity, 75);   // 75 already on its way out
  EXPECT_EQ(SizeExit(-150, false, 0.5, false, 75, 0).quantity, 75); // buying back a short
  EXPECT_EQ(SizeExit(75, true, 0.5, false, 75, 0).quantity, 0);     // half a lot: nothing
  EXPECT_NE(SizeExit(75, true, 0.5, false, 75, 0).skipped.find("less than one lot"), std::string::npos);
  EXPECT_NE(SizeExit(0, true, 0.5, false, 75, 0).skipped.find("holds no long position"), std::string::npos);
  EXPECT_NE(SizeExit(150, false, 0.5, false, 75, 0).skipped.find("no short position"), std::string::npos);
  EXPECT_NE(SizeExit(150, true, 0.5, true, 75, 150).skipped.find("in flight"), std::string::npos);
}

TEST(ExitSizing, LegsUnderTheFreezeQuantityInWholeLots) {
  EXPECT_EQ(SliceLegs(3600, 1800, 75), (std::vector<int64_t>{1800, 1800}));
  EXPECT_EQ(SliceLegs(4000, 1800, 75), (std::vector<int64_t>{1800, 1800, 400}));
  EXPECT_EQ(SliceLegs(1000, 1000, 30), (std::vector<int64_t>{990, 10}));  // 1000 is not whole lots of 30
  EXPECT_EQ(SliceLegs(150, 0, 75), (std::vector<int64_t>{150}));
  EXPECT_EQ(SliceLegs(150, 1800, 75), (std::vector<int64_t>{150}));
}

class ExitTest : public ExecutorTest {
 protected:
  void SetUp() override {
    ExecutorTest::SetUp();
    broker_.ltp = 100.0;
  }
  std::unique_ptr<Executor> MakeWith(int64_t freeze, int64_t max_quantity = 0, double max_order_value = 0) {
    ExecutorOptions o;
    o.follower_id = "follower-1";
    o.dry_run = false;
    o.execution = execution_;
    o.max_quantity = max_quantity;
    o.max_order_value = max_order_value;
    o.copy_failed = [this](const std::string& text) { alerts_.push_back(text); };
    auto lookup = [freeze](const v1::Order& order) {
      InstrumentInfo info = InstrumentFromOrder(order);
      info.lot_size = 75;
      info.freeze_quantity = freeze;
      return info;
    };
    auto ex = std::make_unique<Executor>(o, *journal_, broker_, timers_, clock_, outbox_, lookup);
    ex->Resume();  // as at start: the positions are read
    Settle(*ex);
    return ex;
  }
  // A NIFTY option copy: an entry sized by the router, or an exit sized here.
  v1::Envelope Option(uint64_t seq, const std::string& master_id, const std::string& side, int64_t qty,
                      double exit_fraction = -1, bool flatten = false) {
    auto env = Instruction(seq, master_id, qty, 100.0, side);
    auto* ci = env.mutable_copy_instruction();
    auto* o = ci->mutable_order();
    o->set_tradingsymbol("NIFTY01DEC2626000CE");
    o->set_symboltoken("43501");
    o->set_exchange("NFO");
    o->set_producttype("CARRYFORWARD");
    o->set_lotsize(75);
    if (exit_fraction >= 0 || flatten) {
      ci->mutable_exit()->set_fraction(exit_fraction < 0 ? 0 : exit_fraction);
      ci->mutable_exit()->set_flatten(flatten);
    }
    return env;
  }
  // Applies like the stream: again (after the loop ran) when refused for now.
  void Feed(Executor& ex, const v1::Envelope& env) {
    for (int i = 0; i < 5 && !ex.Apply(env); ++i) Settle(ex);
    Settle(ex);
  }
  int64_t Net(const Executor& ex) const {
    v1::Order o;
    o.set_exchange("NFO");
    o.set_symboltoken("43501");
    o.set_producttype("CARRYFORWARD");
    return ex.positions().Net(o);
  }
  int64_t SoldTotal() const {
    int64_t n = 0;
    for (const auto& r : broker_.placed)
      if (r.transactiontype == "SELL") n += r.quantity;
    return n;
  }
  std::vector<std::string> alerts_;
};

TEST_F(ExitTest, OneAndAHalfTimesEntersInTwoStepsAndLeavesFlatInOne) {
  // 1.5 x 75 = 112.5 -> 75 (whole lots, the router's sizing) twice; the
  // master's SELL 150 takes it flat: the follower sells 150, not 225.
  auto ex = MakeWith(1800);
  Feed(*ex, Option(1, "b1", "BUY", 75));
  Feed(*ex, Option(2, "b2", "BUY", 75));
  EXPECT_EQ(Net(*ex), 150);
  Feed(*ex, Option(3, "s1", "SELL", 225, 0.0, /*flatten=*/true));
  EXPECT_EQ(SoldTotal(), 150);
  EXPECT_EQ(Net(*ex), 0) << "flat, not short";
  EXPECT_EQ(Final().outcome(), v1::OUTCOME_FILLED);
}

TEST_F(ExitTest, HalfSizeEntersAndLeavesInWholeLots) {
  // 0.5 x: BUY 300 -> 150; SELL 150 of 300 (half) -> 75; SELL 150 (flat) -> 75.
  auto ex = MakeWith(1800);
  Feed(*ex, Option(1, "b1", "BUY", 150));
  EXPECT_EQ(Net(*ex), 150);
  Feed(*ex, Option(2, "s1", "SELL", 75, 0.5));
  ASSERT_EQ(broker_.placed.size(), 2u);
  EXPECT_EQ(broker_.placed[1].quantity, 75);
  EXPECT_EQ(Net(*ex), 75);
  Feed(*ex, Option(3, "s2", "SELL", 75, 0.0, true));
  ASSERT_EQ(broker_.placed.size(), 3u);
  EXPECT_EQ(broker_.placed[2].quantity, 75);
  EXPECT_EQ(Net(*ex), 0);
  for (const auto& r : broker_.placed) EXPECT_EQ(r.quantity % 75, 0) << "whole lots throughout";
}

TEST_F(ExitTest, ThePositionAtStartComesFromGetPosition) {
  smartapi::Position p;
  p.exchange = "NFO";
  p.symboltoken = "43501";
  p.tradingsymbol = "NIFTY01DEC2626000CE";
  p.producttype = "CARRYFORWARD";
  p.netqty = 225;
  p.pnl = -1250.5;
  broker_.positions = {p};
  auto ex = MakeWith(1800);
  EXPECT_EQ(Net(*ex), 225);
  Feed(*ex, Option(1, "s1", "SELL", 150, 1.0 / 3.0));  // a third of 225 = 75
  ASSERT_EQ(broker_.placed.size(), 1u);
  EXPECT_EQ(broker_.placed[0].quantity, 75);
  EXPECT_EQ(Net(*ex), 150);
}

TEST_F(ExitTest, AnExitWaitsForThePositionsToBeKnown) {
  broker_.positions_down = true;
  auto ex = MakeWith(1800);
  EXPECT_FALSE(ex->Apply(Option(1, "s1", "SELL", 75, 0.5)));
  Settle(*ex);
  EXPECT_FALSE(ex->Apply(Option(1, "s1", "SELL", 75, 0.5)));
  EXPECT_EQ(broker_.place_calls, 0);
  EXPECT_EQ(journal_->Cursor("follower-1"), 0u);
}

TEST_F(ExitTest, NothingHeldIsSkippedWithTheReason) {
  auto ex = MakeWith(1800);
  Feed(*ex, Option(1, "s1", "SELL", 75, 0.5));
  EXPECT_EQ(broker_.place_calls, 0);
  EXPECT_EQ(Final().outcome(), v1::OUTCOME_SKIPPED);
  EXPECT_NE(Final().reason().find("holds no long position"), std::string::npos) << Final().reason();
  EXPECT_EQ(journal_->Cursor("follower-1"), 1u);
}

TEST_F(ExitTest, TwoExitsInFlightNeverSellMoreThanHeld) {
  auto ex = MakeWith(1800);
  Feed(*ex, Option(1, "b1", "BUY", 150));
  broker_.fills = false;  // the first exit rests unfilled
  Feed(*ex, Option(2, "s1", "SELL", 75, 0.5));
  Feed(*ex, Option(3, "s2", "SELL", 75, 0.0, true));
  EXPECT_EQ(SoldTotal(), 150) << "75 in flight + the remaining 75";
}

TEST_F(ExitTest, AnExitOverTheFreezeQuantityIsSlicedIntoLegs) {
  auto ex = MakeWith(1800);
  Feed(*ex, Option(1, "b1", "BUY", 1800));
  Feed(*ex, Option(2, "b2", "BUY", 1800));
  ASSERT_EQ(Net(*ex), 3600);
  Feed(*ex, Option(3, "s1", "SELL", 3600, 0.0, true));
  ASSERT_EQ(broker_.placed.size(), 4u);
  EXPECT_EQ(broker_.placed[2].quantity, 1800);
  EXPECT_EQ(broker_.placed[3].quantity, 1800);
  EXPECT_EQ(broker_.placed[2].ordertag, "cts1");
  EXPECT_EQ(broker_.placed[3].ordertag, LegTag("cts1", 1));
  EXPECT_EQ(broker_.placed[3].ordertag.size(), 15u);
  EXPECT_EQ(Net(*ex), 0);
}

TEST_F(ExitTest, CapsAreCheckedAgainBeforePlacing) {
  auto ex = MakeWith(1800, /*max_quantity=*/150, /*max_order_value=*/20'000);
  Feed(*ex, Option(1, "b1", "BUY", 225));  // over max_quantity
  EXPECT_EQ(broker_.place_calls, 0);
  EXPECT_NE(Final().reason().find("over max_quantity 150"), std::string::npos) << Final().reason();
  outbox_.sent.clear();
  Feed(*ex, Option(2, "b2", "BUY", 150));  // 150 x 100 = 15000: inside
  EXPECT_EQ(broker_.place_calls, 1);
  outbox_.sent.clear();
  auto big = Option(3, "b3", "BUY", 150);
  big.mutable_copy_instruction()->set_reference_price(200.0);  // 30000 > 20000
  Feed(*ex, big);
  EXPECT_EQ(broker_.place_calls, 1);
  EXPECT_NE(Final().reason().find("over max_order_value"), std::string::npos) << Final().reason();
}

TEST_F(ExitTest, StateOnTheStreamWhenItChangesAndTheStatusExtras) {
  smartapi::Position p;
  p.exchange = "NFO";
  p.symboltoken = "43501";
  p.producttype = "CARRYFORWARD";
  p.netqty = 0;
  p.pnl = -420.0;
  broker_.positions = {p};
  auto ex = MakeWith(1800);
  ex->SetFeedConnected(true);
  ex->Tick();
  Settle(*ex);
  ex->Tick();  // unchanged: not sent again
  Settle(*ex);
  ASSERT_FALSE(outbox_.states.empty());
  const auto& s = outbox_.states.back();
  EXPECT_EQ(s.follower_id(), "follower-1");
  EXPECT_TRUE(s.broker_ok());
  EXPECT_TRUE(s.order_feed_connected());
  EXPECT_TRUE(s.day_pnl_known());
  EXPECT_DOUBLE_EQ(s.day_pnl(), -420.0);
  const size_t before = outbox_.states.size();
  ex->Tick();
  Settle(*ex);
  EXPECT_EQ(outbox_.states.size(), before);
  Feed(*ex, Option(1, "b1", "BUY", 75));
  ex->Tick();
  Settle(*ex);
  ASSERT_GT(outbox_.states.size(), before);
  ASSERT_EQ(outbox_.states.back().positions_size(), 1);
  EXPECT_EQ(outbox_.states.back().positions(0).net_quantity(), 75);
  broker_.failures.push_back({ErrorKind::kRejected, false});
  Feed(*ex, Option(2, "b2", "BUY", 75));
  ASSERT_EQ(alerts_.size(), 1u);
  EXPECT_NE(alerts_[0].find("REJECTED"), std::string::npos);
  const auto extras = ex->StatusExtras();
  EXPECT_EQ(extras["follower_id"], "follower-1");
  EXPECT_EQ(extras["broker_ok"], true);
  EXPECT_EQ(extras["feed_connected"], true);
  EXPECT_EQ(extras["working_copies"], 0);
  EXPECT_EQ(extras["copies_today"]["FILLED"], 1);
  EXPECT_EQ(extras["copies_today"]["REJECTED"], 1);
  EXPECT_NE(extras["last_error"].get<std::string>().find("REJECTED"), std::string::npos);
}

TEST_F(ExitTest, TheRoutersLegsOfOneExitAreSizedOnceWithTheFirst) {
  auto ex = MakeWith(1800);
  Feed(*ex, Option(1, "b1", "BUY", 150));
  // The router's estimate in two legs of 75 (its view of the position
  // lagged); the follower holds 150: the first leg sells all of it.
  for (int leg = 0; leg < 2; ++leg) {
    auto env = Option(2 + leg, "s1", "SELL", 75, 0.0, true);
    auto* ci = env.mutable_copy_instruction();
    ci->set_ordertag(leg == 0 ? "cts1" : "cts1b");
    ci->mutable_order()->set_ordertag(ci->ordertag());
    ci->set_copy_id("cts1");
    ci->set_leg(leg);
    ci->set_legs(2);
    Feed(*ex, env);
  }
  EXPECT_EQ(SoldTotal(), 150);
  EXPECT_EQ(Net(*ex), 0);
  EXPECT_EQ(outbox_.sent.back().outcome(), v1::OUTCOME_SKIPPED);
  EXPECT_NE(outbox_.sent.back().reason().find("first leg"), std::string::npos);
}

TEST_F(MirrorTest, AChangeNamingOneLegLeavesTheOtherLegsAlone) {
  auto ex = Make();
  for (int leg = 0; leg < 2; ++leg) {
    auto env = Resting(1 + leg, "m1", "LIMIT", 480.0, 0, 10);
    auto* ci = env.mutable_copy_instruction();
    ci->set_ordertag(leg == 0 ? "ctm1" : "ctm1b");
    ci->mutable_order()->set_ordertag(ci->ordertag());
    ci->set_copy_id("ctm1");
    ci->set_leg(leg);
    ci->set_legs(2);
    ex->Apply(env);
  }
  Settle(*ex);
  ASSERT_EQ(broker_.book.size(), 2u);
  auto modify = Change(3, "m1", v1::COPY_ACTION_MODIFY, "LIMIT", 482.0, 0, 5);
  modify.mutable_copy_instruction()->set_target_ordertag("ctm1b");
  ex->Apply(modify);
  Settle(*ex);
  EXPECT_DOUBLE_EQ(broker_.Row(0).price(), 480.0);
  EXPECT_DOUBLE_EQ(broker_.Row(1).price(), 482.0);
  EXPECT_EQ(broker_.Row(1).quantity(), 5);
  auto cancel = Change(4, "m1", v1::COPY_ACTION_CANCEL);
  cancel.mutable_copy_instruction()->set_target_ordertag("ctm1b");
  cancel.mutable_copy_instruction()->mutable_order()->set_text("the master reduced its order's quantity");
  ex->Apply(cancel);
  Settle(*ex);
  EXPECT_EQ(broker_.Row(0).status(), "open");
  EXPECT_EQ(broker_.Row(1).status(), "cancelled");
  EXPECT_EQ(Final().reason(), "the master reduced its order's quantity");
  // Without a known target: every leg of the master order.
  auto all = Change(5, "m1", v1::COPY_ACTION_CANCEL);
  all.mutable_copy_instruction()->set_target_ordertag("");
  ex->Apply(all);
  Settle(*ex);
  EXPECT_EQ(broker_.Row(0).status(), "cancelled");
}

}  // namespace
}  // namespace ct::executor
