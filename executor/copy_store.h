// CopyStore: the executor's copies in its journal, one CopyRecord per
// ordertag, and the master-order -> follower-copies map (a master order's
// legs), so a mirrored modify or cancel finds its copies after a restart. Save() joins the caller's Journal::Transaction, so a copy's
// new state, the reports it produced and the stream cursor commit
// together. Owned and used by the executor's loop thread.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/bus/journal.h"
#include "copytrade.pb.h"

namespace ct::executor {

class CopyStore {
 public:
  explicit CopyStore(bus::Journal& journal);

  bool Exists(const std::string& ordertag);
  std::optional<copytrade::v1::CopyRecord> Load(const std::string& ordertag);
  // Inside journal.Transaction().
  void Save(const copytrade::v1::CopyRecord& record, int64_t now_ns);
  // Every copy not yet final, in the order they arrived.
  std::vector<copytrade::v1::CopyRecord> Unfinished();
  // The ordertags of every copy (final or not) of a master order.
  std::vector<std::string> OfMaster(const std::string& master_order_id);
  // Copies that ended at or after `since_ns`, counted by final outcome
  // (its enum name without OUTCOME_: "FILLED", "REJECTED", ...).
  std::map<std::string, int64_t> FinalCountsSince(int64_t since_ns);

 private:
  bus::Journal& journal_;
  std::unique_ptr<bus::Statement> exists_, load_, save_, save_master_;
};

}  // namespace ct::executor
