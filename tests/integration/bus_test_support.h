// Shared by the bus integration and chaos tests: the BusTest fixture that
// starts ct-bus-pub / ct-bus-sub (tests/integration/bus_peer.cpp) over ipc://
// or tcp:// and reads the subscriber's `applied` table.
#pragma once

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <memory>
#include <regex>
#include <string>
#include <vector>

#include "tests/support/process.h"

namespace ct::testing {

inline std::string Field(const std::string& log, const std::string& line_prefix, const std::string& key) {
  const std::regex re(line_prefix + ".*\\b" + key + "=(\\S+)");
  std::smatch m;
  std::string last;
  for (auto it = std::sregex_iterator(log.begin(), log.end(), re); it != std::sregex_iterator(); ++it)
    last = (*it)[1].str();
  return last;
}

// Reads the subscriber's `applied` table (read-only; WAL lets it run
// alongside the writer).
class AppliedTable {
 public:
  explicit AppliedTable(std::string path) : path_(std::move(path)) {}
  std::vector<std::pair<int64_t, std::string>> Rows() const {
    std::vector<std::pair<int64_t, std::string>> rows;
    sqlite3* db = nullptr;
    if (sqlite3_open_v2(path_.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
      sqlite3_close(db);
      return rows;
    }
    sqlite3_busy_timeout(db, 2000);
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db, "SELECT seq, body FROM applied ORDER BY id", -1, &st, nullptr) == SQLITE_OK) {
      while (sqlite3_step(st) == SQLITE_ROW)
        rows.emplace_back(sqlite3_column_int64(st, 0), reinterpret_cast<const char*>(sqlite3_column_text(st, 1)));
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    return rows;
  }
  size_t Count() const {
    sqlite3* db = nullptr;
    size_t n = 0;
    if (sqlite3_open_v2(path_.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
      sqlite3_busy_timeout(db, 2000);
      sqlite3_stmt* st = nullptr;
      if (sqlite3_prepare_v2(db, "SELECT COUNT(*) FROM applied", -1, &st, nullptr) == SQLITE_OK &&
          sqlite3_step(st) == SQLITE_ROW)
        n = static_cast<size_t>(sqlite3_column_int64(st, 0));
      sqlite3_finalize(st);
    }
    sqlite3_close(db);
    return n;
  }

 private:
  std::string path_;
};

// Exactly once and in order: row i holds seq i+1, with its own body.
inline void ExpectExactlyOnceInOrder(const AppliedTable& table, int64_t n) {
  const auto rows = table.Rows();
  ASSERT_EQ(static_cast<int64_t>(rows.size()), n) << "applied rows (duplicates or losses)";
  for (int64_t i = 0; i < n; ++i) {
    ASSERT_EQ(rows[static_cast<size_t>(i)].first, i + 1) << "row " << i;
    ASSERT_EQ(rows[static_cast<size_t>(i)].second, "m" + std::to_string(i + 1)) << "row " << i;
  }
}

class BusTest : public ::testing::TestWithParam<std::string> {
 protected:
  bool ipc() const { return GetParam() == "ipc"; }
  std::string PubBind() const { return ipc() ? "ipc://" + dir_ / "pub.sock" : "tcp://127.0.0.1:*"; }
  std::string ReplayBind() const { return ipc() ? "ipc://" + dir_ / "replay.sock" : "tcp://127.0.0.1:*"; }

  // Starts the publisher and waits for its "ready" line; the endpoints it
  // bound (a tcp port chosen by the OS) are kept for the subscriber and for
  // a restart.
  std::unique_ptr<ChildProcess> StartPub(const std::string& log, std::vector<std::string> extra) {
    std::vector<std::string> argv{BinPath("ct-bus-pub"), "--journal", dir_ / "pub.db",
                                  "--publish", publish_.empty() ? PubBind() : publish_,
                                  "--replay", replay_.empty() ? ReplayBind() : replay_};
    argv.insert(argv.end(), extra.begin(), extra.end());
    auto p = std::make_unique<ChildProcess>(argv, dir_ / log);
    EXPECT_TRUE(p->WaitForLog("ready publish=")) << p->Log();
    publish_ = Field(p->Log(), "ready", "publish");
    replay_ = Field(p->Log(), "ready", "replay");
    return p;
  }

  std::unique_ptr<ChildProcess> StartSub(const std::string& log, std::vector<std::string> extra = {}) {
    std::vector<std::string> argv{BinPath("ct-bus-sub"), "--journal", dir_ / "sub.db", "--publish", publish_,
                                  "--replay", replay_, "--group-commit"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    auto p = std::make_unique<ChildProcess>(argv, dir_ / log);
    EXPECT_TRUE(p->WaitForLog("ready applied=")) << p->Log();
    return p;
  }

  bool AppliedAll(size_t n, std::chrono::milliseconds timeout = std::chrono::seconds(20)) {
    return Eventually([&] { return table_.Count() >= n; }, timeout);
  }

  TempDir dir_;
  std::string publish_, replay_;
  AppliedTable table_{dir_ / "sub.db"};
};

}  // namespace ct::testing
