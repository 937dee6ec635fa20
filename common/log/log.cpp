#include "common/log/log.h"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/base_sink.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <mutex>
#include <shared_mutex>
#include <vector>

namespace ct::log {
namespace {

constexpr std::string_view kMasked = "****";

std::shared_mutex g_secrets_mu;
std::vector<std::string> g_secrets;  // long ones only; longest first, so overlaps mask fully

bool IsAlpha(char c) { return std::isalpha(static_cast<unsigned char>(c)) != 0; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsNameChar(char c) { return IsAlpha(c) || IsDigit(c) || c == '_' || c == '-'; }
bool IsJwtChar(char c) { return IsNameChar(c) || c == '.'; }

// Field and header names whose value is a credential, compared lowercase
// without '_' and '-' (so "X-PrivateKey", "api_key" and "FOLLOWER_2_PASSWORD"
// all match). Not "token" alone: "symboltoken" is an instrument id, data.
constexpr std::string_view kCredentialNames[] = {
    "password",    "passwd",       "pwd",        "pin",         "mpin",        "totp",        "otp",
    "totpsecret",  "secret",       "secretkey",  "clientsecret", "apikey",     "xapikey",     "privatekey",
    "xprivatekey", "jwt",          "jwttoken",   "refreshtoken", "feedtoken",  "xfeedtoken",  "accesstoken",
    "authtoken",   "bottoken",     "authorization", "webhookurl", "alertwebhookurl", "bearer"};

std::string NormalizedName(std::string_view name) {
  std::string out;
  for (char c : name)
    if (c != '_' && c != '-') out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  // FOLLOWER_<n>_PASSWORD is a password.
  if (out.rfind("follower", 0) == 0) {
    size_t i = 8;
    while (i < out.size() && IsDigit(out[i])) ++i;
    if (i > 8) out.erase(0, i);
  }
  return out;
}

bool IsCredentialName(std::string_view name) {
  const std::string n = NormalizedName(name);
  return std::find(std::begin(kCredentialNames), std::end(kCredentialNames), n) != std::end(kCredentialNames);
}

bool IsHeaderName(std::string_view name) {
  const std::string n = NormalizedName(name);
  return n == "authorization" || (n.size() > 1 && n[0] == 'x' && IsCredentialName(n.substr(1)));
}

bool StartsWithWord(std::string_view s, size_t at, std::string_view word) {
  if (s.size() - at < word.size() + 1) return false;
  for (size_t i = 0; i < word.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(s[at + i])) != word[i]) return false;
  return s[at + word.size()] == ' ';
}

// End of an unquoted value starting at `from`.
size_t ValueEnd(const std::string& s, size_t from) {
  size_t end = from;
  while (end < s.size()) {
    const char c = s[end];
    if (std::isspace(static_cast<unsigned char>(c)) || c == '&' || c == ',' || c == ';' || c == '}' || c == ']' ||
        c == ')' || c == '"' || c == '\'' || c == '\\')
      break;
    ++end;
  }
  return end;
}

// Replaces s[from, end) with "****" (unless empty or already masked);
// returns the position after the mask.
size_t MaskRange(std::string& s, size_t from, size_t end) {
  if (end <= from || s.compare(from, end - from, kMasked) == 0) return end;
  s.replace(from, end - from, kMasked);
  return from + kMasked.size();
}

// The value of every credential field or header: `name` [closing quote]
// `:` or `=` [opening quote] value. A value in quotes runs to the closing
// quote (JSON-escaped \" included); otherwise to the next delimiter.
// "Bearer <token>" is masked wherever it appears.
void MaskCredentialFields(std::string& s) {
  size_t i = 0;
  while (i < s.size()) {
    if (!IsNameChar(s[i]) || (i > 0 && IsNameChar(s[i - 1]))) {
      ++i;
      continue;
    }
    size_t name_end = i;
    while (name_end < s.size() && IsNameChar(s[name_end])) ++name_end;
    const std::string_view name(s.data() + i, name_end - i);
    if (!IsCredentialName(name)) {
      i = name_end;
      continue;
    }
    size_t j = name_end;
    if (NormalizedName(name) == "bearer") {
      if (j < s.size() && s[j] == ' ') {
        const size_t from = j + 1;
        i = MaskRange(s, from, ValueEnd(s, from));
      } else {
        i = j;
      }
      continue;
    }
    const size_t quote = (j + 1 < s.size() && s[j] == '\\' && s[j + 1] == '"') ? 2
                         : (j < s.size() && (s[j] == '"' || s[j] == '\'')) ? 1
                                                                          : 0;
    const bool quoted_key = quote > 0;
    j += quote;
    while (j < s.size() && s[j] == ' ') ++j;
    // `name=value` and `"name":value` always; `name: value` only for HTTP
    // headers, so prose such as "TOTP_SECRET: not base32" stays readable.
    const bool separator = j < s.size() && (s[j] == '=' || (s[j] == ':' && (quoted_key || IsHeaderName(name))));
    if (!separator) {
      i = name_end;
      continue;
    }
    ++j;
    while (j < s.size() && s[j] == ' ') ++j;
    // Authorization: Bearer <token> / Basic <credentials>
    if (StartsWithWord(s, j, "bearer")) j += 7;
    else if (StartsWithWord(s, j, "basic")) j += 6;
    size_t from = j, end = j;
    if (j + 1 < s.size() && s[j] == '\\' && s[j + 1] == '"') {
      from = j + 2;
      end = s.find("\\\"", from);
      if (end == std::string::npos) end = s.size();
    } else if (j < s.size() && (s[j] == '"' || s[j] == '\'')) {
      const char q = s[j];
      from = end = j + 1;
      while (end < s.size() && s[end] != q) end += s[end] == '\\' ? 2 : 1;
      end = std::min(end, s.size());
    } else {
      end = ValueEnd(s, from);
    }
    i = MaskRange(s, from, end);
  }
}

// Masks "eyJ..." runs of at least 20 JWT characters: tokens we never saw
// registered (e.g. echoed in a broker error) still never reach a line.
void MaskJwts(std::string& s) {
  size_t pos = 0;
  while ((pos = s.find("eyJ", pos)) != std::string::npos) {
    size_t end = pos;
    while (end < s.size() && IsJwtChar(s[end])) ++end;
    if (end - pos >= 20) {
      s.replace(pos, end - pos, kMasked);
      pos += kMasked.size();
    } else {
      pos = end;
    }
  }
}

// Telegram bot tokens ("/bot123456789:AAH..." in a webhook URL): 8-12
// digits, a colon, 30+ token characters.
void MaskBotTokens(std::string& s) {
  size_t pos = 0;
  while ((pos = s.find(':', pos)) != std::string::npos) {
    size_t begin = pos;
    while (begin > 0 && IsDigit(s[begin - 1])) --begin;
    size_t end = pos + 1;
    while (end < s.size() && IsNameChar(s[end])) ++end;
    if (pos - begin >= 8 && pos - begin <= 12 && end - pos - 1 >= 30) {
      s.replace(begin, end - begin, kMasked);
      pos = begin + kMasked.size();
    } else {
      ++pos;
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

bool MaskedAsSubstring(std::string_view value) {
  return value.size() >= 8 && std::any_of(value.begin(), value.end(), IsAlpha);
}

void RegisterSecret(std::string_view value) {
  // A short or all-digit value (a PIN) would mask digits of order ids,
  // quantities and prices: it is masked as a credential field value only.
  if (!MaskedAsSubstring(value)) return;
  std::unique_lock lock(g_secrets_mu);
  if (std::find(g_secrets.begin(), g_secrets.end(), value) != g_secrets.end()) return;
  g_secrets.emplace_back(value);
  std::sort(g_secrets.begin(), g_secrets.end(),
            [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
}

std::string Mask(std::string_view text) {
  std::string s(text);
  MaskCredentialFields(s);
  {
    std::shared_lock lock(g_secrets_mu);
    for (const auto& secret : g_secrets) {
      size_t pos = 0;
      while ((pos = s.find(secret, pos)) != std::string::npos) {
        s.replace(pos, secret.size(), kMasked);
        pos += kMasked.size();
      }
    }
  }
  MaskJwts(s);
  MaskBotTokens(s);
  return s;
}

}  // namespace ct::log
