// What every copytrade process does first: the --config/--env/--version
// flags, and opening its journal under state_dir.
#pragma once

#include <CLI/CLI.hpp>

#include <memory>
#include <string>

#include "common/bus/journal.h"
#include "common/config/settings.h"

namespace ct::startup {

// Exit codes every copytrade process uses; the supervisord configuration
// (`copytrade deploy supervisord`) lists 0, 2 and 3 in `exitcodes` with
// `autorestart=unexpected`, so none of them is restarted:
//   2 (config::kConfigErrorExitCode): the configuration is wrong;
//   kFailClosedExitCode: the process stopped on purpose to fail closed (a
//     risk limit hit, a state it must not trade through); restarting it
//     would trade again. An operator looks, then starts it by hand.
// Any other exit (1, a crash) is unexpected: supervisord restarts it.
inline constexpr int kFailClosedExitCode = 3;

struct ConfigPaths {
  std::string config = "copytrade.toml";
  std::string env = ".env";
};

void AddConfigFlags(CLI::App& app, ConfigPaths& paths);

// Opens <state_dir>/<name>.db; a journal that cannot be opened is fatal
// (logged, exit 1: supervisord retries, the operator sees why).
std::unique_ptr<bus::Journal> OpenJournalOrExit(const config::Settings& settings, const std::string& name);

}  // namespace ct::startup
