// ControlServer: the router's control socket. A ZeroMQ REP socket bound at
// `[bus] router_control_bind` (ipc, loopback tcp, or CURVE-encrypted tcp
// across hosts, like the streams), registered on the router's loop: one
// ControlRequest in, one ControlReply out (Router::Control). A request
// that does not parse gets a reply with ok = false, so a REQ client is
// never left waiting. Lives on the loop's thread.
//
// ControlClient: the other end, for the CLI and the dashboard: connects to
// `router_control_connect` (else the bind address), sends one request and
// waits up to `timeout` for the reply. No reply (the router is not running,
// or not reachable) is an error saying so; the socket is dropped so a late
// reply cannot be taken for the next request's.
#pragma once

#include <zmq.hpp>

#include <chrono>
#include <functional>
#include <optional>
#include <string>

#include "common/bus/curve.h"
#include "common/bus/loop.h"
#include "common/core/result.h"
#include "copytrade.pb.h"

namespace ct::router {

class ControlServer {
 public:
  using Handler = std::function<copytrade::v1::ControlReply(const copytrade::v1::ControlRequest&)>;
  ControlServer(zmq::context_t& ctx, bus::Loop& loop, const std::string& endpoint,
                const std::optional<bus::CurveServerKeys>& curve, Handler handler);
  const std::string& endpoint() const { return endpoint_; }

 private:
  void OnRequest();
  zmq::socket_t rep_;
  std::string endpoint_;
  Handler handler_;
};

Result<copytrade::v1::ControlReply, std::string> SendControl(
    zmq::context_t& ctx, const std::string& endpoint, const copytrade::v1::ControlRequest& request,
    std::chrono::milliseconds timeout, const std::optional<bus::CurveClientKeys>& curve = std::nullopt);

}  // namespace ct::router
