// The instrument master the sim trades: rows in OpenAPIScripMaster.json
// format (SMARTAPI.md §7, every value a string). Immutable after Load, so it
// can be shared freely.
//
// Default prices are deterministic per instrument: FNV-1a 32-bit hash of the
// trading symbol h, then
//   options (OPT*):     50.00 + (h % 45000) / 100   -> 50.00 .. 499.99
//   everything else:   100.00 + (h % 90000) / 100   -> 100.00 .. 999.99
// rounded down to the instrument's tick. The admin API overrides them.
//
// Freeze quantities (the exchange's per-order cap) are not in the master
// file: they come from their own data file (sim/freeze_quantities.h).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/core/result.h"

namespace ct::sim {

struct Instrument {
  std::string token;
  std::string symbol;          // tradingsymbol
  std::string name;            // underlying
  std::string expiry;          // "29DEC2026" or ""
  std::string instrumenttype;  // "", "OPTIDX", "FUTIDX", "AMXIDX", ...
  std::string exchange;        // exch_seg: NSE, NFO, ...
  double strike = -1.0;        // rupees; -1 when not an option
  int64_t lot_size = 1;
  int64_t tick_paise = 5;  // 0 for indices

  bool IsOption() const { return instrumenttype.rfind("OPT", 0) == 0; }
  bool IsIndex() const { return instrumenttype == "AMXIDX"; }
  std::string OptionType() const;  // "CE", "PE" or ""
};

class InstrumentTable {
 public:
  static Result<InstrumentTable, std::string> Load(const std::string& path);
  static Result<InstrumentTable, std::string> Parse(std::string_view json_text);

  // The row with this exchange and token whose symbol matches; nullptr when
  // the pair is unknown.
  const Instrument* Find(std::string_view exchange, std::string_view symbol, std::string_view token) const;
  const Instrument* FindBySymbol(std::string_view exchange, std::string_view symbol) const;
  const std::vector<Instrument>& all() const { return rows_; }

 private:
  std::vector<Instrument> rows_;
  std::unordered_map<std::string, size_t> by_token_;   // "NSE|3045"
  std::unordered_map<std::string, size_t> by_symbol_;  // "NSE|SBIN-EQ"
};

double DefaultPrice(const Instrument& instrument);
// Rounds down to a multiple of the tick (no-op for tick 0).
double SnapToTick(double price, int64_t tick_paise);
bool IsTickMultiple(double price, int64_t tick_paise);

}  // namespace ct::sim
