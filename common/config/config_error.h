// ConfigError: names the file, the key (or line) and the problem. Processes
// print ToString() as one line and exit with code 2.
#pragma once

#include <string>

namespace ct::config {

struct ConfigError {
  std::string file;
  std::string key;  // "copy.quantity_rule", "FOLLOWER_2_PASSWORD", "line 7"
  std::string problem;
  std::string ToString() const { return "config error: " + file + ": " + key + ": " + problem; }
};

constexpr int kConfigErrorExitCode = 2;

}  // namespace ct::config
