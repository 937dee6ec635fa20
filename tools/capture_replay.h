// `copytrade capture` and `copytrade replay` (issue 4; DESIGN.md "Capture is
// just another subscriber ... replay publishes a capture file into a stream").
//
// capture: a StreamSubscriber of one stream that appends every envelope, in
//   seq order and exactly once, to a capture file (common/bus/capture.h,
//   docs/capture-format.md) with its receive time. It starts at --from-seq
//   (default 1: everything the publisher's journal still holds) and keeps no
//   cursor of its own: a new capture is a new file.
// replay: a StreamPublisher with its own journal (in --state, by default a
//   fresh temporary directory) that publishes the captured envelopes into a
//   stream with new seqs 1, 2, ..., at the original pace (scaled by --speed)
//   or as fast as possible, then keeps serving replays and heartbeats until
//   SIGINT/SIGTERM so late subscribers still get everything.
#pragma once

#include <CLI/CLI.hpp>

#include <cstdint>
#include <string>

namespace ct::tools {

struct CaptureOptions {
  std::string from;      // publisher's PUB endpoint
  std::string replay;    // publisher's replay (ROUTER) endpoint
  std::string stream = "master";
  std::string out;
  uint64_t from_seq = 1;
  uint64_t count = 0;    // stop after this many records (0: until a signal)
};

struct ReplayOptions {
  std::string file;
  std::string to;               // PUB endpoint to bind
  std::string replay_endpoint;  // ROUTER endpoint to bind; default derived from --to
  std::string state_dir;        // journal; default a fresh temporary directory
  std::string stream;           // default: each record's topic
  double speed = 1.0;
  bool as_fast_as_possible = false;
  bool keep_times = false;      // do not shift event times to "now"
};

CLI::App* AddCaptureCommand(CLI::App& app, CaptureOptions& options);
CLI::App* AddReplayCommand(CLI::App& app, ReplayOptions& options);
int RunCapture(const CaptureOptions& options);
int RunReplay(const ReplayOptions& options);

// "ipc://x" -> "ipc://x.replay"; "tcp://h:p" -> "tcp://h:p+1".
std::string DefaultReplayEndpoint(const std::string& publish_endpoint);

}  // namespace ct::tools
