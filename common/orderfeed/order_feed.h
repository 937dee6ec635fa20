// OrderFeedClient: SmartAPI's order-update WebSocket ("Websocket Order
// Status", wss://tns.angelone.in/smart-order-update), the push half of the
// watcher's detection. It connects with the account's Bearer token, turns
// each update's `orderData` into an Order, and reconnects with back-off
// when the connection drops, telling the owner each time it (re)connects so
// the owner can poll the order book for anything missed meanwhile.
//
// Runs its own thread (Boost.Beast, async, one io_context); callbacks run
// on that thread, so the owner hands them to its loop (Loop::Post).
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "copytrade.pb.h"

namespace ct::orderfeed {

struct FeedOptions {
  std::string url;          // ws://host:port/path or wss://host/path
  std::string api_key;      // sent as x-api-key, as the official SDKs do
  std::string client_code;  // x-client-code
  std::chrono::seconds ping_interval{10};  // the documented heartbeat
  std::chrono::milliseconds reconnect_min{500};
  std::chrono::milliseconds reconnect_max{30'000};
};

struct FeedCallbacks {
  // The current jwtToken (without "Bearer "); asked before each connect.
  std::function<std::string()> token;
  std::function<void(const copytrade::v1::Order&)> on_order;
  // true after each successful handshake; false when the connection is lost.
  std::function<void(bool connected)> on_connection;
};

class OrderFeedClient {
 public:
  OrderFeedClient(FeedOptions options, FeedCallbacks callbacks);
  ~OrderFeedClient();
  OrderFeedClient(const OrderFeedClient&) = delete;
  OrderFeedClient& operator=(const OrderFeedClient&) = delete;

  void Start();
  void Stop();

  struct Impl;  // opaque; public only so the connection code can name it

 private:
  std::unique_ptr<Impl> impl_;
};

struct ParsedUrl {
  bool tls = false;
  std::string host, port, path;
};
// "wss://tns.angelone.in/smart-order-update" -> {true, host, "443", path}.
bool ParseWsUrl(const std::string& url, ParsedUrl& out);

// One text frame of the feed. nullopt for the AB00 greeting, pongs and
// anything that is not an order update.
std::optional<copytrade::v1::Order> ParseUpdate(const std::string& frame);

}  // namespace ct::orderfeed
