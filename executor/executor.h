// Executor: places one follower's copies at the broker, exactly once.
//
// For each CopyInstruction: the intent (keyed by its ordertag) and the
// stream cursor commit in one transaction BEFORE the broker is called; the
// outcome commits after. An unknown outcome (timeout, reset, 5xx, lost
// reply) is never retried blindly: the follower's order book is searched
// for the ordertag and the order is placed only if it is absent. At start,
// every intent without an outcome is resolved the same way.
//
// Lives on the process loop's thread; broker calls block it (one follower,
// one order at a time, in order).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "common/bus/journal.h"
#include "common/smartapi/client.h"
#include "common/time/clock.h"
#include "copytrade.pb.h"

namespace ct::executor {

// The follower's account, as the executor needs it. Production: SmartAPI
// client; unit tests: a fake.
class FollowerBroker {
 public:
  virtual ~FollowerBroker() = default;
  virtual smartapi::Result<smartapi::PlacedOrder> PlaceOrder(const smartapi::OrderRequest& request) = 0;
  virtual smartapi::Result<std::vector<smartapi::Order>> GetOrderBook() = 0;
};

class SmartApiBroker final : public FollowerBroker {
 public:
  explicit SmartApiBroker(smartapi::Client& client) : client_(client) {}
  smartapi::Result<smartapi::PlacedOrder> PlaceOrder(const smartapi::OrderRequest& r) override {
    return client_.PlaceOrder(r);
  }
  smartapi::Result<std::vector<smartapi::Order>> GetOrderBook() override { return client_.GetOrderBook(); }

 private:
  smartapi::Client& client_;
};

struct ExecutorOptions {
  std::string follower_id;  // "follower-1"
  bool dry_run = true;
  int64_t max_copy_delay_ms = 30'000;
};

class Executor {
 public:
  using ReportSink = std::function<void(const copytrade::v1::ExecutionReport&)>;

  Executor(ExecutorOptions options, bus::Journal& journal, FollowerBroker& broker, const Clock& clock,
           ReportSink report);

  // StreamSubscriber::Apply for this follower's stream.
  bool Apply(const copytrade::v1::Envelope& envelope);

  // Resolves intents left without an outcome by a crash. Call at start.
  void ResolvePending();

  static smartapi::OrderRequest ToRequest(const copytrade::v1::Order& order);

  // Reads of the order book before an order whose outcome was unknown is
  // taken to be absent.
  static constexpr int kAbsentAfterLookups = 3;

 private:
  void Execute(const copytrade::v1::CopyInstruction& instruction, uint64_t seq);
  // Searches the follower's book for the ordertag. nullopt: could not tell.
  std::optional<std::optional<smartapi::Order>> FindByTag(const std::string& ordertag,
                                                          int lookups = kAbsentAfterLookups);
  void Finish(const copytrade::v1::CopyInstruction& instruction, uint64_t seq,
              copytrade::v1::ExecutionReport report);
  // The copy is already in the follower's book (its ordertag was found).
  void FinishFoundInBook(const copytrade::v1::CopyInstruction& instruction, uint64_t seq,
                         const smartapi::Order& order);

  ExecutorOptions options_;
  bus::Journal& journal_;
  FollowerBroker& broker_;
  const Clock& clock_;
  ReportSink report_;
};

}  // namespace ct::executor
