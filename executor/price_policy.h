// Price policy: how a copy is priced under the 2026 algo rules
// (SMARTAPI.md §10), as pure functions (no I/O, no clock).
//
// A copy is never MARKET or IOC. A marketable copy is a LIMIT at the
// reference price ± the segment's buffer, bounded three ways:
//  - never beyond max_slippage_pct from the master's fill (the cap),
//  - inside the exchange's Limit Price Protection band (NFO/BFO), shrunk a
//    little because our reference (LTP or the master's fill) can differ
//    from the exchange's,
//  - on the instrument's tick, rounded toward the reference (a BUY down, a
//    SELL up), so rounding never breaks the cap or the band.
// Prices are computed in paise so ticks are exact.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "common/config/settings.h"

namespace ct::executor {

enum class Segment { kEquity, kFutures, kOptions, kCommodity, kCurrency };
const char* ToString(Segment segment);

// From an order's exchange and instrumenttype ("OPTIDX", "FUTSTK", ""),
// falling back to the trading symbol's shape (…CE/…PE options, …FUT).
Segment SegmentOf(const std::string& exchange, const std::string& instrumenttype,
                  const std::string& tradingsymbol);

double BufferPct(const config::LimitBuffers& buffers, Segment segment);

struct Band {
  double low = 0;
  double high = 0;
};

// The exchange's LPP band around `reference` (NSE options: ≤ ₹50 ± ₹20,
// else ± 40 %; NSE futures ± 3 %; BSE options ± 60 % (at least ₹30), BSE
// futures ± 3 % (at least ₹1.50)), or nullopt where none applies.
std::optional<Band> LppBand(const std::string& exchange, Segment segment, double reference);

// The band we price inside: the exchange's, with 2 % of its half-width and
// one tick taken off each side.
std::optional<Band> SafeBand(const std::optional<Band>& band, int64_t tick_paise);

struct LimitInputs {
  bool buy = true;
  double reference = 0;       // where the price starts (LTP or the master's fill)
  double buffer_pct = 0;
  int64_t tick_paise = 5;
  std::optional<Band> band;   // SafeBand(...)
  double cap = 0;             // SlippageCap(...); 0 = none
};

struct LimitPrice {
  double price = 0;
  bool capped = false;  // the buffer wanted more than max_slippage_pct allows
};

// The marketable LIMIT price for `in`.
LimitPrice MarketableLimit(const LimitInputs& in);

// The worst price max_slippage_pct allows from `master_price` (above it for
// a BUY, below for a SELL); 0 when the master's price is unknown.
double SlippageCap(bool buy, double master_price, double max_slippage_pct);

// `price` on the tick (to the nearest one).
double RoundToTick(double price, int64_t tick_paise);
// True when a and b differ by at least one tick.
bool DiffersByTick(double a, double b, int64_t tick_paise);

// (follower − master) / master in basis points, signed so that positive is
// worse for the follower (paid more on a BUY, got less on a SELL).
double SlippageBps(bool buy, double follower_price, double master_price);

}  // namespace ct::executor
