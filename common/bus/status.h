// StatusFile: what a process reports about itself for `copytrade status`.
// Every second (on the process loop) it rewrites <state_dir>/<process>.status.json
// atomically: the time, pid, each stream it publishes (last seq), each
// stream it subscribes to (applied seq, publisher up/down, gaps, dropped
// frames) and fields the process adds. A file whose time is old means the
// process is not running.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "common/bus/loop.h"
#include "common/bus/stream.h"
#include "common/time/clock.h"

namespace ct::bus {

class StatusFile {
 public:
  StatusFile(Loop& loop, const Clock& clock, std::string state_dir, std::string process);
  void Watch(const StreamPublisher& publisher) { publishers_.push_back(&publisher); }
  void Watch(const StreamSubscriber& subscriber) { subscribers_.push_back(&subscriber); }
  void Set(const std::string& key, nlohmann::json value) { extra_[key] = std::move(value); }
  void Write();
  static std::string PathFor(const std::string& state_dir, const std::string& process);

 private:
  const Clock& clock_;
  std::string path_;
  std::string process_;
  std::vector<const StreamPublisher*> publishers_;
  std::vector<const StreamSubscriber*> subscribers_;
  nlohmann::json extra_ = nlohmann::json::object();
};

}  // namespace ct::bus
