// Watcher: detects what happens to the master's orders and publishes
// MasterOrderEvents on the "master" stream.
//
// Two sources, one decision: pushes from the order-update feed (OnPush) and
// snapshots of the order book (OnPoll) both go through the OrderTracker,
// which publishes each change once and never rolls back (order_tracker.h).
// What makes that work across threads is the time each view carries: a
// push the time it was RECEIVED, a snapshot the time its request was SENT,
// both from the one injected clock, taken on the thread that got them.
//
// Threads: the Watcher lives on the loop's thread. The feed (its own
// thread) and the Poller (its own thread: a slow broker never delays the
// loop's heartbeats) hand their views to the loop with Loop::Post.
//
// Durability: the tracker's state (orders, positions) is saved by the
// MasterOrderStore in the same transaction as the events it produced, so
// after a restart nothing is published twice, the positions go on from
// where they were, and today's baseline still holds.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/bus/journal.h"
#include "common/bus/stream.h"
#include "common/time/clock.h"
#include "watcher/master_account.h"
#include "watcher/master_order_store.h"
#include "watcher/order_tracker.h"

namespace ct::watcher {

class Watcher {
 public:
  Watcher(bus::Journal& journal, bus::StreamPublisher& publisher, const Clock& clock, std::string master_client_id);

  enum class Start { kRestored, kNewBaseline };
  // The baseline choice: today's (IST) state from the journal when there is
  // one (a restart: the orders of the morning stay the baseline), else a
  // new baseline read from `account`. Fails when the book cannot be read.
  smartapi::Result<Start> Begin(MasterAccount& account);

  // True when a baseline was restored from the journal for today (IST).
  bool Restore();
  void SetBaseline(const Baseline& baseline);

  // One order from the feed, received at `received`.
  void OnPush(const copytrade::v1::Order& order, SteadyTime received);
  // A burst of pushes (a MARKET order's open pending, open and complete
  // arrive within microseconds), applied in order and committed together:
  // one fsync instead of one per push before the fill is published.
  struct Push {
    copytrade::v1::Order order;
    SteadyTime received;
  };
  void OnPushes(const std::vector<Push>& pushes);
  // One order-book snapshot whose request was sent at `sent`.
  void OnPoll(const std::vector<copytrade::v1::Order>& book, SteadyTime sent);

  const OrderTracker& tracker() const { return tracker_; }
  size_t tracked() const { return tracker_.state().orders.size(); }

 private:
  void Apply(const std::vector<copytrade::v1::Order>& views, Source source, SteadyTime taken);
  // Inside a journal transaction: applies the views, stages what to publish.
  void Stage(const std::vector<copytrade::v1::Order>& views, Source source, SteadyTime taken,
             std::vector<bus::StreamPublisher::Staged>& out);
  std::string Today() const;

  bus::Journal& journal_;
  bus::StreamPublisher& publisher_;
  const Clock& clock_;
  std::string master_client_id_;
  MasterOrderStore store_;
  OrderTracker tracker_;
  std::string day_;  // the IST day of the baseline; all state is saved under it
};

// Runs `poll` every `interval` on a thread until Stop(). The pace is a
// broker limit, not synchronisation: the wait ends early on Stop().
class Poller {
 public:
  Poller(const Clock& clock, std::chrono::milliseconds interval, std::function<void()> poll);
  ~Poller();
  void Stop();

 private:
  const Clock& clock_;
  std::chrono::milliseconds interval_;
  std::function<void()> poll_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace ct::watcher
