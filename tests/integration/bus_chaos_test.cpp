// Chaos for one reliable stream (label `chaos`, `make chaos`): while 20,000
// messages flow at 2,000/s, the publisher or the subscriber is SIGKILLed and
// restarted, or the subscriber is stalled with SIGSTOP, again and again at
// random points. At the end every message was applied exactly once, in order.
#include <gtest/gtest.h>

#include <csignal>
#include <random>

#include "tests/integration/bus_test_support.h"

namespace ct::testing {
namespace {

using namespace std::chrono_literals;

TEST_P(BusTest, RandomKillsAndStallsOfBothSides) {
  constexpr size_t kCount = 20'000;
  const std::vector<std::string> pub_args{"--count", std::to_string(kCount), "--rate", "2000"};
  std::mt19937 rng(std::random_device{}());
  int pub_runs = 1, sub_runs = 1;
  auto pub = StartPub("pub-1.log", pub_args);
  auto sub = StartSub("sub-1.log");
  size_t next = 0;
  for (int round = 0; round < 12; ++round) {
    // Act at the next random point of progress (no sleeps: the subscriber's
    // own table says where the stream is).
    next += 500 + rng() % 1000;
    if (next >= kCount) break;
    ASSERT_TRUE(Eventually([&] { return table_.Count() >= next; }, 30s)) << sub->Log();
    switch (rng() % 3) {
      case 0:
        pub->Signal(SIGKILL);
        pub->Wait();
        pub = StartPub("pub-" + std::to_string(++pub_runs) + ".log", pub_args);
        break;
      case 1:
        sub->Signal(SIGKILL);
        sub->Wait();
        sub = StartSub("sub-" + std::to_string(++sub_runs) + ".log");
        break;
      default: {
        // Stalled while the publisher goes on for ~1,500 messages (it says
        // "published N" every 500).
        sub->Signal(SIGSTOP);
        const std::string log = pub->Log();
        if (log.find("published all") == std::string::npos) {
          int seen = 0;
          for (size_t at = log.find("published "); at != std::string::npos; at = log.find("published ", at + 1))
            ++seen;
          EXPECT_TRUE(pub->WaitForLog("published ", 10s, seen + 3));
        }
        sub->Signal(SIGCONT);
        break;
      }
    }
  }
  ASSERT_TRUE(AppliedAll(kCount, 60s)) << sub->Log();
  EXPECT_EQ(sub->Stop(), 0);
  ExpectExactlyOnceInOrder(table_, kCount);
  std::printf("chaos: %d publisher runs, %d subscriber runs\n", pub_runs, sub_runs);
}

INSTANTIATE_TEST_SUITE_P(Transports, BusTest, ::testing::Values("ipc", "tcp"),
                         [](const ::testing::TestParamInfo<std::string>& p) { return p.param; });

}  // namespace
}  // namespace ct::testing
