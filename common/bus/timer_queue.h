// TimerQueue: one-shot and periodic timers on an injected Clock. The
// process Loop owns one and runs it between polls; unit tests own one on a
// FakeClock and call RunDue() after advancing the clock, so timer-driven
// logic (chases, retries, follow-ups) is tested in simulated time without
// sleeping.
//
// Callbacks run on the thread calling RunDue(), may add and cancel timers
// (a timer added while running with a due time already past runs on the
// next RunDue()). Not thread-safe: owned by the loop's thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>

#include "common/time/clock.h"

namespace ct::bus {

class TimerQueue {
 public:
  using Callback = std::function<void()>;
  using TimerId = uint64_t;

  explicit TimerQueue(const Clock& clock) : clock_(clock) {}

  TimerId After(std::chrono::nanoseconds delay, Callback cb);
  TimerId At(SteadyTime due, Callback cb);
  TimerId Every(std::chrono::nanoseconds period, Callback cb);
  void Cancel(TimerId id) { timers_.erase(id); }

  // Runs every timer due at clock.steady(); returns how many ran.
  size_t RunDue();
  std::optional<SteadyTime> NextDue() const;
  bool empty() const { return timers_.empty(); }
  const Clock& clock() const { return clock_; }

 private:
  struct Timer {
    SteadyTime due;
    std::chrono::nanoseconds period;  // zero: one-shot
    Callback cb;
  };
  const Clock& clock_;
  std::map<TimerId, Timer> timers_;
  TimerId next_id_ = 1;
};

}  // namespace ct::bus
