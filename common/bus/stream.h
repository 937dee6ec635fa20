// Reliable streams over ZeroMQ (DESIGN.md "Reliable streams"), used on both
// hops. A stream is a sequence of Envelopes with seq 1, 2, 3, ... under one
// topic (stream id == topic: "master", "follower-1", ...).
//
// StreamPublisher: stages each Envelope in the Journal inside the caller's
// transaction (so it commits with the effect that produced it), then sends
// [topic][Envelope] on PUB after commit. Its ROUTER socket answers
// ReplayRequests from the journal; a Heartbeat with each stream's last seq
// goes out every second.
//
// StreamSubscriber: subscribes, then asks for replay from applied+1; drops
// duplicates; asks for replay on a gap or when a heartbeat is ahead; marks
// the publisher down after 3 s of silence. The apply callback must commit
// the new cursor (Journal::SetCursor) in the same transaction as its
// effect; the subscriber then advances its in-memory position.
//
// Throughput: one fsync'd commit costs milliseconds on an ordinary disk,
// so a publisher that has several messages ready stages them in one
// transaction, and a subscriber whose effects live only in its journal may
// group-commit bursts (SubscriberOptions::group_commit).
// Pruning: PublisherOptions::prune_after deletes old journal entries on a
// timer; a subscriber asking for a pruned range skips it loudly.
// Malformed frames are dropped, counted (drops()) and logged once per kind.
// Cross-host links may use CURVE (curve.h).
//
// Both live on the process Loop's thread.
#pragma once

#include <zmq.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>

#include "common/bus/curve.h"
#include "common/bus/journal.h"
#include "common/bus/loop.h"
#include "common/time/clock.h"
#include "copytrade.pb.h"

namespace ct::bus {

using copytrade::v1::Envelope;

// Frames dropped because they are not what the protocol says. Each kind is
// logged once (then only counted), so garbage cannot flood the log.
struct DropCounters {
  uint64_t wrong_frame_count = 0;
  uint64_t undecodable = 0;
  uint64_t unknown_stream = 0;
  uint64_t duplicates = 0;
  uint64_t total() const { return wrong_frame_count + undecodable + unknown_stream; }
};

class DropLog {
 public:
  explicit DropLog(std::string component) : component_(std::move(component)) {}
  void WrongFrameCount(size_t frames, size_t expected = 2);
  void Undecodable();
  void UnknownStream(const std::string& topic);
  DropCounters counters;

 private:
  void Once(const std::string& kind, const std::string& detail);
  std::string component_;
  std::set<std::string> logged_;
};

// Reads all frames of one multipart message (non-blocking); false if none.
bool ReceiveMultipart(zmq::socket_t& socket, std::vector<zmq::message_t>& frames);

struct PublisherOptions {
  std::string publish_endpoint;  // bind
  std::string replay_endpoint;   // bind
  std::string process;           // for heartbeats and logs
  size_t replay_batch = 1000;
  // Journal entries older than this are pruned (each stream keeps its last
  // one so seqs never restart); zero keeps everything. A subscriber that
  // asks for a pruned range is told the oldest seq left (Heartbeat
  // first_seq) and skips ahead, logging the loss loudly.
  std::chrono::seconds prune_after{0};
  std::chrono::milliseconds prune_interval{60'000};
  int hwm = 0;  // PUB high-water mark override (tests); 0 = default
  // CURVE on the PUB and replay sockets (curve.h); the process must run a
  // ZapAuthenticator, else every client is refused.
  std::optional<CurveServerKeys> curve{};
};

class StreamPublisher {
 public:
  StreamPublisher(zmq::context_t& ctx, Loop& loop, Journal& journal, const Clock& clock,
                  PublisherOptions options);

  // Declares a stream so heartbeats go out for it even before its first
  // message (a subscriber learns the publisher is up).
  void DeclareStream(const std::string& stream);

  // A message appended to the journal, with the bytes that were journaled
  // (Send puts those same bytes on the wire).
  struct Staged {
    Envelope envelope;
    std::string bytes;
  };
  // Must be called inside journal.Transaction(): assigns the next seq,
  // stamps sent time and appends to the journal. Pass the result to Send()
  // after the transaction commits.
  Staged Stage(const std::string& stream, Envelope envelope);
  void Send(const Staged& staged);

  // Stage + commit + send, for a message that is its own effect.
  Envelope Publish(const std::string& stream, Envelope envelope);

  uint64_t last_seq(const std::string& stream);
  // Runs one prune now (the timer calls it every prune_interval).
  int64_t Prune();
  const DropCounters& drops() const { return drops_.counters; }
  // Last seq of every stream this publisher serves.
  const std::map<std::string, uint64_t>& streams() const { return last_seq_; }
  const std::string& publish_endpoint() const { return publish_endpoint_; }
  const std::string& replay_endpoint() const { return replay_endpoint_; }

 private:
  void OnReplayRequest();
  void SendHeartbeats();

  Loop& loop_;
  Journal& journal_;
  const Clock& clock_;
  PublisherOptions options_;
  zmq::socket_t pub_;
  zmq::socket_t replay_;
  std::string publish_endpoint_, replay_endpoint_;
  std::map<std::string, uint64_t> last_seq_;  // cache of the journal's max seq
  DropLog drops_{"bus"};
};

struct SubscriberOptions {
  std::string publish_endpoint;  // connect
  std::string replay_endpoint;   // connect
  std::string stream;            // == topic
  std::chrono::milliseconds silence_timeout{3000};
  std::chrono::milliseconds replay_timeout{2000};
  // Group commit: when set, every burst of messages read in one wake-up
  // (at most 512) is applied inside ONE transaction of this journal; each
  // Apply's own Transaction() joins it. One fsync then covers the burst,
  // which is what makes thousands of messages/s possible on a disk where a
  // commit costs milliseconds. Only for appliers whose whole effect is in
  // this journal, or that defers whatever leaves the process (a message
  // sent on the bus, a broker call) with Journal::AfterCommit — else it
  // would act on state that is not yet durable (the router sends its
  // instructions after the commit, the executor calls the broker after
  // journaling the intent).
  Journal* group_commit = nullptr;
  int hwm = 0;  // SUB high-water mark override (tests); 0 = default
  std::optional<CurveClientKeys> curve{};  // CURVE on the SUB and DEALER sockets
};

class StreamSubscriber {
 public:
  // Returns true when the envelope's effect and the cursor were committed.
  using Apply = std::function<bool(const Envelope&)>;
  using StateChange = std::function<void(bool publisher_up)>;

  StreamSubscriber(zmq::context_t& ctx, Loop& loop, const Clock& clock, SubscriberOptions options,
                   uint64_t applied_seq, Apply apply);

  // Call once the loop is about to run: sends the first replay request.
  void Start();
  void OnStateChange(StateChange cb) { on_state_ = std::move(cb); }

  const std::string& stream() const { return options_.stream; }
  uint64_t applied_seq() const { return applied_; }
  bool publisher_up() const { return up_; }
  const DropCounters& drops() const { return drops_.counters; }
  uint64_t gaps() const { return gaps_; }
  uint64_t replay_requests() const { return replay_requests_; }

 private:
  void Drain(zmq::socket_t& socket, bool from_replay);
  void Handle(std::vector<zmq::message_t>& frames, bool from_replay);
  void Deliver(const Envelope& env);
  void RequestReplay();
  void Tick();
  void MarkAlive();

  Loop& loop_;
  const Clock& clock_;
  SubscriberOptions options_;
  zmq::socket_t sub_;
  zmq::socket_t dealer_;
  Apply apply_;
  StateChange on_state_;
  uint64_t applied_ = 0;
  uint64_t publisher_last_ = 0;  // highest seq the publisher has told us of
  bool replay_in_flight_ = false;
  SteadyTime replay_sent_{};
  SteadyTime last_heard_{};
  bool up_ = false;
  bool ever_up_ = false;
  uint64_t skip_to_ = 0;  // publisher pruned applied+1 .. skip_to_-1
  uint64_t gaps_ = 0;
  uint64_t replay_requests_ = 0;
  DropLog drops_{"bus"};
};

}  // namespace ct::bus
