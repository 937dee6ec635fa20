#include "common/startup/process.h"

#include <cstdlib>
#include <filesystem>

#include "common/log/log.h"

namespace ct::startup {

void AddConfigFlags(CLI::App& app, ConfigPaths& paths) {
  app.add_option("--config", paths.config, "copytrade.toml with the settings");
  app.add_option("--env", paths.env, ".env with the accounts' credentials");
  app.set_version_flag("--version", COPYTRADE_VERSION);
}

std::unique_ptr<bus::Journal> OpenJournalOrExit(const config::Settings& settings, const std::string& name) {
  std::error_code ec;
  std::filesystem::create_directories(settings.state_dir, ec);
  auto journal = bus::Journal::Open(settings.state_dir + "/" + name + ".db");
  if (!journal.ok()) {
    log::Get("journal")->critical("{}", journal.error());
    std::exit(1);
  }
  return std::move(journal).value();
}

}  // namespace ct::startup
