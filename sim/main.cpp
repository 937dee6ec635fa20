// copytrade-sim: a local Angel One SmartAPI emulator (see sim/README.md).
#include <CLI/CLI.hpp>
#include <cstdio>
#include <iostream>

#include "common/config/env_file.h"
#include "common/log/log.h"
#include "common/time/clock.h"
#include "sim/simulator.h"

int main(int argc, char** argv) {
  CLI::App app{"copytrade-sim: Angel One SmartAPI emulator"};
  std::string env_path;
  std::string host = "127.0.0.1";
  uint16_t port = 0;
  std::string instruments_path = CT_SIM_DEFAULT_INSTRUMENTS;
  std::string freeze_path = CT_SIM_DEFAULT_FREEZE_QUANTITIES;
  std::string log_level = "info";
  bool no_rate_limits = false;
  bool legacy_order_rules = false;
  std::vector<std::string> static_ips;
  app.add_option("--env", env_path, ".env file with the accounts")->required();
  app.add_option("--port", port, "TCP port, 0 = ephemeral");
  app.add_option("--host", host, "address to bind");
  app.add_option("--instruments", instruments_path, "OpenAPIScripMaster.json file");
  app.add_option("--freeze-file", freeze_path, "freeze quantities CSV");
  app.add_option("--log-level", log_level, "trace|debug|info|warn|error");
  app.add_flag("--no-rate-limits", no_rate_limits, "disable the broker's per-client rate limits");
  app.add_flag("--legacy-order-rules", legacy_order_rules, "allow MARKET, STOPLOSS_MARKET and IOC from the API");
  app.add_option("--static-ip", static_ips, "CLIENTCODE=ADDR: order writes of that account only from ADDR");
  CLI11_PARSE(app, argc, argv);

  ct::log::Init("copytrade-sim", log_level);
  auto log = ct::log::Get("sim");
  auto config_error = [](const std::string& message) {
    std::cerr << "config error: " << message << std::endl;
    return ct::config::kConfigErrorExitCode;
  };

  auto env = ct::config::LoadEnvFile(env_path);
  if (!env.ok()) {
    std::cerr << env.error().ToString() << std::endl;
    return ct::config::kConfigErrorExitCode;
  }
  std::vector<ct::sim::SimAccount> accounts;
  std::vector<std::string> client_codes;
  auto add = [&](const ct::config::Account& a) {
    const auto& c = a.credentials;
    accounts.push_back({c.client_id, c.api_key, c.password, c.totp_secret, a.id});
    client_codes.push_back(c.client_id);
  };
  if (env->master) add(*env->master);
  for (const auto& f : env->followers) add(f);
  if (accounts.empty()) return config_error(env_path + ": API_KEY: no accounts in the file");

  auto instruments = ct::sim::InstrumentTable::Load(instruments_path);
  if (!instruments.ok()) return config_error(instruments.error());
  auto freeze = ct::sim::FreezeQuantities::Load(freeze_path);
  if (!freeze.ok()) return config_error(freeze.error());
  auto ips = ct::sim::ParseStaticIps(static_ips, client_codes);
  if (!ips.ok()) return config_error("--static-ip: " + ips.error());

  ct::sim::SimOptions options;
  options.rate_limits = !no_rate_limits;
  options.rules.legacy_order_types = legacy_order_rules;
  options.rules.static_ips = std::move(ips).value();
  options.freeze = std::move(freeze).value();
  ct::sim::Simulator sim(ct::SystemClock::instance(), std::move(instruments).value(), accounts, std::move(options));
  auto bound = sim.Listen(host, port);
  if (!bound.ok()) {
    std::cerr << "copytrade-sim: " << bound.error() << std::endl;
    return 1;
  }
  sim.StopOnSignals();
  log->info("{} accounts, rate limits {}, order rules {}, {} static IP(s)", accounts.size(),
            no_rate_limits ? "off" : "on", legacy_order_rules ? "legacy" : "2026", sim.api().rules().static_ips.size());
  std::printf("copytrade-sim listening on %s:%u\n", host.c_str(), static_cast<unsigned>(*bound));
  std::fflush(stdout);
  sim.Run();
  log->info("stopped");
  return 0;
}
