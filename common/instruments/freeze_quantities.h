// FreezeTable: the exchanges' freeze quantities (the most units one order
// may carry; larger orders are sliced) per underlying and exchange, dated.
// They change often (SMARTAPI.md §10), so they come from a data file —
// data/freeze_quantities.csv ships with copytrade, `[instruments]
// freeze_file` overrides it — and never from code.
//
// The file is CSV: '#' comment lines and blank lines anywhere, then the
// header line, then one row per (underlying, exchange, effective_from):
//
//   underlying,exchange,freeze_quantity,effective_from
//   BANKNIFTY,NFO,600,2026-02-01
//   BANKNIFTY,NFO,900,2025-10-01
//
// Of several rows for one underlying the one with the latest
// effective_from on or before the day asked about applies. Parsing is
// strict: any malformed line, a repeated (underlying, exchange,
// effective_from) or a file without rows is an error "FILE:LINE: problem".
//
// Immutable after load; safe to read from any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/core/result.h"
#include "common/instruments/instrument.h"
#include "common/time/ist.h"

namespace ct::instruments {

class FreezeTable {
 public:
  static Result<FreezeTable, std::string> LoadFile(const std::string& path);
  // `source` names the input in errors.
  static Result<FreezeTable, std::string> Parse(std::string_view text, const std::string& source);

  // Units per order for `underlying` on `exchange` (the master's `name` and
  // `exch_seg`: "NIFTY", "NFO") on IST day `day`. nullopt: no freeze
  // quantity known (not in the file, or none in force yet on that day).
  std::optional<int64_t> Lookup(std::string_view underlying, std::string_view exchange, ist::Day day) const;

  // The same for an instrument of the master.
  std::optional<int64_t> FreezeQuantity(const Instrument& instrument, ist::Day day) const {
    return Lookup(instrument.name, instrument.exchange, day);
  }

  size_t size() const { return rows_.size(); }

 private:
  struct Row {
    std::string underlying;
    std::string exchange;
    ist::Day effective_from;
    int64_t quantity = 0;
    size_t line = 0;
  };
  std::vector<Row> rows_;  // sorted by (underlying, exchange, effective_from)
};

// The file shipped with copytrade (data/freeze_quantities.csv in the source
// tree), used when `[instruments] freeze_file` is empty.
std::string DefaultFreezeFile();

}  // namespace ct::instruments
