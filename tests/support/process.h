// Test support: real child processes (the copytrade binaries) with their
// output in files, readiness by waiting for a log line, and real signals.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <string>
#include <vector>

namespace ct::testing {

// A temporary directory removed at destruction (unless CT_KEEP_TMP is set).
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::string& path() const { return path_; }
  std::string operator/(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

class ChildProcess {
 public:
  // Starts `argv[0]` (absolute path) with stdout and stderr appended to
  // `log_file`.
  ChildProcess(std::vector<std::string> argv, std::string log_file);
  ~ChildProcess();  // SIGKILL if still running
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }
  bool running();
  void Signal(int sig);
  // Waits for exit; returns the exit code (128+signal if killed), -1 on timeout.
  int Wait(std::chrono::milliseconds timeout = std::chrono::seconds(10));
  // SIGTERM, then SIGKILL after `grace`.
  int Stop(std::chrono::milliseconds grace = std::chrono::seconds(5));

  // Waits until the log contains `needle` (counting occurrences: waits for
  // the n-th). False on timeout or if the process exited first.
  bool WaitForLog(const std::string& needle, std::chrono::milliseconds timeout = std::chrono::seconds(15),
                  int occurrence = 1);
  std::string Log() const;
  const std::string& log_file() const { return log_file_; }

 private:
  std::vector<std::string> argv_;
  std::string log_file_;
  pid_t pid_ = -1;
  int status_ = 0;
  bool exited_ = false;
};

std::string ReadFile(const std::string& path);
void WriteFile(const std::string& path, const std::string& text);
std::string BinPath(const std::string& name);  // CT_BIN_DIR/name

// Polls `pred` every 20 ms until true or `timeout`. For conditions observed
// in another process (a broker's order book), where no event can be had.
template <typename Pred>
bool Eventually(Pred pred, std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (pred()) return true;
    struct timespec ts {0, 20'000'000};
    nanosleep(&ts, nullptr);
  }
  return pred();
}

}  // namespace ct::testing
