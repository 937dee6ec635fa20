#include "dashboard/web_security.h"

#include <random>

namespace ct::dashboard {
namespace {

std::string HostOnly(const std::string& host_header) {
  if (!host_header.empty() && host_header[0] == '[') {
    const auto end = host_header.find(']');
    return end == std::string::npos ? host_header : host_header.substr(1, end - 1);
  }
  const auto colon = host_header.rfind(':');
  return colon == std::string::npos ? host_header : host_header.substr(0, colon);
}

std::string PortOf(const std::string& host_header) {
  const auto bracket = host_header.rfind(']');
  const auto colon = host_header.rfind(':');
  if (colon == std::string::npos || (bracket != std::string::npos && colon < bracket)) return "80";
  return host_header.substr(colon + 1);
}

std::string CookieValue(const std::string& cookies, const std::string& name) {
  size_t pos = 0;
  while (pos < cookies.size()) {
    const auto end = cookies.find(';', pos);
    std::string part = cookies.substr(pos, end == std::string::npos ? std::string::npos : end - pos);
    const auto first = part.find_first_not_of(' ');
    part = first == std::string::npos ? "" : part.substr(first);
    if (part.rfind(name + "=", 0) == 0) return part.substr(name.size() + 1);
    if (end == std::string::npos) break;
    pos = end + 1;
  }
  return "";
}

}  // namespace

bool IsLoopbackHost(const std::string& host) {
  return host == "localhost" || host == "::1" || host.rfind("127.", 0) == 0;
}

std::string CsrfTokens::Issue() {
  static constexpr char kAlphabet[] = "0123456789abcdefghijklmnopqrstuvwxyz";
  std::random_device rd;  // the kernel's CSPRNG on Linux
  std::string t;
  for (int i = 0; i < 32; ++i) t += kAlphabet[rd() % 36];
  live_.insert(t);
  order_.push_back(t);
  while (order_.size() > keep_) {
    live_.erase(order_.front());
    order_.pop_front();
  }
  return t;
}

std::string PathOf(const std::string& target) { return target.substr(0, target.find('?')); }

std::string QueryParam(const std::string& target, const std::string& name) {
  const auto q = target.find('?');
  if (q == std::string::npos) return "";
  size_t pos = q + 1;
  while (pos <= target.size()) {
    const auto end = target.find('&', pos);
    const std::string part = target.substr(pos, end == std::string::npos ? std::string::npos : end - pos);
    if (part.rfind(name + "=", 0) == 0) return part.substr(name.size() + 1);
    if (end == std::string::npos) break;
    pos = end + 1;
  }
  return "";
}

bool ConstantTimeEquals(const std::string& a, const std::string& b) {
  unsigned char diff = a.size() == b.size() ? 0 : 1;
  for (size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ (i < b.size() ? b[i] : 0));
  return diff == 0;
}

Verdict Check(const AccessPolicy& policy, const RequestFacts& r, const CsrfTokens& csrf, bool is_action) {
  Verdict v;
  if (policy.loopback()) {
    // DNS rebinding: another site's name pointed at 127.0.0.1 arrives with
    // that name in Host.
    if (!IsLoopbackHost(HostOnly(r.host)) || PortOf(r.host) != std::to_string(policy.port))
      return {403, "Host header does not name this dashboard", false};
  } else {
    std::string given;
    const std::string bearer = "Bearer ";
    if (r.authorization.rfind(bearer, 0) == 0) given = r.authorization.substr(bearer.size());
    if (given.empty()) given = CookieValue(r.cookie, kTokenCookie);
    const std::string in_query = QueryParam(r.target, "token");
    if (given.empty() && !in_query.empty()) {
      given = in_query;
      v.set_cookie = true;
    }
    if (policy.token.empty() || given.empty() || !ConstantTimeEquals(given, policy.token))
      return {401, "a valid dashboard token is required", false};
  }
  if (is_action) {
    if (r.method != "POST") return {405, "actions are POST requests", false};
    if (!r.sec_fetch_site.empty() && r.sec_fetch_site != "same-origin" && r.sec_fetch_site != "none")
      return {403, "cross-site request refused", false};
    if (!r.origin.empty() && r.origin != "http://" + r.host && r.origin != "https://" + r.host)
      return {403, "cross-origin request refused", false};
    if (!csrf.Valid(r.csrf)) return {403, "missing or stale CSRF token: reload the page", false};
  }
  return v;
}

}  // namespace ct::dashboard
