#include "dashboard/control_client.h"


namespace ct::dashboard {

ControlClient::ControlClient(zmq::context_t& ctx, bus::Loop& loop, const Clock& clock, const std::string& endpoint,
                             const std::optional<bus::CurveClientKeys>& curve, std::chrono::milliseconds timeout)
    : clock_(clock), socket_(ctx, zmq::socket_type::req), timeout_(timeout) {
  socket_.set(zmq::sockopt::linger, 0);
  socket_.set(zmq::sockopt::req_relaxed, 1);
  socket_.set(zmq::sockopt::req_correlate, 1);
  if (curve) bus::ApplyCurveClient(socket_, *curve);
  socket_.connect(endpoint);
  loop.AddSocket(socket_, [this] { OnReadable(); });
  loop.Every(std::chrono::milliseconds(100), [this] { CheckTimeout(); });
}

void ControlClient::Send(copytrade::v1::ControlRequest request, Done done) {
  request.set_origin("dashboard");
  queue_.push_back({std::move(request), std::move(done)});
  if (!in_flight_) SendNext();
}

void ControlClient::SendNext() {
  while (!queue_.empty() && !in_flight_) {
    const std::string bytes = queue_.front().request.SerializeAsString();
    if (socket_.send(zmq::buffer(bytes), zmq::send_flags::dontwait)) {
      in_flight_ = true;
      sent_ = clock_.steady();
      return;
    }
    auto failed = std::move(queue_.front());
    queue_.pop_front();
    failed.done(nullptr, "cannot send to the router's control socket");
  }
}

void ControlClient::OnReadable() {
  // One reply per request: a REQ socket refuses a second recv (EFSM) until
  // the next send, so read exactly one message.
  if (!in_flight_) return;
  zmq::message_t msg;
  zmq::recv_result_t got;
  try {
    got = socket_.recv(msg, zmq::recv_flags::dontwait);
  } catch (const zmq::error_t&) {
    return;
  }
  if (!got || queue_.empty()) return;
  auto pending = std::move(queue_.front());
  queue_.pop_front();
  in_flight_ = false;
  copytrade::v1::ControlReply reply;
  if (reply.ParseFromArray(msg.data(), static_cast<int>(msg.size())))
    pending.done(&reply, "");
  else
    pending.done(nullptr, "the router's control reply could not be read");
  SendNext();
}

void ControlClient::CheckTimeout() {
  if (!in_flight_ || clock_.steady() - sent_ < timeout_) return;
  auto pending = std::move(queue_.front());
  queue_.pop_front();
  in_flight_ = false;
  pending.done(nullptr, "the router's control socket did not answer");
  SendNext();
}

}  // namespace ct::dashboard
