// WebServer: the dashboard's HTTP side (Boost.Beast) on a thread of its own,
// so a slow browser never holds up the bus loop. It serves the page, the
// server-sent event stream (/events), /metrics, /api/state and the actions
// (POST /api/action), checking every request against web_security.h first.
//
// It holds no dashboard state: what it serves comes from the Handlers,
// which the process implements by posting work to its loop (the model's
// owner) and calling the reply callback from there; the callback is
// thread-safe. Broadcast() and Attach() are thread-safe too: called from
// the loop's thread, in the order the model changed, so a browser gets its
// snapshot and then exactly the updates that came after it.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "dashboard/web_security.h"

namespace ct::dashboard {

class WebServer {
 public:
  using Reply = std::function<void(int status, std::string content_type, std::string body)>;
  struct Handlers {
    std::function<void(Reply)> metrics;
    std::function<void(Reply)> state;  // JSON snapshot
    // An event-stream client `id` connected: the process calls Attach(id, snapshot).
    std::function<void(uint64_t id)> subscribe;
    // command: pause|resume|approve|reject|stop-all; target as in ControlRequest.
    std::function<void(const std::string& command, const std::string& target, Reply)> action;
  };

  WebServer(AccessPolicy policy, std::string page_html, Handlers handlers);
  ~WebServer();
  WebServer(const WebServer&) = delete;
  WebServer& operator=(const WebServer&) = delete;

  // Binds host:port (port 0: any) and starts the thread. Returns the bound
  // port, or 0 with `error` set.
  uint16_t Start(const std::string& host, uint16_t port, std::string* error);
  void Stop();

  // Sends one JSON update to every attached event-stream client.
  void Broadcast(const std::string& json);
  // Starts client `id`'s stream with `snapshot`.
  void Attach(uint64_t id, const std::string& snapshot);
  size_t clients() const { return clients_.load(); }

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
  std::atomic<size_t> clients_{0};
};

}  // namespace ct::dashboard
