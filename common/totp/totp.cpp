#include "common/totp/totp.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <cstdlib>

namespace ct::totp {
namespace {
constexpr std::string_view kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

const EVP_MD* Md(Digest d) {
  switch (d) {
    case Digest::kSha1: return EVP_sha1();
    case Digest::kSha256: return EVP_sha256();
    case Digest::kSha512: return EVP_sha512();
  }
  std::abort();
}
}  // namespace

std::optional<std::vector<uint8_t>> DecodeBase32(std::string_view text) {
  std::vector<uint8_t> out;
  uint32_t buffer = 0;
  int bits = 0;
  for (char c : text) {
    if (c == ' ' || c == '-' || c == '=') continue;
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    auto pos = kAlphabet.find(c);
    if (pos == std::string_view::npos) return std::nullopt;
    buffer = (buffer << 5) | static_cast<uint32_t>(pos);
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<uint8_t>((buffer >> bits) & 0xFF));
    }
  }
  return out;
}

std::string EncodeBase32(const std::vector<uint8_t>& bytes) {
  std::string out;
  uint32_t buffer = 0;
  int bits = 0;
  for (uint8_t b : bytes) {
    buffer = (buffer << 8) | b;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out.push_back(kAlphabet[(buffer >> bits) & 0x1F]);
    }
  }
  if (bits > 0) out.push_back(kAlphabet[(buffer << (5 - bits)) & 0x1F]);
  return out;
}

std::string Hotp(const std::vector<uint8_t>& key, uint64_t counter, int digits, Digest digest) {
  uint8_t msg[8];
  for (int i = 7; i >= 0; --i) {
    msg[i] = static_cast<uint8_t>(counter & 0xFF);
    counter >>= 8;
  }
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_len = 0;
  HMAC(Md(digest), key.data(), static_cast<int>(key.size()), msg, sizeof msg, mac, &mac_len);
  const int offset = mac[mac_len - 1] & 0x0F;
  const uint32_t binary = (static_cast<uint32_t>(mac[offset] & 0x7F) << 24) |
                          (static_cast<uint32_t>(mac[offset + 1]) << 16) |
                          (static_cast<uint32_t>(mac[offset + 2]) << 8) |
                          static_cast<uint32_t>(mac[offset + 3]);
  uint64_t mod = 1;
  for (int i = 0; i < digits; ++i) mod *= 10;
  std::string code = std::to_string(binary % mod);
  return std::string(static_cast<size_t>(digits) - code.size(), '0') + code;
}

std::optional<std::string> Code(std::string_view base32_secret, int64_t unix_seconds, int digits,
                                int step_seconds) {
  auto key = DecodeBase32(base32_secret);
  if (!key || key->empty()) return std::nullopt;
  return Hotp(*key, static_cast<uint64_t>(unix_seconds / step_seconds), digits);
}

bool Verify(std::string_view base32_secret, std::string_view code, int64_t unix_seconds,
            int skew_steps) {
  auto key = DecodeBase32(base32_secret);
  if (!key || key->empty() || code.size() != 6) return false;
  const int64_t step = unix_seconds / 30;
  for (int64_t s = step - skew_steps; s <= step + skew_steps; ++s) {
    if (s >= 0 && Hotp(*key, static_cast<uint64_t>(s)) == code) return true;
  }
  return false;
}

std::string NewSecret() {
  std::vector<uint8_t> bytes(20);
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) std::abort();
  return EncodeBase32(bytes);
}

}  // namespace ct::totp
