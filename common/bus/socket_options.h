// Every ZeroMQ socket option copytrade sets, in one place, with the reason.
#pragma once

#include <zmq.hpp>

#include <string>

namespace ct::bus {

enum class SocketRole {
  kStreamPublisher,  // PUB: live copy of the journal
  kStreamSubscriber, // SUB
  kReplayServer,     // ROUTER: serves "everything from seq N" from the journal
  kReplayClient,     // DEALER
  kReportSender,     // PUSH: executor -> router execution reports
  kReportReceiver,   // PULL
};

// `hwm_override` > 0 replaces the PUB/SUB high-water mark: tests use a
// tiny one to prove that a stalled subscriber still gets every message.
void ConfigureSocket(zmq::socket_t& socket, SocketRole role, int hwm_override = 0);

// Binds; for "tcp://host:*" returns the endpoint actually bound.
std::string BindSocket(zmq::socket_t& socket, const std::string& endpoint);

}  // namespace ct::bus
