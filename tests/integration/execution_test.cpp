// Copies the 2026 broker accepts, followed to their final state: the
// emulator in its default (2026) mode, the master trading by hand in the
// broker's app, the assertions reading the followers' books at the
// emulator and the session records.
#include <gtest/gtest.h>

#include <csignal>

#include "tests/integration/pipeline_harness.h"

namespace ct::testing {
namespace {

using std::chrono::seconds;

// The master's fill price, from the emulator's own view of the books.
double MasterFill(Pipeline& p, const std::string& orderid) {
  const auto books = p.SimBooks();
  for (const auto& row : books["M100"])
    if (row["orderid"] == orderid) return row["averageprice"].get<double>();
  return 0.0;
}

// Waits until follower `id` has a final record; returns it.
nlohmann::json FinalRecord(Pipeline& p, const std::string& id, std::chrono::milliseconds timeout = seconds(10)) {
  nlohmann::json found;
  Eventually(
      [&] {
        for (const auto& r : p.RecordsOf(id))
          if (r.value("final", false)) {
            found = r;
            return true;
          }
        return false;
      },
      timeout);
  return found;
}

TEST(Execution, AMasterMarketBuyGivesEachFollowerOneLimitOrderThatFills) {
  Pipeline p({});
  p.StartAll();
  const std::string id = p.Place("master", "BUY", "SBIN-EQ", "3045", 10);
  ASSERT_FALSE(id.empty());
  const double master_price = MasterFill(p, id);
  ASSERT_GT(master_price, 0) << id;
  const auto r1 = FinalRecord(p, "follower-1");
  const auto r2 = FinalRecord(p, "follower-2");
  ASSERT_TRUE(r1.is_object()) << p.executors[0]->Log();
  ASSERT_TRUE(r2.is_object()) << p.executors[1]->Log();
  for (const std::string account : {"follower-1", "follower-2"}) {
    const auto book = p.Book(account);
    ASSERT_EQ(book.size(), 1u) << book.dump();
    for (const auto& row : book) EXPECT_NE(row["ordertype"], "MARKET") << row.dump();
    EXPECT_EQ(book[0]["ordertype"], "LIMIT");
    EXPECT_EQ(book[0]["duration"], "DAY");
    EXPECT_EQ(book[0]["status"], "complete");
    // A marketable LIMIT: above the master's fill, within the 3 % cap.
    EXPECT_GT(book[0]["price"].get<double>(), master_price);
    EXPECT_LE(book[0]["price"].get<double>(), master_price * 1.03 + 1e-9);
  }
  EXPECT_EQ(p.Book("follower-2")[0]["quantity"], 20);
  for (const auto& r : {r1, r2}) {
    EXPECT_EQ(r["state"], "FILLED") << r.dump();
    EXPECT_TRUE(r["success"].get<bool>());
    EXPECT_DOUBLE_EQ(r["fill_price"].get<double>(), master_price);  // filled at the market, which had not moved
    EXPECT_DOUBLE_EQ(r["slippage_bps"].get<double>(), 0.0);
    EXPECT_GT(r["timings_ms"]["accepted"].get<double>(), 0.0);
  }
}

TEST(Execution, APriceJumpWhileTheCopyIsHeldIsChasedAndFillsAsOneOrder) {
  Pipeline p({});
  p.StartAll();
  // Follower 1's placeOrder waits 1.5 s at the broker before it is processed.
  p.SimAdmin("fault", R"({"clientcode":"F101","endpoint":"placeOrder","kind":"hold","latency_ms":1500})");
  const std::string id = p.Place("master", "BUY", "RELIANCE-EQ", "2885", 5);
  const double master_price = MasterFill(p, id);
  ASSERT_TRUE(p.executors[0]->WaitForLog("placing BUY RELIANCE-EQ LIMIT", seconds(5)));
  // Meanwhile the price jumps 2 %: the LIMIT at +1 % no longer fills.
  p.SetPrice("RELIANCE-EQ", master_price * 1.02);
  const auto r = FinalRecord(p, "follower-1", seconds(15));
  ASSERT_TRUE(r.is_object()) << p.executors[0]->Log();
  EXPECT_EQ(r["state"], "FILLED") << r.dump();
  EXPECT_GE(r["modifications"].get<int>(), 1);
  const auto copies = p.Copies("follower-1");
  ASSERT_EQ(copies.size(), 1u) << "re-priced, not placed twice: " << p.Book("follower-1").dump();
  EXPECT_EQ(copies[0]["status"], "complete");
  EXPECT_GT(copies[0]["price"].get<double>(), master_price * 1.02);
  EXPECT_LE(copies[0]["price"].get<double>(), master_price * 1.03 + 1e-9);
  EXPECT_GT(r["slippage_bps"].get<double>(), 150.0);  // paid the 2 % move
}

TEST(Execution, ARunawayPricePastTheSlippageCapIsCancelledAndReportedNotFilled) {
  PipelineOptions options;
  options.followers = 1;
  options.extra_toml = "[execution]\nchase_for_s = 3\n";
  Pipeline p(options);
  p.StartAll();
  p.SimAdmin("fault", R"({"clientcode":"F101","endpoint":"placeOrder","kind":"hold","latency_ms":1000})");
  const std::string id = p.Place("master", "BUY", "INFY-EQ", "1594", 4);
  const double master_price = MasterFill(p, id);
  ASSERT_TRUE(p.executors[0]->WaitForLog("placing BUY INFY-EQ LIMIT", seconds(5)));
  p.SetPrice("INFY-EQ", master_price * 1.10);  // far past the 3 % cap
  const auto r = FinalRecord(p, "follower-1", seconds(15));
  ASSERT_TRUE(r.is_object()) << p.executors[0]->Log();
  EXPECT_EQ(r["state"], "CANCELLED") << r.dump();
  EXPECT_FALSE(r["success"].get<bool>());
  EXPECT_EQ(r["filled_quantity"], 0);
  EXPECT_NE(r["reason"].get<std::string>().find("max_slippage_pct"), std::string::npos) << r.dump();
  const auto copies = p.Copies("follower-1");
  ASSERT_EQ(copies.size(), 1u);
  EXPECT_EQ(copies[0]["status"], "cancelled");
  EXPECT_LE(copies[0]["price"].get<double>(), master_price * 1.03 + 1e-9);
  EXPECT_EQ(p.Records()["statistics"]["failed"], 1);
}

TEST(Execution, AnRmsRejectionIsReportedRejectedWithTheBrokersTextAndCountedFailed) {
  Pipeline p({});
  p.StartAll();
  p.SimAdmin("fault", R"({"clientcode":"F101","endpoint":"placeOrder","kind":"rms_reject"})");
  p.Place("master", "BUY", "TCS-EQ", "11536", 2);
  const auto r1 = FinalRecord(p, "follower-1");
  const auto r2 = FinalRecord(p, "follower-2");
  ASSERT_TRUE(r1.is_object() && r2.is_object()) << p.router->Log();
  EXPECT_EQ(r1["state"], "REJECTED") << r1.dump();
  EXPECT_FALSE(r1["success"].get<bool>());
  EXPECT_NE(r1["error"].get<std::string>().find("Insufficient Funds"), std::string::npos) << r1.dump();
  EXPECT_EQ(p.Copies("follower-1")[0]["status"], "rejected");
  EXPECT_EQ(r2["state"], "FILLED");
  ASSERT_TRUE(Eventually([&] { return p.Records()["statistics"]["failed"] == 1; }));
  const auto stats = p.Records()["statistics"];
  EXPECT_EQ(stats["successful"], 1);
  EXPECT_EQ(stats["total_copies"], 2);
}

TEST(Execution, EachFollowerSendsFromItsStaticIpAndAWrongOneIsRejectedAlone) {
  PipelineOptions options;
  options.sim_args = {"--static-ip", "F101=127.0.0.11", "--static-ip", "F102=127.0.0.12"};
  // Follower 2 is misconfigured: its calls leave from 127.0.0.13.
  options.extra_toml = "[followers.1]\nsource_address = \"127.0.0.11\"\n";
  Pipeline p(options);
  p.StartSim();
  p.AppendConfig("");
  {
    // [followers.2] exists in the harness's file: add the address to it.
    std::string toml = ReadFile(p.config());
    const std::string at = "[followers.2]\n";
    toml.replace(toml.find(at), at.size(), at + "source_address = \"127.0.0.13\"\n");
    WriteFile(p.config(), toml);
  }
  p.StartRouter();
  p.StartExecutor(1);
  p.StartExecutor(2);
  p.StartWatcher();
  p.Place("master", "BUY", "HDFCBANK-EQ", "1333", 3);
  const auto r1 = FinalRecord(p, "follower-1");
  const auto r2 = FinalRecord(p, "follower-2");
  ASSERT_TRUE(r1.is_object() && r2.is_object()) << p.router->Log();
  EXPECT_EQ(r1["state"], "FILLED") << r1.dump();
  EXPECT_EQ(r2["state"], "REJECTED") << r2.dump();
  EXPECT_NE(r2["error"].get<std::string>().find("127.0.0.13"), std::string::npos) << r2.dump();
  EXPECT_TRUE(p.Copies("follower-2").empty());
  EXPECT_EQ(p.Copies("follower-1").size(), 1u);
}

TEST(Execution, AnOptionsCopyIsPricedInsideTheLppBand) {
  Pipeline p({});
  p.StartAll();
  const std::string id = p.Place("master", "BUY", "NIFTY01DEC2626000CE", "47101", 75, 0, "NFO");
  const double master_price = MasterFill(p, id);
  const auto r = FinalRecord(p, "follower-1");
  ASSERT_TRUE(r.is_object()) << p.executors[0]->Log();
  EXPECT_EQ(r["state"], "FILLED") << r.dump();
  const auto copy = p.Copies("follower-1").at(0);
  const double price = copy["price"].get<double>();
  // NSE options: +/- Rs 20 up to Rs 50, +/- 40 % above; and the 3 % cap.
  const double half = master_price <= 50 ? 20.0 : 0.40 * master_price;
  EXPECT_LT(price, master_price + half);
  EXPECT_LE(price, master_price * 1.03 + 1e-9);
  EXPECT_EQ(copy["ordertype"], "LIMIT");
  EXPECT_EQ(p.Copies("follower-2").at(0)["quantity"], 150);
}

TEST(Execution, AnExecutorKilledDuringAChaseEndsWithExactlyOneFilledOrder) {
  PipelineOptions options;
  options.followers = 1;
  options.extra_toml = "[execution]\nchase_for_s = 60\n";
  Pipeline p(options);
  p.StartAll();
  p.SimAdmin("fault", R"({"clientcode":"F101","endpoint":"placeOrder","kind":"hold","latency_ms":1000})");
  const std::string id = p.Place("master", "SELL", "IOC-EQ", "1624", 9);
  const double master_price = MasterFill(p, id);
  ASSERT_TRUE(p.executors[0]->WaitForLog("placing SELL IOC-EQ LIMIT", seconds(5)));
  p.SetPrice("IOC-EQ", master_price * 0.90);  // a SELL chased down to its cap
  ASSERT_TRUE(p.executors[0]->WaitForLog("re-priced", seconds(10))) << p.executors[0]->Log();
  p.executors[0]->Signal(SIGKILL);
  ASSERT_EQ(p.executors[0]->Wait(), 128 + SIGKILL);
  p.StartExecutor(1);
  ASSERT_TRUE(p.executors[0]->WaitForLog("carrying on with copy", seconds(5))) << p.executors[0]->Log();
  p.SetPrice("IOC-EQ", master_price * 0.98);  // back inside the cap: the resting copy fills
  const auto r = FinalRecord(p, "follower-1", seconds(15));
  ASSERT_TRUE(r.is_object()) << p.executors[0]->Log();
  EXPECT_EQ(r["state"], "FILLED") << r.dump();
  const auto copies = p.Copies("follower-1");
  ASSERT_EQ(copies.size(), 1u) << p.Book("follower-1").dump();
  EXPECT_EQ(copies[0]["status"], "complete");
  EXPECT_EQ(copies[0]["filledshares"], 9);
}

TEST(Execution, WithTheRouterDownWhileACopyFillsTheRecordIsCompleteOnceItIsBack) {
  PipelineOptions options;
  options.followers = 1;
  Pipeline p(options);
  p.StartAll();
  // The follower's outcome is known only 2 s after the order: no push, the
  // reply held.
  p.SimAdmin("feed/mute", R"({"clientcode":"F101","muted":true})");
  p.SimAdmin("fault", R"({"clientcode":"F101","endpoint":"placeOrder","kind":"latency","latency_ms":2000})");
  p.Place("master", "BUY", "SBIN-EQ", "3045", 6);
  ASSERT_TRUE(p.router->WaitForLog("copying BUY SBIN-EQ", seconds(5))) << p.router->Log();
  p.router->Signal(SIGKILL);
  ASSERT_EQ(p.router->Wait(), 128 + SIGKILL);
  ASSERT_TRUE(p.executors[0]->WaitForLog("filled BUY SBIN-EQ x6/6", seconds(10))) << p.executors[0]->Log();
  p.StartRouter();
  const auto r = FinalRecord(p, "follower-1");
  ASSERT_TRUE(r.is_object()) << p.router->Log();
  EXPECT_EQ(r["state"], "FILLED") << r.dump();
  EXPECT_EQ(r["filled_quantity"], 6);
  EXPECT_TRUE(r["success"].get<bool>());
}

}  // namespace
}  // namespace ct::testing
