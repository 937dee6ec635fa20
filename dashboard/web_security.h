// Who may use the dashboard, and how a page's action is told from a forged
// one. Pure logic over the request's headers (no I/O), so every rule is
// unit-tested; the HTTP server asks Check() before serving anything.
//
//  - Bound to a loopback address (the default), no token is needed, but the
//    Host header must name that loopback address (or localhost): a page on
//    another site that rebinds its DNS name to 127.0.0.1 is refused.
//  - Bound elsewhere, the configured token is required on every request,
//    the event stream included: `Authorization: Bearer T`, the cookie the
//    dashboard sets after one visit with `?token=T`, or `?token=T` itself.
//    The token never appears in a page or a log line.
//  - Actions are POSTs and need both: the Origin (when the browser sends
//    one, as browsers do on every POST) equal to this server's own origin,
//    and a CSRF token issued with the page (X-CSRF-Token header). A
//    cross-site form can set neither.
//
// CsrfTokens is not thread-safe: one owner (the HTTP thread).
#pragma once

#include <cstdint>
#include <deque>
#include <set>
#include <string>

namespace ct::dashboard {

bool IsLoopbackHost(const std::string& host);

struct AccessPolicy {
  std::string listen_host;  // as configured: "127.0.0.1", "0.0.0.0", ...
  uint16_t port = 0;        // the bound port
  std::string token;        // required when listen_host is not loopback
  bool loopback() const { return IsLoopbackHost(listen_host); }
};

struct RequestFacts {
  std::string method;  // "GET", "POST", ...
  std::string target;  // path and query
  std::string host;    // Host header
  std::string origin;  // Origin header ("" when absent)
  std::string sec_fetch_site;
  std::string cookie;
  std::string authorization;
  std::string csrf;  // X-CSRF-Token header
};

class CsrfTokens {
 public:
  explicit CsrfTokens(size_t keep = 256) : keep_(keep) {}
  std::string Issue();  // a fresh random token for one page
  bool Valid(const std::string& token) const { return !token.empty() && live_.count(token) > 0; }

 private:
  size_t keep_;
  std::set<std::string> live_;
  std::deque<std::string> order_;
};

struct Verdict {
  int status = 200;    // 200: allowed; else the HTTP status to answer
  std::string why;     // for the refusal's body (never the token)
  bool set_cookie = false;  // the token came in the query: remember it in a cookie
};

// `is_action`: a POST that changes something (needs Origin + CSRF).
Verdict Check(const AccessPolicy& policy, const RequestFacts& request, const CsrfTokens& csrf, bool is_action);

// The path without the query; a query parameter's value ("" when absent).
std::string PathOf(const std::string& target);
std::string QueryParam(const std::string& target, const std::string& name);
// Compares without leaking where the first difference is.
bool ConstantTimeEquals(const std::string& a, const std::string& b);

inline constexpr char kTokenCookie[] = "ct_dashboard_token";

}  // namespace ct::dashboard
