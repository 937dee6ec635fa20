// LoadInstruments: the one call a process makes at start-up to get its
// instrument data from the settings:
//   - the master from `[instruments] file` when set, else the daily copy
//     downloaded from `url` into <state_dir>/instruments (daily_copy.h),
//     for the IST day of `clock`;
//   - the freeze quantities from `[instruments] freeze_file` when set,
//     else from the file shipped with copytrade (DefaultFreezeFile()).
// It logs what it loaded and every warning (a stale copy in use, skipped
// rows) on `logger`, and also returns the warnings so a process can show
// them in its status. An error names the file (or URL) and the problem.
//
// Blocks on file I/O and possibly a download: call it before the loop
// starts. The returned data is immutable and shared: hand the pointers to
// any thread.
#pragma once

#include <spdlog/spdlog.h>

#include <memory>
#include <string>
#include <vector>

#include "common/config/settings.h"
#include "common/core/result.h"
#include "common/instruments/daily_copy.h"
#include "common/instruments/freeze_quantities.h"
#include "common/instruments/instrument_master.h"
#include "common/time/clock.h"

namespace ct::instruments {

struct LoadedInstruments {
  std::shared_ptr<const InstrumentMaster> master;
  std::shared_ptr<const FreezeTable> freeze;
  std::string master_path;  // the file the master was read from
  std::string freeze_path;
  std::vector<std::string> warnings;  // already logged
};

Result<LoadedInstruments, std::string> LoadInstruments(const config::Settings& settings, const Clock& clock,
                                                       std::shared_ptr<spdlog::logger> logger);

// The same with the HTTP download given (tests pass a fake).
Result<LoadedInstruments, std::string> LoadInstruments(const config::Settings& settings, const Clock& clock,
                                                       Downloader& downloader, std::shared_ptr<spdlog::logger> logger);

}  // namespace ct::instruments
