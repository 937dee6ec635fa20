#include "router/summary.h"

#include <cstdio>
#include <map>
#include <sstream>

namespace ct::router {
namespace {

std::string Line(const char* label, int64_t value) {
  char buf[96];
  std::snprintf(buf, sizeof buf, "  %-20s %lld\n", label, static_cast<long long>(value));
  return buf;
}

std::string Cell(const nlohmann::json& v) {
  std::string s;
  if (v.is_null()) return "";
  if (v.is_string()) s = v.get<std::string>();
  else if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
  else s = v.dump();
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

}  // namespace

void Count(Statistics& s, const std::string& state) {
  if (state == "SKIPPED") ++s.skipped;
  else if (state == "DRY_RUN") ++s.dry_run;
  else if (state == "FILLED") ++s.successful;
  else if (state == "PARTIALLY_FILLED") ++s.partially_filled;
  else if (state == "ACCEPTED" || state == "MODIFIED" || state == "HELD" || state == "APPROVED")
    ++s.working;
  else ++s.failed;
  s.total_copies = s.successful + s.partially_filled + s.failed + s.working;
  s.success_rate = s.total_copies ? static_cast<double>(s.successful) * 100.0 / static_cast<double>(s.total_copies) : 0.0;
}

SessionSummary Summarize(const std::vector<nlohmann::json>& records) {
  SessionSummary out;
  std::map<std::string, FollowerFigures> by_follower;
  for (const auto& r : records) {
    if (!r.is_object()) continue;
    const std::string state = r.value("state", r.value("outcome", std::string("UNSPECIFIED")));
    Count(out.statistics, state);
    const std::string id = r.value("follower_id", r.value("follower", std::string("?")));
    auto& f = by_follower[id];
    f.follower_id = id;
    if (f.follower.empty() && r.contains("follower") && r["follower"].is_string()) f.follower = r["follower"];
    Count(f.statistics, state);
    ++out.records;
  }
  for (auto& [id, f] : by_follower) out.followers.push_back(std::move(f));
  return out;
}

nlohmann::json StatisticsJson(const Statistics& s) {
  return {{"total_copies", s.total_copies}, {"successful", s.successful},
          {"failed", s.failed},             {"partially_filled", s.partially_filled},
          {"working", s.working},           {"skipped", s.skipped},
          {"dry_run", s.dry_run},           {"success_rate", s.success_rate}};
}

std::string SummaryText(const SessionSummary& summary, const std::string& title, const std::string& saved_to) {
  const auto& s = summary.statistics;
  std::ostringstream o;
  const std::string rule(60, '=');
  o << rule << "\n📊 " << title << "\n" << rule << "\n";
  o << Line("Total copies:", s.total_copies) << Line("Successful:", s.successful) << Line("Failed:", s.failed)
    << Line("Partially filled:", s.partially_filled) << Line("Still working:", s.working)
    << Line("Skipped:", s.skipped) << Line("Dry run:", s.dry_run);
  char rate[64];
  std::snprintf(rate, sizeof rate, "  %-20s %.1f%%\n", "Success rate:", s.success_rate);
  o << rate;
  if (!summary.followers.empty()) {
    o << "  Per follower:\n";
    for (const auto& f : summary.followers) {
      const auto& fs = f.statistics;
      char line[256];
      std::snprintf(line, sizeof line,
                    "    %-12s %-10s copies %lld, successful %lld, failed %lld, partial %lld, working %lld, "
                    "skipped %lld, dry run %lld\n",
                    f.follower_id.c_str(), f.follower.c_str(), static_cast<long long>(fs.total_copies),
                    static_cast<long long>(fs.successful), static_cast<long long>(fs.failed),
                    static_cast<long long>(fs.partially_filled), static_cast<long long>(fs.working),
                    static_cast<long long>(fs.skipped), static_cast<long long>(fs.dry_run));
      o << line;
    }
  }
  o << rule << "\n";
  if (!saved_to.empty()) o << "📁 Records saved to: " << saved_to << "\n";
  return o.str();
}

std::string RecordsCsv(const std::vector<nlohmann::json>& records) {
  static const std::vector<std::string> kColumns{
      "timestamp", "master_order_id", "symbol", "transaction_type", "quantity", "price", "follower", "success",
      "follower_order_id", "error", "state", "filled_quantity", "fill_price", "limit_price", "master_price",
      "slippage_bps", "modifications", "ordertag", "reason", "follower_id", "exchange", "order_type"};
  static const std::vector<std::string> kTimings{"routed", "instruction_received", "request_sent",
                                                 "accepted", "first_fill", "final"};
  std::ostringstream o;
  for (size_t i = 0; i < kColumns.size(); ++i) o << (i ? "," : "") << kColumns[i];
  for (const auto& t : kTimings) o << ",timings_ms." << t;
  o << "\r\n";
  for (const auto& r : records) {
    for (size_t i = 0; i < kColumns.size(); ++i) o << (i ? "," : "") << Cell(r.value(kColumns[i], nlohmann::json()));
    const auto timings = r.value("timings_ms", nlohmann::json::object());
    for (const auto& t : kTimings) o << "," << Cell(timings.value(t, nlohmann::json()));
    o << "\r\n";
  }
  return o.str();
}

}  // namespace ct::router
