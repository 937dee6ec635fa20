// WorkerBroker: the follower's SmartAPI client on its own thread. A burst of
// order writes waits for the broker's 9/s budget in the queue and none is
// refused; the loop keeps running meanwhile; reads never hold up writes.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>

#include "common/bus/loop.h"
#include "executor/worker_broker.h"

namespace ct::executor {
namespace {

using namespace std::chrono_literals;

// Answers every call at once with a success and records when each order
// write reached it (wall clock, as the broker's rate windows are).
class StampingTransport final : public smartapi::HttpTransport {
 public:
  struct Seen {
    std::mutex mu;
    std::vector<std::pair<std::string, std::chrono::steady_clock::time_point>> requests;
  };
  explicit StampingTransport(Seen* seen) : seen_(seen) {}
  Result<smartapi::HttpResponse, smartapi::TransportError> Send(const smartapi::HttpRequest& r) override {
    {
      std::lock_guard lock(seen_->mu);
      seen_->requests.emplace_back(r.path, std::chrono::steady_clock::now());
    }
    if (r.path.find("loginByPassword") != std::string::npos)
      return smartapi::HttpResponse{200, "application/json",
                                    R"({"status":true,"message":"SUCCESS","errorcode":"","data":{"jwtToken":"j",)"
                                    R"("refreshToken":"r","feedToken":"f"}})"};
    if (r.path.find("getOrderBook") != std::string::npos)
      return smartapi::HttpResponse{200, "application/json",
                                    R"({"status":true,"message":"SUCCESS","errorcode":"","data":null})"};
    return smartapi::HttpResponse{200, "application/json",
                                  R"({"status":true,"message":"SUCCESS","errorcode":"","data":{"script":"SBIN-EQ",)"
                                  R"("orderid":"1","uniqueorderid":"u1"}})"};
  }

 private:
  Seen* seen_;
};

TEST(WorkerBroker, ABurstOfOrderWritesWaitsForTheBudgetAndNoneIsRefused) {
  StampingTransport::Seen seen;
  smartapi::Client client({"key", "F1", "1111", "JBSWY3DPEHPK3PXP"}, std::make_unique<StampingTransport>(&seen),
                          SystemClock::instance());
  ASSERT_TRUE(client.Login().ok());
  bus::Loop loop;
  WorkerBroker broker(client, loop, SystemClock::instance());
  constexpr int kBurst = 20;
  int ok = 0, failed = 0, loop_ticks = 0;
  for (int i = 0; i < kBurst; ++i) {
    smartapi::OrderRequest r;
    r.tradingsymbol = "SBIN-EQ";
    r.symboltoken = "3045";
    r.transactiontype = "BUY";
    r.exchange = "NSE";
    r.ordertype = "LIMIT";
    r.producttype = "INTRADAY";
    r.price = 100;
    r.quantity = 1;
    r.ordertag = "ct" + std::to_string(i);
    broker.PlaceOrder(r, [&](smartapi::Result<smartapi::PlacedOrder> placed) {
      (placed.ok() ? ok : failed)++;
      if (ok + failed == kBurst) loop.Stop();
    });
  }
  loop.Every(10ms, [&] { ++loop_ticks; });  // the loop is not held up by the waiting burst
  loop.After(10s, [&] { loop.Stop(); });     // a safety net, not an expectation
  loop.Run();
  broker.Stop();
  EXPECT_EQ(ok, kBurst);
  EXPECT_EQ(failed, 0);
  // The broker saw no more than its 9 order writes in any second.
  std::vector<std::chrono::steady_clock::time_point> writes;
  for (const auto& [path, at] : seen.requests)
    if (path.find("placeOrder") != std::string::npos) writes.push_back(at);
  ASSERT_EQ(writes.size(), static_cast<size_t>(kBurst));
  for (size_t i = 9; i < writes.size(); ++i) EXPECT_GE(writes[i] - writes[i - 9], 1s) << "write " << i;
  EXPECT_GT(loop_ticks, 50);
}

TEST(WorkerBroker, OrderWritesGoBeforeReadsWaitingForTheirSlot) {
  StampingTransport::Seen seen;
  smartapi::Client client({"key", "F1", "1111", "JBSWY3DPEHPK3PXP"}, std::make_unique<StampingTransport>(&seen),
                          SystemClock::instance());
  ASSERT_TRUE(client.Login().ok());
  bus::Loop loop;
  WorkerBroker broker(client, loop, SystemClock::instance());
  std::vector<std::string> done;
  // Two book reads (1/s): the second must wait a second for its slot; the
  // order write queued after them must not wait behind it.
  broker.GetOrderBook([&](auto) { done.push_back("book"); });
  broker.GetOrderBook([&](auto) { done.push_back("book"); });
  smartapi::OrderRequest r;
  r.tradingsymbol = "SBIN-EQ";
  r.symboltoken = "3045";
  r.transactiontype = "BUY";
  r.exchange = "NSE";
  r.ordertype = "LIMIT";
  r.producttype = "INTRADAY";
  r.price = 100;
  r.quantity = 1;
  broker.PlaceOrder(r, [&](auto) { done.push_back("place"); });
  loop.Every(5ms, [&] {
    if (done.size() == 3) loop.Stop();
  });
  loop.After(5s, [&] { loop.Stop(); });
  loop.Run();
  broker.Stop();
  ASSERT_EQ(done.size(), 3u);
  EXPECT_EQ(done[2], "book") << "the write went before the read that had to wait";
}

}  // namespace
}  // namespace ct::executor
