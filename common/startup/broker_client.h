// Builds the SmartAPI client for one configured account: its credentials
// from .env, the broker URL and timeout from copytrade.toml.
#pragma once

#include <memory>

#include "common/config/env_file.h"
#include "common/config/settings.h"
#include "common/smartapi/client.h"

namespace ct::startup {

std::unique_ptr<smartapi::Client> MakeBrokerClient(const config::Account& account, const config::BrokerSettings& broker,
                                                   const Clock& clock);

}  // namespace ct::startup
