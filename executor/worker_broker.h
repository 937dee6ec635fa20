// WorkerBroker: FollowerBroker on one thread that owns the follower's
// SmartAPI client (which is synchronous and not thread-safe), so the
// executor's loop never waits on the broker.
//
// Scheduling: calls queue here; order writes go before reads, and a call
// is started only when the client's rate limiter would let it go at once,
// so a read waiting for its 1/s slot never holds up an order. A burst of
// order writes waits its turn (the 9/s budget) in this queue; it is never
// refused. Completions are posted to the loop (Loop::Post).
//
// Stop(): the call in flight finishes and is completed; queued calls
// complete with a kTransport "not sent" error (nothing reached the broker),
// so the executor journals them as not placed. The session is kept up on
// this thread too: it logs in again once it has expired (midnight IST).
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "common/bus/loop.h"
#include "common/smartapi/client.h"
#include "executor/broker.h"

namespace ct::executor {

class WorkerBroker final : public FollowerBroker {
 public:
  WorkerBroker(smartapi::Client& client, bus::Loop& loop, const Clock& clock);
  ~WorkerBroker() override;
  WorkerBroker(const WorkerBroker&) = delete;
  WorkerBroker& operator=(const WorkerBroker&) = delete;

  void PlaceOrder(const smartapi::OrderRequest& request, Done<smartapi::PlacedOrder> done) override;
  void ModifyOrder(const smartapi::ModifyRequest& request, Done<smartapi::PlacedOrder> done) override;
  void CancelOrder(const std::string& variety, const std::string& orderid, Done<smartapi::PlacedOrder> done) override;
  void GetOrderBook(Done<std::vector<smartapi::Order>> done) override;
  void GetOrderDetails(const std::string& uniqueorderid, Done<smartapi::Order> done) override;
  void GetLtp(const std::string& exchange, const std::string& tradingsymbol, const std::string& symboltoken,
              Done<smartapi::Ltp> done) override;
  void GetPositions(Done<std::vector<smartapi::Position>> done) override;

  void Stop();
  // The session's jwtToken (for the order-update WebSocket); thread-safe.
  std::string token() const;

 private:
  struct Job {
    bool write = false;
    smartapi::Endpoint endpoint = smartapi::Endpoint::kGetOrderBook;
    std::function<void()> run;       // on the worker: calls the client, posts the completion
    std::function<void()> not_sent;  // posts a "not sent" completion
  };
  template <typename T, typename Call>
  void Enqueue(bool write, smartapi::Endpoint endpoint, Call call, Done<T> done);
  void Run();
  // The first job that may go now (writes first), or the wait until one can.
  bool TakeRunnable(Job& out, std::chrono::nanoseconds& wait);

  smartapi::Client& client_;
  bus::Loop& loop_;
  const Clock& clock_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Job> jobs_;
  bool stopping_ = false;
  std::string token_;
  std::thread thread_;
};

}  // namespace ct::executor
