// Builds the SmartAPI client for one configured account: its credentials
// from .env, the broker URL and timeout from copytrade.toml.
#pragma once

#include <memory>

#include "common/config/env_file.h"
#include "common/config/settings.h"
#include "common/smartapi/client.h"

namespace ct::config {

std::unique_ptr<smartapi::Client> MakeBrokerClient(const Account& account, const BrokerSettings& broker,
                                                   const Clock& clock);

}  // namespace ct::config
