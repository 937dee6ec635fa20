// Copy rules: which master orders a follower copies (symbol, exchange,
// product, side and order-type filters) and at what quantity (mirror /
// multiplier / fixed / fixed_lots, rounded down to the instrument's lot).
// Pure functions of settings and order; no I/O. router/decision.h combines
// them with the window, caps, pause and approval.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "common/config/settings.h"
#include "common/instruments/instrument.h"
#include "copytrade.pb.h"

namespace ct::router {

// Why `rules` do not copy the order, or nullopt to copy it. Symbol entries
// match the exact trading symbol or the underlying (`instrument` may be
// null: the underlying is then read from the symbol); sides are the
// master's.
std::optional<std::string> FilterOut(const config::CopyRules& rules, const copytrade::v1::Order& order,
                                     const instruments::Instrument* instrument = nullptr);

struct Sizing {
  int64_t quantity = 0;         // > 0 when the copy is placed
  std::string skipped_reason;   // set when quantity is 0
};

// Follower quantity in units. Multiplier results are rounded DOWN to a
// whole lot (never more than the proportion asked for); fixed quantities
// too. A result under one lot is a skip, with the reason, unless
// rule.min_one_lot (then one lot).
Sizing SizeQuantity(const config::QuantityRule& rule, int64_t master_quantity, int64_t lot_size);

// Deterministic SmartAPI ordertag for (master order, follower, leg):
// "ct" + 13 base-36 digits of a 64-bit hash; 15 characters of [0-9a-z],
// inside the broker's 20-character limit. Same inputs, same tag, so a copy
// can always be found in the follower's order book.
std::string OrderTag(const std::string& master_order_id, const std::string& follower_id, int leg);

copytrade::v1::QuantityRuleKind ToProto(config::QuantityMode mode);

}  // namespace ct::router
