#include "common/instruments/load.h"

#include <chrono>

#include "common/log/log.h"
#include "common/time/ist.h"

namespace ct::instruments {

Result<LoadedInstruments, std::string> LoadInstruments(const config::Settings& settings, const Clock& clock,
                                                       std::shared_ptr<spdlog::logger> logger) {
  const auto downloader = MakeCurlDownloader();
  return LoadInstruments(settings, clock, *downloader, std::move(logger));
}

Result<LoadedInstruments, std::string> LoadInstruments(const config::Settings& settings, const Clock& clock,
                                                       Downloader& downloader, std::shared_ptr<spdlog::logger> logger) {
  if (!logger) logger = log::Get("instruments");
  const auto& config = settings.instruments;
  const ist::Day today = ist::DayOf(clock.wall_ns());
  const SteadyTime started = clock.steady();
  LoadedInstruments loaded;

  if (!config.file.empty()) {
    auto master = InstrumentMaster::LoadFile(config.file);
    if (!master) return master.error();
    loaded.master = std::make_shared<const InstrumentMaster>(std::move(*master));
    loaded.master_path = config.file;
  } else {
    DailyCopyOptions options;
    options.dir = settings.state_dir + "/instruments";
    options.url = config.url;
    options.timeout = std::chrono::milliseconds(config.download_timeout_ms);
    options.on_lock_wait = [&] {
      logger->info("another process is downloading the instrument master into {}: waiting for it", options.dir);
    };
    auto copy = LoadDailyCopy(options, today, downloader);
    if (!copy) return copy.error();
    if (copy->downloaded) logger->info("downloaded the instrument master from {} to {}", config.url, copy->path);
    loaded.warnings = std::move(copy->warnings);
    loaded.master = std::make_shared<const InstrumentMaster>(std::move(copy->master));
    loaded.master_path = copy->path;
  }
  const LoadStats& stats = loaded.master->stats();
  if (stats.skipped > 0) {
    std::string warning = std::to_string(stats.skipped) + " unusable rows of " + loaded.master_path + " skipped";
    if (!stats.skip_examples.empty()) warning += " (" + stats.skip_examples.front() + ")";
    loaded.warnings.push_back(std::move(warning));
  }

  loaded.freeze_path = config.freeze_file.empty() ? DefaultFreezeFile() : config.freeze_file;
  auto freeze = FreezeTable::LoadFile(loaded.freeze_path);
  if (!freeze) return freeze.error();
  loaded.freeze = std::make_shared<const FreezeTable>(std::move(*freeze));

  for (const auto& warning : loaded.warnings) logger->warn("{}", warning);
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(clock.steady() - started).count();
  logger->info("instruments: {} rows from {}, {} freeze quantities from {}, for {} IST ({} ms)", stats.rows,
               loaded.master_path, loaded.freeze->size(), loaded.freeze_path, ist::DateString(today), ms);
  return loaded;
}

}  // namespace ct::instruments
