// SmartAPI client for one account: login by password + locally generated
// TOTP, session upkeep, the order lifecycle and the account reads. Speaks
// the wire protocol of ../shared/SMARTAPI.md exactly (headers, both error
// dialects, the plain-text 403 throttle body) and returns typed results;
// never throws.
//
// Every call
//  - logs in first when there is no session, or when the session is past
//    its daily expiry (midnight IST, or the JWT's exp if earlier);
//  - waits for the client-side rate limiter (the documented per-account
//    limits; it waits, it does not fail);
//  - on AuthExpired re-logs in once and retries once (safe for order
//    writes too: the gateway refused the token, nothing was placed);
//  - on Throttled (the broker's 403) waits `throttle_backoff` and retries up
//    to `throttle_retries` times (a throttled request was not processed).
// Order writes never retry on UnknownOutcome: the caller must look for the
// order (by ordertag) in the order book first.
//
// Owns one HttpTransport (one persistent connection). Not thread-safe: one
// client per account, used from one thread.
#pragma once

#include <spdlog/fwd.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <vector>

#include "common/smartapi/errors.h"
#include "common/smartapi/rate_limiter.h"
#include "common/smartapi/transport.h"
#include "common/smartapi/wire.h"
#include "common/time/clock.h"

namespace ct::smartapi {

struct LoginCredentials {
  std::string api_key;
  std::string client_id;
  std::string password;  // the account PIN
  std::string totp_secret;
};

// Values of the X-ClientLocalIP / X-ClientPublicIP / X-MACAddress headers.
// The broker does not validate them (SMARTAPI.md §1.2); static-IP API keys
// are checked against the connection's source address, not these.
struct ClientIdentity {
  std::string local_ip;
  std::string public_ip;
  std::string mac_address;  // "aa:bb:cc:dd:ee:ff"
};

// This host's first non-loopback IPv4 address and its interface's MAC
// (public_ip = local_ip: no network lookup). Falls back to 127.0.0.1 and
// 00:00:00:00:00:00.
ClientIdentity DetectIdentity();

struct ClientOptions {
  std::optional<ClientIdentity> identity;  // empty: DetectIdentity()
  bool rate_limit = true;                  // the documented limits
  std::chrono::nanoseconds rate_margin = std::chrono::milliseconds(50);
  Sleeper sleep;  // empty: really sleep. Tests advance a FakeClock instead.
  int throttle_retries = 1;
  std::chrono::nanoseconds throttle_backoff = std::chrono::seconds(1);
};

class Client {
 public:
  Client(LoginCredentials credentials, std::unique_ptr<HttpTransport> transport, const Clock& clock,
         ClientOptions options = {});
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // loginByPassword with a TOTP generated from the secret for clock.wall_ns().
  // Replaces any current session; registers the tokens as log secrets.
  Result<Session> Login();
  // generateTokens: fresh tokens from the refresh token (no TOTP). Does not
  // extend the session past midnight IST. On AuthExpired, call Login().
  Result<Session> GenerateTokens();
  // logout; the session is dropped locally whatever the broker answers.
  Result<Ok> Logout();

  bool logged_in() const { return !session_.jwt_token.empty(); }
  const Session& session() const { return session_; }
  // When the current session stops working (Unix ns): the earlier of the
  // JWT's `exp` and the first midnight IST after login. 0 when logged out.
  int64_t session_expiry_ns() const { return expiry_ns_; }
  // True when logged in with a session that has expired at `now_wall_ns`
  // (the daily expiry): log in again before trading.
  bool NeedsDailyRelogin(int64_t now_wall_ns) const;
  // Logs in when there is no session or it has expired; no-op otherwise.
  // Call it before the market opens.
  Result<Ok> EnsureSession();

  Result<Profile> GetProfile();
  Result<Rms> GetRms();
  // An empty book (data: null) is an empty vector.
  Result<std::vector<Order>> GetOrderBook();
  Result<Order> GetOrderDetails(const std::string& uniqueorderid);
  Result<std::vector<Trade>> GetTradeBook();
  Result<std::vector<Position>> GetPosition();
  Result<Ltp> GetLtpData(const std::string& exchange, const std::string& tradingsymbol, const std::string& symboltoken);

  // Order writes. kUnknownOutcome: the order may or may not exist.
  Result<PlacedOrder> PlaceOrder(const OrderRequest& request);
  Result<PlacedOrder> ModifyOrder(const ModifyRequest& request);
  Result<PlacedOrder> CancelOrder(const std::string& variety, const std::string& orderid);

  RateLimiter& rate_limiter() { return limiter_; }

 private:
  struct Call;
  Result<nlohmann::json> Invoke(const Call& call);
  Result<nlohmann::json> InvokeOnce(const Call& call);
  void SetSession(Session session);

  LoginCredentials credentials_;
  std::unique_ptr<HttpTransport> transport_;
  const Clock& clock_;
  ClientOptions options_;
  ClientIdentity identity_;
  RateLimiter limiter_;
  std::shared_ptr<spdlog::logger> log_;
  Session session_;
  int64_t expiry_ns_ = 0;
};

// Unix ns of the first midnight IST (UTC+05:30) strictly after `wall_ns`.
int64_t NextMidnightIst(int64_t wall_ns);
// Unix ns of the first hour:minute IST strictly after `wall_ns`: when to
// schedule the daily pre-market EnsureSession(), e.g. NextIstTime(now, 8, 45).
int64_t NextIstTime(int64_t wall_ns, int hour, int minute);
// The `exp` claim (Unix seconds) of a JWT, without verifying it.
std::optional<int64_t> JwtExpiry(std::string_view jwt);

}  // namespace ct::smartapi
