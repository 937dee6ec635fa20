// RouterStore: the router's own state in its journal, typed, so that it
// survives a restart and commits in the same transaction as the stream
// cursor and the instructions it leads to:
//   - per follower: paused (until resumed);
//   - per follower and IST day: copies placed, the daily loss limit hit;
//   - per (master order, follower): what was decided (CopyMade: skipped,
//     held with the instructions approval sends, placed with its legs,
//     ended), and for a held copy when it was held and when it expires.
// No SQL outside this file. Used on the router loop's thread only; the
// caller opens the transaction.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/bus/journal.h"
#include "router/decision.h"

namespace ct::router {

struct HeldEntry {
  std::string master_order_id;
  std::string follower_id;
  CopyMade copy;  // state kHeld; copy.held are the instructions
  int64_t held_ns = 0;
  int64_t expires_ns = 0;
};

class RouterStore {
 public:
  explicit RouterStore(bus::Journal& journal);

  bool Paused(const std::string& follower);
  void SetPaused(const std::string& follower, bool paused);

  // `day`: "2026-12-08" (IST).
  int64_t OrdersToday(const std::string& follower, const std::string& day);
  void AddOrder(const std::string& follower, const std::string& day);
  bool LossLimitHit(const std::string& follower, const std::string& day);
  void SetLossLimitHit(const std::string& follower, const std::string& day);

  std::optional<CopyMade> Copy(const std::string& master_order_id, const std::string& follower);
  // held_ns / expires_ns only matter for a held copy.
  void SaveCopy(const std::string& master_order_id, const std::string& follower, const CopyMade& copy,
                int64_t held_ns = 0, int64_t expires_ns = 0);

  // Held copies, oldest first; Held(id) by copy id.
  std::vector<HeldEntry> AllHeld();
  std::optional<HeldEntry> Held(const std::string& copy_id);

 private:
  bus::Journal& journal_;
};

}  // namespace ct::router
