// MasterOrderStore: the watcher's durable state for one IST trading day, in
// the watcher's journal: that the baseline was taken, every tracked order
// (baseline or not: its accepted view and how many events it produced) and
// the master's net positions. The tracker's state (order_tracker.h) is what
// it saves and restores; no other code of the watcher writes SQL.
//
// Saves run inside the caller's Journal::Transaction, so a change of state
// commits with the events it produced: after a crash nothing is published
// twice and nothing is lost. Only the current day is kept: a new baseline
// drops every older day. Owned and used by the loop's thread, like the
// journal.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "common/bus/journal.h"
#include "watcher/order_tracker.h"

namespace ct::watcher {

class MasterOrderStore {
 public:
  explicit MasterOrderStore(bus::Journal& journal);  // creates its tables

  // What was saved for `day` ("2026-01-05", IST); nullopt when no baseline
  // was taken that day.
  std::optional<TrackerState> Load(const std::string& day);
  // Makes `state` the baseline of `day`, dropping every other day.
  void SaveBaseline(const std::string& day, const TrackerState& state);
  void SaveOrder(const std::string& day, const std::string& orderid, const TrackedOrder& order);
  void SavePosition(const std::string& day, const std::string& key, int64_t net_quantity);

 private:
  bus::Journal& journal_;
  std::unique_ptr<bus::Statement> save_order_, save_position_;
};

}  // namespace ct::watcher
