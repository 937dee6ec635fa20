// RFC 6238 / RFC 4226 / RFC 4648 vectors for common/totp.
#include "common/totp/totp.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace ct::totp {
namespace {

std::vector<uint8_t> Bytes(const std::string& s) { return {s.begin(), s.end()}; }

// RFC 6238 Appendix B: the SHA1 seed is the ASCII string "12345678901234567890".
constexpr const char* kRfcSha1SecretBase32 = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";

struct Vector {
  int64_t unix_seconds;
  const char* sha1;
  const char* sha256;
  const char* sha512;
};

constexpr Vector kRfc6238[] = {
    {59, "94287082", "46119246", "90693936"},         {1111111109, "07081804", "68084774", "25091201"},
    {1111111111, "14050471", "67062674", "99943326"}, {1234567890, "89005924", "91819424", "93441116"},
    {2000000000, "69279037", "90698825", "38618901"}, {20000000000, "65353130", "77737706", "47863826"},
};

TEST(TotpTest, Rfc6238Sha1EightDigits) {
  for (const Vector& v : kRfc6238) {
    EXPECT_EQ(Code(kRfcSha1SecretBase32, v.unix_seconds, 8), v.sha1) << v.unix_seconds;
  }
}

TEST(TotpTest, SixDigitCodeIsLastSixDigits) {
  for (const Vector& v : kRfc6238) {
    EXPECT_EQ(Code(kRfcSha1SecretBase32, v.unix_seconds), std::string(v.sha1).substr(2)) << v.unix_seconds;
  }
}

TEST(TotpTest, Rfc6238Sha256AndSha512) {
  const auto key256 = Bytes("12345678901234567890123456789012");
  const auto key512 = Bytes("1234567890123456789012345678901234567890123456789012345678901234");
  for (const Vector& v : kRfc6238) {
    const auto step = static_cast<uint64_t>(v.unix_seconds / 30);
    EXPECT_EQ(Hotp(key256, step, 8, Digest::kSha256), v.sha256) << v.unix_seconds;
    EXPECT_EQ(Hotp(key512, step, 8, Digest::kSha512), v.sha512) << v.unix_seconds;
  }
}

TEST(TotpTest, Rfc4226HotpVectors) {
  const auto key = Bytes("12345678901234567890");
  const char* expected[] = {"755224", "287082", "359152", "969429", "338314",
                            "254676", "287922", "162583", "399871", "520489"};
  for (uint64_t counter = 0; counter < 10; ++counter) {
    EXPECT_EQ(Hotp(key, counter), expected[counter]) << counter;
  }
}

TEST(TotpTest, CodeIsConstantWithinA30SecondStep) {
  EXPECT_EQ(Code(kRfcSha1SecretBase32, 60), Code(kRfcSha1SecretBase32, 89));
  EXPECT_NE(Code(kRfcSha1SecretBase32, 89), Code(kRfcSha1SecretBase32, 90));
}

TEST(Base32Test, Rfc4648Vectors) {
  const std::pair<const char*, const char*> vectors[] = {
      {"", ""},
      {"MY======", "f"},
      {"MZXQ====", "fo"},
      {"MZXW6===", "foo"},
      {"MZXW6YQ=", "foob"},
      {"MZXW6YTB", "fooba"},
      {"MZXW6YTBOI======", "foobar"},
  };
  for (const auto& [encoded, plain] : vectors) {
    auto decoded = DecodeBase32(encoded);
    ASSERT_TRUE(decoded.has_value()) << encoded;
    EXPECT_EQ(std::string(decoded->begin(), decoded->end()), plain) << encoded;
  }
}

TEST(Base32Test, UnpaddedLowercaseAndSpacedSecretsDecode) {
  const auto reference = DecodeBase32(kRfcSha1SecretBase32);
  ASSERT_TRUE(reference.has_value());
  EXPECT_EQ(std::string(reference->begin(), reference->end()), "12345678901234567890");
  EXPECT_EQ(DecodeBase32("gezdgnbvgy3tqojqgezdgnbvgy3tqojq"), reference);
  EXPECT_EQ(DecodeBase32("GEZD GNBV GY3T QOJQ GEZD GNBV GY3T QOJQ"), reference);
  // A 26-character secret (the length Angel One shows) needs no padding.
  EXPECT_TRUE(DecodeBase32("ABCDEFGHIJKLMNOPQRSTUVWXYZ").has_value());
}

TEST(Base32Test, RejectsCharactersOutsideTheAlphabet) {
  EXPECT_FALSE(DecodeBase32("GEZDGNBV1").has_value());  // '1' is not base32
  EXPECT_FALSE(DecodeBase32("GEZD!").has_value());
  EXPECT_FALSE(Code("not base32!", 59).has_value());
  EXPECT_FALSE(Code("", 59).has_value());
}

TEST(Base32Test, EncodeRoundTrips) {
  EXPECT_EQ(EncodeBase32(Bytes("12345678901234567890")), kRfcSha1SecretBase32);
  EXPECT_EQ(EncodeBase32(Bytes("foobar")), "MZXW6YTBOI");
}

TEST(TotpTest, VerifyAcceptsOneStepOfSkew) {
  const auto now_code = *Code(kRfcSha1SecretBase32, 1111111111);
  EXPECT_TRUE(Verify(kRfcSha1SecretBase32, now_code, 1111111111));
  EXPECT_TRUE(Verify(kRfcSha1SecretBase32, now_code, 1111111111 + 30));
  EXPECT_FALSE(Verify(kRfcSha1SecretBase32, now_code, 1111111111 + 90));
  EXPECT_FALSE(Verify(kRfcSha1SecretBase32, "12345", 1111111111));
}

TEST(TotpTest, NewSecretIs160BitBase32AndUnique) {
  const std::string a = NewSecret();
  const std::string b = NewSecret();
  EXPECT_EQ(a.size(), 32u);
  EXPECT_NE(a, b);
  auto decoded = DecodeBase32(a);
  ASSERT_TRUE(decoded.has_value());
  EXPECT_EQ(decoded->size(), 20u);
  EXPECT_TRUE(Code(a, 1'700'000'000).has_value());
}

}  // namespace
}  // namespace ct::totp
