// Faults injected by the admin API, per client code and endpoint, consumed
// one per matching request:
//   latency     process at once, hold the reply latency_ms
//   hold        wait latency_ms, THEN process and reply (what the request
//               sees is the state after the wait: a price moved meanwhile)
//   http500     reply HTTP 500 without processing
//   drop        close the connection without processing or replying
//   lost_reply  PROCESS the request, then close without replying (the
//               unknown-outcome case)
//   reject      reply {"status":false,"errorcode":..,"message":..} without
//               processing
//   rms_reject  placeOrder only: the order is accepted (orderid returned),
//               then "rejected" with `message` as its text
// count: how many requests it applies to (default 1; -1 = until cleared).
// endpoint "*" matches every endpoint of the account. Not thread-safe.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ct::sim {

enum class FaultKind { kLatency, kHold, kHttp500, kDrop, kLostReply, kReject, kRmsReject };

std::optional<FaultKind> ParseFaultKind(std::string_view text);
std::string_view FaultKindName(FaultKind kind);

struct Fault {
  std::string client_code;
  std::string endpoint;
  FaultKind kind = FaultKind::kLatency;
  int remaining = 1;  // -1: unlimited
  std::chrono::milliseconds latency{0};
  std::string errorcode = "AB1004";
  std::string message = "Something Went Wrong, Please Try After Sometime";
};

class FaultTable {
 public:
  void Add(Fault fault) { faults_.push_back(std::move(fault)); }
  // The first matching fault, consumed (its count decremented).
  std::optional<Fault> Take(std::string_view client_code, std::string_view endpoint);
  void Clear() { faults_.clear(); }
  const std::vector<Fault>& pending() const { return faults_; }

 private:
  std::vector<Fault> faults_;
};

}  // namespace ct::sim
