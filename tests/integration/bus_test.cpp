// Reliable streams with real processes on loopback (issue 4, Proof): a
// publisher (ct-bus-pub) and a subscriber (ct-bus-sub) that applies every
// message into its own SQLite table in the same transaction as its cursor.
// Each test kills, restarts, delays or stalls one side and then reads that
// table: every message applied exactly once, in order. Each runs over
// ipc:// in a temp dir and over tcp://127.0.0.1.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <csignal>
#include <memory>
#include <zmq.hpp>

#include "common/bus/curve.h"
#include "common/bus/socket_options.h"
#include "common/bus/stream.h"
#include "tests/integration/bus_test_support.h"

namespace ct::testing {
namespace {

using namespace std::chrono_literals;

TEST_P(BusTest, LateSubscriberGetsAllThousandFromTheJournal) {
  auto pub = StartPub("pub.log", {"--count", "1000", "--rate", "0"});
  ASSERT_TRUE(pub->WaitForLog("published all 1000")) << pub->Log();
  auto sub = StartSub("sub.log", {"--expect", "1000"});
  ASSERT_TRUE(sub->WaitForLog("caught up 1000", 20s)) << sub->Log();
  EXPECT_EQ(sub->Stop(), 0);
  ExpectExactlyOnceInOrder(table_, 1000);
}

TEST_P(BusTest, SubscriberSigkilledMidStreamAndRestarted) {
  constexpr int kCount = 3000;
  auto pub = StartPub("pub.log", {"--count", std::to_string(kCount), "--rate", "1500"});
  auto sub = StartSub("sub-1.log");
  ASSERT_TRUE(Eventually([&] { return table_.Count() >= 600; }, 15s)) << sub->Log();
  sub->Signal(SIGKILL);
  sub->Wait();
  const size_t at_kill = table_.Count();
  EXPECT_LT(at_kill, static_cast<size_t>(kCount)) << "killed after the end: not mid-stream";
  sub = StartSub("sub-2.log");
  ASSERT_TRUE(AppliedAll(kCount)) << sub->Log();
  ASSERT_TRUE(pub->WaitForLog("published all")) << pub->Log();
  EXPECT_EQ(sub->Stop(), 0);
  ExpectExactlyOnceInOrder(table_, kCount);
}

TEST_P(BusTest, PublisherSigkilledAndRestarted) {
  constexpr int kCount = 3000;
  auto pub = StartPub("pub-1.log", {"--count", std::to_string(kCount), "--rate", "1500"});
  auto sub = StartSub("sub.log");
  ASSERT_TRUE(Eventually([&] { return table_.Count() >= 600; }, 15s)) << sub->Log();
  pub->Signal(SIGKILL);
  pub->Wait();
  // Same journal, same endpoints: it resumes after its last committed seq.
  pub = StartPub("pub-2.log", {"--count", std::to_string(kCount), "--rate", "1500"});
  const auto resumed = std::stoll(Field(pub->Log(), "ready", "last_seq"));
  EXPECT_GT(resumed, 0);
  EXPECT_LT(resumed, kCount) << "killed after the end: not mid-stream";
  ASSERT_TRUE(AppliedAll(kCount)) << sub->Log();
  EXPECT_EQ(sub->Stop(), 0);
  ExpectExactlyOnceInOrder(table_, kCount);
}

TEST_P(BusTest, SubscriberStalledPastHighWaterMark) {
  // Tiny high-water marks and 4 KB messages: while the subscriber is
  // stopped (SIGSTOP) the publisher's queue and the kernel buffers fill
  // and PUB drops. The subscriber must notice the gaps and replay. Paced so
  // that most of the stream is published after the stop, not before the
  // subscriber is even up (it would then all come by replay, without gaps).
  constexpr int kCount = 4000;
  auto pub = StartPub("pub.log", {"--count", std::to_string(kCount), "--rate", "2500", "--hwm", "20",
                                  "--payload-bytes", "4096"});
  auto sub = StartSub("sub.log", {"--hwm", "20"});
  ASSERT_TRUE(Eventually([&] { return table_.Count() >= 1; }, 15s)) << sub->Log();
  sub->Signal(SIGSTOP);
  ASSERT_TRUE(pub->WaitForLog("published all", 30s)) << pub->Log();
  sub->Signal(SIGCONT);
  ASSERT_TRUE(AppliedAll(kCount, 30s)) << sub->Log();
  EXPECT_EQ(sub->Stop(), 0);
  ExpectExactlyOnceInOrder(table_, kCount);
  EXPECT_GT(std::stoll(Field(sub->Log(), "stats", "gaps")), 0) << "nothing was dropped: the test proved nothing";
}

// Garbage into a subscriber's SUB socket: from a fake publisher (this test)
// that sends malformed messages before each valid one.
TEST_P(BusTest, GarbageOnSubIsDroppedCountedAndLoggedOnce) {
  zmq::context_t ctx;
  zmq::socket_t pub(ctx, zmq::socket_type::pub), router(ctx, zmq::socket_type::router);
  publish_ = bus::BindSocket(pub, PubBind());
  replay_ = bus::BindSocket(router, ReplayBind());
  auto sub = StartSub("sub.log");
  auto send = [&](std::vector<std::string> frames) {
    for (size_t i = 0; i < frames.size(); ++i)
      (void)pub.send(zmq::buffer(frames[i]), i + 1 < frames.size() ? zmq::send_flags::sndmore : zmq::send_flags::none);
  };
  auto valid = [](uint64_t seq, const std::string& stream) {
    bus::Envelope env;
    env.set_stream_id(stream);
    env.set_seq(seq);
    env.mutable_master_order_event()->mutable_order()->set_orderid("m" + std::to_string(seq));
    return env.SerializeAsString();
  };
  for (uint64_t seq = 1; seq <= 2; ++seq) {
    // Repeated until the valid message lands: a SUB connection is only
    // known to be up once something arrived, and frames on one connection
    // arrive in order, so the garbage before it arrived too.
    ASSERT_TRUE(Eventually(
        [&] {
          send({"bus-test", "\xff\xff\xff not a protobuf"});
          send({"bus-test"});
          send({"bus-test", "a", "b"});
          send({"bus-test", valid(seq, "someone-else")});
          send({"bus-test", valid(seq, "bus-test")});
          return table_.Count() >= seq;
        },
        10s))
        << sub->Log();
  }
  // The fake publisher never answers replays: ROUTER frames are read and
  // ignored here.
  EXPECT_EQ(sub->Stop(), 0);
  ExpectExactlyOnceInOrder(table_, 2);
  const std::string log = sub->Log();
  EXPECT_GE(std::stoll(Field(log, "stats", "undecodable")), 2);
  EXPECT_GE(std::stoll(Field(log, "stats", "wrong_frame_count")), 4);
  EXPECT_GE(std::stoll(Field(log, "stats", "unknown_stream")), 2);
  auto occurrences = [&](const std::string& s) {
    size_t n = 0;
    for (size_t at = log.find(s); at != std::string::npos; at = log.find(s, at + 1)) ++n;
    return n;
  };
  EXPECT_EQ(occurrences("(undecodable)"), 1u) << log;
  EXPECT_EQ(occurrences("(wrong frame count)"), 1u) << log;
}

// Garbage into a publisher's replay ROUTER; it keeps serving.
TEST_P(BusTest, GarbageOnReplayRouterIsDroppedAndPublisherKeepsServing) {
  auto pub = StartPub("pub.log", {"--count", "10", "--rate", "0"});
  ASSERT_TRUE(pub->WaitForLog("published all 10")) << pub->Log();
  zmq::context_t ctx;
  zmq::socket_t dealer(ctx, zmq::socket_type::dealer);
  dealer.set(zmq::sockopt::rcvtimeo, 5000);
  dealer.connect(replay_);
  (void)dealer.send(zmq::str_buffer("\xff\xfe garbage"), zmq::send_flags::none);
  (void)dealer.send(zmq::str_buffer("a"), zmq::send_flags::sndmore);
  (void)dealer.send(zmq::str_buffer("b"), zmq::send_flags::none);
  copytrade::v1::ReplayRequest unknown;
  unknown.set_stream_id("no-such-stream");
  (void)dealer.send(zmq::buffer(unknown.SerializeAsString()), zmq::send_flags::none);
  copytrade::v1::ReplayRequest req;
  req.set_stream_id("bus-test");
  req.set_from_seq(1);
  (void)dealer.send(zmq::buffer(req.SerializeAsString()), zmq::send_flags::none);

  // First the end marker of the unknown stream, then seqs 1..10 and an end
  // marker carrying last_seq 10.
  std::vector<uint64_t> seqs;
  int end_markers = 0;
  while (end_markers < 2) {
    std::vector<zmq::message_t> frames;
    zmq::message_t f;
    ASSERT_TRUE(dealer.recv(f)) << "publisher stopped answering\n" << pub->Log();
    bool more = f.more();
    frames.push_back(std::move(f));
    while (more) {
      zmq::message_t part;
      ASSERT_TRUE(dealer.recv(part));
      more = part.more();
      frames.push_back(std::move(part));
    }
    ASSERT_EQ(frames.size(), 2u);
    bus::Envelope env;
    ASSERT_TRUE(env.ParseFromArray(frames[1].data(), static_cast<int>(frames[1].size())));
    if (frames[0].size() == 0) {
      ++end_markers;
      EXPECT_EQ(env.heartbeat().last_seq(), end_markers == 1 ? 0u : 10u);
    } else {
      seqs.push_back(env.seq());
    }
  }
  EXPECT_EQ(seqs, (std::vector<uint64_t>{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}));
  EXPECT_TRUE(pub->running());
  EXPECT_EQ(pub->Stop(), 0);
  const std::string log = pub->Log();
  EXPECT_EQ(Field(log, "stats", "undecodable"), "1") << log;
  EXPECT_EQ(Field(log, "stats", "wrong_frame_count"), "1") << log;
  EXPECT_EQ(Field(log, "stats", "unknown_stream"), "1") << log;
}

// No heartbeat for 3 s: the subscriber says the publisher is down, and
// says it is up again once a restarted publisher is heard.
TEST_P(BusTest, SilentPublisherIsMarkedDownThenUpAgain) {
  auto pub = StartPub("pub-1.log", {"--count", "10", "--rate", "0"});
  auto sub = StartSub("sub.log");
  ASSERT_TRUE(AppliedAll(10)) << sub->Log();
  pub->Signal(SIGKILL);
  pub->Wait();
  ASSERT_TRUE(sub->WaitForLog("publisher DOWN", 6s)) << sub->Log();
  pub = StartPub("pub-2.log", {"--count", "20", "--rate", "0"});
  ASSERT_TRUE(sub->WaitForLog("publisher up", 10s, 2)) << sub->Log();
  ASSERT_TRUE(AppliedAll(20)) << sub->Log();
  EXPECT_EQ(sub->Stop(), 0);
  ExpectExactlyOnceInOrder(table_, 20);
}

// CURVE: an allowed client gets the stream, encrypted; a client whose key
// is not on the publisher's allow-list gets nothing, not even heartbeats.
TEST_P(BusTest, CurveAllowsListedClientsOnly) {
  auto write_pair = [&](const std::string& name) {
    const auto [pub, sec] = bus::NewCurveKeyPair();
    WriteFile(dir_ / (name + ".public"), pub + "\n");
    WriteFile(dir_ / (name + ".secret"), sec + "\n");
    return pub;
  };
  write_pair("server");
  const std::string allowed = write_pair("allowed");
  write_pair("stranger");
  WriteFile(dir_ / "allow.list", "# followers\n" + allowed + "\n");
  auto pub = StartPub("pub.log", {"--count", "100", "--rate", "0", "--curve-public", dir_ / "server.public",
                                  "--curve-secret", dir_ / "server.secret", "--curve-allowed", dir_ / "allow.list"});
  ASSERT_TRUE(pub->WaitForLog("published all 100")) << pub->Log();

  auto client = [&](const std::string& name, const std::string& journal) {
    return std::make_unique<ChildProcess>(
        std::vector<std::string>{BinPath("ct-bus-sub"), "--journal", dir_ / journal, "--publish", publish_,
                                 "--replay", replay_, "--expect", "100", "--curve-public", dir_ / (name + ".public"),
                                 "--curve-secret", dir_ / (name + ".secret"), "--curve-server-public",
                                 dir_ / "server.public"},
        dir_ / (name + ".log"));
  };
  auto stranger = client("stranger", "stranger.db");
  // The publisher's authenticator has seen and refused it (handshake done).
  ASSERT_TRUE(pub->WaitForLog("CURVE: refused client key")) << pub->Log();
  auto friendly = client("allowed", "sub.db");
  ASSERT_TRUE(friendly->WaitForLog("caught up 100", 20s)) << friendly->Log();
  EXPECT_EQ(friendly->Stop(), 0);
  ExpectExactlyOnceInOrder(table_, 100);
  EXPECT_EQ(stranger->Stop(), 0);
  EXPECT_EQ(AppliedTable(dir_ / "stranger.db").Count(), 0u);
  EXPECT_EQ(stranger->Log().find("publisher up"), std::string::npos) << stranger->Log();
}

INSTANTIATE_TEST_SUITE_P(Transports, BusTest, ::testing::Values("ipc", "tcp"),
                         [](const ::testing::TestParamInfo<std::string>& p) { return p.param; });

}  // namespace
}  // namespace ct::testing
