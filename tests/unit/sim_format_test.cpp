#include <gtest/gtest.h>

#include <regex>

#include "sim/format.h"
#include "sim/jwt.h"

namespace ct::sim {
namespace {

constexpr int64_t kMorning = 1'795'581'000;  // 2026-11-25 10:00:00 IST

TEST(SimFormat, IstDateTimeMatchesBrokerFormat) {
  EXPECT_EQ(FormatIstDateTime(kMorning), "25-Nov-2026 10:00:00");
  EXPECT_EQ(FormatIstTime(kMorning + 61), "10:01:01");
  EXPECT_EQ(IstDatePrefix(kMorning), "261125");
  // 20:00 UTC is already the next IST day.
  EXPECT_EQ(IstDatePrefix(kMorning + 14 * 3600), "261126");
}

TEST(SimFormat, NextIstMidnightIsMidnightIst) {
  const int64_t midnight = NextIstMidnight(kMorning);
  EXPECT_EQ(midnight - kMorning, 14 * 3600);
  EXPECT_EQ(FormatIstDateTime(midnight), "26-Nov-2026 00:00:00");
  EXPECT_EQ(NextIstMidnight(midnight), midnight + 86400);
}

TEST(SimFormat, NumberFieldsAcceptNumbersAndNumericStrings) {
  EXPECT_EQ(NumberField(nlohmann::json(194.5)), 194.5);
  EXPECT_EQ(NumberField(nlohmann::json("194.50")), 194.5);
  EXPECT_FALSE(NumberField(nlohmann::json("abc")));
  EXPECT_FALSE(NumberField(nlohmann::json("")));
  EXPECT_FALSE(NumberField(nlohmann::json::array()));
  EXPECT_EQ(IntegerField(nlohmann::json("75")), 75);
  EXPECT_EQ(IntegerField(nlohmann::json(75.0)), 75);
  EXPECT_FALSE(IntegerField(nlohmann::json("7.5")));
}

TEST(SimFormat, UuidsAreVersion4) {
  UuidGenerator gen(42);
  const std::regex v4("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$");
  const std::string a = gen.Next();
  EXPECT_TRUE(std::regex_match(a, v4)) << a;
  EXPECT_NE(a, gen.Next());
}

TEST(SimJwt, SignsAndVerifiesHs512) {
  JwtSigner signer("k");
  const std::string token = signer.Sign({{"username", "A1"}, {"exp", 5}});
  EXPECT_EQ(token.rfind("eyJhbGciOiJIUzUxMiJ9.", 0), 0u);  // base64url of {"alg":"HS512"}
  const auto claims = signer.Verify(token);
  ASSERT_TRUE(claims);
  EXPECT_EQ((*claims)["username"], "A1");
  EXPECT_FALSE(JwtSigner("other").Verify(token));
  std::string tampered = token;
  tampered[tampered.size() / 2] ^= 1;
  EXPECT_FALSE(signer.Verify(tampered));
  EXPECT_FALSE(signer.Verify("garbage"));
}

}  // namespace
}  // namespace ct::sim
