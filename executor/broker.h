// FollowerBroker: the follower's account as the executor uses it,
// asynchronously. Every call returns at once; its completion runs later on
// the executor's loop thread, exactly once. Calls are answered in no
// particular order, so the executor never keeps more than one call per
// copy in flight.
//
// WorkerBroker (worker_broker.h) is the production one: a thread owning
// the follower's SmartAPI client. Unit tests use a fake.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "common/smartapi/client.h"

namespace ct::executor {

class FollowerBroker {
 public:
  template <typename T>
  using Done = std::function<void(smartapi::Result<T>)>;

  virtual ~FollowerBroker() = default;
  // Order writes. kUnknownOutcome: the broker may have done it.
  virtual void PlaceOrder(const smartapi::OrderRequest& request, Done<smartapi::PlacedOrder> done) = 0;
  virtual void ModifyOrder(const smartapi::ModifyRequest& request, Done<smartapi::PlacedOrder> done) = 0;
  virtual void CancelOrder(const std::string& variety, const std::string& orderid,
                           Done<smartapi::PlacedOrder> done) = 0;
  // Reads.
  virtual void GetOrderBook(Done<std::vector<smartapi::Order>> done) = 0;
  virtual void GetOrderDetails(const std::string& uniqueorderid, Done<smartapi::Order> done) = 0;
  virtual void GetLtp(const std::string& exchange, const std::string& tradingsymbol, const std::string& symboltoken,
                      Done<smartapi::Ltp> done) = 0;
  virtual void GetPositions(Done<std::vector<smartapi::Position>> done) = 0;
};

}  // namespace ct::executor
