// Loop: the one event loop of a process (fbzmq style). ZeroMQ sockets and
// plain fds are registered with callbacks; timers run on the injected
// clock's steady time (timers(): the TimerQueue logic can be handed, so it
// is tested on a FakeClock); Post() is the one thread-safe way to hand work
// to the loop; Stop() may be called from any thread or (through
// StopOnSignals) a signal handler.
//
// All registered sockets are owned and used by the thread calling Run().
#pragma once

#include <zmq.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <vector>

#include "common/bus/timer_queue.h"
#include "common/time/clock.h"

namespace ct::bus {

class Loop {
 public:
  using Callback = std::function<void()>;
  using TimerId = uint64_t;

  explicit Loop(const Clock& clock = SystemClock::instance());
  ~Loop();
  Loop(const Loop&) = delete;
  Loop& operator=(const Loop&) = delete;

  void AddSocket(zmq::socket_t& socket, Callback on_readable);
  void AddFd(int fd, Callback on_readable);
  TimerId Every(std::chrono::milliseconds period, Callback cb) { return timers_.Every(period, std::move(cb)); }
  TimerId After(std::chrono::milliseconds delay, Callback cb) { return timers_.After(delay, std::move(cb)); }
  void Cancel(TimerId id) { timers_.Cancel(id); }
  TimerQueue& timers() { return timers_; }

  void Post(Callback cb);  // thread-safe
  void Run();              // until Stop()
  // Runs what was posted and nothing else (after Run() returned: lets a
  // process finish the completions of calls it waited for on the way out).
  // Returns how many callbacks ran.
  size_t RunPosted();
  // Runs every batch of posted work (all that was posted by the time the
  // loop woke) inside `wrap`: a process whose posted work is journal
  // effects (broker replies, pushes) wraps it in one Journal::Transaction,
  // so what arrived together commits together (one fsync).
  using Wrapper = std::function<void(const std::function<void()>& run)>;
  void WrapPosted(Wrapper wrap) { wrap_ = std::move(wrap); }
  void Stop();             // thread-safe, async-signal-safe
  bool stopping() const { return stop_; }

  // SIGINT and SIGTERM stop this loop (one loop per process).
  void StopOnSignals();

 private:
  void DrainPosted();

  const Clock& clock_;
  std::vector<zmq::pollitem_t> items_;
  std::vector<Callback> handlers_;
  TimerQueue timers_;
  int wake_fd_ = -1;  // eventfd: Post() and Stop() wake the poll
  std::mutex posted_mu_;
  std::vector<Callback> posted_;
  Wrapper wrap_;
  volatile bool stop_ = false;
};

}  // namespace ct::bus
