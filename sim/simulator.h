// The whole emulator wired together: instruments, accounts and sessions,
// the order engine, the 2026 rules, rate limits, faults, the REST API and
// the order-update WebSocket, served over HTTP/1.1 (keep-alive) by
// Boost.Beast on one io_context thread. The REST API and the WebSocket
// (/smart-order-update) share the port. The server hands the API each
// request's source address and the time it was read, stamps every reply
// with a Date header from the clock, and waits out hold faults on a timer
// (other connections go on meanwhile).
//
// Threading: Run() drives everything on the calling thread; Stop() may be
// called from any thread. Everything else is for the io thread (or before
// Run()).
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/core/result.h"
#include "common/time/clock.h"
#include "sim/broker_api.h"
#include "sim/algo_rules.h"
#include "sim/faults.h"
#include "sim/freeze_quantities.h"
#include "sim/instruments.h"
#include "sim/order_engine.h"
#include "sim/order_feed.h"
#include "sim/rate_limiter.h"
#include "sim/sessions.h"

namespace ct::sim {

struct SimOptions {
  bool rate_limits = true;
  OrderRules rules;
  FreezeQuantities freeze;
};

class Simulator {
 public:
  Simulator(const Clock& clock, InstrumentTable instruments, const std::vector<SimAccount>& accounts,
            SimOptions options = {});
  ~Simulator();
  Simulator(const Simulator&) = delete;
  Simulator& operator=(const Simulator&) = delete;

  // Binds and starts accepting; returns the bound port (useful with 0).
  Result<uint16_t, std::string> Listen(const std::string& host, uint16_t port);
  // Stops on SIGINT/SIGTERM.
  void StopOnSignals();
  void Run();
  void Stop();

  OrderEngine& engine() { return engine_; }
  BrokerApi& api() { return api_; }

 private:
  void DoAccept();

  const Clock& clock_;
  InstrumentTable instruments_;
  SessionStore sessions_;
  OrderEngine engine_;
  RateLimiter limiter_;
  FaultTable faults_;
  BrokerApi api_;
  OrderFeed feed_;
  boost::asio::io_context io_{1};
  boost::asio::ip::tcp::acceptor acceptor_{io_};
  std::shared_ptr<void> signals_;
};

}  // namespace ct::sim
