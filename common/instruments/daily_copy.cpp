#include "common/instruments/daily_copy.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>
#include <utility>

namespace ct::instruments {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kPrefix = "OpenAPIScripMaster-";
constexpr std::string_view kSuffix = ".json";

std::string Errno(const std::string& what) { return what + ": " + std::strerror(errno); }

std::optional<ist::Day> CopyDay(std::string_view name) {
  if (!name.starts_with(kPrefix) || !name.ends_with(kSuffix)) return std::nullopt;
  name.remove_prefix(kPrefix.size());
  name.remove_suffix(kSuffix.size());
  return ist::ParseCompactDate(name);
}

// Which file a path names right now: a copy rewritten by another process
// is a different file even under the same name.
struct FileId {
  dev_t dev = 0;
  ino_t ino = 0;
  int64_t mtime_ns = 0;
  off_t size = 0;
  bool operator==(const FileId&) const = default;
};

std::optional<FileId> Identify(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return std::nullopt;
  return FileId{st.st_dev, st.st_ino, int64_t{st.st_mtim.tv_sec} * 1'000'000'000 + st.st_mtim.tv_nsec, st.st_size};
}

// An exclusive flock, released when destroyed. flock locks belong to the
// open file description, so two threads of one process exclude each other
// like two processes do.
class DownloadLock {
 public:
  static Result<DownloadLock, std::string> Acquire(const std::string& path, const std::function<void()>& on_wait) {
    const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) return Errno(path + ": cannot open the download lock");
    DownloadLock lock(fd);
    if (::flock(fd, LOCK_EX | LOCK_NB) == 0) return lock;
    if (errno != EWOULDBLOCK) return Errno(path + ": cannot lock");
    if (on_wait) on_wait();
    while (::flock(fd, LOCK_EX) != 0) {
      if (errno != EINTR) return Errno(path + ": cannot lock");
    }
    return lock;
  }
  DownloadLock(DownloadLock&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  DownloadLock& operator=(DownloadLock&&) = delete;
  ~DownloadLock() {
    if (fd_ >= 0) ::close(fd_);  // closing releases the lock
  }

 private:
  explicit DownloadLock(int fd) : fd_(fd) {}
  int fd_;
};

Result<Ok, std::string> SyncPath(const std::string& path, int flags) {
  const int fd = ::open(path.c_str(), flags | O_CLOEXEC);
  if (fd < 0) return Errno(path + ": cannot open");
  const int rc = ::fsync(fd);
  const int saved = errno;
  ::close(fd);
  errno = saved;
  if (rc != 0) return Errno(path + ": fsync");
  return Ok{};
}

// The validated download becomes today's copy in one rename, durable
// before anyone relies on it.
Result<Ok, std::string> Commit(const std::string& tmp, const std::string& dest, const std::string& dir) {
  if (auto r = SyncPath(tmp, O_RDONLY); !r) return r.error();
  if (::rename(tmp.c_str(), dest.c_str()) != 0) return Errno("rename " + tmp + " to " + dest);
  if (auto r = SyncPath(dir, O_RDONLY | O_DIRECTORY); !r) return r.error();
  return Ok{};
}

// Dated copies in `dir`, newest first.
std::vector<std::pair<ist::Day, std::string>> Copies(const std::string& dir) {
  std::vector<std::pair<ist::Day, std::string>> copies;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (const auto day = CopyDay(it->path().filename().string())) copies.emplace_back(*day, it->path().string());
  }
  std::sort(copies.begin(), copies.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
  return copies;
}

void Prune(const std::string& dir, ist::Day today, int keep_days, std::vector<std::string>& warnings) {
  const ist::Day oldest_kept = ist::AddDays(today, -keep_days);
  for (const auto& [day, path] : Copies(dir)) {
    if (day >= oldest_kept) continue;
    std::error_code ec;
    fs::remove(path, ec);
    if (ec) warnings.push_back("cannot delete the old instrument master " + path + ": " + ec.message());
  }
}

}  // namespace

std::string DailyCopyName(ist::Day day) {
  return std::string(kPrefix) + ist::CompactDateString(day) + std::string(kSuffix);
}

Result<DailyCopy, std::string> LoadDailyCopy(const DailyCopyOptions& options, ist::Day today, Downloader& downloader) {
  const std::string& dir = options.dir;
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return dir + ": cannot create the instruments folder: " + ec.message();

  const std::string today_path = dir + "/" + DailyCopyName(today);
  std::vector<std::string> warnings;
  std::optional<FileId> unreadable;  // today's copy as it was when it failed to parse
  auto read_today = [&]() -> std::optional<InstrumentMaster> {
    const auto id = Identify(today_path);
    if (!id || id == unreadable) return std::nullopt;
    auto master = InstrumentMaster::LoadFile(today_path);
    if (master) return std::move(*master);
    unreadable = id;
    warnings.push_back("today's instrument master is unreadable (" + master.error() + "): downloading it again");
    return std::nullopt;
  };

  if (auto master = read_today()) return DailyCopy{std::move(*master), today_path, false, std::move(warnings)};

  std::string failure;
  {
    auto lock = DownloadLock::Acquire(dir + "/.download.lock", options.on_lock_wait);
    if (!lock) {
      failure = lock.error();
    } else if (auto master = read_today()) {
      // Another process downloaded it while this one waited for the lock.
      return DailyCopy{std::move(*master), today_path, false, std::move(warnings)};
    } else {
      // One temporary name is enough: only the lock holder writes it.
      const std::string tmp = dir + "/.download.tmp";
      if (auto got = downloader.Download(options.url, tmp, options.timeout); !got) {
        failure = "download of " + options.url + " failed: " + got.error();
      } else if (auto fresh = InstrumentMaster::LoadFile(tmp); !fresh) {
        failure = "download of " + options.url + " is not a usable instrument master: " + fresh.error();
      } else if (auto committed = Commit(tmp, today_path, dir); !committed) {
        failure = "cannot keep the download of " + options.url + ": " + committed.error();
      } else {
        Prune(dir, today, options.keep_days, warnings);
        return DailyCopy{std::move(*fresh), today_path, true, std::move(warnings)};
      }
      fs::remove(tmp, ec);
    }
  }

  for (const auto& [day, path] : Copies(dir)) {
    if (day >= today) continue;
    auto master = InstrumentMaster::LoadFile(path);
    if (!master) {
      warnings.push_back("earlier instrument master unreadable: " + master.error());
      continue;
    }
    warnings.push_back(failure + "; using the copy of " + ist::DateString(day) + " (" + path + ")");
    return DailyCopy{std::move(*master), path, false, std::move(warnings)};
  }
  return "no instrument master: " + failure + "; and " + dir + " holds no earlier usable copy";
}

}  // namespace ct::instruments
