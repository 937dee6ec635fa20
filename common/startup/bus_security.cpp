#include "common/startup/bus_security.h"

#include "common/config/load.h"

namespace ct::startup {
namespace {

std::string ReadKeyOrExit(const config::Settings& s, const std::string& key, const std::string& file) {
  if (file.empty()) config::ExitWithError({s.path, "bus.curve." + key, "required when bus.curve.enabled = true"});
  auto read = bus::ReadCurveKey(file);
  if (!read.ok()) config::ExitWithError({s.path, "bus.curve." + key, read.error().message});
  return std::move(read).value();
}

}  // namespace

BusSecurity LoadBusSecurityOrExit(const config::Settings& s, BusRole role) {
  BusSecurity out;
  const auto& c = s.curve;
  if (!c.enabled) return out;
  out.enabled = true;
  auto client_keys = [&](const std::string& server_key, const std::string& server_file) {
    return bus::CurveClientKeys{ReadKeyOrExit(s, "client_public_key_file", c.client_public_key_file),
                                ReadKeyOrExit(s, "client_secret_key_file", c.client_secret_key_file),
                                ReadKeyOrExit(s, server_key, server_file)};
  };
  if (role == BusRole::kRouter) {
    out.client_of_watcher = client_keys("watcher_public_key_file", c.watcher_public_key_file);
    out.client_of_executors = client_keys("executor_public_key_file", c.executor_public_key_file);
  }
  if (role == BusRole::kExecutor) out.client_of_router = client_keys("router_public_key_file", c.router_public_key_file);
  {
    // Every process serves a stream: the watcher "master", the router the
    // follower streams, each executor its reports.
    const std::string name = role == BusRole::kWatcher ? "watcher" : role == BusRole::kRouter ? "router" : "executor";
    const std::string& pub = role == BusRole::kWatcher  ? c.watcher_public_key_file
                             : role == BusRole::kRouter ? c.router_public_key_file
                                                        : c.executor_public_key_file;
    const std::string& sec = role == BusRole::kWatcher  ? c.watcher_secret_key_file
                             : role == BusRole::kRouter ? c.router_secret_key_file
                                                        : c.executor_secret_key_file;
    out.server = bus::CurveServerKeys{ReadKeyOrExit(s, name + "_public_key_file", pub),
                                      ReadKeyOrExit(s, name + "_secret_key_file", sec)};
    if (c.allowed_clients_file.empty())
      config::ExitWithError({s.path, "bus.curve.allowed_clients_file", "required when bus.curve.enabled = true"});
    auto allowed = bus::ReadCurveAllowList(c.allowed_clients_file);
    if (!allowed.ok()) config::ExitWithError({s.path, "bus.curve.allowed_clients_file", allowed.error().message});
    out.allowed_clients = std::move(allowed).value();
  }
  return out;
}

}  // namespace ct::startup
