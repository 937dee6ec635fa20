// common/bus without processes: journal transactions and pruning, the
// pruned-range path of a subscriber (publisher and subscriber on one Loop
// over inproc://), capture files, and the [journal] setting.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>

#include "common/bus/capture.h"
#include "common/bus/journal.h"
#include "common/bus/loop.h"
#include "common/bus/stream.h"
#include "common/bus/timer_queue.h"
#include "common/config/settings.h"
#include "tests/support/process.h"

namespace ct::bus {
namespace {

using namespace std::chrono_literals;
using ct::testing::TempDir;

std::unique_ptr<Journal> OpenJournal(const std::string& path) {
  auto j = Journal::Open(path);
  EXPECT_TRUE(j.ok());
  return std::move(j).value();
}

TEST(Journal, NestedTransactionsCommitOnceWithTheOutermost) {
  TempDir dir;
  auto j = OpenJournal(dir / "j.db");
  j->Transaction([&] {
    j->SetCursor("s", 1);
    j->Transaction([&] { j->SetCursor("s", 2); });
    EXPECT_TRUE(j->in_transaction());
    j->Transaction([&] { j->SetCursor("s", 3); });
  });
  EXPECT_FALSE(j->in_transaction());
  // A second connection sees the committed state.
  auto other = OpenJournal(dir / "j.db");
  EXPECT_EQ(other->Cursor("s"), 3u);
}

TEST(Journal, AfterCommitWorkRunsOnlyOnceTheOutermostTransactionHasCommitted) {
  TempDir dir;
  auto j = OpenJournal(dir / "j.db");
  auto other = OpenJournal(dir / "j.db");
  std::vector<uint64_t> seen;  // what another connection saw when the work ran
  j->Transaction([&] {
    j->SetCursor("s", 1);
    j->Transaction([&] {
      j->SetCursor("s", 2);
      j->AfterCommit([&] { seen.push_back(other->Cursor("s")); });
    });
    EXPECT_TRUE(seen.empty()) << "the inner transaction did not commit anything";
  });
  EXPECT_EQ(seen, std::vector<uint64_t>{2});
  j->AfterCommit([&] { seen.push_back(99); });  // no transaction: at once
  EXPECT_EQ(seen.back(), 99u);
}

TEST(Journal, ABodyThatThrowsIsRolledBackAndItsAfterCommitWorkDropped) {
  TempDir dir;
  auto j = OpenJournal(dir / "j.db");
  j->Transaction([&] { j->SetCursor("s", 1); });
  bool ran = false;
  EXPECT_THROW(j->Transaction([&] {
    j->SetCursor("s", 2);
    j->AfterCommit([&] { ran = true; });
    throw std::runtime_error("boom");
  }),
               std::runtime_error);
  EXPECT_FALSE(j->in_transaction());
  EXPECT_FALSE(ran);
  EXPECT_EQ(j->Cursor("s"), 1u);
  j->Transaction([&] { j->SetCursor("s", 3); });  // and the journal goes on
  EXPECT_EQ(OpenJournal(dir / "j.db")->Cursor("s"), 3u);
}

TEST(TimerQueue, RunsWhatIsDueOnTheInjectedClockInOrder) {
  FakeClock clock;
  TimerQueue timers(clock);
  std::vector<std::string> ran;
  timers.After(30ms, [&] { ran.push_back("c"); });
  timers.After(10ms, [&] { ran.push_back("a"); });
  const auto every = timers.Every(20ms, [&] { ran.push_back("tick"); });
  const auto cancelled = timers.After(15ms, [&] { ran.push_back("never"); });
  timers.After(12ms, [&] { timers.Cancel(cancelled); });
  EXPECT_EQ(timers.RunDue(), 0u);
  clock.advance(25ms);
  timers.RunDue();
  EXPECT_EQ(ran, (std::vector<std::string>{"a", "tick"}));
  clock.advance(10ms);
  timers.RunDue();
  EXPECT_EQ(ran, (std::vector<std::string>{"a", "tick", "c"}));
  timers.Cancel(every);
  clock.advance(100ms);
  timers.RunDue();
  EXPECT_EQ(ran.size(), 3u);
  EXPECT_TRUE(timers.empty());
}

// Commits never run a checkpoint themselves: a background thread does, so
// the WAL stays near its presized size (it cycles instead of growing), and
// it is kept on close so a restarted process overwrites it too.
TEST(Journal, CheckpointsInTheBackgroundAndKeepsItsWalSize) {
  TempDir dir;
  const std::string path = dir / "j.db";
  const auto wal_size = [&] { return std::filesystem::file_size(path + "-wal"); };
  constexpr uint64_t kFrameBytes = 4096 + 24;
  constexpr int kCommits = 10 * Journal::kCheckpointFrames;
  {
    auto j = OpenJournal(path);
    EXPECT_GE(wal_size(), Journal::kCheckpointFrames * kFrameBytes) << "presized at creation";
    // As a publisher and a subscriber do at start: single-row reads must not
    // leave a read transaction open (it would stop checkpoints).
    EXPECT_EQ(j->LastSeq("s"), 0u);
    EXPECT_EQ(j->FirstSeq("s"), 0u);
    EXPECT_EQ(j->Cursor("s"), 0u);
    int commits_seen = 0;
    j->OnCommit([&] { ++commits_seen; });
    const std::string payload(100, 'x');  // about one WAL frame per commit
    for (int i = 1; i <= kCommits; ++i)
      j->Transaction([&] { j->Append({"s", static_cast<uint64_t>(i), "s", payload, i}); });
    EXPECT_EQ(commits_seen, kCommits);
    EXPECT_TRUE(ct::testing::Eventually([&] { return j->checkpoints() >= 2; }, 10s));
    // Without checkpoints the WAL would hold every commit's page; with only
    // background ones, a writer that never pauses would grow it too.
    EXPECT_LE(wal_size(), (Journal::kWalLimitFrames + 10) * kFrameBytes);
  }
  const auto kept = wal_size();
  EXPECT_GE(kept, Journal::kCheckpointFrames * kFrameBytes) << "WAL kept on close";
  auto reopened = OpenJournal(path);
  EXPECT_EQ(reopened->LastSeq("s"), static_cast<uint64_t>(kCommits));
  reopened->Transaction([&] { reopened->SetCursor("s", 7); });
  EXPECT_EQ(wal_size(), kept) << "a commit after reopening overwrites the WAL, it does not grow it";
}

TEST(Journal, PruneKeepsEachStreamsLastEntry) {
  TempDir dir;
  auto j = OpenJournal(dir / "j.db");
  j->Transaction([&] {
    for (uint64_t seq = 1; seq <= 5; ++seq) j->Append({"a", seq, "a", "x", 100});
    j->Append({"b", 1, "b", "x", 100});
  });
  EXPECT_EQ(j->Prune(200), 4);  // a:1..4; a:5 and b:1 are each stream's last
  EXPECT_EQ(j->FirstSeq("a"), 5u);
  EXPECT_EQ(j->LastSeq("a"), 5u);
  EXPECT_EQ(j->FirstSeq("b"), 1u);
  EXPECT_EQ(j->Prune(50), 0);
}

// A subscriber that was away longer than the publisher's prune age is told
// where the journal now starts, says so, and goes on from there instead of
// asking for the lost range forever.
TEST(Stream, SubscriberSkipsARangeThePublisherPruned) {
  TempDir dir;
  auto pub_journal = OpenJournal(dir / "pub.db");
  auto sub_journal = OpenJournal(dir / "sub.db");
  FakeClock pub_clock;
  zmq::context_t ctx;
  Loop loop;
  PublisherOptions po{"inproc://pub", "inproc://replay", "test"};
  po.prune_after = std::chrono::hours(1);
  po.prune_interval = std::chrono::hours(1);
  StreamPublisher pub(ctx, loop, *pub_journal, pub_clock, po);
  for (int i = 0; i < 10; ++i) pub.Publish("s", Envelope{});
  pub_clock.advance(std::chrono::hours(2));
  EXPECT_EQ(pub.Prune(), 9);
  pub.Publish("s", Envelope{});
  pub.Publish("s", Envelope{});

  std::vector<uint64_t> applied;
  StreamSubscriber sub(ctx, loop, SystemClock::instance(), {"inproc://pub", "inproc://replay", "s"}, 0,
                       [&](const Envelope& env) {
                         sub_journal->Transaction([&] { sub_journal->SetCursor("s", env.seq()); });
                         applied.push_back(env.seq());
                         if (env.seq() == 12) loop.Stop();
                         return true;
                       });
  loop.After(10s, [&] { loop.Stop(); });  // a failing run ends
  sub.Start();
  loop.Run();
  EXPECT_EQ(applied, (std::vector<uint64_t>{10, 11, 12}));
  EXPECT_EQ(sub_journal->Cursor("s"), 12u);
}

TEST(Capture, WritesAndReadsRecordsAndReportsATruncatedTail) {
  TempDir dir;
  const std::string path = dir / "cap";
  {
    auto w = CaptureWriter::Open(path);
    ASSERT_TRUE(w.ok());
    for (uint64_t seq = 1; seq <= 3; ++seq) {
      CapturedEnvelope r;
      r.set_receive_time_ns(static_cast<int64_t>(seq) * 1000);
      r.set_topic("master");
      r.mutable_envelope()->set_seq(seq);
      r.mutable_envelope()->mutable_master_order_event()->mutable_order()->set_orderid(std::string(200, 'o'));
      ASSERT_TRUE((*w)->Write(r));
    }
  }
  auto read_all = [&](std::vector<uint64_t>& seqs) {
    auto r = CaptureReader::Open(path);
    EXPECT_TRUE(r.ok());
    CapturedEnvelope rec;
    for (;;) {
      auto next = (*r)->Read(rec);
      if (next != CaptureReader::Next::kRecord) return next;
      seqs.push_back(rec.envelope().seq());
    }
  };
  std::vector<uint64_t> seqs;
  EXPECT_EQ(read_all(seqs), CaptureReader::Next::kEnd);
  EXPECT_EQ(seqs, (std::vector<uint64_t>{1, 2, 3}));

  // Cut the file inside the last record: the first two still read.
  const std::string bytes = ct::testing::ReadFile(path);
  ct::testing::WriteFile(path, bytes.substr(0, bytes.size() - 10));
  seqs.clear();
  EXPECT_EQ(read_all(seqs), CaptureReader::Next::kCorrupt);
  EXPECT_EQ(seqs, (std::vector<uint64_t>{1, 2}));
}

TEST(JournalSettings, PruneAfterHoursParsedRangeCheckedAndUnknownKeysRejected) {
  auto ok = config::ParseSettings("c.toml", "[journal]\nprune_after_hours = 12\n");
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->journal_prune_after_hours, 12);
  auto dflt = config::ParseSettings("c.toml", "");
  ASSERT_TRUE(dflt.ok());
  EXPECT_EQ(dflt->journal_prune_after_hours, 72);
  auto negative = config::ParseSettings("c.toml", "[journal]\nprune_after_hours = -1\n");
  ASSERT_FALSE(negative.ok());
  EXPECT_EQ(negative.error().key, "journal.prune_after_hours");
  auto unknown = config::ParseSettings("c.toml", "[journal]\nprune_after_hour = 1\n");
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().key, "journal.prune_after_hour");
}

}  // namespace
}  // namespace ct::bus
