// Per-follower rules against the emulator: freeze slicing, approval,
// pause / resume, stop-all and the daily loss limit. The master trades in
// the broker's app; the assertions read the followers' books at the
// emulator, the session records and the CLI's output.
#include <gtest/gtest.h>

#include <algorithm>
#include <regex>

#include "tests/integration/pipeline_harness.h"

namespace ct::testing {
namespace {

using std::chrono::seconds;

const char kNiftyCe[] = "NIFTY01DEC2626000CE";
const char kNiftyCeToken[] = "47101";
const char kBankNiftyCe[] = "BANKNIFTY29DEC2659000CE";
const char kBankNiftyCeToken[] = "48211";

// Quantities of `clientcode`'s copies of master order `orderid`'s symbol,
// largest first.
std::vector<int64_t> CopyQuantities(Pipeline& p, const std::string& clientcode, const std::string& symbol) {
  std::vector<int64_t> q;
  for (const auto& row : p.SimCopies(clientcode))
    if (row["tradingsymbol"] == symbol) {
      // SmartAPI sends numbers as strings in the book.
      const auto& v = row["quantity"];
      q.push_back(v.is_string() ? std::stoll(v.get<std::string>()) : v.get<int64_t>());
    }
  std::sort(q.rbegin(), q.rend());
  return q;
}

bool AllComplete(Pipeline& p, const std::string& clientcode, const std::string& symbol, size_t count) {
  size_t n = 0;
  for (const auto& row : p.SimCopies(clientcode))
    if (row["tradingsymbol"] == symbol && row["status"] == "complete") ++n;
  return n == count;
}

// The record of `follower` whose state is `state` and whose reason holds `reason`.
nlohmann::json RecordWith(Pipeline& p, const std::string& follower, const std::string& state,
                          const std::string& reason = "") {
  for (const auto& r : p.RecordsOf(follower))
    if (r.value("state", "") == state && r.value("reason", "").find(reason) != std::string::npos) return r;
  return nlohmann::json();
}

std::string HeldId(const std::string& pending_output) {
  std::smatch m;
  if (!std::regex_search(pending_output, m, std::regex("\\n  (ct[0-9a-z]{13}) "))) return "";
  return m[1].str();
}

TEST(Rules, CopiesAboveTheFreezeQuantityArriveAsWholeLotLegs) {
  // follower-1 copies at 4x, follower-2 at 2x. The master's own orders stay
  // within the freeze quantity (the broker refuses larger ones).
  Pipeline p({.extra_toml = "[followers.1]\nquantity_rule = \"multiplier\"\nmultiplier = 4.0\n", .sim_args = {}});
  p.StartAll();
  // NIFTY (lot 75, freeze 1800): 1500 x 2 = 3000 -> 1800 + 1200.
  ASSERT_FALSE(p.Place("master", "BUY", kNiftyCe, kNiftyCeToken, 1500, 0, "NFO").empty());
  ASSERT_TRUE(Eventually([&] { return AllComplete(p, "F102", kNiftyCe, 2); }, seconds(20)))
      << p.router->Log() << p.executors[1]->Log();
  EXPECT_EQ(CopyQuantities(p, "F102", kNiftyCe), (std::vector<int64_t>{1800, 1200}));
  ASSERT_TRUE(Eventually([&] { return AllComplete(p, "F101", kNiftyCe, 4); }, seconds(20)));
  EXPECT_EQ(CopyQuantities(p, "F101", kNiftyCe), (std::vector<int64_t>{1800, 1800, 1800, 600}));

  // BANKNIFTY (lot 35, freeze 600, not the outdated 900): 350 x 4 = 1400
  // -> 595 + 595 + 210; follower-2's 700 -> 595 + 105.
  ASSERT_FALSE(p.Place("master", "BUY", kBankNiftyCe, kBankNiftyCeToken, 350, 0, "NFO").empty());
  ASSERT_TRUE(Eventually([&] { return AllComplete(p, "F101", kBankNiftyCe, 3); }, seconds(20)))
      << p.router->Log() << p.executors[0]->Log();
  EXPECT_EQ(CopyQuantities(p, "F101", kBankNiftyCe), (std::vector<int64_t>{595, 595, 210}));
  ASSERT_TRUE(Eventually([&] { return AllComplete(p, "F102", kBankNiftyCe, 2); }, seconds(20)));
  EXPECT_EQ(CopyQuantities(p, "F102", kBankNiftyCe), (std::vector<int64_t>{595, 105}));
  // Each leg has its own ordertag; the records report them as one copy.
  std::set<std::string> tags, copy_ids;
  ASSERT_TRUE(Eventually([&] {
    tags.clear();
    copy_ids.clear();
    for (const auto& r : p.RecordsOf("follower-1"))
      if (r["symbol"] == kBankNiftyCe && r["state"] == "FILLED") {
        tags.insert(r["ordertag"].get<std::string>());
        copy_ids.insert(r["copy_id"].get<std::string>());
        EXPECT_EQ(r["legs"], 3) << r.dump();
      }
    return tags.size() == 3;
  }, seconds(10))) << p.Records().dump(2);
  EXPECT_EQ(copy_ids.size(), 1u);
}

TEST(Rules, HeldCopiesAreApprovedRejectedOrExpire) {
  Pipeline p({.followers = 1, .extra_toml = "[followers.1]\nrequire_approval = true\nmax_copy_delay_ms = 8000\n", .sim_args = {}});
  p.StartAll();
  int rc = -1;
  EXPECT_NE(p.Control("pending", {}, &rc).find("no copies awaiting approval"), std::string::npos);
  EXPECT_EQ(rc, 0);

  // Approve.
  ASSERT_FALSE(p.Place("master", "BUY", "SBIN-EQ", "3045", 10).empty());
  std::string pending;
  ASSERT_TRUE(Eventually([&] {
    pending = p.Control("pending");
    return pending.find("1 copy awaiting approval") != std::string::npos;
  }, seconds(10))) << pending << p.router->Log();
  EXPECT_NE(pending.find("SBIN-EQ"), std::string::npos) << pending;
  EXPECT_NE(pending.find("follower-1"), std::string::npos) << pending;
  EXPECT_TRUE(p.SimCopies("F101").empty());
  EXPECT_TRUE(Eventually([&] { return RecordWith(p, "follower-1", "HELD").is_object(); }, seconds(5)))
      << p.Records().dump(2);
  const std::string id = HeldId(pending);
  ASSERT_FALSE(id.empty()) << pending;
  const std::string approved = p.Control("approve", {id}, &rc);
  EXPECT_EQ(rc, 0) << approved;
  EXPECT_NE(approved.find("approved 1 copy"), std::string::npos) << approved;
  ASSERT_TRUE(Eventually([&] { return AllComplete(p, "F101", "SBIN-EQ", 1); }, seconds(10))) << p.executors[0]->Log();

  // Reject.
  ASSERT_FALSE(p.Place("master", "BUY", "SBIN-EQ", "3045", 5).empty());
  ASSERT_TRUE(Eventually([&] { return p.Control("pending").find("1 copy awaiting") != std::string::npos; }, seconds(10)));
  const std::string rejected = p.Control("reject", {"all"}, &rc);
  EXPECT_EQ(rc, 0) << rejected;
  EXPECT_NE(rejected.find("rejected 1 copy"), std::string::npos) << rejected;
  ASSERT_TRUE(Eventually([&] { return RecordWith(p, "follower-1", "SKIPPED", "rejected by cli").is_object(); },
                         seconds(5)))
      << p.Records().dump(2);

  // Expiry: nobody answers within max_copy_delay_ms.
  ASSERT_FALSE(p.Place("master", "SELL", "SBIN-EQ", "3045", 3).empty());
  ASSERT_TRUE(Eventually([&] { return p.Control("pending").find("1 copy awaiting") != std::string::npos; }, seconds(10)));
  ASSERT_TRUE(Eventually([&] { return RecordWith(p, "follower-1", "STALE", "not approved within").is_object(); },
                         seconds(20)))
      << p.Records().dump(2);
  EXPECT_NE(p.Control("pending").find("no copies awaiting approval"), std::string::npos);
  // An unknown id is a clear error.
  const std::string bad = p.Control("approve", {"ct0000000000000"}, &rc);
  EXPECT_EQ(rc, 1);
  EXPECT_NE(bad.find("no held copy 'ct0000000000000'"), std::string::npos) << bad;
  // Only the approved copy reached the broker.
  EXPECT_EQ(p.SimCopies("F101").size(), 1u);
}

TEST(Rules, OneFollowerPausedAndResumedWhileTheOtherKeepsCopying) {
  Pipeline p({});
  p.StartAll();
  int rc = -1;
  const std::string paused = p.Control("pause", {"follower-1"}, &rc);
  EXPECT_EQ(rc, 0) << paused;
  EXPECT_NE(paused.find("paused follower-1"), std::string::npos) << paused;
  EXPECT_NE(paused.find("follower-1 (F101): PAUSED"), std::string::npos) << paused;
  EXPECT_NE(paused.find("follower-2 (F102): copying"), std::string::npos) << paused;

  ASSERT_FALSE(p.Place("master", "BUY", "SBIN-EQ", "3045", 10).empty());
  ASSERT_TRUE(Eventually([&] { return AllComplete(p, "F102", "SBIN-EQ", 1); }, seconds(10)));
  ASSERT_TRUE(Eventually([&] { return RecordWith(p, "follower-1", "SKIPPED", "paused").is_object(); }, seconds(5)))
      << p.Records().dump(2);
  EXPECT_TRUE(p.SimCopies("F101").empty());

  const std::string resumed = p.Control("resume", {"follower-1"}, &rc);
  EXPECT_EQ(rc, 0) << resumed;
  EXPECT_NE(resumed.find("follower-1 (F101): copying"), std::string::npos) << resumed;
  ASSERT_FALSE(p.Place("master", "BUY", "INFY-EQ", "1594", 4).empty());
  ASSERT_TRUE(Eventually([&] { return AllComplete(p, "F101", "INFY-EQ", 1); }, seconds(10))) << p.router->Log();
  ASSERT_TRUE(Eventually([&] { return AllComplete(p, "F102", "INFY-EQ", 1); }, seconds(10)));
  EXPECT_EQ(CopyQuantities(p, "F101", "INFY-EQ"), std::vector<int64_t>{4});
  EXPECT_EQ(CopyQuantities(p, "F102", "INFY-EQ"), std::vector<int64_t>{8});
  const std::string bad = p.Control("pause", {"follower-9"}, &rc);
  EXPECT_EQ(rc, 1);
  EXPECT_NE(bad.find("unknown follower 'follower-9'"), std::string::npos) << bad;
}

TEST(Rules, StopAllCancelsAnOpenCopyAtTheBroker) {
  Pipeline p({.followers = 1, .extra_toml = "[followers.1]\ncopy_mode = \"mirror\"\n", .sim_args = {}});
  p.StartAll();
  p.SetPrice("SBIN-EQ", 800.0);
  // A LIMIT under the market rests; the mirrored copy rests beside it.
  ASSERT_FALSE(p.Place("master", "BUY", "SBIN-EQ", "3045", 10, 795.0).empty());
  ASSERT_TRUE(Eventually([&] {
    const auto copies = p.SimCopies("F101");
    return copies.size() == 1 && copies[0]["status"] == "open";
  }, seconds(10))) << p.router->Log() << p.executors[0]->Log();
  int rc = -1;
  const std::string out = p.Control("stop-all", {}, &rc);
  EXPECT_EQ(rc, 0) << out;
  EXPECT_NE(out.find("stop-all: paused 1 follower"), std::string::npos) << out;
  EXPECT_NE(out.find("follower-1 (F101): PAUSED"), std::string::npos) << out;
  ASSERT_TRUE(Eventually([&] {
    const auto copies = p.SimCopies("F101");
    return copies.size() == 1 && copies[0]["status"] == "cancelled";
  }, seconds(10))) << p.executors[0]->Log();
  // Paused: the next master order is skipped.
  ASSERT_FALSE(p.Place("master", "BUY", "SBIN-EQ", "3045", 2).empty());
  ASSERT_TRUE(Eventually([&] { return RecordWith(p, "follower-1", "SKIPPED", "paused").is_object(); }, seconds(10)));
  EXPECT_EQ(p.SimCopies("F101").size(), 1u);
}

TEST(Rules, DailyLossLimitAfterAPriceMoveSkipsEntriesAndCopiesExits) {
  Pipeline p({.followers = 1, .extra_toml = "[followers.1]\ndaily_loss_limit = 100\n", .sim_args = {}});
  p.StartAll();
  p.SetPrice("SBIN-EQ", 800.0);
  ASSERT_FALSE(p.Place("master", "BUY", "SBIN-EQ", "3045", 10).empty());
  ASSERT_TRUE(Eventually([&] { return AllComplete(p, "F101", "SBIN-EQ", 1); }, seconds(10)));
  // 10 shares down 20: -200 against a limit of 100.
  p.SetPrice("SBIN-EQ", 780.0);
  ASSERT_TRUE(Eventually([&] { return RecordWith(p, "follower-1", "SKIPPED", "daily loss limit reached").is_object(); },
                         seconds(15)))
      << p.router->Log() << p.executors[0]->Log();
  EXPECT_NE(RecordWith(p, "follower-1", "SKIPPED", "daily loss limit reached").value("reason", "").find("day P&L -"),
            std::string::npos);
  ASSERT_FALSE(p.Place("master", "BUY", "SBIN-EQ", "3045", 5).empty());
  // The entry is skipped with the reason...
  ASSERT_TRUE(Eventually([&] {
    for (const auto& r : p.RecordsOf("follower-1"))
      if (r.value("state", "") == "SKIPPED" && r.value("quantity", 0) == 5 &&
          r.value("reason", "").find("daily loss limit reached") != std::string::npos)
        return true;
    return false;
  }, seconds(10))) << p.Records().dump(2);
  EXPECT_EQ(p.SimCopies("F101").size(), 1u);
  // ... and an exit is still copied.
  ASSERT_FALSE(p.Place("master", "SELL", "SBIN-EQ", "3045", 15).empty());
  ASSERT_TRUE(Eventually([&] {
    for (const auto& row : p.SimCopies("F101"))
      if (row["transactiontype"] == "SELL") return true;
    return false;
  }, seconds(10))) << p.router->Log();
}

}  // namespace
}  // namespace ct::testing
