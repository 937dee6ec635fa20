// copytrade: the operator CLI.
//   copytrade --version
//   copytrade validate [--config F] [--env F]
//   copytrade place --account master BUY SBIN-EQ 10 [--limit 812.5] ...
//   copytrade orders --account follower-1 [--json]
//   copytrade capture --from EP --replay EP --stream NAME --out FILE
//   copytrade replay FILE --to EP [--speed X | --as-fast-as-possible]
//   copytrade status [--config F] [--json]
//   copytrade keygen PATH        (CURVE key pair: PATH.pub, PATH.key)
#include <CLI/CLI.hpp>

#include <nlohmann/json.hpp>

#include <sys/stat.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "common/bus/curve.h"
#include "common/config/load.h"
#include "common/startup/broker_client.h"
#include "common/log/log.h"
#include "common/smartapi/client.h"
#include "tools/capture_replay.h"
#include "tools/status.h"

namespace {

std::unique_ptr<ct::smartapi::Client> MakeClient(const ct::config::Loaded& cfg, const std::string& account_id) {
  const auto* account = cfg.env.FindAccount(account_id);
  if (!account)
    ct::config::ExitWithError({cfg.env.path, account_id, "no such account (use master or follower-<n>)"});
  return ct::startup::MakeBrokerClient(*account, cfg.settings.broker, ct::SystemClock::instance());
}

int Fail(const std::string& what, const ct::smartapi::Error& e) {
  std::cerr << what << ": " << ct::log::Mask(e.ToString()) << "\n";
  return 1;
}

int WriteKeyPair(const std::string& path) {
  const auto [public_key, secret_key] = ct::bus::NewCurveKeyPair();
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

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"copytrade: copy a master Angel One account's orders to follower accounts"};
  app.set_version_flag("--version", std::string("copytrade ") + COPYTRADE_VERSION);
  app.require_subcommand(1);
  std::string config_path = "copytrade.toml", env_path = ".env";
  auto common = [&](CLI::App* sub) {
    sub->add_option("--config", config_path, "copytrade.toml");
    sub->add_option("--env", env_path, ".env with the accounts");
  };

  auto* validate = app.add_subcommand("validate", "check copytrade.toml and .env; exit 2 naming any problem");
  common(validate);

  std::string account = "master", side, symbol, token, exchange = "NSE", product = "INTRADAY";
  long long quantity = 0;
  double limit = 0;
  bool json = false;
  auto* place = app.add_subcommand("place", "place an order in an account through SmartAPI (the trader)");
  common(place);
  place->add_option("--account", account, "master or follower-<n>");
  place->add_option("side", side, "BUY or SELL")->required()->check(CLI::IsMember({"BUY", "SELL"}));
  place->add_option("symbol", symbol, "trading symbol, e.g. SBIN-EQ")->required();
  place->add_option("quantity", quantity, "units")->required()->check(CLI::PositiveNumber);
  place->add_option("--token", token, "symbol token (e.g. 3045)")->required();
  place->add_option("--exchange", exchange, "NSE, NFO, ...");
  place->add_option("--product", product, "INTRADAY, DELIVERY, CARRYFORWARD, ...");
  place->add_option("--limit", limit, "LIMIT price (MARKET when absent)");

  auto* orders = app.add_subcommand("orders", "show an account's order book");
  common(orders);
  orders->add_option("--account", account, "master or follower-<n>");
  orders->add_flag("--json", json, "print JSON rows");

  ct::tools::CaptureOptions capture_options;
  ct::tools::ReplayOptions replay_options;
  auto* capture = ct::tools::AddCaptureCommand(app, capture_options);
  auto* replay = ct::tools::AddReplayCommand(app, replay_options);

  auto* status = app.add_subcommand("status", "is each process running, are its streams up (exit 1 if not)");
  status->add_option("--config", config_path, "copytrade.toml");
  status->add_flag("--json", json, "print the raw status documents");

  std::string key_path;
  auto* keygen = app.add_subcommand("keygen", "write a CURVE key pair for [bus.curve]: PATH.pub and PATH.key");
  keygen->add_option("path", key_path, "path without extension, e.g. keys/router")->required();

  CLI11_PARSE(app, argc, argv);
  if (*keygen) return WriteKeyPair(key_path);
  // Bus tools: endpoints on the command line, no accounts needed.
  if (*capture) return ct::tools::RunCapture(capture_options);
  if (*replay) return ct::tools::RunReplay(replay_options);
  // The CLI prints its own one-line errors; retries on the way are not news.
  ct::log::Init("copytrade", "error");
  if (*status) {
    auto settings = ct::config::LoadSettings(config_path);
    if (!settings.ok()) ct::config::ExitWithError(settings.error());
    return ct::tools::RunStatus(settings->state_dir, json);
  }
  auto cfg = ct::config::LoadOrExit(config_path, env_path);

  if (*validate) {
    std::printf("%s: ok (dry_run=%s, %zu follower(s))\n%s: ok (master %s)\n", config_path.c_str(),
                cfg.settings.dry_run ? "true" : "false", cfg.env.followers.size(), env_path.c_str(),
                cfg.env.master ? "present" : "absent");
    return 0;
  }

  auto client_ptr = MakeClient(cfg, account);
  auto& client = *client_ptr;
  if (auto s = client.Login(); !s.ok()) return Fail("login as " + account, s.error());

  if (*place) {
    ct::smartapi::OrderRequest r;
    r.tradingsymbol = symbol;
    r.symboltoken = token;
    r.transactiontype = side;
    r.exchange = exchange;
    r.producttype = product;
    r.ordertype = limit > 0 ? "LIMIT" : "MARKET";
    r.price = limit;
    r.quantity = quantity;
    auto placed = client.PlaceOrder(r);
    if (!placed.ok()) return Fail("placeOrder", placed.error());
    std::printf("%s\n", placed->orderid.c_str());
    return 0;
  }

  auto book = client.GetOrderBook();
  if (!book.ok()) return Fail("getOrderBook", book.error());
  nlohmann::json rows = nlohmann::json::array();
  for (const auto& o : *book) {
    if (json) {
      rows.push_back({{"orderid", o.orderid()}, {"tradingsymbol", o.tradingsymbol()},
                      {"transactiontype", o.transactiontype()}, {"ordertype", o.ordertype()},
                      {"quantity", o.quantity()}, {"price", o.price()}, {"averageprice", o.averageprice()},
                      {"status", o.status()}, {"ordertag", o.ordertag()}, {"filledshares", o.filledshares()},
                      {"triggerprice", o.triggerprice()}, {"exchange", o.exchange()}, {"variety", o.variety()},
                      {"producttype", o.producttype()}, {"duration", o.duration()}, {"text", o.text()}});
    } else {
      std::printf("%-16s %-4s %-22s %-8s %6lld  %-10s %s\n", o.orderid().c_str(), o.transactiontype().c_str(),
                  o.tradingsymbol().c_str(), o.ordertype().c_str(), static_cast<long long>(o.quantity()),
                  o.status().c_str(), o.ordertag().c_str());
    }
  }
  if (json) std::printf("%s\n", rows.dump().c_str());
  return 0;
}
