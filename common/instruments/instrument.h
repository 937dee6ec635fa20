// One row of the instrument master (OpenAPIScripMaster.json, SMARTAPI.md
// §7) and the segment classification the execution policy needs: which
// limit buffer applies (equity, futures, options, commodity, currency) and
// which exchange's LPP band (NSE-side or BSE-side).
//
// An Instrument is owned by the InstrumentMaster that loaded it: its string
// views point into the master's storage and stay valid as long as the
// master lives. Plain data, immutable after load; safe to read from any
// thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>

namespace ct::instruments {

enum class Segment : uint8_t {
  kEquity,        // NSE/BSE cash, instrumenttype ""
  kIndexFutures,  // FUTIDX on NFO/BFO
  kStockFutures,  // FUTSTK
  kIndexOptions,  // OPTIDX
  kStockOptions,  // OPTSTK
  kCommodity,     // MCX (FUTCOM, OPTFUT, FUTIDX on MCX, ...), NCDEX
  kCurrency,      // CDS/BCD (FUTCUR, OPTCUR, FUTIRC, OPTIRC)
  kIndex,         // AMXIDX: an index value, not tradable
  kUnknown,       // anything else: copytrade does not trade it
};
const char* ToString(Segment segment);

// The exchange whose rules apply (LPP bands differ: SMARTAPI.md §10).
enum class Venue : uint8_t {
  kNse,    // NSE, NFO, CDS
  kBse,    // BSE, BFO, BCD
  kMcx,    // MCX
  kOther,  // anything else (NCDEX, ...)
};
const char* ToString(Venue venue);

struct Classification {
  Segment segment = Segment::kUnknown;
  Venue venue = Venue::kOther;
  bool operator==(const Classification&) const = default;
};

// From the master's `exch_seg` and `instrumenttype` (case as in the file).
Classification Classify(std::string_view exchange, std::string_view instrument_type);

inline bool IsFutures(Segment s) { return s == Segment::kIndexFutures || s == Segment::kStockFutures; }
inline bool IsOptions(Segment s) { return s == Segment::kIndexOptions || s == Segment::kStockOptions; }
inline bool IsTradable(Segment s) { return s != Segment::kIndex && s != Segment::kUnknown; }

struct Instrument {
  std::string_view token;                             // symboltoken
  std::string_view symbol;                            // tradingsymbol, e.g. "NIFTY01DEC2626000CE"
  std::string_view name;                              // the underlying, e.g. "NIFTY", "SBIN"
  std::string_view exchange;                          // exch_seg: NSE, BSE, NFO, BFO, MCX, CDS, ...
  std::string_view instrument_type;                   // "" (cash), FUTIDX, OPTIDX, AMXIDX, ...
  std::optional<std::chrono::year_month_day> expiry;  // none for cash and indices
  double strike = 0;                                  // rupees (the file has strike x 100); 0 when not an option
  int32_t lot_size = 1;
  // The tick in whole paise ("5.000000" in the file = 5 paise = ₹0.05).
  // 0 for indices, and for the rare tick that is not a whole number of
  // paise (currency: 0.25 paise); tick_rupees is exact for every row.
  int32_t tick_paise = 0;
  double tick_rupees = 0;
  Segment segment = Segment::kUnknown;
  Venue venue = Venue::kOther;
};

}  // namespace ct::instruments
