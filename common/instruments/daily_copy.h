// The instrument master's daily copy: when `[instruments] file` is empty,
// Angel One's file is downloaded once per IST day into
// <state_dir>/instruments/OpenAPIScripMaster-YYYYMMDD.json and read from
// there for the rest of the day.
//
// LoadDailyCopy, for IST day `today`:
//   1. today's copy, if present and readable, is used without a download;
//   2. else, under an exclusive lock (flock on `.download.lock` in the
//      folder) — the router and every executor start at once and must not
//      download the file five times — today's copy is looked for again (a
//      process that held the lock may just have written it), then the file
//      is downloaded to a temporary file, validated by parsing, and renamed
//      into place atomically: a failed or corrupt download never replaces
//      or hides a good copy. Copies older than `keep_days` are then pruned;
//   3. if the download or its parse fails, the newest earlier copy is used
//      and a warning says so (the caller logs it); with no earlier copy
//      either, the result is an error.
//
// Downloader is the one HTTP call, an interface so unit tests use a fake;
// MakeCurlDownloader is the production one (libcurl). LoadDailyCopy blocks
// (file I/O, the download, waiting for the lock): call it at start-up.
// Concurrent calls, from threads or processes, are safe.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/core/result.h"
#include "common/instruments/instrument_master.h"
#include "common/time/ist.h"

namespace ct::instruments {

class Downloader {
 public:
  virtual ~Downloader() = default;
  // GET `url` into the file `path` (created or truncated). An HTTP status
  // other than 2xx, a timeout over `timeout` or a write failure is an
  // error naming the URL.
  virtual Result<Ok, std::string> Download(const std::string& url, const std::string& path,
                                           std::chrono::milliseconds timeout) = 0;
};

std::unique_ptr<Downloader> MakeCurlDownloader();

struct DailyCopyOptions {
  std::string dir;  // <state_dir>/instruments; created if missing
  std::string url;
  std::chrono::milliseconds timeout{60'000};
  int keep_days = 7;  // copies dated before today - keep_days are deleted after a download
  // Called when another process holds the download lock, before waiting
  // for it (tests line up on it).
  std::function<void()> on_lock_wait;
};

struct DailyCopy {
  InstrumentMaster master;
  std::string path;  // the copy it was read from
  bool downloaded = false;
  std::vector<std::string> warnings;  // for the caller to log: a stale copy in use, an unreadable one
};

// The file name of the copy for `day`: "OpenAPIScripMaster-20260201.json".
std::string DailyCopyName(ist::Day day);

Result<DailyCopy, std::string> LoadDailyCopy(const DailyCopyOptions& options, ist::Day today, Downloader& downloader);

}  // namespace ct::instruments
