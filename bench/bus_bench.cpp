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
// a commit costing a few hundred microseconds on this disk, one commit per
// message could not reach 5,000 msg/s. Each side has its own ZeroMQ context
// (I/O thread), as two processes do.
//
// Prints the machine (model name, nproc), the cost of one fsync'd commit on
// the journal directory at one per millisecond (p50/p99: the floor of a
// hop, which has two), and for each phase where the time went: publisher
// commit, wire (send to receive), subscriber apply and commit.
//
//   bench-bus [--quick] [--seconds S] [--dir DIR]
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

double Percentile(std::vector<int64_t> v, double p) {
  if (v.empty()) return 0;
  const size_t i = std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())));
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(i), v.end());
  return static_cast<double>(v[i]) / 1000.0;
}

// One fsync'd SQLite commit (WAL, synchronous=FULL) on `dir`, one per
// millisecond as the publisher makes them, in nanoseconds.
std::vector<int64_t> CommitCosts(const std::string& dir) {
  std::vector<int64_t> costs;
  auto journal = Journal::Open(dir + "/commit-cost.db");
  if (!journal.ok()) return costs;
  (*journal)->Exec("CREATE TABLE t(a INTEGER, b BLOB)");
  for (int i = 0; i < 500; ++i) {
    const int64_t start = NowNs();
    (*journal)->Transaction([&] { (*journal)->Exec("INSERT INTO t VALUES(1, zeroblob(200))"); });
    costs.push_back(NowNs() - start);
    std::this_thread::sleep_until(std::chrono::steady_clock::now() + 1ms - std::chrono::nanoseconds(costs.back()));
  }
  return costs;
}

// Per message, when each step finished (ns); each side writes only its own.
struct Timeline {
  std::vector<int64_t> staged, committed, received;
  explicit Timeline(uint64_t count) : staged(count + 1), committed(count + 1), received(count + 1) {}
};

struct PhaseResult {
  uint64_t offered = 0, applied = 0, rows = 0;
  bool in_order = false;
  double seconds = 0;
  std::vector<int64_t> latencies_ns;
  std::vector<int64_t> pub_commit_ns, wire_ns, sub_commit_ns;
};

// Called by the subscriber's journal after each of its commits.
struct CommitWatch {
  std::vector<std::pair<uint64_t, int64_t>> pending;  // (seq, staged ns) in the open transaction
  PhaseResult* result = nullptr;
  const Timeline* timeline = nullptr;
  uint64_t committed = 0;
  int64_t last_commit_ns = 0;
  uint64_t target = 0;
  ct::bus::Loop* loop = nullptr;

  void Committed() {
    const int64_t now = NowNs();
    for (const auto& [seq, staged] : pending) {
      result->latencies_ns.push_back(now - staged);
      result->sub_commit_ns.push_back(now - timeline->received[seq]);
      committed = seq;
    }
    if (!pending.empty()) last_commit_ns = now;
    pending.clear();
    if (target && committed >= target) loop->Stop();
  }
};

PhaseResult RunPhase(const std::string& dir, const std::string& transport, double rate, uint64_t count) {
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const bool ipc = transport == "ipc";
  const std::string stream = "bench";
  zmq::context_t pub_ctx, sub_ctx;  // one each, as two processes have
  PhaseResult result;
  result.offered = count;
  result.latencies_ns.reserve(count);
  Timeline timeline(count);

  std::promise<std::pair<std::string, std::string>> endpoints;
  std::atomic<bool> go{false}, published_all{false};
  ct::bus::Loop pub_loop;
  int64_t first_stage_ns = 0;
  std::thread pub_thread([&] {
    auto journal = Journal::Open(dir + "/pub.db");
    if (!journal.ok()) std::abort();
    ct::bus::StreamPublisher pub(pub_ctx, pub_loop, **journal, ct::SystemClock::instance(),
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
      std::vector<ct::bus::StreamPublisher::Staged> staged;
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
      const int64_t committed = NowNs();
      for (const auto& s : staged) {
        timeline.staged[s.envelope.seq()] = s.envelope.sent_time_ns();
        timeline.committed[s.envelope.seq()] = committed;
        pub.Send(s);
      }
      if (due >= count) published_all = true;
    });
    pub_loop.Run();
  });

  const auto [publish_ep, replay_ep] = endpoints.get_future().get();
  ct::bus::Loop sub_loop;
  CommitWatch watch;
  watch.result = &result;
  watch.timeline = &timeline;
  watch.target = count;
  watch.loop = &sub_loop;
  std::thread sub_thread([&] {
    auto opened = Journal::Open(dir + "/sub.db");
    if (!opened.ok()) std::abort();
    Journal& journal = **opened;
    journal.Exec("CREATE TABLE applied(seq INTEGER NOT NULL, body TEXT NOT NULL)");
    ct::bus::Statement insert(journal.db(), "INSERT INTO applied(seq, body) VALUES(?,?)");
    journal.OnCommit([&] { watch.Committed(); });
    ct::bus::SubscriberOptions options{publish_ep, replay_ep, stream};
    options.group_commit = &journal;
    ct::bus::StreamSubscriber sub(sub_ctx, sub_loop, ct::SystemClock::instance(), options, 0,
                                  [&](const Envelope& env) {
                                    timeline.received[env.seq()] = NowNs();
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
  for (uint64_t seq = 1; seq <= watch.committed; ++seq) {
    result.pub_commit_ns.push_back(timeline.committed[seq] - timeline.staged[seq]);
    result.wire_ns.push_back(timeline.received[seq] - timeline.committed[seq]);
  }
  std::filesystem::remove_all(dir);
  return result;
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
  const auto commit_costs = CommitCosts(dir);
  std::filesystem::remove_all(dir);
  std::printf("bench-bus: machine %s, nproc %u; journals in %s (WAL, synchronous=FULL): one commit at 1/ms "
              "p50 %.0f us, p99 %.0f us\n",
              CpuModel().c_str(), std::thread::hardware_concurrency(), base.c_str(), Percentile(commit_costs, 0.5),
              Percentile(commit_costs, 0.99));
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
      // Both sides record in seq order: element i is seq i+1 in each.
      std::vector<int64_t> both_commits;
      for (size_t i = 0; i < std::min(r.pub_commit_ns.size(), r.sub_commit_ns.size()); ++i)
        both_commits.push_back(r.pub_commit_ns[i] + r.sub_commit_ns[i]);
      std::printf("     p50/p99 us: publisher commit %.0f/%.0f, wire %.0f/%.0f, subscriber apply+commit %.0f/%.0f; "
                  "the two commits together %.0f/%.0f\n",
                  Percentile(r.pub_commit_ns, 0.5), Percentile(r.pub_commit_ns, 0.99), Percentile(r.wire_ns, 0.5),
                  Percentile(r.wire_ns, 0.99), Percentile(r.sub_commit_ns, 0.5), Percentile(r.sub_commit_ns, 0.99),
                  Percentile(both_commits, 0.5), Percentile(both_commits, 0.99));
      std::fflush(stdout);
    }
  }
  std::printf("targets: >= 5000 msg/s sustained with no loss: %s; p99 < 1000 us per hop: %s (worst %.0f us)\n",
              all_delivered && throughput_ok ? "MET" : "MISSED", worst_p99 < 1000 ? "MET" : "MISSED", worst_p99);
  return all_delivered ? 0 : 1;
}
