// ct-bus-pub / ct-bus-sub: the two ends of one reliable stream as real
// processes, for the bus tests (tests/integration/bus_test.cpp) and by hand.
//
//   ct-bus-pub --journal F --publish EP --replay EP [--stream S] --count N
//              [--rate R] [--payload-bytes B] [--hwm H]
//     Publishes messages seq 1..N (body "m<seq>") at R msg/s (0: as fast as
//     the journal commits), continuing from its journal after a restart,
//     then keeps serving replays and heartbeats until SIGTERM.
//   ct-bus-sub --journal F --publish EP --replay EP [--stream S]
//              [--expect N] [--group-commit] [--hwm H]
//     Applies each message by inserting (seq, body) into its table `applied`
//     in the same transaction as its cursor, so a test reads that table and
//     checks exactly-once and order.
//   CURVE: the publisher with --curve-public/--curve-secret/--curve-allowed,
//     the subscriber with --curve-public/--curve-secret/--curve-server-public.
//
// Both print machine-readable lines on stdout ("ready ...", "published all",
// "caught up", "stats ...") for readiness handshakes; no sleeps.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "common/bus/curve.h"
#include "common/bus/journal.h"
#include "common/bus/loop.h"
#include "common/bus/stream.h"
#include "common/log/log.h"

namespace {

void Say(const std::string& line) {
  std::printf("%s\n", line.c_str());
  std::fflush(stdout);
}

std::string DropStats(const ct::bus::DropCounters& d) {
  return "wrong_frame_count=" + std::to_string(d.wrong_frame_count) +
         " undecodable=" + std::to_string(d.undecodable) + " unknown_stream=" + std::to_string(d.unknown_stream) +
         " duplicates=" + std::to_string(d.duplicates);
}

struct Common {
  std::string journal, publish, replay, stream = "bus-test";
  int hwm = 0;
  std::string curve_public, curve_secret;  // this side's CURVE key files
};

std::string KeyOrExit(const std::string& path) {
  auto key = ct::bus::ReadCurveKey(path);
  if (!key.ok()) {
    Say("error " + key.error().message);
    std::exit(2);
  }
  return *key;
}

void AddCommon(CLI::App& app, Common& c) {
  app.add_option("--journal", c.journal, "SQLite journal file")->required();
  app.add_option("--publish", c.publish, "PUB endpoint")->required();
  app.add_option("--replay", c.replay, "replay (ROUTER) endpoint")->required();
  app.add_option("--stream", c.stream, "stream id / topic");
  app.add_option("--hwm", c.hwm, "PUB/SUB high-water mark override");
  app.add_option("--curve-public", c.curve_public, "CURVE public key file");
  app.add_option("--curve-secret", c.curve_secret, "CURVE secret key file");
}

[[maybe_unused]] int RunPublisher(int argc, char** argv) {
  CLI::App app{"ct-bus-pub: publishes N numbered messages on a reliable stream"};
  Common c;
  uint64_t count = 0;
  double rate = 1000;
  size_t payload_bytes = 0;
  int64_t prune_after_s = 0;
  std::string curve_allowed;
  AddCommon(app, c);
  app.add_option("--curve-allowed", curve_allowed, "allow-list of client public keys (enables CURVE)");
  app.add_option("--count", count, "publish seq 1..count")->required();
  app.add_option("--rate", rate, "messages per second (0: as fast as possible)");
  app.add_option("--payload-bytes", payload_bytes, "padding per message");
  app.add_option("--prune-after-s", prune_after_s, "prune journal entries older than this");
  CLI11_PARSE(app, argc, argv);
  ct::log::Init("ct-bus-pub", "info");

  auto journal = ct::bus::Journal::Open(c.journal);
  if (!journal.ok()) {
    Say("error " + journal.error());
    return 1;
  }
  auto& clock = ct::SystemClock::instance();
  zmq::context_t ctx;
  ct::bus::Loop loop;
  loop.StopOnSignals();
  ct::bus::PublisherOptions options{c.publish, c.replay, "ct-bus-pub"};
  options.hwm = c.hwm;
  std::unique_ptr<ct::bus::ZapAuthenticator> zap;
  if (!curve_allowed.empty()) {
    auto allowed = ct::bus::ReadCurveAllowList(curve_allowed);
    if (!allowed.ok()) {
      Say("error " + allowed.error().message);
      return 2;
    }
    zap = std::make_unique<ct::bus::ZapAuthenticator>(ctx, loop, *allowed);
    options.curve = ct::bus::CurveServerKeys{KeyOrExit(c.curve_public), KeyOrExit(c.curve_secret)};
  }
  options.prune_after = std::chrono::seconds(prune_after_s);
  options.prune_interval = std::chrono::milliseconds(200);
  ct::bus::StreamPublisher publisher(ctx, loop, **journal, clock, options);
  publisher.DeclareStream(c.stream);
  const uint64_t resumed_at = publisher.last_seq(c.stream);
  const std::string padding(payload_bytes, 'x');
  const auto start = clock.steady();
  bool announced = false;

  auto publish_due = [&] {
    uint64_t last = publisher.last_seq(c.stream);
    if (last >= count) {
      if (!announced) Say("published all " + std::to_string(last));
      announced = true;
      return;
    }
    const double elapsed = std::chrono::duration<double>(clock.steady() - start).count();
    uint64_t due = rate > 0 ? resumed_at + static_cast<uint64_t>(rate * elapsed) + 1 : count;
    due = std::min({due, count, last + 500});  // one commit covers at most 500
    if (due <= last) return;
    std::vector<ct::bus::StreamPublisher::Staged> staged;
    (*journal)->Transaction([&] {
      for (uint64_t seq = last + 1; seq <= due; ++seq) {
        ct::bus::Envelope env;
        auto* order = env.mutable_master_order_event()->mutable_order();
        order->set_orderid("m" + std::to_string(seq));
        order->set_text(padding);
        staged.push_back(publisher.Stage(c.stream, std::move(env)));
      }
    });
    for (const auto& s : staged) publisher.Send(s);
    if (due / 500 != last / 500) Say("published " + std::to_string(due));
  };
  loop.Every(std::chrono::milliseconds(1), publish_due);
  Say("ready publish=" + publisher.publish_endpoint() + " replay=" + publisher.replay_endpoint() +
      " last_seq=" + std::to_string(resumed_at));
  loop.Run();
  Say("stats last_seq=" + std::to_string(publisher.last_seq(c.stream)) + " " + DropStats(publisher.drops()) +
      " curve_denied=" + std::to_string(zap ? zap->denied() : 0));
  return 0;
}

[[maybe_unused]] int RunSubscriber(int argc, char** argv) {
  CLI::App app{"ct-bus-sub: applies a reliable stream into a SQLite table"};
  Common c;
  uint64_t expect = 0;
  bool group_commit = false;
  std::string curve_server;
  AddCommon(app, c);
  app.add_option("--curve-server-public", curve_server, "the publisher's CURVE public key file (enables CURVE)");
  app.add_option("--expect", expect, "say \"caught up\" when this seq is applied");
  app.add_flag("--group-commit", group_commit, "one transaction per burst of messages");
  CLI11_PARSE(app, argc, argv);
  ct::log::Init("ct-bus-sub", "info");

  auto opened = ct::bus::Journal::Open(c.journal);
  if (!opened.ok()) {
    Say("error " + opened.error());
    return 1;
  }
  ct::bus::Journal& journal = **opened;
  journal.Exec(
      "CREATE TABLE IF NOT EXISTS applied(id INTEGER PRIMARY KEY AUTOINCREMENT, seq INTEGER NOT NULL,"
      " body TEXT NOT NULL, sent_ns INTEGER NOT NULL, applied_ns INTEGER NOT NULL)");
  ct::bus::Statement insert(journal.db(),
                            "INSERT INTO applied(seq, body, sent_ns, applied_ns) VALUES(?,?,?,?)");
  auto& clock = ct::SystemClock::instance();
  zmq::context_t ctx;
  ct::bus::Loop loop;
  loop.StopOnSignals();
  ct::bus::SubscriberOptions options{c.publish, c.replay, c.stream};
  options.hwm = c.hwm;
  if (group_commit) options.group_commit = &journal;
  if (!curve_server.empty())
    options.curve =
        ct::bus::CurveClientKeys{KeyOrExit(c.curve_public), KeyOrExit(c.curve_secret), KeyOrExit(curve_server)};
  const uint64_t start_seq = journal.Cursor(c.stream);
  ct::bus::StreamSubscriber subscriber(
      ctx, loop, clock, options, start_seq, [&](const ct::bus::Envelope& env) {
        journal.Transaction([&] {
          insert.Reset();
          insert.Bind(1, static_cast<int64_t>(env.seq()))
              .Bind(2, env.master_order_event().order().orderid())
              .Bind(3, env.sent_time_ns())
              .Bind(4, clock.wall_ns());
          insert.Step();
          journal.SetCursor(c.stream, env.seq());
        });
        if (env.seq() % 500 == 0) Say("applied " + std::to_string(env.seq()));
        if (expect && env.seq() == expect) Say("caught up " + std::to_string(expect));
        return true;
      });
  Say("ready applied=" + std::to_string(start_seq));
  subscriber.Start();
  loop.Run();
  Say("stats applied=" + std::to_string(subscriber.applied_seq()) + " gaps=" + std::to_string(subscriber.gaps()) +
      " replay_requests=" + std::to_string(subscriber.replay_requests()) + " " + DropStats(subscriber.drops()));
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
#ifdef CT_BUS_PEER_SUBSCRIBER
  return RunSubscriber(argc, argv);
#else
  return RunPublisher(argc, argv);
#endif
}
