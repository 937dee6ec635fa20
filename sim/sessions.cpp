#include "sim/sessions.h"

#include "sim/format.h"

namespace ct::sim {

SessionStore::SessionStore(const Clock& clock, std::string signing_key)
    : clock_(clock), signer_(std::move(signing_key)) {}

bool SessionStore::AddAccount(SimAccount account) {
  if (accounts_.count(account.client_code) != 0) return false;
  order_.push_back(account.client_code);
  const std::string code = account.client_code;
  accounts_.emplace(code, std::move(account));
  return true;
}

const SimAccount* SessionStore::FindAccount(std::string_view client_code) const {
  const auto it = accounts_.find(client_code);
  return it == accounts_.end() ? nullptr : &it->second;
}

SessionTokens SessionStore::Mint(const std::string& client_code, uint64_t session_id, int64_t exp_unix) {
  const int64_t now = NowSeconds();
  const SimAccount* account = FindAccount(client_code);
  auto claims = [&](const char* kind) {
    return nlohmann::json{{"username", client_code},
                          {"roles", 0},
                          {"usertype", "USER"},
                          {"API-KEY", account != nullptr ? account->api_key : ""},
                          {"X-OLD-API-KEY", false},
                          {"jti", std::to_string(session_id) + "-" + kind},
                          {"iat", now},
                          {"exp", exp_unix}};
  };
  SessionTokens t{signer_.Sign(claims("access")), signer_.Sign(claims("refresh")), signer_.Sign(claims("feed"))};
  tokens_[t.jwt] = {session_id, false};
  tokens_[t.refresh] = {session_id, true};
  return t;
}

SessionTokens SessionStore::Open(const std::string& client_code) {
  const uint64_t id = next_session_++;
  const int64_t exp = NextIstMidnight(NowSeconds());
  sessions_[id] = Session{client_code, exp, false, false};
  return Mint(client_code, id, exp);
}

Result<AuthedSession, AuthFailure> SessionStore::Authenticate(std::string_view authorization) const {
  while (!authorization.empty() && authorization.front() == ' ') authorization.remove_prefix(1);
  if (authorization.empty()) return AuthFailure::kMissing;
  constexpr std::string_view kBearer = "Bearer ";
  if (authorization.size() <= kBearer.size() || authorization.substr(0, kBearer.size()) != kBearer)
    return AuthFailure::kInvalid;
  const std::string_view token = authorization.substr(kBearer.size());
  if (!signer_.Verify(token)) return AuthFailure::kInvalid;
  const auto it = tokens_.find(token);
  if (it == tokens_.end() || it->second.is_refresh) return AuthFailure::kInvalid;
  const Session& s = sessions_.at(it->second.session_id);
  if (s.revoked) return AuthFailure::kInvalid;
  if (IsExpired(s)) return AuthFailure::kExpired;
  return AuthedSession{s.client_code, it->second.session_id};
}

Result<SessionTokens, RefreshFailure> SessionStore::Refresh(std::string_view refresh_token) {
  if (!signer_.Verify(refresh_token)) return RefreshFailure::kInvalid;
  const auto it = tokens_.find(refresh_token);
  if (it == tokens_.end() || !it->second.is_refresh) return RefreshFailure::kInvalid;
  const Session s = sessions_.at(it->second.session_id);
  if (s.revoked) return RefreshFailure::kInvalid;
  if (IsExpired(s)) return RefreshFailure::kExpired;
  // A refreshed session never outlives the original day (SMARTAPI.md §8).
  const uint64_t id = next_session_++;
  sessions_[id] = Session{s.client_code, s.exp_unix, false, false};
  return Mint(s.client_code, id, s.exp_unix);
}

std::optional<std::string> SessionStore::OwnerOf(std::string_view token) const {
  const auto it = tokens_.find(token);
  if (it == tokens_.end()) return std::nullopt;
  return sessions_.at(it->second.session_id).client_code;
}

void SessionStore::Close(uint64_t session_id) {
  const auto it = sessions_.find(session_id);
  if (it != sessions_.end()) it->second.revoked = true;
}

int SessionStore::ExpireAll(std::string_view client_code) {
  int n = 0;
  for (auto& [id, s] : sessions_) {
    if (s.client_code == client_code && !s.revoked && !IsExpired(s)) {
      s.expired = true;
      ++n;
    }
  }
  return n;
}

void SessionStore::Clear() {
  sessions_.clear();
  tokens_.clear();
}

}  // namespace ct::sim
