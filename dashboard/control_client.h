// ControlClient: the dashboard's side of the router's control socket
// (ControlRequest -> ControlReply, proto/copytrade.proto), without ever
// blocking the loop. One REQ socket owned by the loop's thread, in
// relaxed + correlated mode: requests queue here and go one at a time; a
// request the router does not answer within `timeout` fails ("router not
// answering") and the next one goes out (a late reply to it is discarded by
// ZeroMQ's correlation), so a router restart never wedges the dashboard.
#pragma once

#include <zmq.hpp>

#include <chrono>
#include <deque>
#include <functional>
#include <optional>
#include <string>

#include "common/bus/curve.h"
#include "common/bus/loop.h"
#include "common/time/clock.h"
#include "copytrade.pb.h"

namespace ct::dashboard {

class ControlClient {
 public:
  // `reply` is null when the router did not answer; `error` says why.
  using Done = std::function<void(const copytrade::v1::ControlReply* reply, const std::string& error)>;

  ControlClient(zmq::context_t& ctx, bus::Loop& loop, const Clock& clock, const std::string& endpoint,
                const std::optional<bus::CurveClientKeys>& curve,
                std::chrono::milliseconds timeout = std::chrono::milliseconds(2000));

  void Send(copytrade::v1::ControlRequest request, Done done);
  size_t queued() const { return queue_.size(); }

 private:
  struct Pending {
    copytrade::v1::ControlRequest request;
    Done done;
  };
  void SendNext();
  void OnReadable();
  void CheckTimeout();

  const Clock& clock_;
  zmq::socket_t socket_;
  std::chrono::milliseconds timeout_;
  std::deque<Pending> queue_;
  bool in_flight_ = false;
  SteadyTime sent_{};
};

}  // namespace ct::dashboard
