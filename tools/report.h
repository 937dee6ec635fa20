// `copytrade report [--date D] [--follower N] [--csv] [--json]`: the session
// summary of any day, rebuilt from the router's journal (read-only), or from
// the records files when this host has no journal (router/records_reader.h).
// Prints the same summary as the router on stop (router/summary.h); --csv
// the records, one line each; --json {"date", "records", "statistics",
// "followers"}.
#pragma once

#include <CLI/CLI.hpp>

#include <string>

namespace ct::tools {

struct ReportOptions {
  std::string config_path = "copytrade.toml";
  std::string date;      // YYYY-MM-DD or YYYYMMDD (IST); empty: today
  std::string follower;  // "2" or "follower-2"; empty: all
  bool csv = false;
  bool json = false;
};

CLI::App* AddReportCommand(CLI::App& app, ReportOptions& options);
// 0, or 2 for a bad --date/--follower or config; 1 when the journal cannot be read.
int RunReport(const ReportOptions& options, int64_t now_wall_ns);

}  // namespace ct::tools
