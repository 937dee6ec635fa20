#include "router/control_server.h"

#include "common/bus/socket_options.h"
#include "common/log/log.h"

namespace ct::router {
namespace v1 = copytrade::v1;

ControlServer::ControlServer(zmq::context_t& ctx, bus::Loop& loop, const std::string& endpoint,
                             const std::optional<bus::CurveServerKeys>& curve, Handler handler)
    : rep_(ctx, zmq::socket_type::rep), handler_(std::move(handler)) {
  rep_.set(zmq::sockopt::linger, 0);
  if (curve) bus::ApplyCurveServer(rep_, *curve);
  endpoint_ = bus::BindSocket(rep_, endpoint);
  loop.AddSocket(rep_, [this] { OnRequest(); });
  log::Get("router")->info("control socket on {}", endpoint_);
}

void ControlServer::OnRequest() {
  while (true) {
    zmq::message_t msg;
    if (!rep_.recv(msg, zmq::recv_flags::dontwait)) return;
    v1::ControlRequest request;
    v1::ControlReply reply;
    if (!request.ParseFromArray(msg.data(), static_cast<int>(msg.size()))) {
      reply.set_ok(false);
      reply.set_error("the request is not a ControlRequest");
    } else {
      reply = handler_(request);
    }
    const std::string bytes = reply.SerializeAsString();
    rep_.send(zmq::buffer(bytes), zmq::send_flags::none);
  }
}

Result<v1::ControlReply, std::string> SendControl(zmq::context_t& ctx, const std::string& endpoint,
                                                  const v1::ControlRequest& request, std::chrono::milliseconds timeout,
                                                  const std::optional<bus::CurveClientKeys>& curve) {
  zmq::socket_t req(ctx, zmq::socket_type::req);
  req.set(zmq::sockopt::linger, 0);
  if (curve) bus::ApplyCurveClient(req, *curve);
  try {
    req.connect(endpoint);
  } catch (const zmq::error_t& e) {
    return std::string("cannot connect to the router's control socket ") + endpoint + ": " + e.what();
  }
  const std::string bytes = request.SerializeAsString();
  req.send(zmq::buffer(bytes), zmq::send_flags::none);
  zmq::pollitem_t item{static_cast<void*>(req), 0, ZMQ_POLLIN, 0};
  zmq::poll(&item, 1, timeout);
  if (!(item.revents & ZMQ_POLLIN))
    return "the router did not answer on " + endpoint + " within " + std::to_string(timeout.count()) +
           " ms: is copytrade-router running?";
  zmq::message_t msg;
  if (!req.recv(msg, zmq::recv_flags::none)) return std::string("no reply from the router");
  v1::ControlReply reply;
  if (!reply.ParseFromArray(msg.data(), static_cast<int>(msg.size())))
    return std::string("the router's reply did not parse");
  return reply;
}

}  // namespace ct::router
