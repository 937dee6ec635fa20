// HS512 JSON Web Tokens shaped like SmartAPI's (header {"alg":"HS512"},
// base64url, no padding), signed with a key private to one sim run. Pure;
// thread-safe.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace ct::sim {

std::string Base64UrlEncode(std::string_view bytes);
std::optional<std::string> Base64UrlDecode(std::string_view text);

class JwtSigner {
 public:
  explicit JwtSigner(std::string key) : key_(std::move(key)) {}
  std::string Sign(const nlohmann::json& claims) const;
  // The claims when the token is well-formed and the signature is ours.
  std::optional<nlohmann::json> Verify(std::string_view token) const;

 private:
  std::string Mac(std::string_view signing_input) const;
  std::string key_;
};

}  // namespace ct::sim
