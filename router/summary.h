// Session summary: the seed's statistics (total, successful, failed, plus
// partially filled, working, skipped and dry run) and the summary text the
// router prints when it stops, computed from session records (the JSON
// objects of logs/copy_trading_*.json's `records`). `copytrade report`
// prints the same from the journal for any day, so both share this code.
//
// Pure: no I/O, no clock. A record's class comes from its `state` exactly as
// SessionRecords::Write counts it: FILLED is successful; PARTIALLY_FILLED
// apart; ACCEPTED, MODIFIED and HELD working; SKIPPED and DRY_RUN apart (not
// copies); anything else (REJECTED, FAILED, STALE, CANCELLED) failed.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace ct::router {

struct Statistics {
  int64_t total_copies = 0;  // successful + failed + partially_filled + working
  int64_t successful = 0;
  int64_t failed = 0;
  int64_t partially_filled = 0;
  int64_t working = 0;
  int64_t skipped = 0;
  int64_t dry_run = 0;
  double success_rate = 0.0;  // successful * 100 / total_copies; 0 without copies

  bool operator==(const Statistics&) const = default;
};

struct FollowerFigures {
  std::string follower_id;  // "follower-2"
  std::string follower;     // the seed's `follower` field (client id)
  Statistics statistics;
};

struct SessionSummary {
  Statistics statistics;
  std::vector<FollowerFigures> followers;  // by follower_id
  int64_t records = 0;
};

// Adds one record (by its `state`) to `s`; recomputes success_rate.
void Count(Statistics& s, const std::string& state);

SessionSummary Summarize(const std::vector<nlohmann::json>& records);

// The `statistics` object of a records file (same keys and numbers).
nlohmann::json StatisticsJson(const Statistics& s);

// The printed summary: a title line, the totals, one line per follower,
// then `saved_to` (the records file or the journal read) when not empty.
std::string SummaryText(const SessionSummary& summary, const std::string& title, const std::string& saved_to);

// One line per record, the seed's columns first, then copytrade's
// (state, filled_quantity, fill_price, limit_price, master_price,
// slippage_bps, ordertag, reason, follower_id, timings_ms.*). RFC 4180
// quoting; a header line first.
std::string RecordsCsv(const std::vector<nlohmann::json>& records);

}  // namespace ct::router
