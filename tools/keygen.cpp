#include "tools/keygen.h"

#include <sys/stat.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "common/bus/curve.h"

namespace ct::tools {

CLI::App* AddKeygenCommand(CLI::App& app, std::string& path) {
  auto* keygen = app.add_subcommand("keygen", "write a CURVE key pair for [bus.curve]: PATH.pub and PATH.key");
  keygen->add_option("path", path, "path without extension, e.g. keys/router")->required();
  return keygen;
}

int WriteKeyPair(const std::string& path) {
  const auto [public_key, secret_key] = bus::NewCurveKeyPair();
  const std::string pub = path + ".pub", key = path + ".key";
  const auto dir = std::filesystem::path(path).parent_path();
  if (!dir.empty()) std::filesystem::create_directories(dir);
  {
    std::ofstream out(pub, std::ios::trunc);
    out << public_key << "\n";
    if (!out) return std::cerr << "cannot write " << pub << "\n", 1;
  }
  const mode_t old_mask = umask(077);  // the secret key is readable by its owner only
  std::ofstream out(key, std::ios::trunc);
  out << secret_key << "\n";
  umask(old_mask);
  if (!out) return std::cerr << "cannot write " << key << "\n", 1;
  std::printf("%s\n%s (secret, mode 0600)\n", pub.c_str(), key.c_str());
  return 0;
}

}  // namespace ct::tools
