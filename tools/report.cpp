#include "tools/report.h"

#include <cstdio>

#include "common/config/load.h"
#include "common/time/ist.h"
#include "router/records_reader.h"
#include "router/summary.h"

namespace ct::tools {

CLI::App* AddReportCommand(CLI::App& app, ReportOptions& o) {
  auto* cmd = app.add_subcommand("report", "a day's session summary and records, rebuilt from the router's journal");
  cmd->add_option("--config", o.config_path, "copytrade.toml");
  cmd->add_option("--date", o.date, "trading day (IST), YYYY-MM-DD or YYYYMMDD; default today");
  cmd->add_option("--follower", o.follower, "only this follower: N or follower-N");
  cmd->add_flag("--csv", o.csv, "the records as CSV, one line each");
  cmd->add_flag("--json", o.json, "records and statistics as JSON");
  return cmd;
}

int RunReport(const ReportOptions& o, int64_t now_wall_ns) {
  auto settings = config::LoadSettings(o.config_path);
  if (!settings.ok()) config::ExitWithError(settings.error());
  ist::Day day = ist::DayOf(now_wall_ns);
  if (!o.date.empty()) {
    auto parsed = ist::ParseDate(o.date);
    if (!parsed) parsed = ist::ParseCompactDate(o.date);
    if (!parsed) {
      std::fprintf(stderr, "--date: expected YYYY-MM-DD or YYYYMMDD, got '%s'\n", o.date.c_str());
      return 2;
    }
    day = *parsed;
  }
  std::string follower_id = o.follower;
  if (!follower_id.empty() && follower_id.find_first_not_of("0123456789") == std::string::npos)
    follower_id = "follower-" + follower_id;
  if (!follower_id.empty() && follower_id.rfind("follower-", 0) != 0) {
    std::fprintf(stderr, "--follower: expected N or follower-N, got '%s'\n", o.follower.c_str());
    return 2;
  }
  const auto read = router::ReadDayRecords({settings->state_dir + "/router.db", settings->records_dir}, day,
                                           follower_id);
  if (!read.ok()) {
    std::fprintf(stderr, "%s\n", read.error().c_str());
    return 1;
  }
  const auto summary = router::Summarize(read->records);
  if (o.csv) {
    std::fputs(router::RecordsCsv(read->records).c_str(), stdout);
  } else if (o.json) {
    nlohmann::json followers = nlohmann::json::object();
    for (const auto& f : summary.followers) followers[f.follower_id] = router::StatisticsJson(f.statistics);
    const nlohmann::json doc = {{"date", ist::DateString(day)},
                                {"read_from", read->read_from},
                                {"records", read->records},
                                {"statistics", router::StatisticsJson(summary.statistics)},
                                {"followers", followers}};
    std::printf("%s\n", doc.dump(2).c_str());
  } else {
    std::string title = "COPY TRADING SUMMARY " + ist::DateString(day);
    if (!follower_id.empty()) title += " (" + follower_id + ")";
    std::fputs(router::SummaryText(summary, title, "").c_str(), stdout);
    std::printf("📁 Read from: %s\n", read->read_from.c_str());
  }
  return 0;
}

}  // namespace ct::tools
