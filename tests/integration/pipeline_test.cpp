// The whole path with real parts: emulator, watcher, router, executors as
// processes on loopback; the master trades through SmartAPI; the copies are
// checked in the followers' order books at the broker.
#include <gtest/gtest.h>

#include <csignal>
#include <filesystem>

#include "tests/integration/pipeline_harness.h"

namespace ct::testing {
namespace {

using std::chrono::seconds;

TEST(Pipeline, CompletedMasterOrderIsCopiedOnceToEachFollower) {
  Pipeline p({});
  p.StartAll();
  const std::string market = p.Place("master", "BUY", "SBIN-EQ", "3045", 10);
  // A BUY LIMIT far under the market stays open: not copied.
  const std::string limit = p.Place("master", "BUY", "INFY-EQ", "1594", 5, 1.00);
  ASSERT_FALSE(market.empty());
  ASSERT_FALSE(limit.empty());

  // Within 5 s each follower's book holds the copy, at its own quantity.
  EXPECT_TRUE(Eventually([&] { return p.Copies("follower-1").size() >= 1 && p.Copies("follower-2").size() >= 1; },
                         seconds(5)));
  // One more poll cycle of the watcher: nothing else arrives.
  ASSERT_TRUE(p.router->WaitForLog("copied to follower-", seconds(5), 2));
  ASSERT_TRUE(p.watcher->WaitForLog("master order " + limit, seconds(5)));
  const auto f1 = p.Copies("follower-1");
  const auto f2 = p.Copies("follower-2");
  ASSERT_EQ(f1.size(), 1u) << p.Book("follower-1").dump();
  ASSERT_EQ(f2.size(), 1u) << p.Book("follower-2").dump();
  EXPECT_EQ(f1[0]["tradingsymbol"], "SBIN-EQ");
  EXPECT_EQ(f1[0]["transactiontype"], "BUY");
  EXPECT_EQ(f1[0]["quantity"], 10);  // mirror
  EXPECT_EQ(f1[0]["status"], "complete");
  EXPECT_EQ(f2[0]["tradingsymbol"], "SBIN-EQ");
  EXPECT_EQ(f2[0]["quantity"], 20);  // multiplier 2
}

TEST(Pipeline, OrdersPresentAtStartAreNeverCopied) {
  Pipeline p({});
  p.StartSim();
  p.Place("master", "BUY", "SBIN-EQ", "3045", 3);
  p.StartRouter();
  p.StartExecutor(1);
  p.StartExecutor(2);
  p.StartWatcher();
  EXPECT_NE(p.watcher->Log().find("baseline: 1 existing master order"), std::string::npos);
  ASSERT_FALSE(p.Place("master", "SELL", "RELIANCE-EQ", "2885", 2).empty());
  ASSERT_TRUE(p.router->WaitForLog("copied to follower-", seconds(5), 2)) << p.router->Log();
  const auto f1 = p.Copies("follower-1");
  ASSERT_EQ(f1.size(), 1u);
  EXPECT_EQ(f1[0]["tradingsymbol"], "RELIANCE-EQ");
  EXPECT_EQ(f1[0]["transactiontype"], "SELL");
}

TEST(Pipeline, DryRunPlacesNothing) {
  PipelineOptions options;
  options.dry_run = true;
  Pipeline p(options);
  p.StartAll();
  p.Place("master", "BUY", "SBIN-EQ", "3045", 10);
  // What would be placed is a marketable LIMIT, never MARKET.
  ASSERT_TRUE(p.executors[0]->WaitForLog("[DRY RUN] would place BUY SBIN-EQ LIMIT x10 @ ", seconds(5)));
  ASSERT_TRUE(p.executors[1]->WaitForLog("[DRY RUN] would place BUY SBIN-EQ LIMIT x20 @ ", seconds(5)));
  ASSERT_TRUE(p.router->WaitForLog("dry run for follower-", seconds(5), 2));
  EXPECT_TRUE(p.Book("follower-1").empty());
  EXPECT_TRUE(p.Book("follower-2").empty());
}

TEST(Pipeline, SessionRecordsHoldEveryCopyAndStatistics) {
  Pipeline p({});
  p.StartAll();
  const std::string id = p.Place("master", "BUY", "TCS-EQ", "11536", 4);
  ASSERT_TRUE(p.router->WaitForLog("copied to follower-", seconds(5), 2));
  p.router->Stop();
  std::string file;
  for (const auto& e : std::filesystem::directory_iterator(p.dir() / "records")) file = e.path().string();
  ASSERT_NE(file.find("copy_trading_"), std::string::npos);
  auto doc = nlohmann::json::parse(ReadFile(file));
  ASSERT_EQ(doc["records"].size(), 2u);
  for (const auto& r : doc["records"]) {
    EXPECT_EQ(r["master_order_id"], id);
    EXPECT_EQ(r["symbol"], "TCS-EQ");
    EXPECT_EQ(r["side"], "BUY");
    EXPECT_TRUE(r["success"].get<bool>());
    EXPECT_FALSE(r["follower_order_id"].get<std::string>().empty());
    EXPECT_TRUE(r.contains("price"));
    EXPECT_TRUE(r.contains("error"));
  }
  EXPECT_EQ(doc["statistics"]["total_copies"], 2);
  EXPECT_EQ(doc["statistics"]["successful"], 2);
  EXPECT_EQ(doc["statistics"]["failed"], 0);
  EXPECT_DOUBLE_EQ(doc["statistics"]["success_rate"].get<double>(), 100.0);
  // Secrets never reach the records or the logs.
  for (const std::string& text : {ReadFile(file), p.router->Log(), p.watcher->Log(), p.executors[0]->Log()}) {
    EXPECT_EQ(text.find("master-api-key-1"), std::string::npos);
    EXPECT_EQ(text.find("follower-api-key-1"), std::string::npos);
    EXPECT_EQ(text.find("eyJ"), std::string::npos);
  }
}

TEST(Pipeline, LostReplyAtTheFollowerStillGivesExactlyOneCopy) {
  Pipeline p({});
  p.StartAll();
  // The broker takes follower 1's order but the reply never arrives.
  p.SimAdmin("fault", R"({"clientcode":"F101","endpoint":"placeOrder","kind":"lost_reply","count":1})");
  p.Place("master", "BUY", "HDFCBANK-EQ", "1333", 7);
  ASSERT_TRUE(p.router->WaitForLog("copied to follower-1", seconds(10))) << p.executors[0]->Log();
  ASSERT_TRUE(p.router->WaitForLog("copied to follower-2", seconds(5)));
  const auto f1 = p.Copies("follower-1");
  ASSERT_EQ(f1.size(), 1u) << p.Book("follower-1").dump();
  EXPECT_EQ(f1[0]["quantity"], 7);
  EXPECT_EQ(p.Copies("follower-2").size(), 1u);
}

TEST(Pipeline, AFollowerThatFailsFailsAlone) {
  Pipeline p({});
  p.StartAll();
  p.SimAdmin("fault",
             R"({"clientcode":"F101","endpoint":"placeOrder","kind":"reject","count":-1,"errorcode":"AB1004"})");
  p.Place("master", "SELL", "SBIN-EQ", "3045", 3);
  ASSERT_TRUE(p.router->WaitForLog("copied to follower-2", seconds(5))) << p.router->Log();
  ASSERT_TRUE(p.router->WaitForLog("REJECTED AB1004", seconds(5))) << p.router->Log();
  EXPECT_TRUE(p.Copies("follower-1").empty());
  const auto f2 = p.Copies("follower-2");
  ASSERT_EQ(f2.size(), 1u);
  EXPECT_EQ(f2[0]["quantity"], 6);
  EXPECT_TRUE(p.executors[0]->running());
}

TEST(Pipeline, ExecutorKilledWhileTheMasterTradesCatchesUpOnce) {
  Pipeline p({});
  p.StartAll();
  p.executors[0]->Signal(SIGKILL);
  ASSERT_EQ(p.executors[0]->Wait(), 128 + SIGKILL);
  p.Place("master", "BUY", "IOC-EQ", "1624", 12);
  ASSERT_TRUE(p.router->WaitForLog("copied to follower-2", seconds(5)));
  p.StartExecutor(1);  // replays what it missed from the router's journal
  ASSERT_TRUE(p.router->WaitForLog("copied to follower-1", seconds(5))) << p.executors[0]->Log();
  // And a restart after that places nothing again.
  p.executors[0]->Stop();
  p.StartExecutor(1);
  p.Place("master", "BUY", "IOC-EQ", "1624", 1);
  ASSERT_TRUE(p.router->WaitForLog("copied to follower-1", seconds(5), 2));
  const auto f1 = p.Copies("follower-1");
  ASSERT_EQ(f1.size(), 2u) << p.Book("follower-1").dump();
  EXPECT_EQ(f1[0]["quantity"].get<int>() + f1[1]["quantity"].get<int>(), 13);
}

TEST(Pipeline, CurveEncryptedBusAdmitsOnlyListedClients) {
  Pipeline p({});
  p.StartSim();
  const std::string keys = p.dir() / "keys";
  for (const std::string name : {"watcher", "router", "executor", "client", "intruder"}) {
    int rc = 0;
    const std::string out = p.Run({"keygen", keys + "/" + name}, &rc);
    ASSERT_EQ(rc, 0) << out;
  }
  WriteFile(keys + "/allowed", ReadFile(keys + "/client.pub"));
  p.AppendConfig("[bus.curve]\nenabled = true\n"
                 "watcher_public_key_file = \"" + keys + "/watcher.pub\"\n"
                 "watcher_secret_key_file = \"" + keys + "/watcher.key\"\n"
                 "router_public_key_file = \"" + keys + "/router.pub\"\n"
                 "router_secret_key_file = \"" + keys + "/router.key\"\n"
                 "executor_public_key_file = \"" + keys + "/executor.pub\"\n"
                 "executor_secret_key_file = \"" + keys + "/executor.key\"\n"
                 "client_public_key_file = \"" + keys + "/client.pub\"\n"
                 "client_secret_key_file = \"" + keys + "/client.key\"\n"
                 "allowed_clients_file = \"" + keys + "/allowed\"\n");
  // Follower 2's executor runs with a key pair the router does not list.
  std::string intruder = ReadFile(p.config());
  for (const std::string ext : {".pub", ".key"}) {
    const std::string from = keys + "/client" + ext, to = keys + "/intruder" + ext;
    intruder.replace(intruder.find(from), from.size(), to);
  }
  WriteFile(p.dir() / "intruder.toml", intruder);
  p.StartRouter();
  p.StartExecutor(1);
  p.StartExecutor(2, p.dir() / "intruder.toml");
  p.StartWatcher();
  p.Place("master", "BUY", "SBIN-EQ", "3045", 5);
  ASSERT_TRUE(p.router->WaitForLog("copied to follower-1", seconds(10))) << p.router->Log();
  EXPECT_EQ(p.Copies("follower-1").size(), 1u);
  // The unlisted client never hears the router: no copy, publisher never up.
  EXPECT_TRUE(p.Copies("follower-2").empty());
  EXPECT_EQ(p.executors[1]->Log().find("publisher up"), std::string::npos);
  EXPECT_NE(p.router->Log().find("CURVE: refused client key"), std::string::npos) << p.router->Log();
}

TEST(Pipeline, CurveWithoutItsKeyFilesExitsTwoNamingTheSetting) {
  Pipeline p({});
  p.StartSim();
  p.AppendConfig("[bus.curve]\nenabled = true\nclient_public_key_file = \"" + p.dir() / "nope.pub" + "\"\n");
  ChildProcess executor({BinPath("copytrade-executor"), "--config", p.config(), "--env", p.env(), "--follower", "1"},
                        p.dir() / "executor.bad.log");
  EXPECT_EQ(executor.Wait(seconds(10)), 2);
  EXPECT_NE(executor.Log().find("bus.curve.client_public_key_file"), std::string::npos) << executor.Log();
  EXPECT_NE(executor.Log().find("nope.pub"), std::string::npos) << executor.Log();
  ChildProcess watcher({BinPath("copytrade-watcher"), "--config", p.config(), "--env", p.env()},
                       p.dir() / "watcher.bad.log");
  EXPECT_EQ(watcher.Wait(seconds(10)), 2);
  EXPECT_NE(watcher.Log().find("bus.curve.watcher_public_key_file: required"), std::string::npos) << watcher.Log();
}

TEST(Pipeline, StatusShowsEveryProcessAndAStoppedWatcher) {
  Pipeline p({});
  p.StartAll();
  int rc = -1;
  std::string out;
  // Status files are rewritten every second; the first ones may predate the
  // subscribers hearing their publishers.
  ASSERT_TRUE(Eventually(
      [&] {
        out = p.Run({"status", "--config", p.config()}, &rc);
        return rc == 0 && out.find("order feed connected") != std::string::npos;
      },
      seconds(5)))
      << out;
  for (const std::string name : {"watcher", "router", "executor-1", "executor-2"})
    EXPECT_NE(out.find(name + " "), std::string::npos) << out;
  EXPECT_NE(out.find("order feed connected"), std::string::npos) << out;
  p.watcher->Signal(SIGKILL);
  ASSERT_TRUE(Eventually(
      [&] {
        out = p.Run({"status", "--config", p.config()}, &rc);
        return out.find("master: applied 0, publisher DOWN") != std::string::npos;
      },
      seconds(8)))
      << out;
  EXPECT_EQ(rc, 1);
}

TEST(Pipeline, BadConfigurationExitsTwoNamingFileAndKey) {
  Pipeline p({});
  p.StartSim();
  WriteFile(p.config(), ReadFile(p.config()) + "\n[copy]\nquantity_rule = \"triple\"\n");
  for (const std::string bin : {"copytrade-watcher", "copytrade-router", "copytrade-executor", "copytrade"}) {
    std::vector<std::string> argv{BinPath(bin)};
    if (bin == "copytrade") argv.push_back("validate");
    argv.insert(argv.end(), {"--config", p.config(), "--env", p.env()});
    if (bin == "copytrade-executor") argv.insert(argv.end(), {"--follower", "1"});
    ChildProcess proc(argv, p.dir() / (bin + ".bad.log"));
    EXPECT_EQ(proc.Wait(seconds(10)), 2) << bin;
    const std::string out = proc.Log();
    EXPECT_NE(out.find(p.config()), std::string::npos) << out;
    EXPECT_NE(out.find("copy.quantity_rule"), std::string::npos) << out;
  }
}

}  // namespace
}  // namespace ct::testing
