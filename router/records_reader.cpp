#include "router/records_reader.h"

#include <sqlite3.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>

namespace ct::router {
namespace {

bool OfFollower(const nlohmann::json& r, const std::string& follower_id) {
  return follower_id.empty() || r.value("follower_id", "") == follower_id;
}

Result<DayRecords, std::string> FromJournal(const std::string& path, ist::Day day, const std::string& follower_id) {
  sqlite3* db = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
  auto fail = [&](const std::string& what) {
    std::string msg = path + ": " + what + ": " + (db ? sqlite3_errmsg(db) : "cannot open");
    sqlite3_close(db);
    return msg;
  };
  if (rc != SQLITE_OK) return fail("open read-only");
  sqlite3_busy_timeout(db, 2000);
  DayRecords out;
  out.read_from = path;
  sqlite3_stmt* st = nullptr;
  // No table yet: a router that never recorded anything.
  if (sqlite3_prepare_v2(db, "SELECT 1 FROM sqlite_master WHERE type='table' AND name='records'", -1, &st,
                         nullptr) != SQLITE_OK)
    return fail("read");
  const bool has_table = sqlite3_step(st) == SQLITE_ROW;
  sqlite3_finalize(st);
  if (!has_table) {
    sqlite3_close(db);
    return out;
  }
  if (sqlite3_prepare_v2(db, "SELECT record FROM records WHERE time_ns >= ? AND time_ns < ? ORDER BY time_ns", -1,
                         &st, nullptr) != SQLITE_OK)
    return fail("read records");
  sqlite3_bind_int64(st, 1, ist::StartOfDayNs(day));
  sqlite3_bind_int64(st, 2, ist::StartOfDayNs(ist::AddDays(day, 1)));
  int step;
  while ((step = sqlite3_step(st)) == SQLITE_ROW) {
    const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
    auto rec = nlohmann::json::parse(text ? text : "", nullptr, /*allow_exceptions=*/false);
    if (rec.is_object() && OfFollower(rec, follower_id)) out.records.push_back(std::move(rec));
  }
  sqlite3_finalize(st);
  if (step != SQLITE_DONE) return fail("read records");
  sqlite3_close(db);
  return out;
}

// The files of `day` (copy_trading_YYYYMMDD_*.json, named by the router's
// start); a copy recorded in two sessions' files counts once (the later).
DayRecords FromFiles(const std::string& dir, ist::Day day, const std::string& follower_id) {
  DayRecords out;
  const std::string prefix = "copy_trading_" + ist::CompactDateString(day) + "_";
  std::vector<std::string> files;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
    const std::string name = e.path().filename().string();
    if (name.rfind(prefix, 0) == 0 && name.size() > 5 && name.substr(name.size() - 5) == ".json")
      files.push_back(e.path().string());
  }
  std::sort(files.begin(), files.end());
  std::map<std::string, nlohmann::json> by_tag;
  std::vector<std::string> order;
  for (const auto& f : files) {
    for (auto& r : ReadRecordsFile(f)) {
      if (!OfFollower(r, follower_id)) continue;
      const std::string tag = r.value("ordertag", "");
      if (!by_tag.count(tag)) order.push_back(tag);
      by_tag[tag] = std::move(r);
    }
    out.read_from += (out.read_from.empty() ? "" : ", ") + f;
  }
  for (const auto& tag : order) out.records.push_back(std::move(by_tag[tag]));
  if (out.read_from.empty()) out.read_from = dir + "/" + prefix + "*.json (none)";
  return out;
}

}  // namespace

std::vector<nlohmann::json> ReadRecordsFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return {};
  auto doc = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
  std::vector<nlohmann::json> out;
  if (!doc.is_object() || !doc.contains("records") || !doc["records"].is_array()) return out;
  for (auto& r : doc["records"])
    if (r.is_object()) out.push_back(std::move(r));
  return out;
}

Result<DayRecords, std::string> ReadDayRecords(const RecordsSource& source, ist::Day day,
                                               const std::string& follower_id) {
  std::error_code ec;
  if (!source.journal_path.empty() && std::filesystem::exists(source.journal_path, ec))
    return FromJournal(source.journal_path, day, follower_id);
  return FromFiles(source.records_dir, day, follower_id);
}

}  // namespace ct::router
