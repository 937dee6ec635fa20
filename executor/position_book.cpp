#include "executor/position_book.h"

#include <algorithm>
#include <cmath>

namespace ct::executor {
namespace v1 = copytrade::v1;

std::string PositionBook::Key(const std::string& exchange, const std::string& token, const std::string& product) {
  return exchange + "|" + token + "|" + product;
}

void PositionBook::Load(const std::vector<smartapi::Position>& rows) {
  rows_.clear();
  for (const auto& p : rows) {
    auto& e = rows_[Key(p.exchange, p.symboltoken, p.producttype)];
    e.set_exchange(p.exchange);
    e.set_symboltoken(p.symboltoken);
    e.set_tradingsymbol(p.tradingsymbol);
    e.set_producttype(p.producttype);
    e.set_net_quantity(e.net_quantity() + p.netqty);
  }
  loaded_ = true;
}

void PositionBook::Fill(const v1::Order& o, int64_t signed_quantity) {
  if (signed_quantity == 0) return;
  auto& e = rows_[Key(o.exchange(), o.symboltoken(), o.producttype())];
  e.set_exchange(o.exchange());
  e.set_symboltoken(o.symboltoken());
  e.set_tradingsymbol(o.tradingsymbol());
  e.set_producttype(o.producttype());
  e.set_net_quantity(e.net_quantity() + signed_quantity);
}

int64_t PositionBook::Net(const v1::Order& o) const {
  const auto it = rows_.find(Key(o.exchange(), o.symboltoken(), o.producttype()));
  return it == rows_.end() ? 0 : it->second.net_quantity();
}

std::vector<v1::PositionEntry> PositionBook::Entries() const {
  std::vector<v1::PositionEntry> out;
  for (const auto& [key, e] : rows_)
    if (e.net_quantity() != 0) out.push_back(e);
  return out;
}

ExitSize SizeExit(int64_t held, bool sell, double fraction, bool flatten, int64_t lot, int64_t in_flight) {
  lot = std::max<int64_t>(1, lot);
  const int64_t holding = sell ? held : -held;  // what this side can take off
  if (holding <= 0)
    return {0, std::string("the follower holds no ") + (sell ? "long" : "short") + " position to " +
                   (sell ? "sell" : "buy back") + " (net " + std::to_string(held) + ")"};
  const int64_t available = holding - std::max<int64_t>(0, in_flight);
  if (available <= 0)
    return {0, "the follower's position of " + std::to_string(holding) + " is already being closed by copies in flight"};
  if (flatten || fraction >= 1.0 - 1e-9) return {available, ""};
  if (fraction <= 0) return {0, "exit fraction " + std::to_string(fraction) + " is not positive"};
  // Rounded down: an exit never takes more than the master's share.
  const auto lots = static_cast<int64_t>(std::floor(static_cast<double>(available) * fraction / static_cast<double>(lot) + 1e-9));
  const int64_t quantity = std::min(available, lots * lot);
  if (quantity <= 0) {
    char f[32];
    std::snprintf(f, sizeof f, "%g", fraction);
    return {0, std::string(f) + " of the follower's position of " + std::to_string(available) +
                   " is less than one lot (" + std::to_string(lot) + ")"};
  }
  return {quantity, ""};
}

std::vector<int64_t> SliceLegs(int64_t quantity, int64_t max_per_order, int64_t lot) {
  std::vector<int64_t> out;
  if (quantity <= 0) return out;
  lot = std::max<int64_t>(1, lot);
  int64_t step = max_per_order;
  if (step > 0 && step >= lot) step = step / lot * lot;  // whole lots per leg
  if (step <= 0 || quantity <= step) return {quantity};
  for (int64_t left = quantity; left > 0; left -= step) out.push_back(std::min(left, step));
  return out;
}

}  // namespace ct::executor
