// PositionBook: the follower's net position per instrument and product
// (exchange + symboltoken + producttype), as the executor knows it: loaded
// from getPosition at start, then moved by the follower's own fills. Exits
// are sized from it, so a follower that entered in two steps leaves in one
// without going short.
//
// SizeExit and SliceLegs are pure functions. Owned and used by the
// executor's loop thread.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "common/smartapi/client.h"
#include "copytrade.pb.h"

namespace ct::executor {

class PositionBook {
 public:
  // Replaces the book with the broker's rows (netqty per row).
  void Load(const std::vector<smartapi::Position>& rows);
  // A fill of `signed_quantity` units (+ bought, - sold) of `order`'s instrument.
  void Fill(const copytrade::v1::Order& order, int64_t signed_quantity);
  // Signed net units of `order`'s instrument and product (0: none).
  int64_t Net(const copytrade::v1::Order& order) const;
  // Every position not flat.
  std::vector<copytrade::v1::PositionEntry> Entries() const;
  bool loaded() const { return loaded_; }
  void set_loaded() { loaded_ = true; }

 private:
  static std::string Key(const std::string& exchange, const std::string& token, const std::string& product);
  std::map<std::string, copytrade::v1::PositionEntry> rows_;
  bool loaded_ = false;
};

struct ExitSize {
  int64_t quantity = 0;  // units to place; 0 = skip for `skipped`
  std::string skipped;
};

// An exit's quantity: |position| x fraction, rounded DOWN to whole lots;
// the whole position when `flatten` (the master went flat). Never more
// than is held less what exits already in flight will take (`in_flight`,
// units), so the follower never ends on the other side, and never a
// residue when the master goes flat.
//   held: the follower's signed net position; sell: the exit's side.
ExitSize SizeExit(int64_t held, bool sell, double fraction, bool flatten, int64_t lot, int64_t in_flight);

// `quantity` in orders of at most `max_per_order` units (the freeze
// quantity; 0 = no limit), each a whole number of lots when the limit is
// at least one lot. The last order carries the remainder.
std::vector<int64_t> SliceLegs(int64_t quantity, int64_t max_per_order, int64_t lot);

}  // namespace ct::executor
