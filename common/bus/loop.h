// Loop: the one event loop of a process (fbzmq style). ZeroMQ sockets and
// plain fds are registered with callbacks; timers run on the steady clock;
// Post() is the one thread-safe way to hand work to the loop; Stop() may be
// called from any thread or (through StopOnSignals) a signal handler.
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

namespace ct::bus {

class Loop {
 public:
  using Callback = std::function<void()>;
  using TimerId = uint64_t;

  Loop();
  ~Loop();
  Loop(const Loop&) = delete;
  Loop& operator=(const Loop&) = delete;

  void AddSocket(zmq::socket_t& socket, Callback on_readable);
  void AddFd(int fd, Callback on_readable);
  TimerId Every(std::chrono::milliseconds period, Callback cb);
  TimerId After(std::chrono::milliseconds delay, Callback cb);
  void Cancel(TimerId id);

  void Post(Callback cb);  // thread-safe
  void Run();              // until Stop()
  void Stop();             // thread-safe, async-signal-safe
  bool stopping() const { return stop_; }

  // SIGINT and SIGTERM stop this loop (one loop per process).
  void StopOnSignals();

 private:
  struct Timer {
    std::chrono::steady_clock::time_point due;
    std::chrono::milliseconds period;  // zero: one-shot
    Callback cb;
  };
  void RunDueTimers();
  void DrainPosted();

  std::vector<zmq::pollitem_t> items_;
  std::vector<Callback> handlers_;
  std::map<TimerId, Timer> timers_;
  TimerId next_timer_ = 1;
  int wake_fd_ = -1;  // eventfd: Post() and Stop() wake the poll
  std::mutex posted_mu_;
  std::vector<Callback> posted_;
  volatile bool stop_ = false;
};

}  // namespace ct::bus
