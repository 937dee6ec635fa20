#include "tools/capture_replay.h"

#include <cstdlib>
#include <filesystem>
#include <vector>

#include "common/bus/capture.h"
#include "common/bus/journal.h"
#include "common/bus/loop.h"
#include "common/bus/stream.h"
#include "common/log/log.h"

namespace ct::tools {
namespace {

void Say(const std::string& line) {
  std::printf("%s\n", line.c_str());
  std::fflush(stdout);
}

// Moves the event times of a captured message by `shift_ns`, so that a
// replayed master event is as fresh as when it was captured (the executor
// refuses instructions older than max_copy_delay).
void Retime(bus::Envelope& env, int64_t shift_ns) {
  auto shift = [&](int64_t t) { return t == 0 ? 0 : t + shift_ns; };
  if (env.has_master_order_event()) {
    auto* e = env.mutable_master_order_event();
    e->set_master_event_time_ns(shift(e->master_event_time_ns()));
    e->set_detected_time_ns(shift(e->detected_time_ns()));
  } else if (env.has_copy_instruction()) {
    auto* c = env.mutable_copy_instruction();
    c->set_master_event_time_ns(shift(c->master_event_time_ns()));
    c->set_detected_time_ns(shift(c->detected_time_ns()));
    c->set_routed_time_ns(shift(c->routed_time_ns()));
  }
}

}  // namespace

std::string DefaultReplayEndpoint(const std::string& publish_endpoint) {
  if (publish_endpoint.rfind("tcp://", 0) == 0) {
    const auto colon = publish_endpoint.rfind(':');
    const std::string port = publish_endpoint.substr(colon + 1);
    if (colon != std::string::npos && !port.empty() && port.find_first_not_of("0123456789") == std::string::npos)
      return publish_endpoint.substr(0, colon + 1) + std::to_string(std::stoi(port) + 1);
    return "";
  }
  return publish_endpoint + ".replay";
}

CLI::App* AddCaptureCommand(CLI::App& app, CaptureOptions& o) {
  auto* sub = app.add_subcommand("capture", "record a bus stream to a file (docs/capture-format.md)");
  sub->add_option("--from", o.from, "the publisher's PUB endpoint")->required();
  sub->add_option("--replay", o.replay, "the publisher's replay endpoint")->required();
  sub->add_option("--stream", o.stream, "stream id, e.g. master or follower-1")->capture_default_str();
  sub->add_option("--out", o.out, "capture file to write")->required();
  sub->add_option("--from-seq", o.from_seq, "first seq to capture")->capture_default_str();
  sub->add_option("--count", o.count, "stop after this many messages (default: until SIGINT/SIGTERM)");
  return sub;
}

CLI::App* AddReplayCommand(CLI::App& app, ReplayOptions& o) {
  auto* sub = app.add_subcommand("replay", "publish a capture file into a stream");
  sub->add_option("file", o.file, "capture file")->required()->check(CLI::ExistingFile);
  sub->add_option("--to", o.to, "PUB endpoint to bind (subscribers connect here)")->required();
  sub->add_option("--replay-endpoint", o.replay_endpoint,
                  "replay endpoint to bind (default: ipc://X.replay, or tcp port + 1)");
  sub->add_option("--state", o.state_dir, "directory for the replay journal (default: a fresh temporary one)");
  sub->add_option("--stream", o.stream, "publish into this stream (default: the captured one)");
  auto* speed = sub->add_option("--speed", o.speed, "pace: X times the original")->check(CLI::PositiveNumber);
  sub->add_flag("--as-fast-as-possible", o.as_fast_as_possible, "no pacing")->excludes(speed);
  sub->add_flag("--keep-times", o.keep_times, "keep the captured event times (default: shift them to now)");
  return sub;
}

int RunCapture(const CaptureOptions& o) {
  log::Init("copytrade-capture", "info");
  auto lg = log::Get("capture");
  auto writer = bus::CaptureWriter::Open(o.out);
  if (!writer.ok()) {
    lg->error("{}", writer.error());
    return 1;
  }
  auto& clock = SystemClock::instance();
  zmq::context_t ctx;
  bus::Loop loop;
  loop.StopOnSignals();
  int rc = 0;
  bus::StreamSubscriber subscriber(
      ctx, loop, clock, {o.from, o.replay, o.stream}, o.from_seq > 0 ? o.from_seq - 1 : 0,
      [&](const bus::Envelope& env) {
        bus::CapturedEnvelope record;
        record.set_receive_time_ns(clock.wall_ns());
        record.set_topic(o.stream);
        *record.mutable_envelope() = env;
        if (!(*writer)->Write(record)) {
          lg->error("cannot write to {}; stopping", o.out);
          rc = 1;
          loop.Stop();
          return false;
        }
        Say("captured seq=" + std::to_string(env.seq()));
        if (o.count && (*writer)->records() >= o.count) loop.Stop();
        return true;
      });
  lg->info("capturing stream '{}' from {} (replay {}) into {}", o.stream, o.from, o.replay, o.out);
  subscriber.Start();
  loop.Run();
  Say("capture stopped: " + std::to_string((*writer)->records()) + " records, last seq " +
      std::to_string(subscriber.applied_seq()));
  return rc;
}

int RunReplay(const ReplayOptions& o) {
  log::Init("copytrade-replay", "info");
  auto lg = log::Get("replay");
  std::vector<bus::CapturedEnvelope> records;
  {
    auto reader = bus::CaptureReader::Open(o.file);
    if (!reader.ok()) {
      lg->error("{}", reader.error());
      return 1;
    }
    bus::CapturedEnvelope record;
    for (;;) {
      const auto next = (*reader)->Read(record);
      if (next == bus::CaptureReader::Next::kEnd) break;
      if (next == bus::CaptureReader::Next::kCorrupt) {
        lg->warn("{}: truncated or corrupt record at byte {}; replaying the {} records before it", o.file,
                 (*reader)->offset(), records.size());
        break;
      }
      records.push_back(record);
    }
  }
  const std::string replay_endpoint = o.replay_endpoint.empty() ? DefaultReplayEndpoint(o.to) : o.replay_endpoint;
  if (replay_endpoint.empty()) {
    lg->error("--replay-endpoint is required for {}", o.to);
    return 2;
  }
  std::string state = o.state_dir;
  bool remove_state = false;
  if (state.empty()) {
    std::string pattern = (std::filesystem::temp_directory_path() / "copytrade-replay-XXXXXX").string();
    if (!mkdtemp(pattern.data())) {
      lg->error("cannot create a temporary directory");
      return 1;
    }
    state = pattern;
    remove_state = true;
  }
  std::filesystem::create_directories(state);
  auto journal = bus::Journal::Open(state + "/replay.db");
  if (!journal.ok()) {
    lg->error("{}", journal.error());
    return 1;
  }
  auto& clock = SystemClock::instance();
  zmq::context_t ctx;
  bus::Loop loop;
  loop.StopOnSignals();
  bus::StreamPublisher publisher(ctx, loop, **journal, clock, {o.to, replay_endpoint, "copytrade-replay"});
  for (const auto& r : records) publisher.DeclareStream(o.stream.empty() ? r.topic() : o.stream);

  const auto start = clock.steady();
  const int64_t first_capture_ns = records.empty() ? 0 : records.front().receive_time_ns();
  size_t next = 0;
  // Publishes everything due, then arms a timer for the next record.
  std::function<void()> publish_due = [&] {
    std::vector<bus::StreamPublisher::Staged> staged;
    (*journal)->Transaction([&] {
      while (next < records.size()) {
        const auto& r = records[next];
        const double offset_ns =
            o.as_fast_as_possible ? 0.0 : static_cast<double>(r.receive_time_ns() - first_capture_ns) / o.speed;
        if (clock.steady() - start < std::chrono::nanoseconds(static_cast<int64_t>(offset_ns))) break;
        bus::Envelope env = r.envelope();
        if (!o.keep_times) Retime(env, clock.wall_ns() - r.receive_time_ns());
        staged.push_back(publisher.Stage(o.stream.empty() ? r.topic() : o.stream, std::move(env)));
        ++next;
        if (staged.size() >= 1000) break;
      }
    });
    for (const auto& s : staged) publisher.Send(s);
    if (next >= records.size()) {
      Say("replayed all " + std::to_string(records.size()));
      return;
    }
    const double offset_ns =
        o.as_fast_as_possible ? 0.0
                              : static_cast<double>(records[next].receive_time_ns() - first_capture_ns) / o.speed;
    const auto due = start + std::chrono::nanoseconds(static_cast<int64_t>(offset_ns));
    const auto wait = std::chrono::ceil<std::chrono::milliseconds>(due - clock.steady());
    loop.After(std::max(wait, std::chrono::milliseconds(0)), publish_due);
  };
  Say("replaying " + std::to_string(records.size()) + " records from " + o.file + " on " +
      publisher.publish_endpoint() + " (replay " + publisher.replay_endpoint() + ")");
  loop.After(std::chrono::milliseconds(0), publish_due);
  loop.Run();
  journal->reset();
  if (remove_state) std::filesystem::remove_all(state);
  return 0;
}

}  // namespace ct::tools
