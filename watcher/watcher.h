// Watcher: detects what happens to the master's orders and publishes
// MasterOrderEvents on the "master" stream.
//
// Detection polls the order book (at most once per poll interval, the
// broker allows 1/s) on its own thread so a slow broker never delays the
// loop's heartbeats; snapshots are handed to the loop with Post(). The
// tracker's state commits with the events it produced, so after a restart
// nothing is published twice and the original baseline still holds.
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

#include "common/bus/journal.h"
#include "common/bus/stream.h"
#include "common/time/clock.h"
#include "watcher/order_tracker.h"

namespace ct::watcher {

class Watcher {
 public:
  Watcher(bus::Journal& journal, bus::StreamPublisher& publisher, const Clock& clock, std::string master_client_id);

  // True when a baseline was restored from the journal for today (IST).
  bool Restore();
  void SetBaseline(const std::vector<copytrade::v1::Order>& book);
  // Applies one order-book snapshot: publishes what changed.
  void OnSnapshot(const std::vector<copytrade::v1::Order>& book);

  size_t tracked() const { return tracker_.orders().size(); }

 private:
  void Persist(const std::string& orderid, const TrackedOrder& t);
  std::string Today() const;

  bus::Journal& journal_;
  bus::StreamPublisher& publisher_;
  const Clock& clock_;
  std::string master_client_id_;
  OrderTracker tracker_;
};

// Runs `poll` every `interval` on a thread until Stop(). The pace is a
// broker limit, not synchronisation: the wait ends early on Stop().
class Poller {
 public:
  Poller(std::chrono::milliseconds interval, std::function<void()> poll);
  ~Poller();
  void Stop();

 private:
  std::chrono::milliseconds interval_;
  std::function<void()> poll_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace ct::watcher
