// Freeze quantities: the exchange's cap on the units of one order, per
// underlying of the index derivatives. NSE changes them by circular several
// times a year, so they come from a data file (sim/data/freeze_quantities.csv,
// or --freeze-file), never from code.
//
// The format (the product ships its own copy of such a file; keep them
// alike):
//   # comment lines start with '#'
//   underlying,exchange,freeze_quantity,effective_from
//   BANKNIFTY,NFO,600,2026-02-01
//   BANKNIFTY,NFO,900,2025-10-01
// The header is the first line that is not a comment or blank. Several rows
// per underlying and exchange are allowed: on a given IST day the row with
// the latest effective_from not after that day applies; before the first
// one there is no cap. Fields are trimmed; a bad line, a repeated
// (underlying, exchange, effective_from) or a file without rows is an error
// naming the line.
//
// Immutable after Parse/Load.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "common/core/result.h"

namespace ct::sim {

class FreezeQuantities {
 public:
  static constexpr std::string_view kHeader = "underlying,exchange,freeze_quantity,effective_from";

  // Errors read "FILE: line N: problem" (Load) or "line N: problem" (Parse).
  static Result<FreezeQuantities, std::string> Load(const std::string& path);
  static Result<FreezeQuantities, std::string> Parse(std::string_view text);

  // The cap on `iso_day` ("2026-11-25", the IST day) for derivatives of
  // `underlying` on `exchange`; nullopt when no row is in force.
  std::optional<int64_t> For(std::string_view underlying, std::string_view exchange, std::string_view iso_day) const;
  size_t rows() const { return rows_; }

 private:
  // (underlying, exchange) -> effective_from -> quantity
  std::map<std::pair<std::string, std::string>, std::map<std::string, int64_t>, std::less<>> table_;
  size_t rows_ = 0;
};

}  // namespace ct::sim
