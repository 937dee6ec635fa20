#include "tools/status.h"

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace ct::tools {

StatusReport RenderStatus(const std::vector<nlohmann::json>& files, int64_t now_ns, int64_t stale_ns) {
  StatusReport report;
  std::ostringstream out;
  char line[256];
  std::snprintf(line, sizeof line, "%-12s %-8s %s\n", "PROCESS", "STATE", "DETAIL");
  out << line;
  for (const auto& doc : files) {
    const std::string process = doc.value("process", "?");
    const int64_t age_ns = now_ns - doc.value("time_ns", int64_t{0});
    std::string state = "running";
    std::string detail;
    if (doc.value("stopped", false)) {
      state = "stopped";
      report.healthy = false;
    } else if (age_ns > stale_ns) {
      state = "DOWN";
      detail = "last seen " + std::to_string(age_ns / 1'000'000'000) + " s ago; ";
      report.healthy = false;
    }
    const auto subs = doc.value("subscribes", nlohmann::json::object());
    for (const auto& [stream, s] : subs.items()) {
      const bool up = s.value("publisher_up", false);
      if (!up && state == "running") report.healthy = false;
      detail += stream + ": applied " + std::to_string(s.value("applied_seq", 0ULL)) +
                (up ? ", publisher up" : ", publisher DOWN");
      if (s.value("dropped_frames", 0ULL) > 0) detail += ", " + std::to_string(s.value("dropped_frames", 0ULL)) + " bad frames dropped";
      detail += "; ";
    }
    const auto pubs = doc.value("publishes", nlohmann::json::object());
    if (!pubs.empty()) {
      detail += "publishes";
      for (const auto& [stream, s] : pubs.items()) detail += " " + stream + "@" + std::to_string(s.value("last_seq", 0ULL));
      detail += "; ";
    }
    if (doc.contains("order_feed_connected"))
      detail += std::string("order feed ") + (doc["order_feed_connected"].get<bool>() ? "connected" : "disconnected") + "; ";
    if (doc.value("dry_run", false)) detail += "DRY RUN; ";
    if (detail.size() >= 2) detail.resize(detail.size() - 2);
    std::snprintf(line, sizeof line, "%-12s %-8s ", process.c_str(), state.c_str());
    out << line << detail << "\n";
  }
  if (files.empty()) {
    out << "no status files: nothing has run with this state_dir\n";
    report.healthy = false;
  }
  report.text = out.str();
  return report;
}

int RunStatus(const std::string& state_dir, bool json) {
  std::vector<nlohmann::json> files;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(state_dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.size() < 12 || name.substr(name.size() - 12) != ".status.json") continue;
    std::ifstream in(entry.path());
    auto doc = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
    if (doc.is_object()) files.push_back(std::move(doc));
  }
  std::sort(files.begin(), files.end(),
            [](const nlohmann::json& a, const nlohmann::json& b) { return a.value("process", "") < b.value("process", ""); });
  const int64_t now = std::chrono::duration_cast<std::chrono::nanoseconds>(
                          std::chrono::system_clock::now().time_since_epoch()).count();
  const StatusReport report = RenderStatus(files, now);
  if (json) {
    std::printf("%s\n", nlohmann::json(files).dump(2).c_str());
  } else {
    std::printf("%s", report.text.c_str());
  }
  return report.healthy ? 0 : 1;
}

}  // namespace ct::tools
