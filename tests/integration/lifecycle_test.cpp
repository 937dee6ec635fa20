// The whole order lifecycle against the emulator (issue 9): complete mode
// (partial fills, triggered stop-losses, orders from before the start),
// mirror mode (a resting copy follows the master's modifications and
// cancel), and exits that leave followers flat. The master trades by hand
// in the broker's app; every assertion reads the followers' books and
// fills at the emulator, or the session records.
#include <gtest/gtest.h>

#include "tests/integration/pipeline_harness.h"

namespace ct::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr char kF1[] = "F101";  // follower-1's client code
constexpr char kOption[] = "NIFTY01DEC2626000CE";
constexpr char kOptionToken[] = "47101";

double Num(const nlohmann::json& row, const std::string& key) {
  if (!row.contains(key)) return 0;
  const auto& v = row[key];
  if (v.is_string()) return v.get<std::string>().empty() ? 0 : std::stod(v.get<std::string>());
  return v.is_number() ? v.get<double>() : 0;
}

// Waits (with a deadline) until follower-1 has exactly `n` copies at the
// emulator and `ok(copies)` holds; the copies then.
std::vector<nlohmann::json> WaitCopies(Pipeline& p, size_t n,
                                       const std::function<bool(const std::vector<nlohmann::json>&)>& ok,
                                       milliseconds deadline = seconds(5)) {
  std::vector<nlohmann::json> copies;
  Eventually(
      [&] {
        copies = p.SimCopies(kF1);
        return copies.size() == n && ok(copies);
      },
      deadline);
  return copies;
}

std::string Dump(const std::vector<nlohmann::json>& rows) {
  std::string out;
  for (const auto& r : rows) out += r.dump() + "\n";
  return out;
}

PipelineOptions OneFollower(const std::string& toml) {
  PipelineOptions o;
  o.followers = 1;
  o.extra_toml = toml;
  return o;
}

// ---- complete mode ---------------------------------------------------------------

// Waits for the router's decision routing (router/decision.*, issue 10).
TEST(LifecycleComplete, DISABLED_APartFillFollowedByACancelCopiesTheFilledPart) {
  Pipeline p(OneFollower(""));
  p.StartAll();
  p.SetPrice("SBIN-EQ", 800.0);
  // A resting BUY 10 @ 790: 4 fill, then the master cancels the rest.
  const std::string id = p.AppPlace({{"tradingsymbol", "SBIN-EQ"}, {"symboltoken", "3045"}, {"transactiontype", "BUY"},
                                     {"ordertype", "LIMIT"}, {"price", 790.0}, {"quantity", 10}});
  ASSERT_FALSE(id.empty());
  p.SimFill(id, 4);
  ASSERT_EQ(p.AppCancel(id).value("status", false), true);
  const auto copies = WaitCopies(p, 1, [](const auto& c) { return c[0].value("status", "") == "complete"; },
                                 seconds(10));
  ASSERT_EQ(copies.size(), 1u) << Dump(p.SimCopies(kF1)) << p.executors[0]->Log() << p.router->Log();
  EXPECT_EQ(Num(copies[0], "quantity"), 4);
  EXPECT_EQ(p.NetAtSim(kF1, "SBIN-EQ"), 4);
  EXPECT_EQ(copies[0].value("ordertype", ""), "LIMIT");
}

TEST(LifecycleComplete, ATriggeredStopLossCopiesAsAFilledEntry) {
  Pipeline p(OneFollower(""));
  p.StartAll();
  p.SetPrice("SBIN-EQ", 800.0);
  // A BUY stop-loss above the market triggers when the price reaches it.
  const std::string id =
      p.AppPlace({{"tradingsymbol", "SBIN-EQ"}, {"symboltoken", "3045"}, {"transactiontype", "BUY"},
                  {"ordertype", "STOPLOSS_MARKET"}, {"triggerprice", 810.0}, {"price", 0}, {"quantity", 5}});
  ASSERT_FALSE(id.empty());
  p.SetPrice("SBIN-EQ", 812.0);
  const auto copies = WaitCopies(p, 1, [](const auto& c) { return c[0].value("status", "") == "complete"; },
                                 seconds(10));
  ASSERT_EQ(copies.size(), 1u) << Dump(p.SimCopies(kF1)) << p.executors[0]->Log();
  // An entry at the market (a marketable LIMIT), never a stop with a crossed trigger.
  EXPECT_EQ(copies[0].value("ordertype", ""), "LIMIT");
  EXPECT_EQ(Num(copies[0], "triggerprice"), 0);
  EXPECT_EQ(p.NetAtSim(kF1, "SBIN-EQ"), 5);
}

TEST(LifecycleComplete, AnOrderPlacedBeforeStartIsNeverCopiedEvenWhenItFillsLater) {
  Pipeline p(OneFollower(""));
  p.StartSim();
  p.SetPrice("SBIN-EQ", 800.0);
  const std::string before = p.AppPlace({{"tradingsymbol", "SBIN-EQ"}, {"symboltoken", "3045"},
                                         {"transactiontype", "BUY"}, {"ordertype", "LIMIT"}, {"price", 790.0},
                                         {"quantity", 7}});
  p.StartRouter();
  p.StartExecutor(1);
  p.StartWatcher();
  p.SetPrice("SBIN-EQ", 789.0);  // the order from before the start fills now
  // A later order is copied: once its copy is there, the first had its chance.
  p.Place("master", "BUY", "INFY-EQ", "1594", 3);
  const auto copies = WaitCopies(p, 1, [](const auto& c) { return c[0].value("status", "") == "complete"; },
                                 seconds(10));
  ASSERT_EQ(copies.size(), 1u) << Dump(p.SimCopies(kF1));
  EXPECT_EQ(copies[0].value("tradingsymbol", ""), "INFY-EQ");
  EXPECT_EQ(p.NetAtSim(kF1, "SBIN-EQ"), 0);
  bool before_filled = false;
  for (const auto& row : p.SimBook("M100"))
    if (row.value("orderid", "") == before) before_filled = row.value("status", "") == "complete";
  EXPECT_TRUE(before_filled);
}

// ---- mirror mode -----------------------------------------------------------------

constexpr char kMirror[] = "[followers.1]\ncopy_mode = \"mirror\"\n";

// Waits for the router's decision routing (router/decision.*, issue 10).
TEST(LifecycleMirror, DISABLED_ALimitPlacedModifiedTwiceAndCancelledIsMirroredStepByStep) {
  Pipeline p(OneFollower(kMirror));
  p.StartAll();
  p.SetPrice("SBIN-EQ", 800.0);
  const std::string id = p.AppPlace({{"tradingsymbol", "SBIN-EQ"}, {"symboltoken", "3045"}, {"transactiontype", "BUY"},
                                     {"ordertype", "LIMIT"}, {"price", 780.0}, {"quantity", 10}});
  // Each step within a deadline (the issue asks for a second; a loaded
  // 2-core test machine gets a little more).
  const auto step = seconds(3);
  auto copies = WaitCopies(
      p, 1, [](const auto& c) { return c[0].value("status", "") == "open" && Num(c[0], "price") == 780.0; }, step);
  ASSERT_EQ(copies.size(), 1u) << Dump(p.SimCopies(kF1)) << p.executors[0]->Log();
  EXPECT_EQ(Num(copies[0], "quantity"), 10);
  EXPECT_EQ(copies[0].value("ordertype", ""), "LIMIT");

  ASSERT_EQ(p.AppModify(id, 785.0, 10).value("status", false), true);
  copies = WaitCopies(p, 1, [](const auto& c) { return Num(c[0], "price") == 785.0; }, step);
  ASSERT_EQ(Num(copies.at(0), "price"), 785.0) << Dump(copies) << p.executors[0]->Log();

  ASSERT_EQ(p.AppModify(id, 785.0, 15).value("status", false), true);
  copies = WaitCopies(p, 1, [](const auto& c) { return Num(c[0], "quantity") == 15; }, step);
  ASSERT_EQ(Num(copies.at(0), "quantity"), 15) << Dump(copies) << p.executors[0]->Log();

  ASSERT_EQ(p.AppCancel(id).value("status", false), true);
  copies = WaitCopies(p, 1, [](const auto& c) { return c[0].value("status", "") == "cancelled"; }, step);
  ASSERT_EQ(copies.at(0).value("status", ""), "cancelled") << Dump(copies) << p.executors[0]->Log();
  EXPECT_EQ(p.NetAtSim(kF1, "SBIN-EQ"), 0);
}

// Waits for the router's decision routing (router/decision.*, issue 10).
TEST(LifecycleMirror, DISABLED_ATrailingStopLossModifiedThreeTimesIsFollowedThreeTimes) {
  Pipeline p(OneFollower(kMirror));
  p.StartAll();
  p.SetPrice("SBIN-EQ", 800.0);
  // A SELL stop-loss under the market, trailed up three times.
  const std::string id =
      p.AppPlace({{"tradingsymbol", "SBIN-EQ"}, {"symboltoken", "3045"}, {"transactiontype", "SELL"},
                  {"ordertype", "STOPLOSS_LIMIT"}, {"triggerprice", 780.0}, {"price", 779.0}, {"quantity", 10}});
  auto copies = WaitCopies(p, 1, [](const auto& c) {
    return c[0].value("status", "") == "trigger pending" && Num(c[0], "triggerprice") == 780.0;
  });
  ASSERT_EQ(copies.size(), 1u) << Dump(p.SimCopies(kF1)) << p.executors[0]->Log();
  EXPECT_EQ(copies[0].value("ordertype", ""), "STOPLOSS_LIMIT");
  EXPECT_EQ(Num(copies[0], "price"), 779.0);
  for (int i = 1; i <= 3; ++i) {
    const double trigger = 780.0 + 5 * i;
    ASSERT_EQ(p.AppModifyWith(id, {{"ordertype", "STOPLOSS_LIMIT"}, {"triggerprice", trigger},
                                   {"price", trigger - 1}, {"quantity", 10}})
                  .value("status", false),
              true);
    copies = WaitCopies(p, 1, [&](const auto& c) {
      return Num(c[0], "triggerprice") == trigger && Num(c[0], "price") == trigger - 1;
    });
    ASSERT_EQ(Num(copies.at(0), "triggerprice"), trigger) << "modification " << i << "\n"
                                                           << Dump(copies) << p.executors[0]->Log();
  }
  EXPECT_EQ(p.SimCopies(kF1).size(), 1u) << "modified, never placed again";
}

// Waits for the router's decision routing (router/decision.*, issue 10).
TEST(LifecycleMirror, DISABLED_AModifyAfterTheFollowersCopyFilledIsReportedAndPlacesNothing) {
  Pipeline p(OneFollower(kMirror));
  p.StartAll();
  p.SetPrice("SBIN-EQ", 800.0);
  const std::string id = p.AppPlace({{"tradingsymbol", "SBIN-EQ"}, {"symboltoken", "3045"}, {"transactiontype", "BUY"},
                                     {"ordertype", "LIMIT"}, {"price", 780.0}, {"quantity", 10}});
  auto copies = WaitCopies(p, 1, [](const auto& c) { return c[0].value("status", "") == "open"; });
  ASSERT_EQ(copies.size(), 1u) << Dump(p.SimCopies(kF1)) << p.executors[0]->Log();
  // The follower's copy fills (its own market), the master's does not.
  p.SimFill(copies[0].value("orderid", ""), 0);
  ASSERT_TRUE(Eventually([&] {
    for (const auto& r : p.RecordsOf("follower-1"))
      if (r.value("state", "") == "FILLED") return true;
    return false;
  }, seconds(5)));
  ASSERT_EQ(p.AppModify(id, 782.0, 10).value("status", false), true);
  nlohmann::json report;
  ASSERT_TRUE(Eventually([&] {
    for (const auto& r : p.RecordsOf("follower-1"))
      if (r.value("reason", "").find("already ended") != std::string::npos) {
        report = r;
        return true;
      }
    return false;
  }, seconds(5))) << p.Records().dump(1) << p.executors[0]->Log();
  EXPECT_NE(report.value("reason", "").find("FILLED"), std::string::npos) << report.dump();
  copies = p.SimCopies(kF1);
  ASSERT_EQ(copies.size(), 1u) << "no second order: " << Dump(copies);
  EXPECT_EQ(Num(copies[0], "price"), 780.0);
  EXPECT_EQ(p.NetAtSim(kF1, "SBIN-EQ"), 10);
}

// ---- exits that leave followers flat ---------------------------------------------------

// The master trades NIFTY options at the market; waits for each copy to fill.
void MasterTrades(Pipeline& p, const std::vector<std::pair<std::string, long>>& trades) {
  p.SetPrice(kOption, 120.0, "NFO");
  for (size_t i = 0; i < trades.size(); ++i) {
    p.Place("master", trades[i].first, kOption, kOptionToken, trades[i].second, 0, "NFO");
    const auto copies = WaitCopies(
        p, i + 1,
        [](const auto& c) {
          for (const auto& row : c)
            if (row.value("status", "") != "complete") return false;
          return true;
        },
        seconds(10));
    ASSERT_EQ(copies.size(), i + 1) << "after " << trades[i].first << " " << trades[i].second << "\n"
                                    << Dump(p.SimCopies(kF1)) << p.executors[0]->Log() << p.router->Log();
    for (const auto& row : copies) EXPECT_EQ(static_cast<long>(Num(row, "quantity")) % 75, 0) << row.dump();
  }
}

// Waits for the router's decision routing (router/decision.*, issue 10).
TEST(LifecycleExits, DISABLED_OneAndAHalfTimesFollowerEntersTwiceAndLeavesFlatNotShort) {
  Pipeline p(OneFollower("[followers.1]\nquantity_rule = \"multiplier\"\nmultiplier = 1.5\n"));
  p.StartAll();
  // 1.5 x 75 = 112.5 -> 75 each (whole lots); SELL 150 takes the master flat.
  MasterTrades(p, {{"BUY", 75}, {"BUY", 75}});
  EXPECT_EQ(p.NetAtSim(kF1, kOption), 150);
  p.Place("master", "SELL", kOption, kOptionToken, 150, 0, "NFO");
  const auto copies = WaitCopies(
      p, 3, [](const auto& c) { return c[2].value("status", "") == "complete"; }, seconds(10));
  ASSERT_EQ(copies.size(), 3u) << Dump(p.SimCopies(kF1)) << p.executors[0]->Log();
  EXPECT_EQ(Num(copies[2], "quantity"), 150);
  EXPECT_EQ(p.NetAtSim(kF1, kOption), 0) << "flat, not short";
}

TEST(LifecycleExits, HalfSizeFollowerLeavesFlatInWholeLots) {
  Pipeline p(OneFollower("[followers.1]\nquantity_rule = \"multiplier\"\nmultiplier = 0.5\n"));
  p.StartAll();
  MasterTrades(p, {{"BUY", 300}});
  EXPECT_EQ(p.NetAtSim(kF1, kOption), 150);
  p.Place("master", "SELL", kOption, kOptionToken, 150, 0, "NFO");
  auto copies = WaitCopies(p, 2, [](const auto& c) { return c[1].value("status", "") == "complete"; }, seconds(10));
  ASSERT_EQ(copies.size(), 2u) << Dump(p.SimCopies(kF1)) << p.executors[0]->Log();
  EXPECT_EQ(Num(copies[1], "quantity"), 75);
  EXPECT_EQ(p.NetAtSim(kF1, kOption), 75);
  p.Place("master", "SELL", kOption, kOptionToken, 150, 0, "NFO");
  copies = WaitCopies(p, 3, [](const auto& c) { return c[2].value("status", "") == "complete"; }, seconds(10));
  ASSERT_EQ(copies.size(), 3u) << Dump(p.SimCopies(kF1)) << p.executors[0]->Log();
  EXPECT_EQ(Num(copies[2], "quantity"), 75);
  EXPECT_EQ(p.NetAtSim(kF1, kOption), 0);
  for (const auto& row : copies) EXPECT_EQ(static_cast<long>(Num(row, "quantity")) % 75, 0) << row.dump();
}

}  // namespace
}  // namespace ct::testing
