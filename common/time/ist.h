// IST (India Standard Time: UTC+05:30 all year, no daylight saving) days
// and times of day for a wall time from ct::Clock::wall_ns(). Trading days,
// session expiry and the exchanges' dates are IST. Pure functions of their
// arguments; thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>

namespace ct::ist {

inline constexpr int64_t kOffsetSeconds = 5 * 3600 + 30 * 60;
inline constexpr int64_t kNsPerSecond = 1'000'000'000;
inline constexpr int64_t kSecondsPerDay = 24 * 3600;

using Day = std::chrono::year_month_day;

namespace detail {
// Seconds since 1970-01-01 00:00 IST; floor division keeps times before the
// epoch on the right day.
inline int64_t IstSeconds(int64_t wall_ns) {
  int64_t s = wall_ns / kNsPerSecond;
  if (wall_ns % kNsPerSecond < 0) --s;
  return s + kOffsetSeconds;
}
inline int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b < 0) ? 1 : 0); }
}  // namespace detail

// The IST calendar day that contains `wall_ns` (Unix epoch nanoseconds).
inline Day DayOf(int64_t wall_ns) {
  const int64_t days = detail::FloorDiv(detail::IstSeconds(wall_ns), kSecondsPerDay);
  return Day{std::chrono::sys_days{std::chrono::days{days}}};
}

// Minutes since IST midnight, 0..1439 (09:15 IST is 555).
inline int MinutesSinceMidnight(int64_t wall_ns) {
  const int64_t s = detail::IstSeconds(wall_ns);
  return static_cast<int>((s - detail::FloorDiv(s, kSecondsPerDay) * kSecondsPerDay) / 60);
}

// Wall time (Unix epoch ns) of 00:00 IST at the start of `day`.
inline int64_t StartOfDayNs(Day day) {
  const int64_t days = std::chrono::sys_days{day}.time_since_epoch().count();
  return (days * kSecondsPerDay - kOffsetSeconds) * kNsPerSecond;
}

// The first IST midnight strictly after `wall_ns`.
inline int64_t NextMidnightNs(int64_t wall_ns) {
  return StartOfDayNs(Day{std::chrono::sys_days{DayOf(wall_ns)} + std::chrono::days{1}});
}

inline Day AddDays(Day day, int n) { return Day{std::chrono::sys_days{day} + std::chrono::days{n}}; }

// "2026-02-01" and "20260201".
inline std::string DateString(Day day) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(day.year()), static_cast<unsigned>(day.month()),
                static_cast<unsigned>(day.day()));
  return buf;
}
inline std::string CompactDateString(Day day) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d%02u%02u", static_cast<int>(day.year()), static_cast<unsigned>(day.month()),
                static_cast<unsigned>(day.day()));
  return buf;
}
inline std::string DateString(int64_t wall_ns) { return DateString(DayOf(wall_ns)); }
inline std::string CompactDateString(int64_t wall_ns) { return CompactDateString(DayOf(wall_ns)); }

namespace detail {
inline std::optional<int> Digits(std::string_view s) {
  if (s.empty()) return std::nullopt;
  int v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + (c - '0');
  }
  return v;
}
inline std::optional<Day> MakeDay(std::optional<int> y, std::optional<int> m, std::optional<int> d) {
  if (!y || !m || !d) return std::nullopt;
  const Day day{std::chrono::year{*y}, std::chrono::month{static_cast<unsigned>(*m)},
                std::chrono::day{static_cast<unsigned>(*d)}};
  if (!day.ok()) return std::nullopt;
  return day;
}
}  // namespace detail

// Strict parsers for the two forms above; nullopt for anything else,
// including impossible dates (2026-02-30).
inline std::optional<Day> ParseDate(std::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return std::nullopt;
  return detail::MakeDay(detail::Digits(s.substr(0, 4)), detail::Digits(s.substr(5, 2)),
                         detail::Digits(s.substr(8, 2)));
}
inline std::optional<Day> ParseCompactDate(std::string_view s) {
  if (s.size() != 8) return std::nullopt;
  return detail::MakeDay(detail::Digits(s.substr(0, 4)), detail::Digits(s.substr(4, 2)),
                         detail::Digits(s.substr(6, 2)));
}

}  // namespace ct::ist
