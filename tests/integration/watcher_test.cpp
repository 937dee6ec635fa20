// The watcher against the emulator, as real processes on loopback: the
// master trades through SmartAPI (the product's own client), the emulator's
// admin API mutes the master's order feed, fills partially and holds a
// poll's reply; what the watcher published is read from its "master"
// stream by a real subscriber (`copytrade capture`) and counted per order
// and kind.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <memory>
#include <regex>
#include <set>

#include "common/bus/capture.h"
#include "common/smartapi/client.h"
#include "common/totp/totp.h"
#include "copytrade.pb.h"
#include "tests/support/process.h"

namespace ct::testing {
namespace {
namespace v1 = copytrade::v1;
using nlohmann::json;
using std::chrono::seconds;

constexpr double kMarket = 800.00;  // SBIN-EQ's price for every test (tick 0.05)

class WatcherLifecycle : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string secret = totp::NewSecret();
    WriteFile(dir_ / ".env", "API_KEY=master-api-key-1\nCLIENT_ID=M100\nPASSWORD=1111\nTOTP_SECRET=" + secret +
                                 "\nFOLLOWER_1_API_KEY=follower-api-key-1\nFOLLOWER_1_CLIENT_ID=F101\n"
                                 "FOLLOWER_1_PASSWORD=2222\nFOLLOWER_1_TOTP_SECRET=" +
                                 totp::NewSecret() + "\n");
    // Debug logs: the emulator says when it holds a reply (the stale poll).
    sim_ = std::make_unique<ChildProcess>(std::vector<std::string>{BinPath("copytrade-sim"), "--env", dir_ / ".env",
                                                                   "--port", "0", "--log-level", "debug"},
                                          dir_ / "sim.log");
    ASSERT_TRUE(sim_->WaitForLog("listening on 127.0.0.1:")) << sim_->Log();
    std::smatch m;
    const std::string log = sim_->Log();
    ASSERT_TRUE(std::regex_search(log, m, std::regex("listening on 127\\.0\\.0\\.1:([0-9]+)")));
    base_url_ = "http://127.0.0.1:" + m[1].str();
    const std::string d = dir_.path();
    WriteFile(dir_ / "copytrade.toml",
              "dry_run = true\n[broker]\nrest_url = \"" + base_url_ + "\"\nws_url = \"ws://127.0.0.1:" + m[1].str() +
                  "/smart-order-update\"\ntimeout_ms = 5000\n[bus]\n"
                  "watcher_publish = \"ipc://" + d + "/w.pub\"\nwatcher_replay = \"ipc://" + d + "/w.rep\"\n"
                  "router_publish = \"ipc://" + d + "/r.pub\"\nrouter_replay = \"ipc://" + d + "/r.rep\"\n"
                  "router_reports = \"ipc://" + d + "/r.rpt\"\n"
                  "[paths]\nstate_dir = \"" + d + "/state\"\nrecords_dir = \"" + d + "/records\"\n");

    smartapi::CurlOptions curl;
    curl.base_url = base_url_;
    admin_ = smartapi::MakeCurlTransport(curl);
    master_ = std::make_unique<smartapi::Client>(smartapi::LoginCredentials{"master-api-key-1", "M100", "1111", secret},
                                                 smartapi::MakeCurlTransport(curl), SystemClock::instance());
    auto session = master_->Login();
    ASSERT_TRUE(session.ok()) << session.error().ToString();
    Admin("price", {{"tradingsymbol", "SBIN-EQ"}, {"price", kMarket}});
  }

  void TearDown() override {
    if (capture_) capture_->Stop();
    if (watcher_) watcher_->Stop();
    if (sim_) sim_->Stop();
  }

  void StartWatcher() {
    watcher_ = std::make_unique<ChildProcess>(
        std::vector<std::string>{BinPath("copytrade-watcher"), "--config", dir_ / "copytrade.toml", "--env",
                                 dir_ / ".env"},
        dir_ / ("watcher-" + std::to_string(++watcher_runs_) + ".log"));
    ASSERT_TRUE(watcher_->WaitForLog("watching master")) << watcher_->Log();
  }
  // A real subscriber of the "master" stream, from seq 1, across watcher
  // restarts.
  void StartCapture() {
    capture_ = std::make_unique<ChildProcess>(
        std::vector<std::string>{BinPath("copytrade"), "capture", "--from", "ipc://" + dir_ / "w.pub", "--replay",
                                 "ipc://" + dir_ / "w.rep", "--stream", "master", "--out", dir_ / "master.capture"},
        dir_ / "capture.log");
    ASSERT_TRUE(capture_->WaitForLog("publisher up")) << capture_->Log();
  }
  void WaitForFeed() {
    ASSERT_TRUE(Eventually(
        [&] {
          const json health = Get("/sim/v1/health");
          const json::json_pointer feeds("/data/order_feeds/M100");
          return health.is_object() && health.contains(feeds) && health.at(feeds).get<int>() >= 1;
        },
        seconds(10)))
        << watcher_->Log();
  }
  void MuteFeed(bool muted) { Admin("feed/mute", {{"clientcode", "M100"}, {"muted", muted}}); }

  json Admin(const std::string& op, const json& body) {
    smartapi::HttpRequest r{"POST", "/sim/v1/" + op, {{"Content-Type", "application/json"}}, body.dump()};
    auto reply = admin_->Send(r);
    EXPECT_TRUE(reply.ok()) << op;
    if (!reply.ok()) return json();
    EXPECT_EQ(reply->status, 200) << op << ": " << reply->body;
    return json::parse(reply->body, nullptr, false);
  }
  json Get(const std::string& path) {
    auto reply = admin_->Send({"GET", path, {}, ""});
    return reply.ok() ? json::parse(reply->body, nullptr, false) : json();
  }

  // The master's orders, through SmartAPI: LIMIT only (the 2026 rules
  // refuse MARKET from the API).
  std::string Place(const std::string& side, long long quantity, double price) {
    smartapi::OrderRequest r;
    r.tradingsymbol = "SBIN-EQ";
    r.symboltoken = "3045";
    r.exchange = "NSE";
    r.transactiontype = side;
    r.ordertype = "LIMIT";
    r.producttype = "INTRADAY";
    r.price = price;
    r.quantity = quantity;
    auto placed = master_->PlaceOrder(r);
    EXPECT_TRUE(placed.ok()) << placed.error().ToString();
    return placed.ok() ? placed->orderid : "";
  }
  void Modify(const std::string& orderid, double price, long long quantity) {
    smartapi::ModifyRequest m;
    m.orderid = orderid;
    m.ordertype = "LIMIT";
    m.producttype = "INTRADAY";
    m.price = price;
    m.quantity = quantity;
    m.tradingsymbol = "SBIN-EQ";
    m.symboltoken = "3045";
    m.exchange = "NSE";
    auto r = master_->ModifyOrder(m);
    ASSERT_TRUE(r.ok()) << r.error().ToString();
  }
  void Cancel(const std::string& orderid) {
    auto r = master_->CancelOrder("NORMAL", orderid);
    ASSERT_TRUE(r.ok()) << r.error().ToString();
  }

  // What the subscriber received for `orderid`, in stream order.
  std::vector<v1::MasterOrderEvent> Events(const std::string& orderid) {
    std::vector<v1::MasterOrderEvent> events;
    auto reader = bus::CaptureReader::Open(dir_ / "master.capture");
    if (!reader.ok()) return events;
    bus::CapturedEnvelope record;
    // A record being written reads as truncated: everything before it counts.
    while ((*reader)->Read(record) == bus::CaptureReader::Next::kRecord) {
      const auto& e = record.envelope().master_order_event();
      if (record.envelope().has_master_order_event() && e.order().orderid() == orderid) events.push_back(e);
    }
    return events;
  }
  static int Count(const std::vector<v1::MasterOrderEvent>& events, v1::OrderEventKind kind) {
    int n = 0;
    for (const auto& e : events) n += e.kind() == kind ? 1 : 0;
    return n;
  }
  bool Published(const std::string& orderid, v1::OrderEventKind kind, int count = 1) {
    return Eventually([&] { return Count(Events(orderid), kind) >= count; }, seconds(10));
  }
  static std::vector<v1::OrderEventKind> Kinds(const std::vector<v1::MasterOrderEvent>& events) {
    std::vector<v1::OrderEventKind> kinds;
    for (const auto& e : events) kinds.push_back(e.kind());
    return kinds;
  }
  std::string Dump(const std::vector<v1::MasterOrderEvent>& events) {
    std::string out;
    for (const auto& e : events) out += e.change_key() + " [" + e.source() + "]\n";
    return out + watcher_->Log();
  }
  // A new order seen only by a poll (the feed muted): once it is published,
  // every change made before it has been through at least one poll.
  void AfterOnePoll() {
    MuteFeed(true);
    const std::string marker = Place("BUY", 1, kMarket - 30);
    ASSERT_TRUE(Published(marker, v1::ORDER_EVENT_PLACED)) << watcher_->Log();
    EXPECT_EQ(Events(marker)[0].source(), "poll");
  }

  TempDir dir_;
  std::string base_url_;
  std::unique_ptr<ChildProcess> sim_, watcher_, capture_;
  std::unique_ptr<smartapi::HttpTransport> admin_;
  std::unique_ptr<smartapi::Client> master_;
  int watcher_runs_ = 0;
};

constexpr auto kPlaced = v1::ORDER_EVENT_PLACED;
constexpr auto kModified = v1::ORDER_EVENT_MODIFIED;
constexpr auto kPartial = v1::ORDER_EVENT_PARTIALLY_FILLED;
constexpr auto kFilled = v1::ORDER_EVENT_FILLED;
constexpr auto kCancelled = v1::ORDER_EVENT_CANCELLED;
using KindList = std::vector<v1::OrderEventKind>;

TEST_F(WatcherLifecycle, FeedMutedThePollPublishesEachChangeOnce) {
  StartWatcher();
  StartCapture();
  MuteFeed(true);
  const std::string id = Place("BUY", 10, 780.00);
  ASSERT_TRUE(Published(id, kPlaced)) << watcher_->Log();
  Modify(id, 781.00, 10);
  ASSERT_TRUE(Published(id, kModified)) << Dump(Events(id));
  Modify(id, 781.00, 12);
  ASSERT_TRUE(Published(id, kModified, 2)) << Dump(Events(id));
  Admin("fill", {{"orderid", id}, {"quantity", 3}});
  ASSERT_TRUE(Published(id, kPartial)) << Dump(Events(id));
  Cancel(id);
  ASSERT_TRUE(Published(id, kCancelled)) << Dump(Events(id));
  AfterOnePoll();

  const auto events = Events(id);
  ASSERT_EQ(Kinds(events), (KindList{kPlaced, kModified, kModified, kPartial, kCancelled})) << Dump(events);
  std::set<std::string> keys;
  for (const auto& e : events) {
    EXPECT_EQ(e.source(), "poll");
    EXPECT_EQ(e.master_client_id(), "M100");
    EXPECT_TRUE(keys.insert(e.change_key()).second) << e.change_key();
  }
  EXPECT_EQ(events[1].previous().price(), 780.00);
  EXPECT_EQ(events[1].order().price(), 781.00);
  EXPECT_EQ(events[2].previous().quantity(), 10);
  EXPECT_EQ(events[2].order().quantity(), 12);
  EXPECT_EQ(events[3].order().filledshares(), 3);
  EXPECT_EQ(events[4].order().filledshares(), 3);
}

TEST_F(WatcherLifecycle, FeedAndPollReportingTheSameChangesPublishThemOnce) {
  StartWatcher();
  WaitForFeed();
  StartCapture();
  const std::string id = Place("BUY", 10, 780.00);
  ASSERT_TRUE(Published(id, kPlaced)) << watcher_->Log();
  Modify(id, 782.50, 10);
  ASSERT_TRUE(Published(id, kModified)) << Dump(Events(id));
  Admin("fill", {{"orderid", id}, {"quantity", 4}});
  ASSERT_TRUE(Published(id, kPartial)) << Dump(Events(id));
  Admin("fill", {{"orderid", id}, {"quantity", 2}});
  ASSERT_TRUE(Published(id, kPartial, 2)) << Dump(Events(id));
  Admin("fill", {{"orderid", id}});
  ASSERT_TRUE(Published(id, kFilled)) << Dump(Events(id));
  AfterOnePoll();

  const auto events = Events(id);
  ASSERT_EQ(Kinds(events), (KindList{kPlaced, kModified, kPartial, kPartial, kFilled})) << Dump(events);
  EXPECT_EQ(events[2].order().filledshares(), 4);
  EXPECT_EQ(events[3].order().filledshares(), 6);
  EXPECT_EQ(events[4].order().filledshares(), 10);
}

TEST_F(WatcherLifecycle, AStalePollAppliedAfterAPushPublishesNothing) {
  StartWatcher();
  WaitForFeed();
  StartCapture();
  const std::string id = Place("BUY", 10, 780.00);
  ASSERT_TRUE(Published(id, kPlaced)) << watcher_->Log();
  // The next poll's snapshot is taken at once (price 780) and answered 2 s
  // later; meanwhile the master modifies and the feed pushes it.
  Admin("fault", {{"clientcode", "M100"}, {"endpoint", "getOrderBook"}, {"kind", "latency"}, {"latency_ms", 2000}});
  ASSERT_TRUE(sim_->WaitForLog("(delayed)", seconds(10))) << sim_->Log();
  Modify(id, 781.00, 10);
  ASSERT_TRUE(Published(id, kModified)) << Dump(Events(id));
  // The cancel is seen only by the poll after the stale one: once it is
  // published, the stale snapshot was applied (polls are applied in order).
  MuteFeed(true);
  Cancel(id);
  ASSERT_TRUE(Published(id, kCancelled)) << Dump(Events(id));

  const auto events = Events(id);
  ASSERT_EQ(Kinds(events), (KindList{kPlaced, kModified, kCancelled})) << Dump(events);
  EXPECT_EQ(events[1].source(), "feed");
  EXPECT_EQ(events[1].previous().price(), 780.00);
  EXPECT_EQ(events[1].order().price(), 781.00);
  EXPECT_EQ(events[2].source(), "poll");
  EXPECT_EQ(events[2].order().price(), 781.00);
}

// master_position_before: getPosition at the start, then every fill the
// watcher sees, baseline orders' fills included, kept across a restart.
TEST_F(WatcherLifecycle, EventsCarryTheMastersPositionBeforeTheirFills) {
  const std::string bought = Place("BUY", 10, kMarket + 10);  // fills at once: long 10
  const std::string resting = Place("SELL", 4, kMarket + 20);  // from before the start: never copied
  ASSERT_FALSE(bought.empty());
  ASSERT_FALSE(resting.empty());
  StartWatcher();
  EXPECT_NE(watcher_->Log().find("baseline: 2 existing master order(s)"), std::string::npos) << watcher_->Log();
  WaitForFeed();
  StartCapture();

  Admin("fill", {{"orderid", resting}});  // long 6 now
  // A marketable order: PLACED (open pending) then FILLED from the feed, or
  // FILLED alone from a poll. Each event carries the position before it.
  const std::string sell = Place("SELL", 3, kMarket - 10);
  ASSERT_TRUE(Published(sell, kFilled)) << watcher_->Log();
  const auto sold = Events(sell);
  EXPECT_EQ(Count(sold, kFilled), 1) << Dump(sold);
  for (const auto& e : sold) {
    EXPECT_TRUE(e.master_position_known()) << e.change_key();
    EXPECT_EQ(e.master_position_before(), 6) << e.change_key();
  }

  watcher_->Stop();
  StartWatcher();
  EXPECT_NE(watcher_->Log().find("restored today's baseline"), std::string::npos) << watcher_->Log();
  const std::string last = Place("SELL", 2, kMarket - 10);
  ASSERT_TRUE(Published(last, kFilled)) << watcher_->Log();
  AfterOnePoll();
  const auto closed = Events(last);
  EXPECT_EQ(Count(closed, kFilled), 1) << Dump(closed);
  for (const auto& e : closed) {
    EXPECT_TRUE(e.master_position_known()) << e.change_key();
    EXPECT_EQ(e.master_position_before(), 3) << e.change_key();
  }
  EXPECT_TRUE(Events(bought).empty());
  EXPECT_TRUE(Events(resting).empty());
  EXPECT_EQ(Events(sell).size(), sold.size());  // nothing published again after the restart
}

}  // namespace
}  // namespace ct::testing
