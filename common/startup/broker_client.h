// Builds the SmartAPI client for one configured account: its credentials
// from .env, the broker URL and timeout from copytrade.toml.
#pragma once

#include <memory>

#include "common/config/env_file.h"
#include "common/config/settings.h"
#include "common/smartapi/client.h"

namespace ct::startup {

// `source_address`: the follower's registered static IP (its calls leave
// from it, and it is the X-ClientLocalIP/X-ClientPublicIP it reports).
std::unique_ptr<smartapi::Client> MakeBrokerClient(const config::Account& account, const config::BrokerSettings& broker,
                                                   const Clock& clock, const std::string& source_address = "");

}  // namespace ct::startup
