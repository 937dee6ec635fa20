// Accounts and their API sessions. A login opens a session holding three
// tokens (jwt, refresh, feed) that all expire at the next midnight IST, or at
// once when the admin API expires the account's sessions. Logout revokes one
// session. Several sessions per account may be live at once.
//
// Not thread-safe: owned by the server's single io thread.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/core/result.h"
#include "common/time/clock.h"
#include "sim/jwt.h"

namespace ct::sim {

struct SimAccount {
  std::string client_code;
  std::string api_key;
  std::string password;
  std::string totp_secret;
  std::string name;  // shown by getProfile
};

struct SessionTokens {
  std::string jwt;
  std::string refresh;
  std::string feed;
};

enum class AuthFailure { kMissing, kInvalid, kExpired };
enum class RefreshFailure { kInvalid, kExpired };

struct AuthedSession {
  std::string client_code;
  uint64_t session_id = 0;
};

class SessionStore {
 public:
  SessionStore(const Clock& clock, std::string signing_key);

  // False when the client code is already taken.
  bool AddAccount(SimAccount account);
  const SimAccount* FindAccount(std::string_view client_code) const;
  const std::vector<std::string>& client_codes() const { return order_; }

  SessionTokens Open(const std::string& client_code);
  // `authorization` is the raw header value, "Bearer <jwt>".
  Result<AuthedSession, AuthFailure> Authenticate(std::string_view authorization) const;
  Result<SessionTokens, RefreshFailure> Refresh(std::string_view refresh_token);
  // The client code a token of ours was issued to (any kind, live or not).
  std::optional<std::string> OwnerOf(std::string_view token) const;
  void Close(uint64_t session_id);
  // Marks every live session of the account expired; returns how many.
  int ExpireAll(std::string_view client_code);
  void Clear();  // drops every session (accounts stay)

 private:
  struct Session {
    std::string client_code;
    int64_t exp_unix = 0;
    bool expired = false;
    bool revoked = false;
  };
  struct TokenRef {
    uint64_t session_id;
    bool is_refresh;
  };
  int64_t NowSeconds() const { return clock_.wall_ns() / 1'000'000'000; }
  SessionTokens Mint(const std::string& client_code, uint64_t session_id, int64_t exp_unix);
  bool IsExpired(const Session& s) const { return s.expired || NowSeconds() >= s.exp_unix; }

  const Clock& clock_;
  JwtSigner signer_;
  std::map<std::string, SimAccount, std::less<>> accounts_;
  std::vector<std::string> order_;
  std::map<uint64_t, Session> sessions_;
  std::map<std::string, TokenRef, std::less<>> tokens_;
  uint64_t next_session_ = 1;
};

}  // namespace ct::sim
