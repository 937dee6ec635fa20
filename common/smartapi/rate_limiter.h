// Client-side rate limiter for one SmartAPI account, so the product itself
// never trips the broker's per-client-code limits (SMARTAPI.md §3.1). It
// waits rather than fails.
//
// Each endpoint belongs to one bucket; a bucket has up to three windows
// (per second / minute / hour). Windows are sliding logs of send times:
// a sliding window admits no more than N requests in *any* interval of the
// window's length, so it is at least as strict as the broker's windows
// whatever their alignment. A small margin is added to every window to
// absorb network jitter between our send time and the broker's receive time.
//
// Time comes from the injected Clock and waiting from an injected Sleeper,
// so tests drive it with FakeClock and never sleep. Not thread-safe: one
// limiter per client, used from one thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <string_view>
#include <vector>

#include "common/time/clock.h"

namespace ct::smartapi {

enum class Endpoint {
  kLogin,
  kGenerateTokens,
  kGetProfile,
  kLogout,
  kGetRms,
  kOrderWrite,  // placeOrder, modifyOrder, cancelOrder share one budget
  kGetOrderBook,
  kOrderDetails,
  kGetTradeBook,
  kGetPosition,
  kGetLtpData,
};
inline constexpr int kEndpointCount = 11;

struct RateWindow {
  int max_requests = 0;
  std::chrono::nanoseconds length{0};
};

// The documented limits (SMARTAPI.md §3.1) for `endpoint`.
std::vector<RateWindow> DocumentedLimits(Endpoint endpoint);

// Blocks the calling thread for `d` (production: std::this_thread::sleep_for;
// tests: advance a FakeClock).
using Sleeper = std::function<void(std::chrono::nanoseconds)>;
Sleeper RealSleeper();

class RateLimiter {
 public:
  // `margin` is added to every window length.
  RateLimiter(const Clock& clock, Sleeper sleep, std::chrono::nanoseconds margin = std::chrono::milliseconds(50));

  // Replaces the windows of one endpoint (tests, or a broker that changed
  // its table). An empty list means unlimited.
  void SetLimits(Endpoint endpoint, const std::vector<RateWindow>& windows);

  // How long a request to `endpoint` would have to wait now (0 = may go).
  std::chrono::nanoseconds WaitTime(Endpoint endpoint) const;

  // Waits (via the Sleeper) until a request may go, then records it as
  // sent now. Returns the total time waited.
  std::chrono::nanoseconds Acquire(Endpoint endpoint);

 private:
  struct Window {
    RateWindow limit;
    std::deque<SteadyTime> sent;  // send times within the window, oldest first
  };
  std::chrono::nanoseconds WaitTime(const std::vector<Window>& windows, SteadyTime now) const;

  const Clock& clock_;
  Sleeper sleep_;
  std::chrono::nanoseconds margin_;
  std::vector<std::vector<Window>> buckets_;  // indexed by Endpoint
};

}  // namespace ct::smartapi
