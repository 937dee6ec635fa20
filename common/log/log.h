// Process logging. Every logger shares one sink that masks secrets before a
// line is written, so no call site can forget it.
//
// Masking never alters other data. A secret is masked where it is a
// secret, never by blind substring replacement of every credential value:
// a PIN is four digits, and order ids, quantities and prices are digits too
// ("0000" inside "261202000000002" is an order id, not a password). So:
//  - long random secrets registered with RegisterSecret (API keys, TOTP
//    secrets, tokens: at least 8 characters with a letter in them) are
//    masked wherever they appear; they cannot collide with an id;
//  - every value of a credential field or header is masked whatever its
//    length, registered or not: `"password":"0000"`, `password=0000`,
//    `FOLLOWER_1_PASSWORD=0000`, `"totp":"123456"`, `X-PrivateKey: k`,
//    `Authorization: Bearer t`, `"jwtToken":"..."`, ...;
//  - anything shaped like a JWT (eyJ...) or a Telegram bot token
//    (<digits>:<35 characters>) is masked, registered or not.
// A short secret (a PIN) is therefore masked only as the value of such a
// field. Session records are built from typed data and never pass through
// Mask.
//
// Thread-safe. Call Init once in main(); Get(component) anywhere after.
#pragma once

#include <spdlog/spdlog.h>

#include <memory>
#include <string>
#include <string_view>

namespace ct::log {

// `level`: trace|debug|info|warn|error. Output goes to stderr.
void Init(std::string_view process_name, std::string_view level = "info");

// A logger named after the component ("watcher", "bus", "smartapi", ...).
std::shared_ptr<spdlog::logger> Get(const std::string& component);

// Registers a credential value. Values of at least 8 characters with a
// letter are masked wherever they appear; shorter or all-digit values (a
// PIN) are not substring-masked (they would alter ids and prices): they are
// masked as the value of a credential field only, like every such value.
void RegisterSecret(std::string_view value);

// True when a registered `value` is masked as a substring (see above).
bool MaskedAsSubstring(std::string_view value);

// Masks registered long secrets, credential field values and JWT/bot-token
// shapes in `text` with "****". For log lines and error messages built
// outside the logger (CLI output, alert texts); never for records.
std::string Mask(std::string_view text);

}  // namespace ct::log
