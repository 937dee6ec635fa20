#include "common/smartapi/errors.h"

namespace ct::smartapi {

const char* ToString(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kThrottled:
      return "Throttled";
    case ErrorKind::kAuthExpired:
      return "AuthExpired";
    case ErrorKind::kRejected:
      return "Rejected";
    case ErrorKind::kUnknownOutcome:
      return "UnknownOutcome";
    case ErrorKind::kTransport:
      return "Transport";
    case ErrorKind::kBadResponse:
      return "BadResponse";
  }
  return "?";
}

std::string Error::ToString() const {
  std::string out = smartapi::ToString(kind);
  if (!code.empty()) out += " " + code;
  if (http_status != 0) out += " (HTTP " + std::to_string(http_status) + ")";
  if (!message.empty()) out += ": " + message;
  return out;
}

}  // namespace ct::smartapi
