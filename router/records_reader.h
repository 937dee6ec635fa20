// Reads session records back, read-only, for `copytrade report` and the
// router's summary: from the router's journal (<state_dir>/router.db,
// table `records`, which SessionRecords fills) or, when there is no journal
// on this host, from the records files (<records_dir>/copy_trading_*.json).
//
// Never writes: the journal is opened SQLITE_OPEN_READONLY, so reading it
// while the router runs neither blocks nor changes it (WAL readers).
// A record's day is the IST day of its time (report time, or detection for
// a skip), the trading day.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "common/core/result.h"
#include "common/time/ist.h"

namespace ct::router {

struct RecordsSource {
  std::string journal_path;  // <state_dir>/router.db
  std::string records_dir;   // [paths] records_dir
};

struct DayRecords {
  std::vector<nlohmann::json> records;  // oldest first
  std::string read_from;                // the journal, or the files read
};

// Every record of `day`; of `follower_id` only when not empty. Errors: the
// journal exists but cannot be read (the message names the path).
Result<DayRecords, std::string> ReadDayRecords(const RecordsSource& source, ist::Day day,
                                               const std::string& follower_id = "");

// Records of one records file (its `records` array); empty when absent.
std::vector<nlohmann::json> ReadRecordsFile(const std::string& path);

}  // namespace ct::router
