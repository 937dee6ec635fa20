#include "sim/faults.h"

namespace ct::sim {

std::optional<FaultKind> ParseFaultKind(std::string_view text) {
  if (text == "latency") return FaultKind::kLatency;
  if (text == "hold") return FaultKind::kHold;
  if (text == "http500") return FaultKind::kHttp500;
  if (text == "drop") return FaultKind::kDrop;
  if (text == "lost_reply") return FaultKind::kLostReply;
  if (text == "reject") return FaultKind::kReject;
  if (text == "rms_reject") return FaultKind::kRmsReject;
  return std::nullopt;
}

std::string_view FaultKindName(FaultKind kind) {
  switch (kind) {
    case FaultKind::kLatency:
      return "latency";
    case FaultKind::kHold:
      return "hold";
    case FaultKind::kHttp500:
      return "http500";
    case FaultKind::kDrop:
      return "drop";
    case FaultKind::kLostReply:
      return "lost_reply";
    case FaultKind::kReject:
      return "reject";
    case FaultKind::kRmsReject:
      return "rms_reject";
  }
  return "unknown";
}

std::optional<Fault> FaultTable::Take(std::string_view client_code, std::string_view endpoint) {
  for (auto it = faults_.begin(); it != faults_.end(); ++it) {
    if (it->client_code != client_code) continue;
    if (it->endpoint != "*" && it->endpoint != endpoint) continue;
    Fault taken = *it;
    if (it->remaining > 0 && --it->remaining == 0) faults_.erase(it);
    return taken;
  }
  return std::nullopt;
}

}  // namespace ct::sim
