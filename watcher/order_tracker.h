// OrderTracker: turns successive snapshots of the master's order book into
// MasterOrderEvents, one per state change of an order, each at most once.
// Orders in the baseline (the book when copying started) never produce
// events. Pure logic: no I/O, time passed in.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "copytrade.pb.h"

namespace ct::watcher {

struct TrackedOrder {
  bool baseline = false;
  copytrade::v1::OrderEventKind last_kind = copytrade::v1::ORDER_EVENT_KIND_UNSPECIFIED;
  int64_t last_filled = 0;
};

class OrderTracker {
 public:
  void Restore(const std::string& orderid, TrackedOrder state) { orders_[orderid] = state; }
  void SetBaseline(const std::vector<copytrade::v1::Order>& book);

  // Events for what changed since the last snapshot, in book order.
  std::vector<copytrade::v1::MasterOrderEvent> Update(const std::vector<copytrade::v1::Order>& book,
                                                       int64_t now_ns);

  const std::map<std::string, TrackedOrder>& orders() const { return orders_; }
  bool empty() const { return orders_.empty(); }

 private:
  std::map<std::string, TrackedOrder> orders_;
};

// The event kind an order's status stands for.
copytrade::v1::OrderEventKind KindOf(const copytrade::v1::Order& order);

// SmartAPI "26-Dec-2024 13:48:37" (IST) to Unix ns; 0 when unparsable.
int64_t ParseIstTime(const std::string& text);

}  // namespace ct::watcher
