// `copytrade place` and `copytrade orders`: an account's order entry and
// order book at the broker, through the product's SmartAPI client (the
// demo's and the tests' trader).
#pragma once

#include <CLI/CLI.hpp>

#include <string>

namespace ct::tools {

struct AccountOptions {
  std::string config_path = "copytrade.toml";
  std::string env_path = ".env";
  std::string account = "master";
  // place
  std::string side, symbol, token, exchange = "NSE", product = "INTRADAY";
  long long quantity = 0;
  double limit = 0;
  // orders
  bool json = false;
};

CLI::App* AddPlaceCommand(CLI::App& app, AccountOptions& options);
CLI::App* AddOrdersCommand(CLI::App& app, AccountOptions& options);
int RunPlace(const AccountOptions& options);
int RunOrders(const AccountOptions& options);

}  // namespace ct::tools
