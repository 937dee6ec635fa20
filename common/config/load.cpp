#include "common/config/load.h"

#include <cstdio>
#include <cstdlib>

namespace ct::config {

void ExitWithError(const ConfigError& error) {
  std::fprintf(stderr, "%s\n", error.ToString().c_str());
  std::exit(kConfigErrorExitCode);
}

Loaded LoadOrExit(const std::string& config_path, const std::string& env_path) {
  auto env = LoadEnvFile(env_path);
  if (!env.ok()) ExitWithError(env.error());
  auto settings = LoadSettings(config_path);
  if (!settings.ok()) ExitWithError(settings.error());
  if (auto err = CrossCheck(*settings, *env)) ExitWithError(*err);
  return Loaded{std::move(settings).value(), std::move(env).value()};
}

}  // namespace ct::config
