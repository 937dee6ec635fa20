#include "tools/accounts.h"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <iostream>

#include "common/config/load.h"
#include "common/log/log.h"
#include "common/smartapi/client.h"
#include "common/startup/broker_client.h"

namespace ct::tools {
namespace {

std::unique_ptr<smartapi::Client> LoggedInClient(const AccountOptions& o, int* exit_code) {
  auto cfg = config::LoadOrExit(o.config_path, o.env_path);
  const auto* account = cfg.env.FindAccount(o.account);
  if (!account) config::ExitWithError({cfg.env.path, o.account, "no such account (use master or follower-<n>)"});
  auto client = startup::MakeBrokerClient(*account, cfg.settings.broker, SystemClock::instance());
  if (auto s = client->Login(); !s.ok()) {
    std::cerr << "login as " << o.account << ": " << log::Mask(s.error().ToString()) << "\n";
    *exit_code = 1;
    return nullptr;
  }
  return client;
}

int Fail(const std::string& what, const smartapi::Error& e) {
  std::cerr << what << ": " << log::Mask(e.ToString()) << "\n";
  return 1;
}

void AccountFlags(CLI::App* sub, AccountOptions& o) {
  sub->add_option("--config", o.config_path, "copytrade.toml");
  sub->add_option("--env", o.env_path, ".env with the accounts");
  sub->add_option("--account", o.account, "master or follower-<n>");
}

}  // namespace

CLI::App* AddPlaceCommand(CLI::App& app, AccountOptions& o) {
  auto* place = app.add_subcommand("place", "place an order in an account through SmartAPI (the trader)");
  AccountFlags(place, o);
  place->add_option("side", o.side, "BUY or SELL")->required()->check(CLI::IsMember({"BUY", "SELL"}));
  place->add_option("symbol", o.symbol, "trading symbol, e.g. SBIN-EQ")->required();
  place->add_option("quantity", o.quantity, "units")->required()->check(CLI::PositiveNumber);
  place->add_option("--token", o.token, "symbol token (e.g. 3045)")->required();
  place->add_option("--exchange", o.exchange, "NSE, NFO, ...");
  place->add_option("--product", o.product, "INTRADAY, DELIVERY, CARRYFORWARD, ...");
  place->add_option("--limit", o.limit, "LIMIT price (MARKET when absent)");
  return place;
}

CLI::App* AddOrdersCommand(CLI::App& app, AccountOptions& o) {
  auto* orders = app.add_subcommand("orders", "show an account's order book");
  AccountFlags(orders, o);
  orders->add_flag("--json", o.json, "print JSON rows");
  return orders;
}

int RunPlace(const AccountOptions& o) {
  int rc = 0;
  auto client = LoggedInClient(o, &rc);
  if (!client) return rc;
  smartapi::OrderRequest r;
  r.tradingsymbol = o.symbol;
  r.symboltoken = o.token;
  r.transactiontype = o.side;
  r.exchange = o.exchange;
  r.producttype = o.product;
  r.ordertype = o.limit > 0 ? "LIMIT" : "MARKET";
  r.price = o.limit;
  r.quantity = o.quantity;
  auto placed = client->PlaceOrder(r);
  if (!placed.ok()) return Fail("placeOrder", placed.error());
  std::printf("%s\n", placed->orderid.c_str());
  return 0;
}

int RunOrders(const AccountOptions& o) {
  int rc = 0;
  auto client = LoggedInClient(o, &rc);
  if (!client) return rc;
  auto book = client->GetOrderBook();
  if (!book.ok()) return Fail("getOrderBook", book.error());
  nlohmann::json rows = nlohmann::json::array();
  for (const auto& order : *book) {
    if (o.json) {
      rows.push_back({{"orderid", order.orderid()}, {"tradingsymbol", order.tradingsymbol()},
                      {"transactiontype", order.transactiontype()}, {"ordertype", order.ordertype()},
                      {"quantity", order.quantity()}, {"price", order.price()}, {"averageprice", order.averageprice()},
                      {"status", order.status()}, {"ordertag", order.ordertag()}});
    } else {
      std::printf("%-16s %-4s %-22s %-8s %6lld  %-10s %s\n", order.orderid().c_str(), order.transactiontype().c_str(),
                  order.tradingsymbol().c_str(), order.ordertype().c_str(), static_cast<long long>(order.quantity()),
                  order.status().c_str(), order.ordertag().c_str());
    }
  }
  if (o.json) std::printf("%s\n", rows.dump().c_str());
  return 0;
}

}  // namespace ct::tools
