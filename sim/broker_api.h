// The SmartAPI surface of the sim, transport-free: one request in, one reply
// out. Routes the REST endpoints of SMARTAPI.md §2, the broker's app for
// hand-entered orders (/sim/v1/app/) and the admin API under /sim/v1/ (see
// sim/README.md); applies auth (gateway dialect), the 2026 rules of
// sim/algo_rules.h (API order types, static IP), per-client rate limits
// (plain-text 403) and injected faults; validates request bodies and
// answers with the broker's error envelopes; logs when order writes
// arrived. The HTTP server (simulator.h) only moves bytes.
//
// Order of checks on a SmartAPI call: token, API key, (order writes:
// logged, static IP), fault, rate limit, body, rules, then the engine.
//
// Not thread-safe: every call happens on the server's io thread.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <string>
#include <string_view>

#include "common/core/result.h"
#include "common/time/clock.h"
#include "sim/algo_rules.h"
#include "sim/faults.h"
#include "sim/instruments.h"
#include "sim/order_engine.h"
#include "sim/order_feed.h"
#include "sim/rate_limiter.h"
#include "sim/request_log.h"
#include "sim/sessions.h"

namespace ct::sim {

struct SimRequest {
  std::string method;                          // "GET", "POST", ...
  std::string target;                          // path and query
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
  std::string peer_address;  // the TCP source address, "127.0.0.11"
  int64_t received_ns = 0;   // when the whole request had been read; 0: now

  std::string_view Header(const std::string& lower_name) const;
};

struct SimReply {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  bool close_without_reply = false;  // drop / lost_reply faults
  std::chrono::milliseconds delay{0};   // latency fault: send this much later
  // hold fault: nothing is processed yet; after `hold`, resume() processes
  // the request and gives the reply to send.
  std::chrono::milliseconds hold{0};
  std::function<SimReply()> resume;
};

class BrokerApi {
 public:
  static constexpr size_t kMaxBodyBytes = 1 << 20;

  BrokerApi(const Clock& clock, const InstrumentTable& instruments, SessionStore& sessions, OrderEngine& engine,
            RateLimiter& limiter, FaultTable& faults, OrderRules rules = {});

  SimReply Handle(const SimRequest& request);
  // Upgrade check for the order-update WebSocket: the client code, or the
  // HTTP status to refuse with (401 invalid, 403 expired).
  Result<std::string, int> AdmitOrderFeed(std::string_view authorization) const;
  // The order-update fan-out, for /sim/v1/health and the feed admin calls.
  void set_order_feed(OrderFeed* feed) { feed_ = feed; }
  // Reply for a request whose body exceeds kMaxBodyBytes.
  static SimReply TooLarge();
  const OrderRules& rules() const { return rules_; }
  const RequestLog& requests() const { return requests_; }

 private:
  using Json = nlohmann::ordered_json;
  // Who sent an order write: SmartAPI (the rules apply) or the broker's app.
  enum class Source { kApi, kApp };

  SimReply Admin(const SimRequest& request, std::string_view path);
  SimReply App(const SimRequest& request, std::string_view endpoint);
  SimReply Login(const SimRequest& request);
  SimReply LoginNow(const SimRequest& request, const std::string& client, const std::optional<Fault>& fault);
  SimReply GenerateTokens(const SimRequest& request);
  SimReply GenerateTokensNow(const SimRequest& request, const std::string& client,
                             const std::optional<Fault>& fault);
  SimReply Secure(const SimRequest& request, std::string_view endpoint);
  // Rate limit, body, engine: everything after the fault was taken.
  SimReply SecureNow(const SimRequest& request, const std::string& endpoint, const AuthedSession& session,
                     const std::optional<Fault>& fault, uint64_t write_seq);
  Json Dispatch(std::string_view endpoint, std::string_view path, const SimRequest& request,
                const AuthedSession& session, const std::optional<Fault>& fault);
  Json PlaceOrder(const std::string& client, const nlohmann::json& body, const std::optional<std::string>& rejection,
                  Source source);
  Json ModifyOrder(const std::string& client, const nlohmann::json& body, Source source);
  Json CancelOrder(const std::string& client, const nlohmann::json& body);
  uint64_t RecordWrite(const SimRequest& request, const std::string& client, std::string_view endpoint,
                       Source source);
  Json Profile(const std::string& client) const;
  Json Rms(const std::string& client) const;
  Json LtpData(const nlohmann::json& body) const;
  // Fault handling before processing; a reply when the fault answers
  // instead of the endpoint.
  std::optional<SimReply> PreFault(const std::optional<Fault>& fault) const;
  static void PostFault(const std::optional<Fault>& fault, SimReply& reply);

  const Clock& clock_;
  const InstrumentTable& instruments_;
  SessionStore& sessions_;
  OrderEngine& engine_;
  RateLimiter& limiter_;
  FaultTable& faults_;
  OrderRules rules_;
  RequestLog requests_;
  OrderFeed* feed_ = nullptr;
};

}  // namespace ct::sim
