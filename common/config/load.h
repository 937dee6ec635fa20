// Start-up helper for every process: load copytrade.toml and .env, cross-
// check them, and on any problem print the one-line ConfigError to stderr
// and exit with code 2.
#pragma once

#include <string>

#include "common/config/env_file.h"
#include "common/config/settings.h"

namespace ct::config {

struct Loaded {
  Settings settings;
  EnvFile env;
};

Loaded LoadOrExit(const std::string& config_path, const std::string& env_path);

// For values checked after loading (e.g. a --follower flag naming a
// follower the .env lacks).
[[noreturn]] void ExitWithError(const ConfigError& error);

}  // namespace ct::config
