// What every copytrade process does first: the --config/--env/--version
// flags, and opening its journal under state_dir.
#pragma once

#include <CLI/CLI.hpp>

#include <memory>
#include <string>

#include "common/bus/journal.h"
#include "common/config/settings.h"

namespace ct::startup {

struct ConfigPaths {
  std::string config = "copytrade.toml";
  std::string env = ".env";
};

void AddConfigFlags(CLI::App& app, ConfigPaths& paths);

// Opens <state_dir>/<name>.db; a journal that cannot be opened is fatal
// (logged, exit 1: supervisord retries, the operator sees why).
std::unique_ptr<bus::Journal> OpenJournalOrExit(const config::Settings& settings, const std::string& name);

}  // namespace ct::startup
