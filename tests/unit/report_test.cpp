// The session summary, CSV and day reader that the router's stop and
// `copytrade report` share (router/summary.h, router/records_reader.h).
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>
#include <sstream>

#include "router/records_reader.h"
#include "router/summary.h"
#include "tests/support/process.h"

namespace ct::router {
namespace {

nlohmann::json Rec(const std::string& follower_id, const std::string& state, const std::string& tag) {
  return {{"follower_id", follower_id}, {"follower", "F" + follower_id.substr(9)}, {"state", state},
          {"ordertag", tag},            {"symbol", "SBIN-EQ"},                    {"error", ""},
          {"timings_ms", {{"accepted", 3}}}};
}

TEST(Summary, CountsEachStateAsTheRecordsFileDoes) {
  const auto s = Summarize({Rec("follower-1", "FILLED", "a"), Rec("follower-1", "REJECTED", "b"),
                            Rec("follower-2", "PARTIALLY_FILLED", "c"), Rec("follower-2", "ACCEPTED", "d"),
                            Rec("follower-2", "SKIPPED", "e"), Rec("follower-1", "DRY_RUN", "f"),
                            Rec("follower-1", "STALE", "g"), Rec("follower-1", "CANCELLED", "h")});
  EXPECT_EQ(s.statistics.total_copies, 6);
  EXPECT_EQ(s.statistics.successful, 1);
  EXPECT_EQ(s.statistics.failed, 3);
  EXPECT_EQ(s.statistics.partially_filled, 1);
  EXPECT_EQ(s.statistics.working, 1);
  EXPECT_EQ(s.statistics.skipped, 1);
  EXPECT_EQ(s.statistics.dry_run, 1);
  EXPECT_NEAR(s.statistics.success_rate, 100.0 / 6, 1e-9);
  ASSERT_EQ(s.followers.size(), 2u);
  EXPECT_EQ(s.followers[0].follower_id, "follower-1");
  EXPECT_EQ(s.followers[0].statistics.total_copies, 4);
  EXPECT_EQ(s.followers[1].statistics.skipped, 1);
  const std::string text = SummaryText(s, "COPY TRADING SESSION SUMMARY", "logs/x.json");
  EXPECT_NE(text.find("Total copies:        6"), std::string::npos) << text;
  EXPECT_NE(text.find("Skipped:             1"), std::string::npos) << text;
  EXPECT_NE(text.find("Success rate:        16.7%"), std::string::npos) << text;
  EXPECT_NE(text.find("Records saved to: logs/x.json"), std::string::npos) << text;
}

TEST(Summary, NoRecordsIsZeroNotANumberError) {
  const auto s = Summarize({});
  EXPECT_EQ(s.statistics, Statistics{});
  EXPECT_NE(SummaryText(s, "T", "").find("Success rate:        0.0%"), std::string::npos);
}

TEST(Summary, CsvQuotesCommasAndQuotesAndHasOneLinePerRecord) {
  auto r = Rec("follower-1", "REJECTED", "ct1");
  r["error"] = "AB1010: price \"812.5\", beyond LPP";
  const std::string csv = RecordsCsv({r, Rec("follower-2", "FILLED", "ct2")});
  std::istringstream in(csv);
  std::string header, first, second;
  std::getline(in, header);
  std::getline(in, first);
  std::getline(in, second);
  EXPECT_EQ(header.rfind("timestamp,master_order_id,symbol,transaction_type,quantity,price,follower,success,", 0), 0u);
  EXPECT_NE(first.find(",\"AB1010: price \"\"812.5\"\", beyond LPP\","), std::string::npos) << first;
  EXPECT_NE(second.find(",FILLED,"), std::string::npos) << second;
}

// A journal as the router leaves it: records of two IST days.
TEST(RecordsReader, ReadsOneDayOfTheJournalReadOnly) {
  testing::TempDir dir;
  const std::string db_path = dir / "router.db";
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(db_path.c_str(), &db), SQLITE_OK);
  sqlite3_exec(db,
               "PRAGMA journal_mode=WAL; CREATE TABLE records(ordertag TEXT PRIMARY KEY, session TEXT NOT NULL,"
               " outcome TEXT NOT NULL, record TEXT NOT NULL, time_ns INTEGER NOT NULL)",
               nullptr, nullptr, nullptr);
  const auto day = *ist::ParseDate("2026-12-08");
  auto insert = [&](const nlohmann::json& r, int64_t t) {
    sqlite3_stmt* st = nullptr;
    sqlite3_prepare_v2(db, "INSERT INTO records VALUES(?, 's', ?, ?, ?)", -1, &st, nullptr);
    const std::string tag = r["ordertag"], state = r["state"], text = r.dump();
    sqlite3_bind_text(st, 1, tag.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, state.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 3, text.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 4, t);
    ASSERT_EQ(sqlite3_step(st), SQLITE_DONE);
    sqlite3_finalize(st);
  };
  const int64_t start = ist::StartOfDayNs(day);
  insert(Rec("follower-1", "FILLED", "a"), start + 10);
  insert(Rec("follower-2", "SKIPPED", "b"), start + 20);
  insert(Rec("follower-1", "FILLED", "c"), start - 1);                            // the day before
  insert(Rec("follower-1", "FILLED", "d"), ist::StartOfDayNs(ist::AddDays(day, 1)));  // the day after
  sqlite3_close(db);

  auto all = ReadDayRecords({db_path, dir / "none"}, day);
  ASSERT_TRUE(all.ok()) << all.error();
  ASSERT_EQ(all->records.size(), 2u);
  EXPECT_EQ(all->records[0]["ordertag"], "a");
  EXPECT_EQ(all->records[1]["ordertag"], "b");
  auto one = ReadDayRecords({db_path, ""}, day, "follower-2");
  ASSERT_TRUE(one.ok());
  ASSERT_EQ(one->records.size(), 1u);
  EXPECT_EQ(one->records[0]["state"], "SKIPPED");
}

TEST(RecordsReader, WithoutAJournalReadsThatDaysRecordsFiles) {
  testing::TempDir dir;
  auto doc = [](std::vector<nlohmann::json> r) { return nlohmann::json{{"records", r}}.dump(); };
  testing::WriteFile(dir / "copy_trading_20261208_091500.json", doc({Rec("follower-1", "ACCEPTED", "a")}));
  // The later session saw the same copy fill: counted once, as FILLED.
  testing::WriteFile(dir / "copy_trading_20261208_120000.json",
                     doc({Rec("follower-1", "FILLED", "a"), Rec("follower-1", "REJECTED", "b")}));
  testing::WriteFile(dir / "copy_trading_20261207_091500.json", doc({Rec("follower-1", "FILLED", "z")}));
  auto r = ReadDayRecords({dir / "router.db", dir.path()}, *ist::ParseDate("2026-12-08"));
  ASSERT_TRUE(r.ok());
  const auto s = Summarize(r->records);
  EXPECT_EQ(s.statistics.total_copies, 2);
  EXPECT_EQ(s.statistics.successful, 1);
  EXPECT_EQ(s.statistics.failed, 1);
}

}  // namespace
}  // namespace ct::router
