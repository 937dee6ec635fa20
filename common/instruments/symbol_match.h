// Symbol filters (copy.symbols_allow / symbols_block): an entry matches an
// order's instrument either as its exact trading symbol ("SBIN-EQ",
// "NIFTY01DEC2626000CE") or as its underlying ("NIFTY" matches every NIFTY
// option and future, and never BANKNIFTY, FINNIFTY or NIFTYBEES).
//
// The underlying is the master's `name` for the instrument. For a symbol
// missing from the master (a contract listed after the file was made, or
// no master at all) it is read from the symbol itself: the series suffix
// of a cash symbol comes off ("SBIN-EQ" -> "SBIN"), and a derivative's
// expiry, strike and CE/PE/FUT come off ("BANKNIFTY30DEC26FUT" ->
// "BANKNIFTY", "NIFTY2612326000CE" -> "NIFTY").
//
// Entries compare case-insensitively (a hand-written "nifty" means NIFTY).
// Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "common/instruments/instrument.h"

namespace ct::instruments {

// `instrument` may be null (not in the master); `tradingsymbol` is the
// order's symbol.
std::string UnderlyingOf(const Instrument* instrument, std::string_view tradingsymbol);

bool MatchesSymbolEntry(const Instrument* instrument, std::string_view tradingsymbol, std::string_view entry);

}  // namespace ct::instruments
