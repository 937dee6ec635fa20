#include "sim/format.h"

#include <array>
#include <cmath>
#include <cstdio>
#include <ctime>

namespace ct::sim {
namespace {

std::tm IstTm(int64_t unix_seconds) {
  const auto t = static_cast<std::time_t>(unix_seconds + kIstOffsetSeconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  return tm;
}

constexpr std::array<const char*, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                 "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

}  // namespace

std::string FormatIstDateTime(int64_t unix_seconds) {
  const std::tm tm = IstTm(unix_seconds);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%02d-%s-%04d %02d:%02d:%02d", tm.tm_mday, kMonths[tm.tm_mon], tm.tm_year + 1900,
                tm.tm_hour, tm.tm_min, tm.tm_sec);
  return buf;
}

std::string FormatIstTime(int64_t unix_seconds) {
  const std::tm tm = IstTm(unix_seconds);
  char buf[40];
  std::snprintf(buf, sizeof buf, "%02d:%02d:%02d", tm.tm_hour, tm.tm_min, tm.tm_sec);
  return buf;
}

std::string IstDatePrefix(int64_t unix_seconds) {
  const std::tm tm = IstTm(unix_seconds);
  char buf[40];
  std::snprintf(buf, sizeof buf, "%02d%02d%02d", tm.tm_year % 100, tm.tm_mon + 1, tm.tm_mday);
  return buf;
}

int64_t NextIstMidnight(int64_t unix_seconds) {
  const int64_t local = unix_seconds + kIstOffsetSeconds;
  const int64_t day = local >= 0 ? local / 86400 : (local - 86399) / 86400;
  return (day + 1) * 86400 - kIstOffsetSeconds;
}

std::string IstIsoDate(int64_t unix_seconds) {
  const std::tm tm = IstTm(unix_seconds);
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
  return buf;
}

std::string FormatHttpDate(int64_t unix_seconds) {
  static constexpr std::array<const char*, 7> kDays = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  const auto t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s, %02d %s %04d %02d:%02d:%02d GMT", kDays[tm.tm_wday], tm.tm_mday,
                kMonths[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
  return buf;
}

double RoundPaise(double value) { return std::round(value * 100.0) / 100.0; }

std::string FixedDecimals(double value, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, value);
  return buf;
}

std::optional<double> NumberField(const nlohmann::json& value) {
  if (value.is_number()) return value.get<double>();
  if (!value.is_string()) return std::nullopt;
  const auto& s = value.get_ref<const std::string&>();
  if (s.empty() || s.size() > 32) return std::nullopt;
  char* end = nullptr;
  const double d = std::strtod(s.c_str(), &end);
  if (end != s.c_str() + s.size() || !std::isfinite(d)) return std::nullopt;
  return d;
}

std::optional<int64_t> IntegerField(const nlohmann::json& value) {
  if (value.is_number_integer()) return value.get<int64_t>();
  const auto d = NumberField(value);
  if (!d || std::floor(*d) != *d || std::fabs(*d) > 1e15) return std::nullopt;
  return static_cast<int64_t>(*d);
}

UuidGenerator::UuidGenerator(uint64_t seed) : rng_(seed) {}

std::string UuidGenerator::Next() {
  const uint64_t hi = (rng_() & 0xFFFFFFFFFFFF0FFFull) | 0x0000000000004000ull;
  const uint64_t lo = (rng_() & 0x3FFFFFFFFFFFFFFFull) | 0x8000000000000000ull;
  char buf[40];
  std::snprintf(buf, sizeof buf, "%08x-%04x-%04x-%04x-%012llx", static_cast<unsigned>(hi >> 32),
                static_cast<unsigned>((hi >> 16) & 0xFFFF), static_cast<unsigned>(hi & 0xFFFF),
                static_cast<unsigned>(lo >> 48), static_cast<unsigned long long>(lo & 0xFFFFFFFFFFFFull));
  return buf;
}

}  // namespace ct::sim
