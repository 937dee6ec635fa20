// The watcher's change detection (OrderTracker): every change of a master
// order once, in order, never back; pushes and polls of one change give one
// event; stale polls move orders only forward; the master's positions. Then
// the pieces around it: the store, the baseline read, the token hand-over,
// and a Watcher over a real journal across a restart.
#include <gtest/gtest.h>

#include <deque>
#include <nlohmann/json.hpp>
#include <set>
#include <zmq.hpp>

#include "common/bus/journal.h"
#include "common/bus/loop.h"
#include "common/bus/stream.h"
#include "common/smartapi/client.h"
#include "tests/support/process.h"
#include "tests/unit/smartapi_fake_transport.h"
#include "watcher/master_account.h"
#include "watcher/master_order_store.h"
#include "watcher/order_tracker.h"
#include "watcher/watcher.h"

namespace ct::watcher {
namespace {
namespace v1 = copytrade::v1;
using std::chrono::seconds;

constexpr const char* kSbin = "NSE|3045|INTRADAY";

v1::Order Row(const std::string& id, const std::string& status, int64_t filled = 0, double price = 100,
              int64_t quantity = 10, const std::string& time = "05-Jan-2026 10:00:00") {
  v1::Order o;
  o.set_orderid(id);
  o.set_status(status);
  o.set_orderstatus(status);
  o.set_filledshares(filled);
  o.set_unfilledshares(quantity - filled);
  o.set_quantity(quantity);
  o.set_price(price);
  o.set_ordertype("LIMIT");
  o.set_transactiontype("BUY");
  o.set_exchange("NSE");
  o.set_symboltoken("3045");
  o.set_tradingsymbol("SBIN-EQ");
  o.set_producttype("INTRADAY");
  o.set_updatetime(time);
  return o;
}

v1::Order Sell(v1::Order o) {
  o.set_transactiontype("SELL");
  return o;
}

SteadyTime At(int s) { return SteadyTime(seconds(s)); }
Observation Poll(int sent_s) { return {Source::kPoll, At(sent_s), 1'000 + sent_s}; }
Observation Feed(int received_s) { return {Source::kFeed, At(received_s), 1'000 + received_s}; }

std::vector<v1::OrderEventKind> Kinds(const Applied& a) {
  std::vector<v1::OrderEventKind> kinds;
  for (const auto& e : a.events) kinds.push_back(e.kind());
  return kinds;
}

using K = std::vector<v1::OrderEventKind>;
constexpr auto kPlaced = v1::ORDER_EVENT_PLACED;
constexpr auto kModified = v1::ORDER_EVENT_MODIFIED;
constexpr auto kPartial = v1::ORDER_EVENT_PARTIALLY_FILLED;
constexpr auto kFilled = v1::ORDER_EVENT_FILLED;
constexpr auto kCancelled = v1::ORDER_EVENT_CANCELLED;
constexpr auto kTrigger = v1::ORDER_EVENT_TRIGGER_PENDING;

class TrackerTest : public ::testing::Test {
 protected:
  void SetUp() override { tracker_.SetBaseline({}, std::map<std::string, int64_t>{}); }
  Applied Apply(const v1::Order& view, const Observation& obs) { return tracker_.Apply({view}, obs); }
  OrderTracker tracker_;
};

TEST_F(TrackerTest, BaselineOrdersAreNeverReported) {
  OrderTracker t;
  t.SetBaseline({Row("1", "complete", 10), Row("2", "open")}, std::nullopt);
  EXPECT_TRUE(t.Apply({Row("1", "complete", 10), Row("2", "complete", 10), Row("2", "open", 0, 99)}, Poll(5))
                  .events.empty());
}

TEST_F(TrackerTest, ReportsEachStateChangeOnce) {
  auto e = Apply(Row("9", "open"), Poll(1));
  ASSERT_EQ(Kinds(e), K{kPlaced});
  EXPECT_EQ(e.events[0].source(), "poll");
  EXPECT_EQ(e.events[0].detected_time_ns(), 1'001);
  EXPECT_TRUE(Apply(Row("9", "open"), Poll(2)).events.empty());
  EXPECT_EQ(Kinds(Apply(Row("9", "open", 4), Poll(3))), K{kPartial});
  e = Apply(Row("9", "complete", 10), Poll(4));
  EXPECT_EQ(Kinds(e), K{kFilled});
  EXPECT_EQ(e.events[0].order().filledshares(), 10);
  EXPECT_TRUE(Apply(Row("9", "complete", 10), Poll(5)).events.empty());
}

TEST_F(TrackerTest, NewOrderIsOneEventForTheStateItIsIn) {
  auto e = tracker_.Apply({Row("5", "complete", 10), Row("6", "rejected"), Row("7", "trigger pending"),
                           Row("8", "open", 3), Row("9", "open pending")},
                          Poll(1));
  EXPECT_EQ(Kinds(e), (K{kFilled, v1::ORDER_EVENT_REJECTED, kTrigger, kPartial, kPlaced}));
}

TEST_F(TrackerTest, EveryChangeOfPriceTriggerQuantityOrTypeIsOneModified) {
  Apply(Row("1", "open"), Poll(1));
  v1::Order o = Row("1", "open", 0, 101);
  auto e = Apply(o, Poll(2));
  ASSERT_EQ(Kinds(e), K{kModified});
  EXPECT_EQ(e.events[0].previous().price(), 100);
  EXPECT_EQ(e.events[0].order().price(), 101);
  EXPECT_TRUE(Apply(o, Poll(3)).events.empty());

  o.set_quantity(20);
  e = Apply(o, Poll(4));
  ASSERT_EQ(Kinds(e), K{kModified});
  EXPECT_EQ(e.events[0].previous().quantity(), 10);
  o.set_ordertype("STOPLOSS_LIMIT");
  o.set_triggerprice(100.5);
  e = Apply(o, Poll(5));
  ASSERT_EQ(Kinds(e), K{kModified});
  EXPECT_EQ(e.events[0].previous().ordertype(), "LIMIT");
  o.set_triggerprice(100.25);
  e = Apply(o, Poll(6));
  ASSERT_EQ(Kinds(e), K{kModified});
  EXPECT_EQ(e.events[0].previous().triggerprice(), 100.5);
  EXPECT_TRUE(Apply(o, Poll(7)).events.empty());
}

TEST_F(TrackerTest, PushAndPollOfOneChangePublishOnce) {
  ASSERT_EQ(Kinds(Apply(Row("1", "open pending"), Feed(1))), K{kPlaced});
  EXPECT_TRUE(Apply(Row("1", "open"), Feed(1)).events.empty());  // the same order, accepted
  EXPECT_TRUE(Apply(Row("1", "open"), Poll(2)).events.empty());
  // The feed says "modified", the book then says "open": one change.
  auto e = Apply(Row("1", "modified", 0, 102, 10, "05-Jan-2026 10:00:03"), Feed(3));
  ASSERT_EQ(Kinds(e), K{kModified});
  EXPECT_EQ(e.events[0].source(), "feed");
  EXPECT_TRUE(Apply(Row("1", "open", 0, 102, 10, "05-Jan-2026 10:00:03"), Poll(4)).events.empty());
  // And the other way round: the poll first, then the push.
  ASSERT_EQ(Kinds(Apply(Row("1", "cancelled", 0, 102, 10, "05-Jan-2026 10:00:05"), Poll(5))), K{kCancelled});
  EXPECT_TRUE(Apply(Row("1", "cancelled", 0, 102, 10, "05-Jan-2026 10:00:05"), Feed(6)).events.empty());
}

TEST_F(TrackerTest, AStalePollAfterAPushPublishesNothing) {
  Apply(Row("1", "open"), Feed(1));
  // The poll is sent at 2 (the book still says 100), the modify's push is
  // received at 3, the poll's reply arrives after it: no change back to 100.
  ASSERT_EQ(Kinds(Apply(Row("1", "modified", 0, 101), Feed(3))), K{kModified});
  EXPECT_TRUE(Apply(Row("1", "open", 0, 100), Poll(2)).events.empty());
  EXPECT_EQ(tracker_.Find("1")->view.price(), 101);
  // A poll sent after the push is believed.
  EXPECT_TRUE(Apply(Row("1", "open", 0, 101), Poll(4)).events.empty());
  EXPECT_EQ(Kinds(Apply(Row("1", "open", 0, 103), Poll(5))), K{kModified});
}

TEST_F(TrackerTest, AStalePollOnlyMovesForwardAndKeepsTheNewerTerms) {
  Apply(Row("1", "open"), Feed(1));
  Apply(Row("1", "modified", 0, 101), Feed(3));
  // Sent before the push, it shows a fill at the old price: the fill counts,
  // the price does not.
  auto e = Apply(Row("1", "open", 4, 100), Poll(2));
  ASSERT_EQ(Kinds(e), K{kPartial});
  EXPECT_EQ(e.events[0].order().price(), 101);
  EXPECT_EQ(e.events[0].order().filledshares(), 4);
  EXPECT_EQ(Kinds(Apply(Row("1", "cancelled", 4, 100), Poll(2))), K{kCancelled});
}

TEST_F(TrackerTest, AnOlderUpdateTimeCannotMoveAnOrderSideways) {
  Apply(Row("1", "open", 0, 100, 10, "05-Jan-2026 10:00:00"), Poll(1));
  Apply(Row("1", "open", 0, 102, 10, "05-Jan-2026 10:00:05"), Poll(2));
  // A push that lags the book: its modify is older than what was accepted.
  EXPECT_TRUE(Apply(Row("1", "modified", 0, 101, 10, "05-Jan-2026 10:00:04"), Feed(3)).events.empty());
  EXPECT_EQ(tracker_.Find("1")->view.price(), 102);
  // Within the same second it cannot tell: the newer view is believed.
  EXPECT_EQ(Kinds(Apply(Row("1", "modified", 0, 104, 10, "05-Jan-2026 10:00:05"), Feed(4))), K{kModified});
}

TEST_F(TrackerTest, NeverRollsBackAndTerminalIsFinal) {
  Apply(Row("1", "open", 5), Feed(1));
  EXPECT_TRUE(Apply(Row("1", "open", 3), Poll(2)).events.empty());         // less filled
  EXPECT_TRUE(Apply(Row("1", "open pending", 5), Poll(3)).events.empty());  // an earlier stage
  EXPECT_EQ(tracker_.Find("1")->view.filledshares(), 5);
  EXPECT_EQ(Kinds(Apply(Row("1", "cancelled", 5), Feed(4))), K{kCancelled});
  EXPECT_TRUE(Apply(Row("1", "open", 5), Poll(5)).events.empty());
  EXPECT_TRUE(Apply(Row("1", "complete", 10), Poll(6)).events.empty());
  EXPECT_TRUE(Apply(Row("1", "cancelled", 5, 120), Poll(7)).events.empty());
  EXPECT_EQ(tracker_.Find("1")->view.orderstatus(), "cancelled");
}

TEST_F(TrackerTest, OnePartialFillPerIncrease) {
  Apply(Row("1", "open"), Feed(1));
  EXPECT_EQ(Kinds(Apply(Row("1", "open", 2), Feed(2))), K{kPartial});
  EXPECT_TRUE(Apply(Row("1", "open", 2), Poll(3)).events.empty());
  EXPECT_EQ(Kinds(Apply(Row("1", "open", 5), Poll(4))), K{kPartial});
  EXPECT_TRUE(Apply(Row("1", "open", 5), Feed(5)).events.empty());
  EXPECT_EQ(Kinds(Apply(Row("1", "complete", 10), Feed(6))), K{kFilled});
}

TEST_F(TrackerTest, StatusChangesThatChangeNothingPublishNothing) {
  Apply(Row("1", "open pending"), Feed(1));
  EXPECT_TRUE(Apply(Row("1", "open"), Feed(2)).events.empty());
  EXPECT_EQ(tracker_.Find("1")->view.orderstatus(), "open");
  // A stop-loss: placed, then accepted as trigger pending, then triggered.
  v1::Order sl = Row("2", "open pending");
  sl.set_ordertype("STOPLOSS_LIMIT");
  sl.set_triggerprice(99);
  EXPECT_EQ(Kinds(Apply(sl, Feed(3))), K{kPlaced});
  sl.set_status("trigger pending");
  sl.set_orderstatus("trigger pending");
  EXPECT_EQ(Kinds(Apply(sl, Feed(4))), K{kTrigger});
  sl.set_status("open");
  sl.set_orderstatus("open");
  EXPECT_TRUE(Apply(sl, Feed(5)).events.empty());
  sl.set_filledshares(10);
  sl.set_status("complete");
  sl.set_orderstatus("complete");
  EXPECT_EQ(Kinds(Apply(sl, Feed(6))), K{kFilled});
}

TEST_F(TrackerTest, AModifyAndAFillInOneSnapshotAreBothReportedInOrder) {
  Apply(Row("1", "open"), Poll(1));
  auto e = Apply(Row("1", "open", 3, 99, 20), Poll(2));
  EXPECT_EQ(Kinds(e), (K{kModified, kPartial}));
  e = Apply(Row("1", "complete", 20, 105, 20), Poll(3));
  EXPECT_EQ(Kinds(e), (K{kModified, kFilled}));
  EXPECT_EQ(e.events[0].previous().price(), 99);
}

TEST_F(TrackerTest, ChangeKeysNameTheChangeAndNeverRepeat) {
  std::set<std::string> keys;
  auto keep = [&](const Applied& a) {
    for (const auto& e : a.events) EXPECT_TRUE(keys.insert(e.change_key()).second) << e.change_key();
  };
  keep(Apply(Row("77", "open"), Feed(1)));
  keep(Apply(Row("77", "open", 0, 101), Feed(2)));
  keep(Apply(Row("77", "open", 0, 100), Feed(3)));  // back to 100 within the same second
  keep(Apply(Row("77", "open", 0, 101), Feed(4)));
  keep(Apply(Row("77", "open", 4, 101), Feed(5)));
  ASSERT_EQ(keys.size(), 5u);
  EXPECT_EQ(*keys.begin(), "77:1:placed:f0:LIMIT:10@100/0:05-Jan-2026 10:00:00");
  EXPECT_TRUE(keys.count("77:5:partially_filled:f4:LIMIT:10@101/0:05-Jan-2026 10:00:00"));
}

TEST_F(TrackerTest, EventTimeIsTheBrokersTimeOfTheChange) {
  v1::Order o = Row("1", "open", 0, 100, 10, "05-Jan-2026 10:00:07");
  o.set_exchorderupdatetime("05-Jan-2026 09:15:00");  // accepted at the open, modified later
  auto e = Apply(o, Poll(1));
  EXPECT_EQ(e.events[0].master_event_time_ns(), ParseIstTime("05-Jan-2026 10:00:07"));
  o.set_updatetime("");
  o.set_exchorderupdatetime("");
  o.set_orderid("2");
  e = Apply(o, Poll(2));
  EXPECT_EQ(e.events[0].master_event_time_ns(), 1'002);  // none given: detection time
}

TEST(TrackerPositions, BaselineFillsMoveThePositionEventsCarryItBeforeTheirOwnFills) {
  OrderTracker t;
  // Long 10 at start; a resting SELL 4 from before the start.
  t.SetBaseline({Sell(Row("b1", "open", 0, 110, 4))}, std::map<std::string, int64_t>{{kSbin, 10}});
  EXPECT_TRUE(t.Apply({Sell(Row("b1", "complete", 4, 110, 4))}, Feed(1)).events.empty());
  EXPECT_EQ(t.Position(kSbin), 6);

  auto e = t.Apply({Sell(Row("n1", "open", 0, 120, 3))}, Feed(2));
  ASSERT_EQ(e.events.size(), 1u);
  EXPECT_TRUE(e.events[0].master_position_known());
  EXPECT_EQ(e.events[0].master_position_before(), 6);
  e = t.Apply({Sell(Row("n1", "open", 1, 120, 3))}, Feed(3));
  EXPECT_EQ(e.events[0].master_position_before(), 6);
  EXPECT_EQ(t.Position(kSbin), 5);
  // Another order's fill in between counts; this order's own fills do not.
  t.Apply({Row("n2", "complete", 10, 100, 10)}, Feed(4));
  EXPECT_EQ(t.Position(kSbin), 15);
  e = t.Apply({Sell(Row("n1", "complete", 3, 120, 3))}, Feed(5));
  EXPECT_EQ(e.events[0].master_position_before(), 16);
  EXPECT_EQ(t.Position(kSbin), 13);
  // A new order first seen already filled: before its fill.
  e = t.Apply({Sell(Row("n3", "complete", 13, 90, 13))}, Poll(6));
  EXPECT_EQ(e.events[0].master_position_before(), 13);
  EXPECT_EQ(t.Position(kSbin), 0);
  // Another product of the same instrument is another position.
  v1::Order delivery = Row("n4", "open");
  delivery.set_producttype("DELIVERY");
  e = t.Apply({delivery}, Poll(7));
  EXPECT_EQ(e.events[0].master_position_before(), 0);
  EXPECT_EQ(t.Position("NSE|3045|DELIVERY"), 0);
}

TEST(TrackerPositions, UnknownWhenTheBaselineHadNone) {
  OrderTracker t;
  t.SetBaseline({}, std::nullopt);
  auto e = t.Apply({Row("1", "complete", 10)}, Poll(1));
  ASSERT_EQ(e.events.size(), 1u);
  EXPECT_FALSE(e.events[0].master_position_known());
  EXPECT_FALSE(t.Position(kSbin).has_value());
}

TEST(IstTime, ParsesSmartApiTimestamps) {
  // 26-Dec-2024 13:48:37 IST = 08:18:37 UTC = 1735201117.
  EXPECT_EQ(ParseIstTime("26-Dec-2024 13:48:37"), 1735201117LL * 1'000'000'000);
  EXPECT_EQ(ParseIstTime(""), 0);
  EXPECT_EQ(ParseIstTime("26-Foo-2024 13:48:37"), 0);
}

// The store over a real journal file: what is saved is what is loaded, for
// the day it was saved under, and a new baseline drops older days.
TEST(MasterOrderStore, SavesAndLoadsOneDay) {
  testing::TempDir dir;
  auto journal = bus::Journal::Open(dir / "w.db");
  ASSERT_TRUE(journal.ok()) << journal.error();
  MasterOrderStore store(**journal);
  EXPECT_FALSE(store.Load("2026-01-05").has_value());

  TrackerState yesterday;
  yesterday.orders["old"].view = Row("old", "open");
  (*journal)->Transaction([&] { store.SaveBaseline("2026-01-04", yesterday); });
  TrackerState state;
  state.positions_known = true;
  state.positions[kSbin] = -3;
  state.orders["b"].baseline = true;
  state.orders["b"].view = Row("b", "open");
  (*journal)->Transaction([&] {
    store.SaveBaseline("2026-01-05", state);
    TrackedOrder n;
    n.view = Row("n", "open", 2, 101.5);
    n.events = 2;
    store.SaveOrder("2026-01-05", "n", n);
    store.SavePosition("2026-01-05", kSbin, -1);
  });
  EXPECT_FALSE(store.Load("2026-01-04").has_value());
  auto loaded = store.Load("2026-01-05");
  ASSERT_TRUE(loaded.has_value());
  EXPECT_TRUE(loaded->positions_known);
  EXPECT_EQ(loaded->positions.at(kSbin), -1);
  ASSERT_EQ(loaded->orders.size(), 2u);
  EXPECT_TRUE(loaded->orders.at("b").baseline);
  EXPECT_FALSE(loaded->orders.at("n").baseline);
  EXPECT_EQ(loaded->orders.at("n").events, 2);
  EXPECT_EQ(loaded->orders.at("n").view.price(), 101.5);
  EXPECT_EQ(loaded->orders.at("n").view.filledshares(), 2);
}

// A MasterAccount whose replies the test queues.
class FakeAccount final : public MasterAccount {
 public:
  smartapi::Result<std::vector<v1::Order>> OrderBook() override {
    ++book_calls;
    return Next(books);
  }
  smartapi::Result<std::vector<smartapi::Position>> Positions() override {
    ++position_calls;
    return Next(positions);
  }
  std::deque<smartapi::Result<std::vector<v1::Order>>> books;
  std::deque<smartapi::Result<std::vector<smartapi::Position>>> positions;
  int book_calls = 0, position_calls = 0;

 private:
  template <typename T>
  static T Next(std::deque<T>& queue) {
    if (queue.empty()) return smartapi::Error{smartapi::ErrorKind::kTransport, "", "fake: nothing queued", 0};
    T r = std::move(queue.front());
    queue.pop_front();
    return r;
  }
};

smartapi::Position Net(const std::string& token, int64_t netqty) {
  smartapi::Position p;
  p.exchange = "NSE";
  p.symboltoken = token;
  p.producttype = "INTRADAY";
  p.netqty = netqty;
  return p;
}

TEST(ReadBaseline, PositionsThatAgreeWithTheBook) {
  FakeAccount a;
  a.books = {std::vector{Row("1", "open", 2)}, std::vector{Row("1", "open", 2)}};
  a.positions = {std::vector{Net("3045", 7), Net("2885", -1)}};
  auto b = ReadBaseline(a);
  ASSERT_TRUE(b.ok());
  ASSERT_TRUE(b->positions.has_value());
  EXPECT_EQ(b->positions->at(kSbin), 7);
  EXPECT_EQ(b->positions->at("NSE|2885|INTRADAY"), -1);
  EXPECT_EQ(b->book.size(), 1u);
}

TEST(ReadBaseline, AFillWhileReadingReadsAgain) {
  FakeAccount a;
  a.books = {std::vector{Row("1", "open", 2)}, std::vector{Row("1", "open", 5)}, std::vector{Row("1", "open", 5)}};
  a.positions = {std::vector{Net("3045", 2)}, std::vector{Net("3045", 5)}};
  auto b = ReadBaseline(a);
  ASSERT_TRUE(b.ok());
  ASSERT_TRUE(b->positions.has_value());
  EXPECT_EQ(b->positions->at(kSbin), 5);
  EXPECT_EQ(b->book[0].filledshares(), 5);
  EXPECT_EQ(a.position_calls, 2);
}

TEST(ReadBaseline, PositionsUnknownWhenTheyCannotBeRead) {
  FakeAccount a;
  a.books = {std::vector{Row("1", "open")}};
  auto b = ReadBaseline(a);
  ASSERT_TRUE(b.ok());
  EXPECT_FALSE(b->positions.has_value());
  EXPECT_NE(b->positions_problem.find("getPosition failed"), std::string::npos);

  FakeAccount busy;  // fills on every read
  for (int i = 0; i <= kBaselineTries; ++i) busy.books.push_back(std::vector{Row("1", "open", i + 1)});
  for (int i = 0; i < kBaselineTries; ++i) busy.positions.push_back(std::vector{Net("3045", i + 1)});
  b = ReadBaseline(busy);
  ASSERT_TRUE(b.ok());
  EXPECT_FALSE(b->positions.has_value());
  EXPECT_EQ(b->book[0].filledshares(), kBaselineTries + 1);
}

TEST(ReadBaseline, FailsWhenTheBookCannotBeRead) {
  FakeAccount a;
  auto b = ReadBaseline(a);
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.error().kind, smartapi::ErrorKind::kTransport);
}

// A re-login inside a poll renews the session; the feed's next connect
// (another thread, through token()) gets the new token.
TEST(ClientMasterAccount, HandsTheRenewedTokenToTheFeed) {
  smartapi::testing::FakeTransport::State wire;
  FakeClock clock(1'767'587'400LL * 1'000'000'000);  // 2026-01-05 10:00 IST
  smartapi::ClientOptions options;
  options.identity = smartapi::ClientIdentity{"10.0.0.5", "10.0.0.5", "aa:bb:cc:dd:ee:ff"};
  options.sleep = [&clock](std::chrono::nanoseconds d) { clock.advance(d); };
  smartapi::Client client({"key", "M100", "1111", "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"},
                          std::make_unique<smartapi::testing::FakeTransport>(&wire), clock, options);
  auto login = [](const std::string& jwt) {
    return smartapi::testing::Ok(nlohmann::json({{"jwtToken", jwt}, {"refreshToken", "r"}, {"feedToken", "f"}}).dump());
  };
  wire.replies.push_back(login("jwt-one"));
  ASSERT_TRUE(client.Login().ok());
  ClientMasterAccount account(client);
  EXPECT_EQ(account.token(), "jwt-one");

  wire.replies.push_back(smartapi::testing::Json(
      200, R"({"success":false,"message":"Token Expired","errorCode":"AG8002","data":""})"));
  wire.replies.push_back(login("jwt-two"));
  wire.replies.push_back(smartapi::testing::Ok("null"));
  auto book = account.OrderBook();
  ASSERT_TRUE(book.ok()) << book.error().ToString();
  EXPECT_EQ(account.token(), "jwt-two");
}

// A Watcher over a real journal and publisher: what it publishes is what
// the journal's "master" stream holds; a restart restores the day's state,
// so nothing is published twice and the positions go on.
class WatcherJournalTest : public ::testing::Test {
 protected:
  struct Process {
    explicit Process(const std::string& dir, const Clock& clock) {
      journal = std::move(bus::Journal::Open(dir + "/watcher.db")).value();
      publisher = std::make_unique<bus::StreamPublisher>(
          ctx, loop, *journal, clock,
          bus::PublisherOptions{.publish_endpoint = "ipc://" + dir + "/w.pub",
                                .replay_endpoint = "ipc://" + dir + "/w.rep",
                                .process = "watcher"});
      watcher = std::make_unique<Watcher>(*journal, *publisher, clock, "M100");
    }
    zmq::context_t ctx;
    bus::Loop loop;
    std::unique_ptr<bus::Journal> journal;
    std::unique_ptr<bus::StreamPublisher> publisher;
    std::unique_ptr<Watcher> watcher;
  };

  std::vector<v1::MasterOrderEvent> Published() {
    auto journal = std::move(bus::Journal::Open(dir_ / "watcher.db")).value();
    std::vector<v1::MasterOrderEvent> events;
    for (const auto& entry : journal->Read("master", 1, 1000)) {
      bus::Envelope env;
      EXPECT_TRUE(env.ParseFromString(entry.payload));
      events.push_back(env.master_order_event());
    }
    return events;
  }

  testing::TempDir dir_;
  FakeClock clock_{1'767'587'400LL * 1'000'000'000};  // 2026-01-05 10:00 IST
};

TEST_F(WatcherJournalTest, ARestartPublishesNothingTwiceAndKeepsThePositions) {
  {
    Process p(dir_.path(), clock_);
    FakeAccount a;
    a.books = {std::vector{Row("b", "open")}, std::vector{Row("b", "open")}};
    a.positions = {std::vector{Net("3045", 10)}};
    auto begun = p.watcher->Begin(a);
    ASSERT_TRUE(begun.ok());
    EXPECT_EQ(*begun, Watcher::Start::kNewBaseline);
    p.watcher->OnPush(Row("b", "complete", 10), clock_.steady());  // baseline fill: +10
    p.watcher->OnPush(Sell(Row("n", "open", 0, 100, 5)), clock_.steady());
    p.watcher->OnPoll({Row("b", "complete", 10), Sell(Row("n", "open", 2, 100, 5))}, clock_.steady());
  }
  {
    Process p(dir_.path(), clock_);
    FakeAccount untouched;  // a restart does not read a new baseline
    auto begun = p.watcher->Begin(untouched);
    ASSERT_TRUE(begun.ok());
    EXPECT_EQ(*begun, Watcher::Start::kRestored);
    EXPECT_EQ(untouched.book_calls, 0);
    EXPECT_EQ(p.watcher->tracker().Position(kSbin), 18);
    p.watcher->OnPoll({Row("b", "complete", 10), Sell(Row("n", "open", 2, 100, 5))}, clock_.steady());
    p.watcher->OnPoll({Row("b", "complete", 10), Sell(Row("n", "complete", 5, 100, 5))}, clock_.steady());
  }
  const auto events = Published();
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[0].kind(), kPlaced);
  EXPECT_EQ(events[0].source(), "feed");
  EXPECT_EQ(events[1].kind(), kPartial);
  EXPECT_EQ(events[1].source(), "poll");
  EXPECT_EQ(events[2].kind(), kFilled);
  for (const auto& e : events) {
    EXPECT_EQ(e.master_client_id(), "M100");
    EXPECT_EQ(e.order().orderid(), "n");
    EXPECT_TRUE(e.master_position_known());
    EXPECT_EQ(e.master_position_before(), 20);
  }
  EXPECT_EQ(events[2].change_key().rfind("n:3:filled:f5:", 0), 0u) << events[2].change_key();
}

TEST_F(WatcherJournalTest, ANewDayTakesANewBaseline) {
  {
    Process p(dir_.path(), clock_);
    FakeAccount a;
    a.books = {std::vector<v1::Order>{}, std::vector<v1::Order>{}};
    a.positions = {std::vector<smartapi::Position>{}};
    ASSERT_TRUE(p.watcher->Begin(a).ok());
    p.watcher->OnPoll({Row("n", "open")}, clock_.steady());
  }
  clock_.advance(std::chrono::hours(24));
  Process p(dir_.path(), clock_);
  FakeAccount a;
  a.books = {std::vector{Row("n", "open")}, std::vector{Row("n", "open")}};
  a.positions = {std::vector<smartapi::Position>{}};
  auto begun = p.watcher->Begin(a);
  ASSERT_TRUE(begun.ok());
  EXPECT_EQ(*begun, Watcher::Start::kNewBaseline);
  EXPECT_TRUE(p.watcher->tracker().Find("n")->baseline);
}

}  // namespace
}  // namespace ct::watcher
