// `copytrade status`: reads the status files the processes write every
// second (common/bus/status.h) and tells, per process, whether it runs and
// whether the streams it depends on are up.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace ct::tools {

struct StatusReport {
  std::string text;
  bool healthy = true;  // every process running, every publisher up
};

// `files`: parsed status documents; a document older than `stale_ns` means
// the process is not running.
StatusReport RenderStatus(const std::vector<nlohmann::json>& files, int64_t now_ns, int64_t stale_ns = 5'000'000'000);

// Reads <state_dir>/*.status.json, prints the report (or the raw documents
// with --json). Exit code 0 when healthy, 1 otherwise.
int RunStatus(const std::string& state_dir, bool json);

}  // namespace ct::tools
