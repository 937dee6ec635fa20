// Capture and replay (issue 4): a session's "master" stream captured with
// `copytrade capture` while the real pipeline runs against the emulator,
// then replayed with `copytrade replay` into a fresh router and executors
// against a fresh emulator: the followers' order books at the broker get
// the same orders as in the original run.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <set>
#include <zmq.hpp>

#include "tests/integration/pipeline_harness.h"

namespace ct::testing {
namespace {

using std::chrono::seconds;

// The copies in a follower's book, as comparable rows (order ids differ
// between two emulators; everything that was decided by copytrade does not).
std::multiset<std::string> CopyRows(Pipeline& p, const std::string& follower) {
  std::multiset<std::string> rows;
  for (const auto& o : p.Copies(follower))
    rows.insert(o["tradingsymbol"].get<std::string>() + " " + o["transactiontype"].get<std::string>() + " " +
                o["ordertype"].get<std::string>() + " " + std::to_string(o["quantity"].get<long>()) + " " +
                o["status"].get<std::string>() + " " + o["ordertag"].get<std::string>());
  return rows;
}

int64_t LastPublishedSeq(const std::string& journal, const std::string& stream) {
  sqlite3* db = nullptr;
  int64_t seq = -1;
  if (sqlite3_open_v2(journal.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db, "SELECT COALESCE(MAX(seq),0) FROM outbox WHERE stream=?", -1, &st, nullptr) ==
        SQLITE_OK) {
      sqlite3_bind_text(st, 1, stream.c_str(), -1, SQLITE_TRANSIENT);
      if (sqlite3_step(st) == SQLITE_ROW) seq = sqlite3_column_int64(st, 0);
    }
    sqlite3_finalize(st);
  }
  sqlite3_close(db);
  return seq;
}

TEST(BusCaptureReplay, ReplayedCaptureGivesFollowersTheSameOrders) {
  TempDir keep;
  const std::string capture_file = keep / "master.capture";
  std::multiset<std::string> original_f1, original_f2;
  {
    Pipeline p({});
    p.StartAll();
    const std::string bus = p.dir().path() + "/bus";
    ChildProcess capture({BinPath("copytrade"), "capture", "--from", "ipc://" + bus + "/w.pub", "--replay",
                          "ipc://" + bus + "/w.rep", "--stream", "master", "--out", capture_file},
                         keep / "capture.log");
    ASSERT_TRUE(capture.WaitForLog("publisher up")) << capture.Log();
    ASSERT_FALSE(p.Place("master", "BUY", "SBIN-EQ", "3045", 10).empty());
    ASSERT_FALSE(p.Place("master", "SELL", "RELIANCE-EQ", "2885", 4).empty());
    ASSERT_FALSE(p.Place("master", "BUY", "INFY-EQ", "1594", 5, 1.00).empty());  // stays open
    ASSERT_TRUE(p.router->WaitForLog("copied to follower-", seconds(15), 4)) << p.router->Log();
    // Freeze the stream, then wait for the capture to hold all of it.
    p.watcher->Stop();
    const int64_t last = LastPublishedSeq(p.dir() / "state/watcher.db", "master");
    ASSERT_GT(last, 0);
    ASSERT_TRUE(capture.WaitForLog("captured seq=" + std::to_string(last) + "\n", seconds(10))) << capture.Log();
    EXPECT_EQ(capture.Stop(), 0);
    original_f1 = CopyRows(p, "follower-1");
    original_f2 = CopyRows(p, "follower-2");
    ASSERT_EQ(original_f1.size(), 2u) << p.Book("follower-1").dump();
    ASSERT_EQ(original_f2.size(), 2u) << p.Book("follower-2").dump();
  }

  Pipeline q({});
  q.StartSim();
  q.StartRouter();
  q.StartExecutor(1);
  q.StartExecutor(2);
  const std::string bus = q.dir().path() + "/bus";
  ChildProcess replay({BinPath("copytrade"), "replay", capture_file, "--to", "ipc://" + bus + "/w.pub",
                       "--replay-endpoint", "ipc://" + bus + "/w.rep", "--as-fast-as-possible", "--state",
                       keep / "replay-state"},
                      keep / "replay.log");
  ASSERT_TRUE(replay.WaitForLog("replayed all")) << replay.Log();
  ASSERT_TRUE(q.router->WaitForLog("copied to follower-", seconds(15), 4)) << q.router->Log();
  EXPECT_EQ(CopyRows(q, "follower-1"), original_f1);
  EXPECT_EQ(CopyRows(q, "follower-2"), original_f2);
  EXPECT_EQ(replay.Stop(), 0);
}

// The pace of a replay follows the capture's receive times (scaled by
// --speed), and a capture holds every message once, in order.
TEST(BusCaptureReplay, CaptureIsCompleteAndReplayKeepsThePace) {
  TempDir dir;
  const std::string pub_ep = "ipc://" + dir / "p.pub", rep_ep = "ipc://" + dir / "p.rep";
  ChildProcess pub({BinPath("ct-bus-pub"), "--journal", dir / "pub.db", "--publish", pub_ep, "--replay", rep_ep,
                    "--count", "200", "--rate", "200"},
                   dir / "pub.log");
  ASSERT_TRUE(pub.WaitForLog("ready"));
  ChildProcess capture({BinPath("copytrade"), "capture", "--from", pub_ep, "--replay", rep_ep, "--stream",
                        "bus-test", "--out", dir / "cap", "--count", "200"},
                       dir / "capture.log");
  ASSERT_EQ(capture.Wait(seconds(20)), 0) << capture.Log();

  // Original: ~1 s of messages. Replayed at --speed 2: about half a second.
  const auto start = std::chrono::steady_clock::now();
  ChildProcess replay({BinPath("copytrade"), "replay", dir / "cap", "--to", "ipc://" + dir / "r.pub", "--speed",
                       "2", "--state", dir / "replay-state"},
                      dir / "replay.log");
  ASSERT_TRUE(replay.WaitForLog("replayed all 200", seconds(10))) << replay.Log();
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_GT(took, std::chrono::milliseconds(300));
  EXPECT_LT(took, std::chrono::milliseconds(3000));

  ChildProcess sub({BinPath("ct-bus-sub"), "--journal", dir / "sub.db", "--publish", "ipc://" + dir / "r.pub",
                    "--replay", "ipc://" + dir / "r.pub.replay", "--expect", "200", "--group-commit"},
                   dir / "sub.log");
  ASSERT_TRUE(sub.WaitForLog("caught up 200")) << sub.Log();
  EXPECT_EQ(sub.Stop(), 0);
  EXPECT_EQ(replay.Stop(), 0);
}

}  // namespace
}  // namespace ct::testing

namespace ct::testing {
namespace {

// Garbage into an executor's report-stream replay socket is dropped and
// logged once per kind; the executor goes on copying and the router on
// collecting its reports.
TEST(BusGarbage, AnExecutorsReportReplaySocketDropsGarbageAndKeepsWorking) {
  Pipeline p({});
  p.StartAll();
  zmq::context_t ctx;
  zmq::socket_t dealer(ctx, zmq::socket_type::dealer);
  dealer.connect("ipc://" + p.dir().path() + "/bus/e1.rep");
  for (int i = 0; i < 5; ++i) {
    (void)dealer.send(zmq::str_buffer("\xff\xff not a protobuf"), zmq::send_flags::none);
    (void)dealer.send(zmq::str_buffer("two"), zmq::send_flags::sndmore);
    (void)dealer.send(zmq::str_buffer("frames"), zmq::send_flags::none);
  }
  ASSERT_TRUE(p.executors[0]->WaitForLog("(wrong frame count)")) << p.executors[0]->Log();
  ASSERT_TRUE(p.executors[0]->WaitForLog("(undecodable)")) << p.executors[0]->Log();
  ASSERT_FALSE(p.Place("master", "BUY", "SBIN-EQ", "3045", 10).empty());
  ASSERT_TRUE(p.router->WaitForLog("copied to follower-", seconds(15), 2)) << p.router->Log();
  EXPECT_TRUE(p.executors[0]->running());
  const std::string log = p.executors[0]->Log();
  EXPECT_EQ(log.find("(undecodable)"), log.rfind("(undecodable)")) << "logged more than once";
}

}  // namespace
}  // namespace ct::testing
