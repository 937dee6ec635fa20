// bench-bus: one reliable stream (common/bus) end to end, publisher and
// subscriber each on its own thread with its own Loop, journal and sockets,
// exactly as two processes would run them.
//
//   latency    from the publisher's Stage (journal append, before its
//              commit) to the moment the subscriber's transaction holding
//              that message has committed (SQLite WAL hook): both journal
//              commits (synchronous=FULL) are inside.
//   throughput messages offered at a fixed rate (and once as fast as
//              possible); achieved = applied / (last commit - first stage);
//              "no loss" = every seq applied once, in order.
//
// The subscriber uses group commit (SubscriberOptions::group_commit) and the
// publisher stages what is due every millisecond in one transaction: with
// a commit costing milliseconds on this disk, one commit per message could
// not reach 5,000 msg/s. Prints the machine (model name, nproc) and the cost
// of one fsync'd commit on the journal directory, which bounds the latency.
//
//   bench-bus [--quick] [--seconds S] [--dir DIR]
#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <future>
#include <string>
#include <thread>
#include <vector>

#include "common/bus/journal.h"
#include "common/bus/loop.h"
#include "common/bus/stream.h"
#include "common/log/log.h"

namespace {

using namespace std::chrono_literals;
using ct::bus::Envelope;
using ct::bus::Journal;

std::string CpuModel() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("model name", 0) == 0) return line.substr(line.find(':') + 2);
  return "unknown";
}

int64_t NowNs() { return ct::SystemClock::instance().wall_ns(); }

// One fsync'd SQLite commit (WAL, synchronous=FULL) on `dir`, in microseconds.
double CommitCostUs(const std::string& dir) {
  const std::string path = dir + "/commit-cost.db";
  auto journal = Journal::Open(path);
  if (!journal.ok()) return -1;
  (*journal)->Exec("CREATE TABLE t(a INTEGER, b BLOB)");
  constexpr int kN = 50;
  const int64_t start = NowNs();
  for (int i = 0; i < kN; ++i)
    (*journal)->Transaction([&] { (*journal)->Exec("INSERT INTO t VALUES(1, zeroblob(200))"); });
  return static_cast<double>(NowNs() - start) / kN / 1000.0;
}

struct PhaseResult {
  uint64_t offered = 0, applied = 0, rows = 0;
  bool in_order = false;
  double seconds = 0;
  std::vector<int64_t> latencies_ns;
};

// Called by SQLite after every commit of the subscriber's journal.
struct CommitWatch {
  std::vector<std::pair<uint64_t, int64_t>> pending;  // (seq, staged ns) in the open transaction
  std::vector<int64_t>* latencies = nullptr;
  uint64_t committed = 0;
  int64_t last_commit_ns = 0;
  uint64_t target = 0;
  ct::bus::Loop* loop = nullptr;
};

int OnWalCommit(void* arg, sqlite3* db, const char*, int frames) {
  auto* w = static_cast<CommitWatch*>(arg);
  const int64_t now = NowNs();
  for (const auto& [seq, staged] : w->pending) {
    w->latencies->push_back(now - staged);
    w->committed = seq;
  }
  if (!w->pending.empty()) w->last_commit_ns = now;
  w->pending.clear();
  // Registering a WAL hook replaces SQLite's auto-checkpoint: do its job.
  if (frames > 1000) sqlite3_wal_checkpoint_v2(db, nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
  if (w->target && w->committed >= w->target) w->loop->Stop();
  return SQLITE_OK;
}

PhaseResult RunPhase(const std::string& dir, const std::string& transport, double rate, uint64_t count) {
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const bool ipc = transport == "ipc";
  const std::string stream = "bench";
  zmq::context_t ctx;
  PhaseResult result;
  result.offered = count;
  result.latencies_ns.reserve(count);

  std::promise<std::pair<std::string, std::string>> endpoints;
  std::atomic<bool> go{false}, published_all{false};
  ct::bus::Loop pub_loop;
  int64_t first_stage_ns = 0;
  std::thread pub_thread([&] {
    auto journal = Journal::Open(dir + "/pub.db");
    if (!journal.ok()) std::abort();
    ct::bus::StreamPublisher pub(ctx, pub_loop, **journal, ct::SystemClock::instance(),
                                 {ipc ? "ipc://" + dir + "/pub.sock" : "tcp://127.0.0.1:*",
                                  ipc ? "ipc://" + dir + "/replay.sock" : "tcp://127.0.0.1:*", "bench"});
    pub.DeclareStream(stream);
    endpoints.set_value({pub.publish_endpoint(), pub.replay_endpoint()});
    int64_t start_ns = 0;
    pub_loop.Every(1ms, [&] {
      if (!go || published_all) return;
      if (start_ns == 0) start_ns = first_stage_ns = NowNs();
      const uint64_t last = pub.last_seq(stream);
      uint64_t due = rate > 0 ? static_cast<uint64_t>(rate * static_cast<double>(NowNs() - start_ns) / 1e9) + 1
                              : count;
      due = std::min({due, count, last + 2000});
      if (due <= last) return;
      std::vector<Envelope> staged;
      (*journal)->Transaction([&] {
        for (uint64_t seq = last + 1; seq <= due; ++seq) {
          Envelope env;
          auto* order = env.mutable_master_order_event()->mutable_order();
          order->set_orderid("m" + std::to_string(seq));
          order->set_tradingsymbol("SBIN-EQ");
          order->set_quantity(10);
          staged.push_back(pub.Stage(stream, std::move(env)));
        }
      });
      for (const auto& env : staged) pub.Send(env);
      if (due >= count) published_all = true;
    });
    pub_loop.Run();
  });

  const auto [publish_ep, replay_ep] = endpoints.get_future().get();
  ct::bus::Loop sub_loop;
  CommitWatch watch;
  watch.latencies = &result.latencies_ns;
  watch.target = count;
  watch.loop = &sub_loop;
  std::thread sub_thread([&] {
    auto opened = Journal::Open(dir + "/sub.db");
    if (!opened.ok()) std::abort();
    Journal& journal = **opened;
    journal.Exec("CREATE TABLE applied(seq INTEGER NOT NULL, body TEXT NOT NULL)");
    ct::bus::Statement insert(journal.db(), "INSERT INTO applied(seq, body) VALUES(?,?)");
    sqlite3_wal_hook(journal.db(), OnWalCommit, &watch);
    ct::bus::SubscriberOptions options{publish_ep, replay_ep, stream};
    options.group_commit = &journal;
    ct::bus::StreamSubscriber sub(ctx, sub_loop, ct::SystemClock::instance(), options, 0,
                                  [&](const Envelope& env) {
                                    journal.Transaction([&] {
                                      insert.Reset();
                                      insert.Bind(1, static_cast<int64_t>(env.seq()))
                                          .Bind(2, env.master_order_event().order().orderid());
                                      insert.Step();
                                      journal.SetCursor(stream, env.seq());
                                    });
                                    watch.pending.emplace_back(env.seq(), env.sent_time_ns());
                                    return true;
                                  });
    sub.OnStateChange([&](bool up) {
      if (up) go = true;  // connected and answered: start the clock
    });
    sub.Start();
    // Safety net: a run that cannot finish reports what it got.
    const auto budget = std::chrono::milliseconds(
        static_cast<int64_t>(rate > 0 ? 1000.0 * static_cast<double>(count) / rate : 0) + 20'000);
    sub_loop.After(budget, [&] { sub_loop.Stop(); });
    sub_loop.Run();
    result.applied = watch.committed;
    ct::bus::Statement rows(journal.db(), "SELECT COUNT(*), COALESCE(SUM(seq = rowid), 0) FROM applied");
    rows.Step();
    result.rows = static_cast<uint64_t>(rows.Int(0));
    result.in_order = rows.Int(1) == rows.Int(0);
  });
  sub_thread.join();
  pub_loop.Stop();
  pub_thread.join();
  result.seconds = static_cast<double>(watch.last_commit_ns - first_stage_ns) / 1e9;
  std::filesystem::remove_all(dir);
  return result;
}

double Percentile(std::vector<int64_t>& v, double p) {
  if (v.empty()) return 0;
  const size_t i = std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())));
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(i), v.end());
  return static_cast<double>(v[i]) / 1000.0;
}

}  // namespace

int main(int argc, char** argv) {
  double seconds = 10;
  std::string base = std::filesystem::temp_directory_path().string();
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--quick")) seconds = 2;
    else if (!std::strcmp(argv[i], "--seconds") && i + 1 < argc) seconds = std::atof(argv[++i]);
    else if (!std::strcmp(argv[i], "--dir") && i + 1 < argc) base = argv[++i];
    else {
      std::fprintf(stderr, "usage: bench-bus [--quick] [--seconds S] [--dir JOURNAL_DIR]\n");
      return 2;
    }
  }
  ct::log::Init("bench-bus", "warn");
  const std::string dir = base + "/bench-bus-" + std::to_string(getpid());
  std::filesystem::create_directories(dir);
  const double commit_us = CommitCostUs(dir);
  std::filesystem::remove_all(dir);
  std::printf("bench-bus: machine %s, nproc %u; journals in %s (WAL, synchronous=FULL): one commit %.0f us\n",
              CpuModel().c_str(), std::thread::hardware_concurrency(), base.c_str(), commit_us);
  std::printf("%-4s %-14s %9s %9s %10s %10s %10s  %s\n", "hop", "offered", "messages", "msg/s", "p50 us",
              "p99 us", "max us", "delivery");
  bool all_delivered = true;
  bool throughput_ok = true;
  double worst_p99 = 0;
  for (const std::string transport : {"ipc", "tcp"}) {
    for (double rate : {1000.0, 5000.0, 0.0}) {
      const uint64_t count = rate > 0 ? static_cast<uint64_t>(rate * seconds) : static_cast<uint64_t>(20000 * seconds);
      auto r = RunPhase(dir, transport, rate, count);
      const bool delivered = r.applied == count && r.rows == count && r.in_order;
      all_delivered = all_delivered && delivered;
      const double msgs_per_s = r.seconds > 0 ? static_cast<double>(r.applied) / r.seconds : 0;
      if (rate == 5000.0 && msgs_per_s < 0.95 * rate) throughput_ok = false;
      const double p99 = Percentile(r.latencies_ns, 0.99);
      if (rate > 0) worst_p99 = std::max(worst_p99, p99);
      char offered[32];
      std::snprintf(offered, sizeof offered, rate > 0 ? "%.0f msg/s" : "max", rate);
      std::printf("%-4s %-14s %9llu %9.0f %10.0f %10.0f %10.0f  %s\n", transport.c_str(), offered,
                  static_cast<unsigned long long>(r.applied), msgs_per_s, Percentile(r.latencies_ns, 0.50), p99,
                  Percentile(r.latencies_ns, 1.0), delivered ? "all, once, in order" : "LOSS OR DISORDER");
      std::fflush(stdout);
    }
  }
  std::printf("targets: >= 5000 msg/s sustained with no loss: %s; p99 < 1000 us per hop: %s (worst %.0f us; one "
              "fsync'd commit here costs %.0f us and each hop has two)\n",
              all_delivered && throughput_ok ? "MET" : "MISSED", worst_p99 < 1000 ? "MET" : "MISSED", worst_p99,
              commit_us);
  return all_delivered ? 0 : 1;
}
