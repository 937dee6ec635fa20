// Per-client-code request limits of SMARTAPI.md §3.1. Each endpoint belongs
// to a bucket (placeOrder, modifyOrder and cancelOrder share "orders"); a
// bucket has per-second, per-minute and per-hour caps. Windows are sliding:
// a request is refused when the bucket already holds `cap` accepted requests
// in the last window (the strictest reading of the docs, so a client that
// passes here passes the broker). Refused requests do not count.
//
// Time comes from the injected clock (steady). Not thread-safe.
#pragma once

#include <chrono>
#include <deque>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/time/clock.h"

namespace ct::sim {

struct RateLimit {
  std::chrono::seconds window;
  int max_requests;
};

class RateLimiter {
 public:
  explicit RateLimiter(const Clock& clock);

  // True (and counted) when `endpoint` (e.g. "placeOrder") may run now for
  // the client; endpoints without limits are always allowed.
  bool Allow(std::string_view client_code, std::string_view endpoint);
  void set_enabled(bool enabled) { enabled_ = enabled; }
  bool enabled() const { return enabled_; }
  void Reset() { history_.clear(); }

  // The bucket and its limits; empty limits when unlimited.
  static std::string_view Bucket(std::string_view endpoint);
  static const std::vector<RateLimit>& Limits(std::string_view bucket);

 private:
  const Clock& clock_;
  bool enabled_ = true;
  std::map<std::string, std::deque<SteadyTime>, std::less<>> history_;  // "client|bucket"
};

}  // namespace ct::sim
