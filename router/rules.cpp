#include "router/rules.h"

#include <cmath>

#include "common/instruments/symbol_match.h"

namespace ct::router {

std::optional<std::string> FilterOut(const config::CopyRules& s, const copytrade::v1::Order& order,
                                     const instruments::Instrument* instrument) {
  const std::string& symbol = order.tradingsymbol();
  for (const auto& entry : s.symbols_block)
    if (instruments::MatchesSymbolEntry(instrument, symbol, entry))
      return "symbol " + symbol + " matches '" + entry + "' in copy.symbols_block";
  if (!s.symbols_allow.empty()) {
    bool allowed = false;
    for (const auto& entry : s.symbols_allow) allowed = allowed || instruments::MatchesSymbolEntry(instrument, symbol, entry);
    if (!allowed) return "symbol " + symbol + " matches nothing in copy.symbols_allow";
  }
  if (!s.exchanges.empty() && !s.exchanges.count(order.exchange()))
    return "exchange " + order.exchange() + " is not in copy.exchanges";
  if (!s.product_types.empty() && !s.product_types.count(order.producttype()))
    return "product " + order.producttype() + " is not in copy.product_types";
  if (!s.sides.empty() && !s.sides.count(order.transactiontype()))
    return "side " + order.transactiontype() + " is not in copy.sides";
  auto it = s.order_types.find(order.ordertype());
  if (it == s.order_types.end()) return "order type '" + order.ordertype() + "' is not copied";
  if (!it->second) return "order type " + order.ordertype() + " is switched off in copy.order_types";
  return std::nullopt;
}

Sizing SizeQuantity(const config::QuantityRule& rule, int64_t master_quantity, int64_t lot_size) {
  const int64_t lot = lot_size > 0 ? lot_size : 1;
  int64_t raw = 0;
  switch (rule.mode) {
    case config::QuantityMode::kMirror: raw = master_quantity; break;
    case config::QuantityMode::kMultiplier:
      // The epsilon keeps 3 * 0.1 * 10 from landing at 2.9999.
      raw = static_cast<int64_t>(std::floor(static_cast<double>(master_quantity) * rule.multiplier + 1e-9));
      break;
    case config::QuantityMode::kFixed: raw = rule.fixed_quantity; break;
    case config::QuantityMode::kFixedLots: raw = rule.fixed_lots * lot; break;
  }
  const int64_t quantity = (raw / lot) * lot;
  if (quantity <= 0 && rule.min_one_lot && raw > 0) return {lot, ""};
  if (quantity <= 0) {
    return {0, "quantity " + std::to_string(raw) + " from rule '" + ToString(rule.mode) +
                   "' is less than one lot (" + std::to_string(lot) + ")"};
  }
  return {quantity, ""};
}

std::string OrderTag(const std::string& master_order_id, const std::string& follower_id, int leg) {
  // FNV-1a 64: stable across builds and machines (std::hash is not).
  uint64_t h = 1469598103934665603ULL;
  auto mix = [&h](const std::string& s) {
    for (unsigned char c : s) {
      h ^= c;
      h *= 1099511628211ULL;
    }
    h ^= 0xff;  // separator, so ("ab","c") != ("a","bc")
    h *= 1099511628211ULL;
  };
  mix(master_order_id);
  mix(follower_id);
  mix(std::to_string(leg));
  std::string digits(13, '0');
  for (int i = 12; i >= 0; --i) {
    digits[static_cast<size_t>(i)] = "0123456789abcdefghijklmnopqrstuvwxyz"[h % 36];
    h /= 36;
  }
  return "ct" + digits;
}

copytrade::v1::QuantityRuleKind ToProto(config::QuantityMode mode) {
  switch (mode) {
    case config::QuantityMode::kMirror: return copytrade::v1::QUANTITY_RULE_MIRROR;
    case config::QuantityMode::kMultiplier: return copytrade::v1::QUANTITY_RULE_MULTIPLIER;
    case config::QuantityMode::kFixed: return copytrade::v1::QUANTITY_RULE_FIXED;
    case config::QuantityMode::kFixedLots: return copytrade::v1::QUANTITY_RULE_FIXED_LOTS;
  }
  return copytrade::v1::QUANTITY_RULE_UNSPECIFIED;
}

}  // namespace ct::router
