// `copytrade status [--json] [--watch [S]]`: reads the status files the
// processes write every second (common/bus/status.h) and tells
//  - per process: running, stopped or DOWN (file older than `stale_ns`),
//    the streams it publishes and whether the ones it reads are up;
//  - per follower: executor running, broker connected (broker_ok), its
//    order feed, paused (router's followers{id}.paused, else the
//    executor's), the applied sequence of its instruction stream and the lag
//    behind the router's last published seq, copies still working, copies
//    today by final state, the last error;
//  - the watcher: its order feed and the age of its last order book poll.
// Fields are added by each process (briefing contract); one that a process
// does not write is shown as "?" (null in --json), never guessed.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace ct::tools {

struct StatusReport {
  std::string text;
  nlohmann::json json;   // {"healthy", "processes": [...], "followers": [...], "watcher": {...}}
  bool healthy = true;  // every process running, every publisher up, no follower's broker down
};

// `files`: parsed status documents.
StatusReport RenderStatus(const std::vector<nlohmann::json>& files, int64_t now_ns, int64_t stale_ns = 5'000'000'000);

// The parsed <state_dir>/*.status.json, by process name.
std::vector<nlohmann::json> ReadStatusFiles(const std::string& state_dir);

// Prints the report (--json: the report's json). With `watch_s` > 0,
// clears the screen and prints again every `watch_s` seconds until
// interrupted. Exit code 0 when healthy, 1 otherwise.
int RunStatus(const std::string& state_dir, bool json, double watch_s = 0);

}  // namespace ct::tools
