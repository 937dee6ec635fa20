#include "common/bus/status.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace ct::bus {

StatusFile::StatusFile(Loop& loop, const Clock& clock, std::string state_dir, std::string process)
    : clock_(clock), path_(PathFor(state_dir, process)), process_(std::move(process)) {
  loop.Every(std::chrono::milliseconds(1000), [this] { Write(); });
}

std::string StatusFile::PathFor(const std::string& state_dir, const std::string& process) {
  return (std::filesystem::path(state_dir) / (process + ".status.json")).string();
}

void StatusFile::Write() {
  nlohmann::json doc = {{"process", process_}, {"pid", getpid()}, {"time_ns", clock_.wall_ns()}};
  nlohmann::json published = nlohmann::json::object();
  for (const auto* p : publishers_) {
    for (const auto& [stream, seq] : p->streams()) published[stream] = {{"last_seq", seq}};
  }
  nlohmann::json subscribed = nlohmann::json::object();
  for (const auto* s : subscribers_) {
    const auto& d = s->drops();
    subscribed[s->stream()] = {{"applied_seq", s->applied_seq()},
                               {"publisher_up", s->publisher_up()},
                               {"gaps", s->gaps()},
                               {"duplicates", d.duplicates},
                               {"dropped_frames", d.total()}};
  }
  doc["publishes"] = published;
  doc["subscribes"] = subscribed;
  for (auto& [k, v] : extra_.items()) doc[k] = v;
  const std::string tmp = path_ + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << doc.dump() << "\n";
    if (!out) return;  // a full disk must not stop copying; the next tick retries
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path_, ec);
}

}  // namespace ct::bus
