// When order writes arrived, for the pipeline benchmark: one entry per
// placeOrder / modifyOrder / cancelOrder received (SmartAPI and the app),
// stamped with the wall-clock time at which the HTTP server had read the
// whole request, before any processing (faults, rules, rate limits). A
// bounded ring: the oldest entries fall out past `capacity`.
//
// Not thread-safe (io thread only).
#pragma once

#include <cstdint>
#include <deque>
#include <string>

namespace ct::sim {

struct OrderWrite {
  uint64_t seq = 0;         // 1, 2, ... since start (not reset by Clear)
  std::string client_code;
  std::string endpoint;     // "placeOrder", "modifyOrder", "cancelOrder"
  std::string source;       // "api" (SmartAPI) or "app" (/sim/v1/app/)
  int64_t received_ns = 0;  // Unix ns
  std::string ordertag;     // placeOrder's, if any
  std::string orderid;      // modify/cancel: from the body; place: once placed
};

class RequestLog {
 public:
  static constexpr size_t kDefaultCapacity = 100'000;
  explicit RequestLog(size_t capacity = kDefaultCapacity) : capacity_(capacity) {}

  // Appends (seq assigned here) and returns the seq.
  uint64_t Record(OrderWrite write);
  // Sets the order id of an entry still in the ring.
  void SetOrderId(uint64_t seq, const std::string& orderid);
  void Clear() { entries_.clear(); }
  const std::deque<OrderWrite>& entries() const { return entries_; }

 private:
  size_t capacity_;
  uint64_t next_seq_ = 1;
  std::deque<OrderWrite> entries_;
};

}  // namespace ct::sim
