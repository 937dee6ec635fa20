#include "common/instruments/symbol_match.h"

#include <array>
#include <cctype>

namespace ct::instruments {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

bool AllDigits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (!IsDigit(c)) return false;
  return true;
}

bool IsMonth(std::string_view s) {
  static constexpr std::array<std::string_view, 12> kMonths = {"JAN", "FEB", "MAR", "APR", "MAY", "JUN",
                                                               "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"};
  for (auto m : kMonths)
    if (m == s) return true;
  return false;
}

// What follows a derivative's expiry: "FUT", or a strike and "CE"/"PE".
bool IsContractTail(std::string_view s) {
  if (s == "FUT") return true;
  if (s.size() < 3 || (!s.ends_with("CE") && !s.ends_with("PE"))) return false;
  const std::string_view strike = s.substr(0, s.size() - 2);
  const size_t dot = strike.find('.');
  if (dot == std::string_view::npos) return AllDigits(strike);
  return AllDigits(strike.substr(0, dot)) && AllDigits(strike.substr(dot + 1));
}

// A derivative symbol: UNDERLYING DDMMMYY (FUT | STRIKE CE/PE), or the
// weekly form UNDERLYING YYMDD STRIKE CE/PE. Empty when `s` is neither.
std::string_view DerivativeUnderlying(std::string_view s) {
  // Monthly: the first DDMMMYY followed by a contract tail. Scanning from
  // the left keeps digits that belong to the name (NIFTYNXT50).
  for (size_t i = 1; i + 7 <= s.size(); ++i) {
    if (AllDigits(s.substr(i, 2)) && IsMonth(s.substr(i + 2, 3)) && AllDigits(s.substr(i + 5, 2)) &&
        IsContractTail(s.substr(i + 7)))
      return s.substr(0, i);
  }
  // Weekly options carry only digits (and O/N/D for the month) after the
  // name: the name ends before the first digit.
  if (s.ends_with("CE") || s.ends_with("PE")) {
    size_t i = 0;
    while (i < s.size() && !IsDigit(s[i])) ++i;
    if (i > 0 && i + 5 < s.size()) return s.substr(0, i);
  }
  return {};
}

// A cash symbol's series suffix: "-EQ", "-BE", "-SM", "-MF", "-SG", ...
std::string_view WithoutSeries(std::string_view s) {
  const size_t dash = s.rfind('-');
  if (dash == std::string_view::npos || dash == 0) return s;
  const std::string_view series = s.substr(dash + 1);
  if (series.empty() || series.size() > 2) return s;
  for (char c : series)
    if (!std::isupper(static_cast<unsigned char>(c)) && !IsDigit(c)) return s;
  return s.substr(0, dash);
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (std::toupper(static_cast<unsigned char>(a[i])) != std::toupper(static_cast<unsigned char>(b[i]))) return false;
  return true;
}

}  // namespace

std::string UnderlyingOf(const Instrument* instrument, std::string_view tradingsymbol) {
  if (instrument && !instrument->name.empty()) return std::string(instrument->name);
  if (tradingsymbol.empty() && instrument) tradingsymbol = instrument->symbol;
  if (const auto u = DerivativeUnderlying(tradingsymbol); !u.empty()) return std::string(u);
  return std::string(WithoutSeries(tradingsymbol));
}

bool MatchesSymbolEntry(const Instrument* instrument, std::string_view tradingsymbol, std::string_view entry) {
  if (entry.empty()) return false;
  if (tradingsymbol.empty() && instrument) tradingsymbol = instrument->symbol;
  return EqualsIgnoreCase(entry, tradingsymbol) || EqualsIgnoreCase(entry, UnderlyingOf(instrument, tradingsymbol));
}

}  // namespace ct::instruments
