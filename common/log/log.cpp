#include "common/log/log.h"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/base_sink.h>

#include <algorithm>
#include <cstdio>
#include <mutex>
#include <shared_mutex>
#include <vector>

namespace ct::log {
namespace {

std::shared_mutex g_secrets_mu;
std::vector<std::string> g_secrets;  // longest first, so overlaps mask fully

bool IsJwtChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_' || c == '.';
}

// Masks "eyJ..." runs of at least 20 JWT characters: tokens we never saw
// registered (e.g. echoed in a broker error) still never reach a line.
void MaskJwts(std::string& s) {
  size_t pos = 0;
  while ((pos = s.find("eyJ", pos)) != std::string::npos) {
    size_t end = pos;
    while (end < s.size() && IsJwtChar(s[end])) ++end;
    if (end - pos >= 20) {
      s.replace(pos, end - pos, "****");
      pos += 4;
    } else {
      pos = end;
    }
  }
}

class MaskingSink final : public spdlog::sinks::base_sink<std::mutex> {
 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    spdlog::memory_buf_t formatted;
    formatter_->format(msg, formatted);
    std::string line = Mask(std::string_view(formatted.data(), formatted.size()));
    std::fwrite(line.data(), 1, line.size(), stderr);
  }
  void flush_() override { std::fflush(stderr); }
};

std::mutex g_init_mu;
std::shared_ptr<MaskingSink> g_sink;
spdlog::level::level_enum g_level = spdlog::level::info;

std::shared_ptr<MaskingSink> Sink() {
  std::lock_guard lock(g_init_mu);
  if (!g_sink) {
    g_sink = std::make_shared<MaskingSink>();
    g_sink->set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%-5l%$ [%n] %v");
  }
  return g_sink;
}

}  // namespace

void Init(std::string_view process_name, std::string_view level) {
  auto sink = Sink();
  sink->set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%-5l%$ " + std::string(process_name) + " [%n] %v");
  g_level = spdlog::level::from_str(std::string(level));
  spdlog::set_level(g_level);
  spdlog::flush_on(spdlog::level::info);
}

std::shared_ptr<spdlog::logger> Get(const std::string& component) {
  if (auto existing = spdlog::get(component)) return existing;
  auto logger = std::make_shared<spdlog::logger>(component, Sink());
  logger->set_level(g_level);
  logger->flush_on(spdlog::level::info);
  try {
    spdlog::register_logger(logger);
  } catch (const spdlog::spdlog_ex&) {
    return spdlog::get(component);  // lost a race with another thread
  }
  return logger;
}

void RegisterSecret(std::string_view value) {
  if (value.size() < 4) return;
  std::unique_lock lock(g_secrets_mu);
  if (std::find(g_secrets.begin(), g_secrets.end(), value) != g_secrets.end()) return;
  g_secrets.emplace_back(value);
  std::sort(g_secrets.begin(), g_secrets.end(),
            [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
}

std::string Mask(std::string_view text) {
  std::string s(text);
  {
    std::shared_lock lock(g_secrets_mu);
    for (const auto& secret : g_secrets) {
      size_t pos = 0;
      while ((pos = s.find(secret, pos)) != std::string::npos) {
        s.replace(pos, secret.size(), "****");
        pos += 4;
      }
    }
  }
  MaskJwts(s);
  return s;
}

}  // namespace ct::log
