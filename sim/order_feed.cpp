#include "sim/order_feed.h"

#include <algorithm>

namespace ct::sim {

bool OrderFeed::TryAdd(const std::string& client_code, const std::shared_ptr<FeedSubscriber>& subscriber) {
  auto& subs = subscribers_[client_code];
  subs.erase(std::remove_if(subs.begin(), subs.end(), [](const auto& w) { return w.expired(); }), subs.end());
  if (subs.size() >= kMaxConnectionsPerClient) return false;
  subs.push_back(subscriber);
  return true;
}

void OrderFeed::Remove(const std::string& client_code, const FeedSubscriber* subscriber) {
  const auto it = subscribers_.find(client_code);
  if (it == subscribers_.end()) return;
  auto& subs = it->second;
  subs.erase(std::remove_if(subs.begin(), subs.end(),
                            [&](const auto& w) {
                              const auto s = w.lock();
                              return !s || s.get() == subscriber;
                            }),
             subs.end());
}

void OrderFeed::Publish(std::string_view client_code, const std::string& message) {
  if (muted_.count(client_code) != 0) return;
  const auto it = subscribers_.find(client_code);
  if (it == subscribers_.end()) return;
  // Copy first: Send may re-enter Remove when a connection is gone.
  const auto subs = it->second;
  for (const auto& w : subs)
    if (auto s = w.lock()) s->Send(message);
}

size_t OrderFeed::Connections(std::string_view client_code) const {
  const auto it = subscribers_.find(client_code);
  if (it == subscribers_.end()) return 0;
  return static_cast<size_t>(
      std::count_if(it->second.begin(), it->second.end(), [](const auto& w) { return !w.expired(); }));
}

size_t OrderFeed::DropAll(std::string_view client_code) {
  const auto it = subscribers_.find(client_code);
  if (it == subscribers_.end()) return 0;
  const auto subs = it->second;  // Drop re-enters Remove
  size_t n = 0;
  for (const auto& w : subs) {
    if (auto s = w.lock()) {
      s->Drop();
      ++n;
    }
  }
  return n;
}

void OrderFeed::SetMuted(const std::string& client_code, bool muted) {
  if (muted) {
    muted_.insert(client_code);
  } else {
    muted_.erase(client_code);
  }
}

}  // namespace ct::sim
