// HttpTransport: one HTTPS connection to the broker, reused across calls
// (keep-alive). The production implementation is CurlTransport; unit tests
// use a fake. Not thread-safe: one transport per account, used by one thread.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "common/core/result.h"

namespace ct::smartapi {

struct HttpRequest {
  std::string method;  // "GET" or "POST"
  std::string path;    // "/rest/secure/angelbroking/order/v1/getOrderBook"
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  // False for order writes: the transport must never send the request a
  // second time on its own. (libcurl silently re-sends a request whose
  // reused keep-alive connection died before any reply; for placeOrder
  // that could place the order twice, so the failure is reported instead.)
  bool may_resend = true;
};

struct HttpResponse {
  int status = 0;
  std::string content_type;
  std::string body;
};

struct TransportError {
  // False when the request surely never reached the server (DNS, connect
  // refused, TLS handshake): safe to retry any call. True for timeouts and
  // resets after sending: an order write may have happened.
  bool maybe_delivered = false;
  std::string message;
};

class HttpTransport {
 public:
  virtual ~HttpTransport() = default;
  virtual ct::Result<HttpResponse, TransportError> Send(const HttpRequest& request) = 0;
};

struct CurlOptions {
  std::string base_url;            // "https://apiconnect.angelone.in" or "http://127.0.0.1:PORT"
  long timeout_ms = 7000;          // whole request, connect included
  long connect_timeout_ms = 3000;  // capped at timeout_ms
  // A kept-alive connection idle longer than this is not reused: servers
  // close idle connections, and a request racing that close fails.
  long max_idle_reuse_s = 50;
  bool verify_tls = true;  // always on for https; never turn off in production
  std::string ca_file;     // extra CA bundle (tests); empty = system store
  // Local address the connection leaves from (the account's registered
  // static IP, SMARTAPI.md §10); empty = the host's default. An address
  // this host does not have fails every call before anything is sent.
  std::string source_address;
};

// libcurl-backed transport: one easy handle, so one kept-alive connection
// per account; TLS >= 1.2 with peer and host verification. Maps curl
// failures to TransportError: DNS/connect/TLS-handshake failures are
// maybe_delivered=false; timeouts after sending, resets, empty replies and
// receive errors are maybe_delivered=true. Error messages never contain
// headers or bodies. The first call ignores SIGPIPE process-wide (a reset
// TLS connection must be an error, not a crash).
std::unique_ptr<HttpTransport> MakeCurlTransport(const CurlOptions& options);

}  // namespace ct::smartapi
