// `copytrade keygen PATH`: a CURVE key pair for [bus.curve], PATH.pub and
// PATH.key (the secret one mode 0600).
#pragma once

#include <CLI/CLI.hpp>

#include <string>

namespace ct::tools {

CLI::App* AddKeygenCommand(CLI::App& app, std::string& path);
int WriteKeyPair(const std::string& path);

}  // namespace ct::tools
