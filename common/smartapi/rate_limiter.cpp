#include "common/smartapi/rate_limiter.h"

#include <algorithm>
#include <thread>

namespace ct::smartapi {
namespace {
using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::nanoseconds;
using std::chrono::seconds;
}  // namespace

std::vector<RateWindow> DocumentedLimits(Endpoint endpoint) {
  switch (endpoint) {
    case Endpoint::kLogin:
      return {{1, seconds(1)}};
    case Endpoint::kGenerateTokens:
      return {{1, seconds(1)}, {1000, hours(1)}};
    case Endpoint::kGetProfile:
      return {{3, seconds(1)}, {1000, hours(1)}};
    case Endpoint::kLogout:
      return {{1, seconds(1)}};
    case Endpoint::kGetRms:
      return {{2, seconds(1)}};
    case Endpoint::kOrderWrite:
      return {{9, seconds(1)}, {500, minutes(1)}, {1000, hours(1)}};
    case Endpoint::kGetOrderBook:
    case Endpoint::kGetTradeBook:
    case Endpoint::kGetPosition:
      return {{1, seconds(1)}};
    case Endpoint::kOrderDetails:
    case Endpoint::kGetLtpData:
      return {{10, seconds(1)}, {500, minutes(1)}, {5000, hours(1)}};
  }
  std::abort();
}

Sleeper RealSleeper() {
  return [](nanoseconds d) { std::this_thread::sleep_for(d); };
}

RateLimiter::RateLimiter(const Clock& clock, Sleeper sleep, nanoseconds margin)
    : clock_(clock), sleep_(std::move(sleep)), margin_(margin), buckets_(kEndpointCount) {
  for (int i = 0; i < kEndpointCount; ++i)
    SetLimits(static_cast<Endpoint>(i), DocumentedLimits(static_cast<Endpoint>(i)));
}

void RateLimiter::SetLimits(Endpoint endpoint, const std::vector<RateWindow>& windows) {
  auto& bucket = buckets_[static_cast<size_t>(endpoint)];
  bucket.clear();
  for (const RateWindow& w : windows) {
    if (w.max_requests > 0) bucket.push_back(Window{w, {}});
  }
}

nanoseconds RateLimiter::WaitTime(const std::vector<Window>& windows, SteadyTime now) const {
  nanoseconds wait{0};
  for (const Window& w : windows) {
    if (static_cast<int>(w.sent.size()) < w.limit.max_requests) continue;
    // The request that must leave the window before this one may go.
    const SteadyTime oldest = w.sent[w.sent.size() - static_cast<size_t>(w.limit.max_requests)];
    const SteadyTime free_at = oldest + w.limit.length + margin_;
    if (free_at > now) wait = std::max(wait, std::chrono::duration_cast<nanoseconds>(free_at - now));
  }
  return wait;
}

nanoseconds RateLimiter::WaitTime(Endpoint endpoint) const {
  return WaitTime(buckets_[static_cast<size_t>(endpoint)], clock_.steady());
}

nanoseconds RateLimiter::Acquire(Endpoint endpoint) {
  auto& bucket = buckets_[static_cast<size_t>(endpoint)];
  nanoseconds waited{0};
  for (;;) {
    const nanoseconds wait = WaitTime(bucket, clock_.steady());
    if (wait <= nanoseconds(0)) break;
    sleep_(wait);
    waited += wait;
  }
  const SteadyTime now = clock_.steady();
  for (Window& w : bucket) {
    w.sent.push_back(now);
    // Keep only what can still matter: the last max_requests sends.
    while (static_cast<int>(w.sent.size()) > w.limit.max_requests) w.sent.pop_front();
  }
  return waited;
}

}  // namespace ct::smartapi
