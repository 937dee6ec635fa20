// copytrade: the operator CLI. Each subcommand lives in its own file of
// tools_lib (flags and run); this file only dispatches.
//   copytrade validate [--config F] [--env F] [--host H] [--offline]
//   copytrade deploy supervisord [--config F] [--env F] [--host H] [--out F]
//   copytrade alert-listener [--config F] [--env F]     (supervisord event listener)
//   copytrade status [--config F] [--json] [--watch [S]]
//   copytrade place --account master BUY SBIN-EQ 10 --token 3045 [--limit 812.5] ...
//   copytrade orders --account follower-1 [--json]
//   copytrade capture --from EP --replay EP --stream NAME --out FILE
//   copytrade replay FILE --to EP [--speed X | --as-fast-as-possible]
//   copytrade keygen PATH
//   copytrade report [--date D] [--follower N] [--csv] [--json]
#include <CLI/CLI.hpp>

#include <chrono>

#include "common/config/load.h"
#include "common/log/log.h"
#include "tools/accounts.h"
#include "tools/alert_listener.h"
#include "tools/capture_replay.h"
#include "tools/control.h"
#include "tools/deploy.h"
#include "tools/keygen.h"
#include "tools/report.h"
#include "tools/status.h"
#include "tools/validate.h"

int main(int argc, char** argv) {
  CLI::App app{"copytrade: copy a master Angel One account's orders to follower accounts"};
  app.set_version_flag("--version", std::string("copytrade ") + COPYTRADE_VERSION);
  app.require_subcommand(1);

  ct::tools::ValidateOptions validate_options;
  ct::tools::DeployOptions deploy_options;
  ct::tools::AlertListenerOptions listener_options;
  ct::tools::AccountOptions account_options;
  ct::tools::CaptureOptions capture_options;
  ct::tools::ReplayOptions replay_options;
  ct::tools::ReportOptions report_options;
  std::string config_path = "copytrade.toml", key_path;
  bool json = false;
  auto* validate = ct::tools::AddValidateCommand(app, validate_options);
  auto* deploy = ct::tools::AddDeployCommand(app, deploy_options);
  auto* listener = ct::tools::AddAlertListenerCommand(app, listener_options);
  auto* place = ct::tools::AddPlaceCommand(app, account_options);
  auto* orders = ct::tools::AddOrdersCommand(app, account_options);
  auto* capture = ct::tools::AddCaptureCommand(app, capture_options);
  auto* replay = ct::tools::AddReplayCommand(app, replay_options);
  auto* keygen = ct::tools::AddKeygenCommand(app, key_path);
  auto* report = ct::tools::AddReportCommand(app, report_options);
  ct::tools::ControlOptions control_options;
  const auto control_commands = ct::tools::AddControlCommands(app, control_options);
  auto* status = app.add_subcommand("status", "each process, follower and the watcher's feed: running, connected, lag (exit 1 if not healthy)");
  status->add_option("--config", config_path, "copytrade.toml");
  status->add_flag("--json", json, "one JSON document (processes, followers, watcher) for scripts");
  double watch_s = 0;
  status->add_option("--watch", watch_s, "print again every S seconds (default 2) until Ctrl-C")
      ->expected(0, 1)
      ->default_str("2");
  CLI11_PARSE(app, argc, argv);

  if (*keygen) return ct::tools::WriteKeyPair(key_path);
  if (*capture) return ct::tools::RunCapture(capture_options);
  if (*replay) return ct::tools::RunReplay(replay_options);
  if (*listener) return ct::tools::RunAlertListener(listener_options);
  // The CLI prints its own one-line errors; retries on the way are not news.
  ct::log::Init("copytrade", "error");
  for (auto* c : control_commands)
    if (*c) return ct::tools::RunControl(control_options);
  if (*validate) return ct::tools::RunValidate(validate_options);
  if (*deploy) return ct::tools::RunDeploySupervisord(deploy_options);
  if (*report)
    return ct::tools::RunReport(report_options, std::chrono::duration_cast<std::chrono::nanoseconds>(
                                                    std::chrono::system_clock::now().time_since_epoch())
                                                    .count());
  if (*place) return ct::tools::RunPlace(account_options);
  if (*orders) return ct::tools::RunOrders(account_options);
  auto settings = ct::config::LoadSettings(config_path);
  if (!settings.ok()) ct::config::ExitWithError(settings.error());
  return ct::tools::RunStatus(settings->state_dir, json,
                               status->count("--watch") > 0 && watch_s <= 0 ? 2.0 : watch_s);
}
