// Typed SmartAPI errors. Every broker reply that is not a success, and every
// reply that is not what SMARTAPI.md says, becomes one of these; nothing
// throws across the client API.
#pragma once

#include <string>

#include "common/core/result.h"

namespace ct::smartapi {

enum class ErrorKind {
  kThrottled,       // HTTP 403 plain text "Access denied because of exceeding access rate"
  kAuthExpired,     // AG8001, AG8002, AG8003, AB1010, AB1011: re-login once and retry
  kRejected,        // a definite no from the broker: {code, message}
  kUnknownOutcome,  // order write timed out / reset / 5xx / empty body: may exist
  kTransport,       // could not reach the broker; the request was not processed
  kBadResponse,     // a reply that is not what SMARTAPI.md documents
};

const char* ToString(ErrorKind kind);

struct Error {
  ErrorKind kind = ErrorKind::kTransport;
  std::string code;     // broker errorcode/errorCode when there is one
  std::string message;  // never contains secrets (masked)
  int http_status = 0;
  std::string ToString() const;
};

template <typename T>
using Result = ct::Result<T, Error>;

}  // namespace ct::smartapi
