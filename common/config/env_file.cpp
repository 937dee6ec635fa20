#include "common/config/env_file.h"

#include <algorithm>
#include <fstream>
#include <regex>
#include <sstream>

#include "common/log/log.h"
#include "common/totp/totp.h"

namespace ct::config {
namespace {

constexpr const char* kFields[] = {"API_KEY", "CLIENT_ID", "PASSWORD", "TOTP_SECRET", "SECRET_KEY"};
constexpr const char* kRequired[] = {"API_KEY", "CLIENT_ID", "PASSWORD", "TOTP_SECRET"};

std::string Trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return "";
  const auto e = s.find_last_not_of(" \t\r");
  return s.substr(b, e - b + 1);
}

bool IsField(const std::string& name) {
  return std::any_of(std::begin(kFields), std::end(kFields),
                     [&](const char* f) { return name == f; });
}

void Assign(Credentials& c, const std::string& field, const std::string& value) {
  if (field == "API_KEY") c.api_key = value;
  else if (field == "CLIENT_ID") c.client_id = value;
  else if (field == "PASSWORD") c.password = value;
  else if (field == "TOTP_SECRET") c.totp_secret = value;
  else if (field == "SECRET_KEY") c.secret_key = value;
}

const std::string& Field(const Credentials& c, const std::string& field) {
  if (field == "API_KEY") return c.api_key;
  if (field == "CLIENT_ID") return c.client_id;
  if (field == "PASSWORD") return c.password;
  if (field == "TOTP_SECRET") return c.totp_secret;
  return c.secret_key;
}

}  // namespace

std::optional<ConfigError> MissingCredential(const std::string& path, const Account& account) {
  const std::string prefix = account.number == 0 ? "" : "FOLLOWER_" + std::to_string(account.number) + "_";
  for (const char* f : kRequired) {
    if (Field(account.credentials, f).empty())
      return ConfigError{path, prefix + f, "missing (every account needs API_KEY, CLIENT_ID, PASSWORD, TOTP_SECRET)"};
  }
  return std::nullopt;
}

std::optional<ConfigError> BadTotpSecret(const std::string& path, const Account& account) {
  const std::string prefix = account.number == 0 ? "" : "FOLLOWER_" + std::to_string(account.number) + "_";
  if (account.credentials.totp_secret.empty()) return std::nullopt;  // MissingCredential's to report
  auto key = totp::DecodeBase32(account.credentials.totp_secret);
  if (!key || key->size() < 10)
    return ConfigError{path, prefix + "TOTP_SECRET", "not a base32 TOTP secret (letters A-Z and digits 2-7, at least 16 characters)"};
  return std::nullopt;
}

const Account* EnvFile::Follower(int number) const {
  for (const auto& f : followers)
    if (f.number == number) return &f;
  return nullptr;
}

const Account* EnvFile::FindAccount(const std::string& id) const {
  if (master && master->id == id) return &*master;
  for (const auto& f : followers)
    if (f.id == id) return &f;
  return nullptr;
}

Result<EnvFile, ConfigError> ParseEnvUnchecked(const std::string& path, const std::string& text) {
  EnvFile env;
  env.path = path;
  std::istringstream in(text);
  std::string raw;
  int line_no = 0;
  static const std::regex kName("[A-Za-z_][A-Za-z0-9_]*");
  while (std::getline(in, raw)) {
    ++line_no;
    std::string line = Trim(raw);
    if (line.empty() || line[0] == '#') continue;
    if (line.rfind("export ", 0) == 0) line = Trim(line.substr(7));
    const auto eq = line.find('=');
    const std::string where = "line " + std::to_string(line_no);
    if (eq == std::string::npos)
      return ConfigError{path, where, "expected KEY=VALUE"};
    std::string name = Trim(line.substr(0, eq));
    std::string value = Trim(line.substr(eq + 1));
    if (!std::regex_match(name, kName))
      return ConfigError{path, where, "'" + name + "' is not a valid variable name"};
    if (!value.empty() && (value.front() == '"' || value.front() == '\'')) {
      const char q = value.front();
      if (value.size() < 2 || value.back() != q)
        return ConfigError{path, name + " (" + where + ")", "unterminated quoted value"};
      value = value.substr(1, value.size() - 2);
    } else if (const auto hash = value.find(" #"); hash != std::string::npos) {
      value = Trim(value.substr(0, hash));  // inline comment after an unquoted value
    }
    if (env.vars.count(name))
      return ConfigError{path, name + " (" + where + ")", "set twice"};
    env.vars[name] = value;
  }

  std::map<int, Account> followers;
  Credentials master;
  bool any_master = false;
  static const std::regex kFollower("FOLLOWER_([0-9]+)_([A-Z_]+)");
  for (const auto& [name, value] : env.vars) {
    std::smatch m;
    if (std::regex_match(name, m, kFollower)) {
      const int n = std::stoi(m[1].str());
      const std::string field = m[2].str();
      if (n < 1) return ConfigError{path, name, "follower numbers start at 1"};
      if (!IsField(field))
        return ConfigError{path, name, "unknown follower key (expected FOLLOWER_<n>_ followed by API_KEY, CLIENT_ID, PASSWORD, TOTP_SECRET or SECRET_KEY)"};
      Account& a = followers[n];
      a.number = n;
      a.id = "follower-" + std::to_string(n);
      Assign(a.credentials, field, value);
    } else if (IsField(name)) {
      any_master = true;
      Assign(master, name, value);
    } else if (name.rfind("FOLLOWER", 0) == 0) {
      return ConfigError{path, name, "unknown key (followers are FOLLOWER_<n>_API_KEY, ..._CLIENT_ID, ..._PASSWORD, ..._TOTP_SECRET, ..._SECRET_KEY)"};
    }
    // Other variables (e.g. a user's own notes) are allowed and ignored.
    // Client ids are account names, not secrets. Every other credential is
    // registered with the log mask, which masks the long random ones (API
    // keys, TOTP secrets) anywhere and a PIN only as a credential field's
    // value: "0000" is also inside order ids (common/log/log.h).
    const bool credential = IsField(name) || std::regex_match(name, m, kFollower);
    const bool is_client_id = name.size() >= 9 && name.compare(name.size() - 9, 9, "CLIENT_ID") == 0;
    if (credential && !is_client_id)
      log::RegisterSecret(value);
  }
  if (any_master) env.master = Account{"master", 0, master};
  for (auto& [n, account] : followers) env.followers.push_back(account);
  return env;
}

Result<EnvFile, ConfigError> ParseEnv(const std::string& path, const std::string& text) {
  auto env = ParseEnvUnchecked(path, text);
  if (!env.ok()) return env;
  std::vector<const Account*> accounts;
  if (env->master) accounts.push_back(&*env->master);
  for (const auto& f : env->followers) accounts.push_back(&f);
  for (const Account* a : accounts) {
    if (auto err = MissingCredential(path, *a)) return *err;
    if (auto err = BadTotpSecret(path, *a)) return *err;
  }
  return env;
}

namespace {

Result<std::string, ConfigError> ReadEnvText(const std::string& path) {
  std::ifstream in(path);
  if (!in) return ConfigError{path, "(file)", "cannot be read (missing or no permission)"};
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

Result<EnvFile, ConfigError> LoadEnvFile(const std::string& path) {
  auto text = ReadEnvText(path);
  if (!text.ok()) return text.error();
  return ParseEnv(path, *text);
}

Result<EnvFile, ConfigError> LoadEnvFileUnchecked(const std::string& path) {
  auto text = ReadEnvText(path);
  if (!text.ok()) return text.error();
  return ParseEnvUnchecked(path, *text);
}

}  // namespace ct::config
