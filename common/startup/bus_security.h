// Start-up wiring of CURVE for one process from [bus.curve] in
// copytrade.toml: reads the key files this process needs and exits with
// code 2 naming the setting and the file when one is missing or bad.
#pragma once

#include <optional>
#include <set>
#include <string>

#include "common/bus/curve.h"
#include "common/config/settings.h"

namespace ct::startup {

enum class BusRole { kWatcher, kRouter, kExecutor };

struct BusSecurity {
  bool enabled = false;
  std::optional<bus::CurveServerKeys> server;          // watcher, router, executor
  std::set<std::string> allowed_clients;               // servers only
  std::optional<bus::CurveClientKeys> client_of_watcher;    // router
  std::optional<bus::CurveClientKeys> client_of_router;     // executor
  std::optional<bus::CurveClientKeys> client_of_executors;  // router
};

BusSecurity LoadBusSecurityOrExit(const config::Settings& settings, BusRole role);

}  // namespace ct::startup
