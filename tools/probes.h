// What `copytrade validate` measures outside the configuration: the
// broker's clock (its HTTP `Date` header), this host's addresses, and
// whether a bus endpoint can be bound here or reached from here. Small
// direct system calls and one libcurl handle; no SmartAPI code (the login
// check uses the product's client). Errors are values with a one-line
// reason that names no secret.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/core/result.h"
#include "common/time/clock.h"

namespace ct::tools {

// An IMF-fixdate ("Tue, 01 Dec 2026 10:00:00 GMT") as Unix seconds.
std::optional<int64_t> ParseHttpDate(std::string_view text);

// One request: the broker's Date (whole seconds) was stamped while this
// host's wall clock was between `sent_ns` (request sent) and `received_ns`
// (first byte of the reply).
struct DateSample {
  int64_t sent_ns = 0;
  int64_t received_ns = 0;
  int64_t date_s = 0;
};

// This host's clock minus the broker's, from the samples: each bounds it
// to (sent - (date + 1 s), received - date]; the intersection is kept. A
// sample on each side of the broker's second changing pins it to the
// round trip. `uncertainty_s` is half the interval left.
struct ClockSkew {
  double skew_s = 0;  // > 0: this host is ahead of the broker
  double uncertainty_s = 0;
};
std::optional<ClockSkew> EstimateSkew(const std::vector<DateSample>& samples);

using Sleeper = std::function<void(std::chrono::milliseconds)>;

// GETs `url` until the estimate is within 0.15 s or `max_requests` were
// made (~1.2 s), on one kept-alive connection. No Date header: an error
// saying so.
Result<ClockSkew, std::string> MeasureClockSkew(const std::string& url, long timeout_ms, const Clock& clock,
                                                const Sleeper& sleep, int max_requests = 12);

// Whether this host can send from `ipv4` (a bind to it succeeds) and the
// interface that holds it ("lo", "eth0"; "" when none lists it exactly,
// e.g. 127.0.0.12 inside lo's 127/8).
struct LocalAddress {
  bool exists = false;
  std::string interface_name;
  std::string problem;  // when !exists
};
LocalAddress FindLocalAddress(const std::string& ipv4);

// A ZeroMQ endpoint (ipc://, tcp://, inproc://) probed without ZeroMQ:
// ZeroMQ's ipc bind replaces a socket file in use, so a probe by bind would
// take a running process's endpoint away.
enum class EndpointState { kBindable, kInUseRunning, kFailed };
struct EndpointProbe {
  EndpointState state = EndpointState::kFailed;
  std::string detail;
};
// Can this host bind it? In use and answering a plain connect: a running
// copytrade holds it (kInUseRunning). A relative ipc path is resolved
// against `base_dir` (the processes' working directory; empty: this one).
EndpointProbe ProbeBind(const std::string& endpoint, const std::string& base_dir = "");
// A plain TCP (or Unix socket) connect, as a peer would.
EndpointProbe ProbeConnect(const std::string& endpoint, std::chrono::milliseconds timeout,
                           const std::string& base_dir = "");

}  // namespace ct::tools
