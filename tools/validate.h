// `copytrade validate`: checks a deployment before it runs, one line per
// check, the way users know from validate_setup.py:
//   ✅ <check>: <detail>     ❌ <check>: <problem>     ⚠ <check>: <detail>
// Exit 0 when nothing failed (a ⚠ does not fail), 1 on any ❌, 2 when
// copytrade.toml or .env does not parse (then nothing else is checked).
//
// The checks, in order: copytrade.toml parses; .env parses; every account
// has all its credentials (and every [followers.<n>] has an account); .env
// is readable by its owner only (⚠ otherwise); TOTP secrets are base32; a
// real login to every account against the configured broker (a wrong TOTP
// secret fails here); this host's clock against the broker's Date header,
// under 1 s; each follower's source_address is an address of this host;
// the instrument data loads ([instruments], common/instruments); every bus
// endpoint this host binds can be bound (or is in use by a
// running copytrade that answers a connect), and the endpoints of processes
// on other hosts answer a connect.
//
// `--offline` skips the network: logins, the broker's clock, other hosts,
// an instrument master that would be downloaded.
// `--host NAME` checks only what [deploy] places on NAME (see
// deploy/README.md); without it, every process runs on this host. Relative
// ipc:// paths are taken from copytrade.toml's folder, the processes'
// working directory under `copytrade deploy supervisord`.
//
// No line carries a secret: accounts are named by id and client id, and
// problems come from typed errors, masked.
#pragma once

#include <CLI/CLI.hpp>

#include <functional>
#include <string>
#include <vector>

#include "tools/probes.h"

namespace ct::tools {

enum class CheckStatus { kOk, kWarn, kFail };

struct CheckLine {
  CheckStatus status = CheckStatus::kOk;
  std::string check;   // "login follower-2"
  std::string detail;  // what was found, or the problem
  std::string Render() const;  // "✅ login follower-2: F102 logged in"
};

struct ValidateOptions {
  std::string config_path = "copytrade.toml";
  std::string env_path = ".env";
  std::string host;  // empty: every process on this host
  bool offline = false;
};

struct ValidateReport {
  std::vector<CheckLine> lines;
  int exit_code = 0;
};

// Runs every check; `sleep` paces the clock measurement; `on_line` sees
// each line as it is decided (logins take a moment each).
ValidateReport Validate(const ValidateOptions& options, const Clock& clock, const Sleeper& sleep,
                        const std::function<void(const CheckLine&)>& on_line = {});

CLI::App* AddValidateCommand(CLI::App& app, ValidateOptions& options);
// Prints each line as it is decided; returns the exit code.
int RunValidate(const ValidateOptions& options);

}  // namespace ct::tools
