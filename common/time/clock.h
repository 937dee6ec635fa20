// Clock: the one way logic reads time, so tests drive it with FakeClock.
// steady() for intervals and deadlines; wall_ns() for timestamps shown to
// people, sent to the broker or put on the bus. Implementations are
// thread-safe.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

namespace ct {

using SteadyTime = std::chrono::steady_clock::time_point;

class Clock {
 public:
  virtual ~Clock() = default;
  virtual SteadyTime steady() const = 0;
  virtual int64_t wall_ns() const = 0;  // Unix epoch nanoseconds
};

class SystemClock final : public Clock {
 public:
  SteadyTime steady() const override { return std::chrono::steady_clock::now(); }
  int64_t wall_ns() const override {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
  static SystemClock& instance() {
    static SystemClock clock;
    return clock;
  }
};

// Manually advanced clock for unit tests; both views move together.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(int64_t wall_ns_start = 1'700'000'000'000'000'000)
      : wall_ns_(wall_ns_start) {}
  SteadyTime steady() const override { return SteadyTime(std::chrono::nanoseconds(steady_ns_.load())); }
  int64_t wall_ns() const override { return wall_ns_.load(); }
  void advance(std::chrono::nanoseconds d) {
    steady_ns_ += d.count();
    wall_ns_ += d.count();
  }
  void set_wall_ns(int64_t ns) { wall_ns_ = ns; }

 private:
  std::atomic<int64_t> steady_ns_{1'000'000'000};
  std::atomic<int64_t> wall_ns_;
};

}  // namespace ct
