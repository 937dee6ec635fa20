// Router: turns each MasterOrderEvent into one CopyInstruction per enabled
// follower (filters, sizing, ordertag) and collects ExecutionReports into
// the session records (from each executor's reports stream).
//
// Exactly-once: the instructions for a master event and the "master" stream
// cursor commit in one journal transaction, so a crash either routed the
// event completely or not at all. Reports are stored by (follower,
// instruction seq), so a report that arrives twice is counted once.
//
// Lives on the process loop's thread.
#pragma once

#include <string>
#include <vector>

#include "common/bus/journal.h"
#include "common/bus/stream.h"
#include "common/config/env_file.h"
#include "common/config/settings.h"
#include "common/time/clock.h"
#include "copytrade.pb.h"

namespace ct::router {

struct FollowerTarget {
  config::FollowerSettings settings;
  std::string client_id;  // shown in records
};

class SessionRecords {
 public:
  // `file` is logs/copy_trading_YYYYMMDD_HHMMSS.json for this session.
  SessionRecords(bus::Journal& journal, std::string file, const std::vector<FollowerTarget>& followers);
  // Returns false for a report already recorded.
  bool Add(const copytrade::v1::ExecutionReport& report);
  void AddSkipped(const copytrade::v1::MasterOrderEvent& event, const FollowerTarget& follower,
                  const std::string& reason);
  void Write();  // atomically replaces the file
  // Writes only if a record changed since the last write. The router's loop
  // calls it on a short timer, so a burst of reports costs one rewrite.
  void Flush() {
    if (dirty_) Write();
  }
  const std::string& file() const { return file_; }

 private:
  bus::Journal& journal_;
  std::string file_;
  std::map<std::string, std::string> client_ids_;
  bool dirty_ = false;
};

class Router {
 public:
  Router(const config::Settings& settings, std::vector<FollowerTarget> followers, bus::Journal& journal,
         bus::StreamPublisher& publisher, SessionRecords& records, const Clock& clock);

  // StreamSubscriber::Apply for the "master" stream.
  bool ApplyMasterEvent(const bus::Envelope& envelope);
  // StreamSubscriber::Apply for each executor's "reports/<follower>" stream.
  bool ApplyReport(const bus::Envelope& envelope);
  const std::map<std::string, copytrade::v1::FollowerState>& follower_states() const { return follower_states_; }

 private:
  const config::Settings& settings_;
  std::vector<FollowerTarget> followers_;
  bus::Journal& journal_;
  bus::StreamPublisher& publisher_;
  SessionRecords& records_;
  const Clock& clock_;
  std::map<std::string, copytrade::v1::FollowerState> follower_states_;
};

// "logs/copy_trading_20261125_171502.json" for the given wall time (local).
std::string RecordsFileName(const std::string& dir, int64_t wall_ns);

}  // namespace ct::router
