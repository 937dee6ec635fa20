// Text formats the real service uses: IST timestamps ("26-Dec-2024
// 13:48:37"), the HTTP Date header, order ids (YYMMDD + 9-digit counter), UUID v4 unique order ids,
// prices rounded to paise, and lenient numeric parsing of request fields
// (SmartAPI accepts numbers and numeric strings alike). Pure functions except
// UuidGenerator, which owns its RNG (not thread-safe).
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <string>
#include <string_view>

namespace ct::sim {

constexpr int64_t kIstOffsetSeconds = 5 * 3600 + 30 * 60;

// "dd-MMM-yyyy HH:mm:ss" in IST, e.g. "29-Dec-2023 09:01:02".
std::string FormatIstDateTime(int64_t unix_seconds);
// "HH:mm:ss" in IST (trade book filltime).
std::string FormatIstTime(int64_t unix_seconds);
// "YYMMDD" of the IST calendar day.
std::string IstDatePrefix(int64_t unix_seconds);
// Unix seconds of the next 00:00:00 IST strictly after `unix_seconds`.
int64_t NextIstMidnight(int64_t unix_seconds);
// "YYYY-MM-DD" of the IST calendar day (freeze-quantity effective dates).
std::string IstIsoDate(int64_t unix_seconds);
// RFC 7231 IMF-fixdate for the HTTP Date header: "Sun, 06 Nov 1994
// 08:49:37 GMT".
std::string FormatHttpDate(int64_t unix_seconds);

// Rounds to 2 decimals (paise), so JSON numbers print as 265.62, not
// 265.61999999.
double RoundPaise(double value);
// "265.62" style fixed decimals.
std::string FixedDecimals(double value, int decimals);

// A JSON number or a numeric string ("1", "194.50"). Empty string -> nullopt.
std::optional<double> NumberField(const nlohmann::json& value);
// A whole number, as JSON integer, integral double or digit string.
std::optional<int64_t> IntegerField(const nlohmann::json& value);

class UuidGenerator {
 public:
  explicit UuidGenerator(uint64_t seed);
  std::string Next();  // RFC 4122 version 4, lower-case

 private:
  std::mt19937_64 rng_;
};

}  // namespace ct::sim
