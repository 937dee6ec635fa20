#include "common/bus/socket_options.h"

#include <filesystem>

namespace ct::bus {

void ConfigureSocket(zmq::socket_t& s, SocketRole role, int hwm_override) {
  // High-water marks are generous: losing a live message is never fatal
  // (the journal and replay repair gaps) but needless gaps cost replays.
  // 100k messages of ~300 bytes is ~30 MB at worst per peer.
  constexpr int kHwm = 100'000;
  const int stream_hwm = hwm_override > 0 ? hwm_override : kHwm;
  // Reconnect quickly at first, then back off to 5 s for a peer that stays
  // down (a restarted process comes back within one interval).
  constexpr int kReconnectMs = 100;
  constexpr int kReconnectMaxMs = 5'000;
  // ZMTP heartbeats detect dead TCP peers (half-open connections across
  // hosts) that the OS would not notice for minutes.
  constexpr int kZmtpHeartbeatMs = 1'000;
  constexpr int kZmtpTimeoutMs = 3'000;

  s.set(zmq::sockopt::reconnect_ivl, kReconnectMs);
  s.set(zmq::sockopt::reconnect_ivl_max, kReconnectMaxMs);
  s.set(zmq::sockopt::heartbeat_ivl, kZmtpHeartbeatMs);
  s.set(zmq::sockopt::heartbeat_timeout, kZmtpTimeoutMs);
  s.set(zmq::sockopt::heartbeat_ttl, kZmtpTimeoutMs * 2);

  switch (role) {
    case SocketRole::kStreamPublisher:
      s.set(zmq::sockopt::sndhwm, stream_hwm);
      // Nothing on a PUB is precious (it is all in the journal): never
      // block shutdown on it.
      s.set(zmq::sockopt::linger, 0);
      break;
    case SocketRole::kStreamSubscriber:
      s.set(zmq::sockopt::rcvhwm, stream_hwm);
      s.set(zmq::sockopt::linger, 0);
      break;
    case SocketRole::kReplayServer:
      s.set(zmq::sockopt::sndhwm, kHwm);
      s.set(zmq::sockopt::rcvhwm, kHwm);
      s.set(zmq::sockopt::linger, 0);
      break;
    case SocketRole::kReplayClient:
      s.set(zmq::sockopt::sndhwm, 16);
      s.set(zmq::sockopt::rcvhwm, kHwm);
      // Do not queue a replay request on a connection that is not up yet;
      // the subscriber retries on its timer, so requests never pile up.
      s.set(zmq::sockopt::immediate, 1);
      s.set(zmq::sockopt::linger, 0);
      break;
    case SocketRole::kReportSender:
      s.set(zmq::sockopt::sndhwm, kHwm);
      // Reports are acknowledgements: give them time to leave on shutdown.
      s.set(zmq::sockopt::linger, 2'000);
      break;
    case SocketRole::kReportReceiver:
      s.set(zmq::sockopt::rcvhwm, kHwm);
      s.set(zmq::sockopt::linger, 0);
      break;
  }
}

std::string BindSocket(zmq::socket_t& socket, const std::string& endpoint) {
  if (endpoint.rfind("ipc://", 0) == 0) {
    // A stale socket file from a killed process would make bind fail.
    std::filesystem::path p(endpoint.substr(6));
    if (p.has_parent_path()) std::filesystem::create_directories(p.parent_path());
    std::error_code ec;
    std::filesystem::remove(p, ec);
  }
  socket.bind(endpoint);
  return socket.get(zmq::sockopt::last_endpoint);
}

}  // namespace ct::bus
