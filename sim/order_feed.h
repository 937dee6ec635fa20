// Fan-out of order-update messages to the order-update WebSocket
// connections of each client code, with the documented cap of 3
// connections per client code. Transport-free: a connection is anything
// that can take a text message. Not thread-safe (io thread only).
#pragma once

#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace ct::sim {

class FeedSubscriber {
 public:
  virtual ~FeedSubscriber() = default;
  virtual void Send(std::string message) = 0;
  // Hangs up at once, like a network drop (no close frame).
  virtual void Drop() = 0;
};

class OrderFeed {
 public:
  static constexpr size_t kMaxConnectionsPerClient = 3;

  // False when the client already has the maximum number of connections.
  bool TryAdd(const std::string& client_code, const std::shared_ptr<FeedSubscriber>& subscriber);
  void Remove(const std::string& client_code, const FeedSubscriber* subscriber);
  void Publish(std::string_view client_code, const std::string& message);
  size_t Connections(std::string_view client_code) const;
  // Test hooks (admin API): drop every connection of the client; while
  // muted, the client's updates are lost (not queued).
  size_t DropAll(std::string_view client_code);
  void SetMuted(const std::string& client_code, bool muted);

 private:
  std::set<std::string, std::less<>> muted_;
  std::map<std::string, std::vector<std::weak_ptr<FeedSubscriber>>, std::less<>> subscribers_;
};

}  // namespace ct::sim
