// The .env credentials file: KEY=VALUE lines, '#' comments, blank lines,
// optional `export ` prefix, optional single or double quotes around the
// value. Accounts: the master from API_KEY, CLIENT_ID, PASSWORD,
// TOTP_SECRET, SECRET_KEY; followers from FOLLOWER_<n>_<same names>,
// n = 1, 2, ... (any number, gaps allowed).
//
// Every credential value but the client ids is registered with the
// logger's secret mask as soon as it is read (common/log/log.h: long ones
// are masked anywhere, a PIN only as a credential field's value). Errors
// name the file, line or key and the problem, never the value.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/config/config_error.h"
#include "common/core/result.h"

namespace ct::config {

struct Credentials {
  std::string api_key;
  std::string client_id;
  std::string password;  // the account PIN
  std::string totp_secret;  // base32
  std::string secret_key;   // SmartAPI app secret (optional, unused by login)
};

struct Account {
  std::string id;  // "master" or "follower-<n>"
  int number = 0;  // 0 for the master, n for FOLLOWER_<n>_
  Credentials credentials;
};

struct EnvFile {
  std::string path;
  std::map<std::string, std::string> vars;
  std::optional<Account> master;     // present when any master key is set
  std::vector<Account> followers;    // ascending by number

  const Account* Follower(int number) const;
  const Account* FindAccount(const std::string& id) const;  // master or follower
};

// Parses and validates: malformed lines, unknown FOLLOWER_<n>_ keys, an
// account with some but not all required keys (API_KEY, CLIENT_ID,
// PASSWORD, TOTP_SECRET), or a TOTP secret that is not base32.
Result<EnvFile, ConfigError> LoadEnvFile(const std::string& path);
Result<EnvFile, ConfigError> ParseEnv(const std::string& path, const std::string& text);

// For `copytrade validate`, which reports every problem instead of the
// first: the same parse without the per-account checks (an account may
// lack keys or hold a bad TOTP secret), and those checks one by one.
Result<EnvFile, ConfigError> LoadEnvFileUnchecked(const std::string& path);
Result<EnvFile, ConfigError> ParseEnvUnchecked(const std::string& path, const std::string& text);
std::optional<ConfigError> MissingCredential(const std::string& path, const Account& account);
std::optional<ConfigError> BadTotpSecret(const std::string& path, const Account& account);

}  // namespace ct::config
