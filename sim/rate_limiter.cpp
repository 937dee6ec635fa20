#include "sim/rate_limiter.h"

#include <algorithm>

namespace ct::sim {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

const std::map<std::string, std::vector<RateLimit>, std::less<>>& Table() {
  static const std::map<std::string, std::vector<RateLimit>, std::less<>> kTable = {
      {"loginByPassword", {{seconds(1), 1}}},
      {"generateTokens", {{seconds(1), 1}, {hours(1), 1000}}},
      {"getProfile", {{seconds(1), 3}, {hours(1), 1000}}},
      {"logout", {{seconds(1), 1}}},
      {"getRMS", {{seconds(1), 2}}},
      {"orders", {{seconds(1), 9}, {minutes(1), 500}, {hours(1), 1000}}},
      {"getOrderBook", {{seconds(1), 1}}},
      {"getLtpData", {{seconds(1), 10}, {minutes(1), 500}, {hours(1), 5000}}},
      {"getPosition", {{seconds(1), 1}}},
      {"getTradeBook", {{seconds(1), 1}}},
      {"details", {{seconds(1), 10}, {minutes(1), 500}, {hours(1), 5000}}},
  };
  return kTable;
}

}  // namespace

RateLimiter::RateLimiter(const Clock& clock) : clock_(clock) {}

std::string_view RateLimiter::Bucket(std::string_view endpoint) {
  if (endpoint == "placeOrder" || endpoint == "modifyOrder" || endpoint == "cancelOrder") return "orders";
  return endpoint;
}

const std::vector<RateLimit>& RateLimiter::Limits(std::string_view bucket) {
  static const std::vector<RateLimit> kNone;
  const auto it = Table().find(bucket);
  return it == Table().end() ? kNone : it->second;
}

bool RateLimiter::Allow(std::string_view client_code, std::string_view endpoint) {
  if (!enabled_) return true;
  const std::string_view bucket = Bucket(endpoint);
  const auto& limits = Limits(bucket);
  if (limits.empty()) return true;
  std::string key(client_code);
  key += '|';
  key += bucket;
  auto& times = history_[key];
  const SteadyTime now = clock_.steady();
  std::chrono::nanoseconds longest{0};
  for (const auto& l : limits) longest = std::max<std::chrono::nanoseconds>(longest, l.window);
  while (!times.empty() && times.front() <= now - longest) times.pop_front();
  for (const auto& l : limits) {
    const SteadyTime start = now - l.window;
    // Entries are in time order: count those strictly inside the window.
    const auto first = std::upper_bound(times.begin(), times.end(), start);
    if (std::distance(first, times.end()) >= l.max_requests) return false;
  }
  times.push_back(now);
  return true;
}

}  // namespace ct::sim
