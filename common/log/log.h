// Process logging. Every logger shares one sink that masks secrets before a
// line is written: the values registered with RegisterSecret (passwords,
// TOTP secrets, API keys, tokens) and anything shaped like a JWT. Masking
// lives here, in the sink, so no call site can forget it.
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

// Registers a value that must never appear in a log line. Values shorter
// than 4 characters are ignored (they would mask ordinary words).
void RegisterSecret(std::string_view value);

// Replaces every registered secret and JWT-shaped token in `text` with
// "****". Exposed for records and error messages built outside the logger.
std::string Mask(std::string_view text);

}  // namespace ct::log
