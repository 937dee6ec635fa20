// The two ways an alert leaves: a webhook POST (libcurl) and a command.
#include <curl/curl.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <mutex>
#include <thread>

#include "common/alerts/alerts.h"
#include "common/curl/global.h"

extern char** environ;

namespace ct::alerts {
namespace {

class WebhookDelivery final : public AlertDelivery {
 public:
  WebhookDelivery(std::string url, int64_t timeout_ms) : url_(std::move(url)), timeout_ms_(timeout_ms) {
    EnsureCurlGlobal();
  }

  Result<Ok, std::string> Deliver(const std::string& body) override {
    CURL* curl = curl_easy_init();
    if (curl == nullptr) return std::string("curl: cannot create a handle");
    curl_slist* headers = curl_slist_append(nullptr, "Content-Type: application/json");
    curl_easy_setopt(curl, CURLOPT_URL, url_.c_str());
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.c_str());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout_ms_));
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);  // a delivery thread must not take signals
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, +[](char*, size_t n, size_t m, void*) { return n * m; });
    const CURLcode rc = curl_easy_perform(curl);
    long status = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(headers);
    curl_easy_cleanup(curl);
    // curl_easy_strerror names no URL; the URL holds the bot token.
    if (rc != CURLE_OK) return std::string("curl: ") + curl_easy_strerror(rc);
    if (status < 200 || status >= 300) return "HTTP " + std::to_string(status);
    return Ok{};
  }
  std::string name() const override { return "webhook"; }

 private:
  std::string url_;
  int64_t timeout_ms_;
};

class CommandDelivery final : public AlertDelivery {
 public:
  CommandDelivery(std::string command, int64_t timeout_ms, const Clock& clock)
      : command_(std::move(command)), timeout_ms_(timeout_ms), clock_(clock) {
    // A command that exits without reading its stdin must be an error, not
    // a SIGPIPE that kills the process.
    static std::once_flag once;
    std::call_once(once, [] { signal(SIGPIPE, SIG_IGN); });
  }

  Result<Ok, std::string> Deliver(const std::string& body) override {
    int in[2];
    if (pipe2(in, O_CLOEXEC) != 0) return std::string("pipe failed");
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, in[0], STDIN_FILENO);
    posix_spawn_file_actions_adddup2(&actions, STDERR_FILENO, STDOUT_FILENO);
    std::string sh = "/bin/sh", dash_c = "-c";
    char* argv[] = {sh.data(), dash_c.data(), command_.data(), nullptr};
    pid_t pid = -1;
    const int rc = posix_spawn(&pid, sh.c_str(), &actions, nullptr, argv, environ);
    posix_spawn_file_actions_destroy(&actions);
    close(in[0]);
    if (rc != 0) {
      close(in[1]);
      return std::string("cannot start /bin/sh");
    }
    const std::string data = body + "\n";  // one line, for `read` in a shell script
    size_t written = 0;
    while (written < data.size()) {
      const ssize_t n = write(in[1], data.data() + written, data.size() - written);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;  // the command closed its stdin: its exit status tells
      written += static_cast<size_t>(n);
    }
    close(in[1]);
    const auto deadline = clock_.steady() + std::chrono::milliseconds(timeout_ms_);
    int status = 0;
    for (;;) {
      const pid_t w = waitpid(pid, &status, WNOHANG);
      if (w == pid) break;
      if (w < 0 && errno != EINTR) return std::string("waitpid failed");
      if (clock_.steady() >= deadline) {
        kill(pid, SIGKILL);
        waitpid(pid, &status, 0);
        return "command timed out after " + std::to_string(timeout_ms_) + " ms";
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return Ok{};
    if (WIFEXITED(status)) return "command exited with " + std::to_string(WEXITSTATUS(status));
    return "command killed by signal " + std::to_string(WTERMSIG(status));
  }
  std::string name() const override { return "command"; }

 private:
  std::string command_;
  int64_t timeout_ms_;
  const Clock& clock_;
};

}  // namespace

std::unique_ptr<AlertDelivery> MakeWebhookDelivery(std::string url, int64_t timeout_ms) {
  return std::make_unique<WebhookDelivery>(std::move(url), timeout_ms);
}

std::unique_ptr<AlertDelivery> MakeCommandDelivery(std::string command, int64_t timeout_ms, const Clock& clock) {
  return std::make_unique<CommandDelivery>(std::move(command), timeout_ms, clock);
}

}  // namespace ct::alerts
