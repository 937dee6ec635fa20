// SimProcess: runs the real copytrade-sim binary for contract tests and
// benchmarks. Writes a throwaway .env (a master and followers with fresh
// TOTP secrets) into a temporary directory, starts
// `copytrade-sim --env FILE --port 0`, waits for its readiness line
// ("copytrade-sim listening on 127.0.0.1:<port>") and stops it (SIGTERM,
// then SIGKILL) on destruction. Test support only; header-only so it adds
// nothing to ct_smartapi. Not thread-safe.
#pragma once

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "common/smartapi/client.h"
#include "common/totp/totp.h"

extern char** environ;

namespace ct::smartapi::testing {

struct SimAccountSpec {
  LoginCredentials credentials;
  std::string env_prefix;  // "" for the master, "FOLLOWER_<n>_" for followers
};

class SimProcess {
 public:
  // `followers`: how many FOLLOWER_<n>_ accounts besides the master.
  // `extra_args`: e.g. {"--no-rate-limits"}.
  static std::optional<SimProcess> Start(const std::string& sim_binary, int followers = 1,
                                         std::vector<std::string> extra_args = {}) {
    SimProcess sim;
    char pattern[] = "/tmp/ct-smartapi-sim-XXXXXX";
    if (mkdtemp(pattern) == nullptr) return std::nullopt;
    sim.dir_ = pattern;
    for (int n = 0; n <= followers; ++n) {
      const std::string tag = n == 0 ? "M" : "F" + std::to_string(n);
      SimAccountSpec a;
      a.env_prefix = n == 0 ? "" : "FOLLOWER_" + std::to_string(n) + "_";
      a.credentials = LoginCredentials{"key" + tag + "-" + totp::NewSecret().substr(0, 8),
                                       tag + std::string(7 - tag.size(), '0') + "1", "1234", totp::NewSecret()};
      sim.accounts_.push_back(std::move(a));
    }
    const std::string env_path = sim.dir_ + "/.env";
    {
      std::ofstream env(env_path);
      for (const auto& a : sim.accounts_) {
        env << a.env_prefix << "API_KEY=" << a.credentials.api_key << "\n"
            << a.env_prefix << "CLIENT_ID=" << a.credentials.client_id << "\n"
            << a.env_prefix << "PASSWORD=" << a.credentials.password << "\n"
            << a.env_prefix << "TOTP_SECRET=" << a.credentials.totp_secret << "\n"
            << a.env_prefix << "SECRET_KEY=unused-secret-key\n";
      }
    }

    int out[2];
    if (pipe(out) != 0) return std::nullopt;
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
    posix_spawn_file_actions_addclose(&actions, out[0]);
    posix_spawn_file_actions_addclose(&actions, out[1]);
    const std::string log_path = sim.dir_ + "/sim.log";
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    std::vector<std::string> args = {sim_binary, "--env", env_path, "--port", "0"};
    args.insert(args.end(), extra_args.begin(), extra_args.end());
    std::vector<char*> argv;
    for (auto& s : args) argv.push_back(s.data());
    argv.push_back(nullptr);
    const int rc = posix_spawn(&sim.pid_, sim_binary.c_str(), &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    close(out[1]);
    if (rc != 0) {
      close(out[0]);
      sim.pid_ = -1;
      return std::nullopt;
    }
    sim.stdout_fd_ = out[0];

    // Readiness handshake: the line with the bound port, within 15 s.
    const std::string marker = "copytrade-sim listening on ";
    std::string text;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
    while (std::chrono::steady_clock::now() < deadline) {
      pollfd p{sim.stdout_fd_, POLLIN, 0};
      if (poll(&p, 1, 100) <= 0) continue;
      char buf[512];
      const ssize_t n = read(sim.stdout_fd_, buf, sizeof buf);
      if (n <= 0) break;  // exited
      text.append(buf, static_cast<size_t>(n));
      const size_t at = text.find(marker);
      const size_t eol = at == std::string::npos ? at : text.find('\n', at);
      if (eol != std::string::npos) {
        const std::string address = text.substr(at + marker.size(), eol - at - marker.size());
        sim.base_url_ = "http://" + address;
        return sim;
      }
    }
    return std::nullopt;  // the destructor stops the process
  }

  SimProcess(SimProcess&& other) noexcept { *this = std::move(other); }
  SimProcess& operator=(SimProcess&& other) noexcept {
    std::swap(pid_, other.pid_);
    std::swap(stdout_fd_, other.stdout_fd_);
    std::swap(dir_, other.dir_);
    std::swap(base_url_, other.base_url_);
    std::swap(accounts_, other.accounts_);
    return *this;
  }
  ~SimProcess() {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      int status = 0;
      for (int i = 0; i < 50 && waitpid(pid_, &status, WNOHANG) == 0; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
      }
      if (waitpid(pid_, &status, WNOHANG) == 0) {
        kill(pid_, SIGKILL);
        waitpid(pid_, &status, 0);
      }
    }
    if (stdout_fd_ >= 0) close(stdout_fd_);
    if (!dir_.empty()) {
      std::error_code ignored;
      std::filesystem::remove_all(dir_, ignored);
    }
  }

  const std::string& base_url() const { return base_url_; }
  const std::string& dir() const { return dir_; }
  const LoginCredentials& master() const { return accounts_.front().credentials; }
  const LoginCredentials& follower(int n) const { return accounts_.at(static_cast<size_t>(n)).credentials; }

 private:
  SimProcess() = default;

  pid_t pid_ = -1;
  int stdout_fd_ = -1;
  std::string dir_;
  std::string base_url_;
  std::vector<SimAccountSpec> accounts_;
};

}  // namespace ct::smartapi::testing
