// Every ZeroMQ socket option copytrade sets, in one place, with the reason.
#pragma once

#include <zmq.hpp>

namespace ct::bus {

enum class SocketRole {
  kStreamPublisher,  // PUB: live copy of the journal
  kStreamSubscriber, // SUB
  kReplayServer,     // ROUTER: serves "everything from seq N" from the journal
  kReplayClient,     // DEALER
  kReportSender,     // PUSH: executor -> router execution reports
  kReportReceiver,   // PULL
};

void ConfigureSocket(zmq::socket_t& socket, SocketRole role);

// Binds; for "tcp://host:*" returns the endpoint actually bound.
std::string BindSocket(zmq::socket_t& socket, const std::string& endpoint);

}  // namespace ct::bus
