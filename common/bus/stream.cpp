#include "common/bus/stream.h"

#include "common/bus/socket_options.h"
#include "common/log/log.h"

namespace ct::bus {
namespace {
using copytrade::v1::ReplayRequest;
constexpr auto kHeartbeatPeriod = std::chrono::milliseconds(1000);
constexpr auto kTickPeriod = std::chrono::milliseconds(250);

void SendFrames(zmq::socket_t& s, std::initializer_list<zmq::const_buffer> frames) {
  size_t i = 0;
  for (const auto& f : frames) {
    const auto flags = (++i < frames.size()) ? zmq::send_flags::sndmore : zmq::send_flags::dontwait;
    // PUB never blocks (drops at HWM); ROUTER drops to unknown peers. A
    // dropped frame is repaired by replay, so the result is not checked.
    (void)s.send(f, flags | zmq::send_flags::dontwait);
  }
}
}  // namespace

// ---- DropLog ---------------------------------------------------------------

void DropLog::Once(const std::string& kind, const std::string& detail) {
  if (logged_.insert(kind).second)
    log::Get(component_)->warn("dropped a malformed bus message ({}): {}; further ones are only counted",
                               kind, detail);
}
void DropLog::WrongFrameCount(size_t frames, size_t expected) {
  ++counters.wrong_frame_count;
  Once("wrong frame count", std::to_string(frames) + " frames, expected " + std::to_string(expected));
}
void DropLog::Undecodable() {
  ++counters.undecodable;
  Once("undecodable", "payload is not a copytrade.v1.Envelope");
}
void DropLog::UnknownStream(const std::string& topic) {
  ++counters.unknown_stream;
  Once("unknown stream", "topic/stream '" + topic.substr(0, 64) + "'");
}

bool ReceiveMultipart(zmq::socket_t& socket, std::vector<zmq::message_t>& frames) {
  frames.clear();
  zmq::message_t msg;
  if (!socket.recv(msg, zmq::recv_flags::dontwait)) return false;
  bool more = msg.more();
  frames.push_back(std::move(msg));
  while (more) {
    zmq::message_t part;
    (void)socket.recv(part, zmq::recv_flags::none);  // parts of a message arrive together
    more = part.more();
    frames.push_back(std::move(part));
  }
  return true;
}

// ---- StreamPublisher -------------------------------------------------------

StreamPublisher::StreamPublisher(zmq::context_t& ctx, Loop& loop, Journal& journal, const Clock& clock,
                                 PublisherOptions options)
    : loop_(loop),
      journal_(journal),
      clock_(clock),
      options_(std::move(options)),
      pub_(ctx, zmq::socket_type::pub),
      replay_(ctx, zmq::socket_type::router) {
  ConfigureSocket(pub_, SocketRole::kStreamPublisher, options_.hwm);
  ConfigureSocket(replay_, SocketRole::kReplayServer);
  if (options_.curve) {
    ApplyCurveServer(pub_, *options_.curve);
    ApplyCurveServer(replay_, *options_.curve);
  }
  publish_endpoint_ = BindSocket(pub_, options_.publish_endpoint);
  replay_endpoint_ = BindSocket(replay_, options_.replay_endpoint);
  for (const auto& s : journal_.Streams()) last_seq_[s] = journal_.LastSeq(s);
  loop_.AddSocket(replay_, [this] { OnReplayRequest(); });
  loop_.Every(kHeartbeatPeriod, [this] { SendHeartbeats(); });
  if (options_.prune_after.count() > 0) {
    Prune();
    loop_.Every(options_.prune_interval, [this] { Prune(); });
  }
  log::Get("bus")->info("publishing on {} (replay {})", publish_endpoint_, replay_endpoint_);
}

int64_t StreamPublisher::Prune() {
  if (options_.prune_after.count() <= 0) return 0;
  const int64_t before =
      clock_.wall_ns() - std::chrono::duration_cast<std::chrono::nanoseconds>(options_.prune_after).count();
  int64_t pruned = 0;
  journal_.Transaction([&] { pruned = journal_.Prune(before); });
  if (pruned > 0)
    log::Get("bus")->info("pruned {} journal entries older than {} s", pruned, options_.prune_after.count());
  return pruned;
}

void StreamPublisher::DeclareStream(const std::string& stream) {
  if (!last_seq_.count(stream)) last_seq_[stream] = journal_.LastSeq(stream);
}

uint64_t StreamPublisher::last_seq(const std::string& stream) {
  DeclareStream(stream);
  return last_seq_[stream];
}

StreamPublisher::Staged StreamPublisher::Stage(const std::string& stream, Envelope envelope) {
  DeclareStream(stream);
  envelope.set_stream_id(stream);
  envelope.set_seq(last_seq_[stream] + 1);
  envelope.set_sent_time_ns(clock_.wall_ns());
  Staged staged{std::move(envelope), ""};
  staged.bytes = staged.envelope.SerializeAsString();
  journal_.Append({stream, staged.envelope.seq(), stream, staged.bytes, staged.envelope.sent_time_ns()});
  // The cache moves with the journal; if the transaction is rolled back the
  // process aborts (Journal::Transaction), so the two never disagree.
  last_seq_[stream] = staged.envelope.seq();
  return staged;
}

void StreamPublisher::Send(const Staged& staged) {
  SendFrames(pub_, {zmq::buffer(staged.envelope.stream_id()), zmq::buffer(staged.bytes)});
}

Envelope StreamPublisher::Publish(const std::string& stream, Envelope envelope) {
  Staged staged;
  journal_.Transaction([&] { staged = Stage(stream, std::move(envelope)); });
  Send(staged);
  return staged.envelope;
}

void StreamPublisher::OnReplayRequest() {
  std::vector<zmq::message_t> frames;
  while (ReceiveMultipart(replay_, frames)) {
    if (frames.size() != 2) {
      drops_.WrongFrameCount(frames.size());
      continue;
    }
    ReplayRequest req;
    if (!req.ParseFromArray(frames[1].data(), static_cast<int>(frames[1].size()))) {
      drops_.Undecodable();
      continue;
    }
    const std::string identity = frames[0].to_string();
    Envelope end;
    end.set_stream_id(req.stream_id());
    end.set_sent_time_ns(clock_.wall_ns());
    auto* hb = end.mutable_heartbeat();
    hb->set_stream_id(req.stream_id());
    hb->set_time_ns(end.sent_time_ns());
    hb->set_process(options_.process);
    if (auto it = last_seq_.find(req.stream_id()); it == last_seq_.end()) {
      // Not a stream of ours: count it, and answer with an empty end marker
      // (so a subscriber started before a misconfiguration is fixed learns
      // who is up) without creating any state for it.
      drops_.UnknownStream(req.stream_id());
    } else {
      const size_t max = req.max_count() ? std::min<size_t>(req.max_count(), options_.replay_batch)
                                         : options_.replay_batch;
      for (const auto& e : journal_.Read(req.stream_id(), req.from_seq(), max))
        SendFrames(replay_, {zmq::buffer(identity), zmq::buffer(e.topic), zmq::buffer(e.payload)});
      hb->set_last_seq(it->second);
      hb->set_first_seq(journal_.FirstSeq(req.stream_id()));
    }
    const std::string bytes = end.SerializeAsString();
    SendFrames(replay_, {zmq::buffer(identity), zmq::const_buffer("", 0), zmq::buffer(bytes)});
  }
}

void StreamPublisher::SendHeartbeats() {
  for (const auto& [stream, seq] : last_seq_) {
    Envelope env;
    env.set_stream_id(stream);
    env.set_sent_time_ns(clock_.wall_ns());
    auto* hb = env.mutable_heartbeat();
    hb->set_stream_id(stream);
    hb->set_last_seq(seq);
    hb->set_time_ns(env.sent_time_ns());
    hb->set_process(options_.process);
    const std::string bytes = env.SerializeAsString();
    SendFrames(pub_, {zmq::buffer(stream), zmq::buffer(bytes)});
  }
}

// ---- StreamSubscriber ------------------------------------------------------

StreamSubscriber::StreamSubscriber(zmq::context_t& ctx, Loop& loop, const Clock& clock,
                                   SubscriberOptions options, uint64_t applied_seq, Apply apply)
    : loop_(loop),
      clock_(clock),
      options_(std::move(options)),
      sub_(ctx, zmq::socket_type::sub),
      dealer_(ctx, zmq::socket_type::dealer),
      apply_(std::move(apply)),
      applied_(applied_seq) {
  ConfigureSocket(sub_, SocketRole::kStreamSubscriber, options_.hwm);
  ConfigureSocket(dealer_, SocketRole::kReplayClient);
  if (options_.curve) {
    ApplyCurveClient(sub_, *options_.curve);
    ApplyCurveClient(dealer_, *options_.curve);
  }
  // Subscribe first, then ask for replay: nothing published in between is
  // missed (it arrives live, or in the replay, or both and is deduplicated).
  sub_.set(zmq::sockopt::subscribe, options_.stream);
  sub_.connect(options_.publish_endpoint);
  dealer_.connect(options_.replay_endpoint);
  loop_.AddSocket(sub_, [this] { Drain(sub_, false); });
  loop_.AddSocket(dealer_, [this] { Drain(dealer_, true); });
  loop_.Every(kTickPeriod, [this] { Tick(); });
  last_heard_ = clock_.steady();
}

void StreamSubscriber::Start() { RequestReplay(); }

void StreamSubscriber::Drain(zmq::socket_t& socket, bool from_replay) {
  // Bounded, so one busy socket cannot starve the other or the timers; the
  // poll is level-triggered and comes back for the rest.
  constexpr int kMaxBurst = 512;
  std::vector<zmq::message_t> frames;
  auto drain = [&] {
    for (int i = 0; i < kMaxBurst && ReceiveMultipart(socket, frames); ++i) Handle(frames, from_replay);
  };
  if (options_.group_commit) {
    options_.group_commit->Transaction(drain);
  } else {
    drain();
  }
}

void StreamSubscriber::Handle(std::vector<zmq::message_t>& frames, bool from_replay) {
  if (frames.size() != 2) return drops_.WrongFrameCount(frames.size());
  const std::string topic = frames[0].to_string();
  Envelope env;
  if (!env.ParseFromArray(frames[1].data(), static_cast<int>(frames[1].size())))
    return drops_.Undecodable();
  // SUB filters by prefix ("follower-1" also matches "follower-10"): check
  // the exact stream. The replay end marker has an empty topic.
  const bool end_marker = from_replay && topic.empty() && env.has_heartbeat();
  if (!end_marker && topic != options_.stream) {
    // A longer topic with our prefix ("follower-10" for "follower-1") is
    // another stream that SUB's prefix filter let through: not garbage.
    if (from_replay || topic.rfind(options_.stream, 0) != 0) drops_.UnknownStream(topic);
    return;
  }
  if (env.stream_id() != options_.stream) return drops_.UnknownStream(env.stream_id());
  MarkAlive();
  if (env.has_heartbeat()) {
    publisher_last_ = std::max(publisher_last_, env.heartbeat().last_seq());
    if (end_marker) {
      replay_in_flight_ = false;
      const uint64_t first = env.heartbeat().first_seq();
      if (first > applied_ + 1 && skip_to_ != first) {
        // The publisher pruned what we have not applied (we were away for
        // longer than its prune age). Those messages are gone: say so
        // loudly and go on from the oldest one it still has.
        skip_to_ = first;
        log::Get("bus")->error("stream '{}': seqs {}..{} were pruned by the publisher and are LOST; "
                               "continuing from {}",
                               options_.stream, applied_ + 1, first - 1, first);
      }
    }
    if (publisher_last_ > applied_ && !replay_in_flight_) RequestReplay();
    return;
  }
  Deliver(env);
}

void StreamSubscriber::Deliver(const Envelope& env) {
  publisher_last_ = std::max(publisher_last_, env.seq());
  if (env.seq() <= applied_) {
    ++drops_.counters.duplicates;
    return;
  }
  const bool skipping = skip_to_ > applied_ + 1 && env.seq() == skip_to_;
  if (env.seq() != applied_ + 1 && !skipping) {
    // A gap: everything from applied+1 comes again from the journal.
    ++gaps_;
    if (!replay_in_flight_) RequestReplay();
    return;
  }
  if (!apply_(env)) {
    // The effect could not be committed; ask again later.
    replay_in_flight_ = false;
    return;
  }
  applied_ = env.seq();
  skip_to_ = 0;
}

void StreamSubscriber::RequestReplay() {
  ReplayRequest req;
  req.set_stream_id(options_.stream);
  req.set_from_seq(applied_ + 1);
  const std::string bytes = req.SerializeAsString();
  // With ZMQ_IMMEDIATE the send fails while the replay socket is not
  // connected; Tick() tries again.
  replay_in_flight_ = dealer_.send(zmq::buffer(bytes), zmq::send_flags::dontwait).has_value();
  replay_sent_ = clock_.steady();
  if (replay_in_flight_) ++replay_requests_;
}

void StreamSubscriber::MarkAlive() {
  last_heard_ = clock_.steady();
  if (!up_) {
    up_ = true;
    log::Get("bus")->info("stream '{}': publisher up (applied seq {})", options_.stream, applied_);
    ever_up_ = true;
    if (on_state_) on_state_(true);
  }
}

void StreamSubscriber::Tick() {
  const auto now = clock_.steady();
  if (up_ && now - last_heard_ > options_.silence_timeout) {
    up_ = false;
    log::Get("bus")->warn("stream '{}': publisher DOWN (no heartbeat for {} ms); reconnecting",
                          options_.stream, options_.silence_timeout.count());
    if (on_state_) on_state_(false);
  }
  if (replay_in_flight_ && now - replay_sent_ > options_.replay_timeout) replay_in_flight_ = false;
  if (!replay_in_flight_ && (!up_ || publisher_last_ > applied_)) {
    // Not heard from the publisher, or behind it: (re)ask, at most once per
    // replay_timeout while a request is outstanding.
    if (now - replay_sent_ > std::chrono::milliseconds(500)) RequestReplay();
  }
}

}  // namespace ct::bus
