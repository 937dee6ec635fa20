// RFC 6238 TOTP (HMAC-SHA1 by default, 6 digits, 30 s step) over a base32
// secret, as authenticator apps and SmartAPI use it. Pure functions; the
// caller supplies the Unix time so tests use the RFC vectors.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ct::totp {

enum class Digest { kSha1, kSha256, kSha512 };

// Decodes RFC 4648 base32; case-insensitive, ignores spaces, '-' and '='
// padding. nullopt when a character is outside the alphabet.
std::optional<std::vector<uint8_t>> DecodeBase32(std::string_view text);
std::string EncodeBase32(const std::vector<uint8_t>& bytes);  // no padding

// HOTP (RFC 4226) over raw key bytes.
std::string Hotp(const std::vector<uint8_t>& key, uint64_t counter, int digits = 6,
                 Digest digest = Digest::kSha1);

// TOTP code for `unix_seconds`; nullopt when the secret is not base32.
std::optional<std::string> Code(std::string_view base32_secret, int64_t unix_seconds,
                                 int digits = 6, int step_seconds = 30);

// True when `code` matches the step of `unix_seconds` or up to `skew_steps`
// steps either side.
bool Verify(std::string_view base32_secret, std::string_view code, int64_t unix_seconds,
            int skew_steps = 1);

// A fresh random secret (160 bits, base32, 32 chars) from OpenSSL's RNG.
std::string NewSecret();

}  // namespace ct::totp
