// copytrade.toml: everything that is not a credential. Unknown keys are
// errors (a typo must not silently fall back to a default); every value is
// type- and range-checked. Dry run is on unless the file says
// `dry_run = false`.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "common/config/config_error.h"
#include "common/config/env_file.h"
#include "common/core/result.h"

namespace ct::config {

enum class QuantityMode { kMirror, kMultiplier, kFixed, kFixedLots };
const char* ToString(QuantityMode mode);

struct QuantityRule {
  QuantityMode mode = QuantityMode::kMirror;
  double multiplier = 1.0;      // kMultiplier: follower qty = round(master qty * multiplier)
  int64_t fixed_quantity = 0;   // kFixed: follower qty in units, whatever the master's
  int64_t fixed_lots = 0;       // kFixedLots: follower qty in lots of the instrument
  // F&O quantities are whole lots, rounded down; a copy under one lot is
  // skipped with the reason, unless this says to place one lot.
  bool min_one_lot = false;
  std::string source = "default";  // "default" or "followers.<n>"
};

// IST trading window ("09:20-15:10"), minutes since IST midnight, both ends
// included.
struct TimeWindow {
  int from_minute = 0;
  int to_minute = 24 * 60 - 1;
};

// What a follower copies and within which limits: [copy] for everyone,
// every key overridable in [followers.<n>].
struct CopyRules {
  // Each entry is an exact trading symbol or an underlying name: "NIFTY"
  // matches NIFTY options and futures, not BANKNIFTY or FINNIFTY.
  std::set<std::string> symbols_allow;  // empty = every symbol
  std::set<std::string> symbols_block;
  std::set<std::string> exchanges;      // empty = every exchange ("NSE", "NFO", ...)
  std::set<std::string> product_types;  // empty = every product ("INTRADAY", "CARRYFORWARD", ...)
  std::set<std::string> sides;          // empty = both ("BUY", "SELL")
  std::map<std::string, bool> order_types{
      {"MARKET", true}, {"LIMIT", true}, {"STOPLOSS_LIMIT", true}, {"STOPLOSS_MARKET", true}};
  std::optional<TimeWindow> window;     // none = any time
  bool reverse = false;                 // BUY <-> SELL (a hedging follower)
  // Risk limits; 0 = none. A breach skips the copy with the reason.
  int64_t max_quantity = 0;             // units per order
  double max_order_value = 0;           // quantity x reference price, rupees
  int64_t max_orders_per_day = 0;       // copies placed per IST day
  // Day P&L (getPosition) at or below -daily_loss_limit: new entries are
  // skipped, exits still copied, and it is recorded and alerted.
  double daily_loss_limit = 0;
  bool require_approval = false;        // hold each copy until `copytrade approve`
  bool pause_exits = false;             // while paused, exits are skipped too
};

// "09:20-15:10" -> the window; nullopt when malformed.
std::optional<TimeWindow> ParseTimeWindow(const std::string& text);

// The execution policy ([execution], each key overridable in
// [followers.<n>]). Since April 2026 every API order is an algo order: no
// MARKET, no IOC (SMARTAPI.md §10). A master MARKET order is copied as a
// marketable LIMIT at the reference price ± the segment's buffer, rounded
// to the tick, inside the exchange's LPP band, never further than
// max_slippage_pct from the master's fill; an open copy is re-priced every
// chase_interval_ms, and what is still open after chase_for_s is cancelled.
struct LimitBuffers {
  double equity_pct = 1.0;     // NSE/BSE cash
  double futures_pct = 1.0;    // index and stock futures (NFO/BFO)
  double options_pct = 8.0;    // index and stock options (NFO/BFO)
  double commodity_pct = 1.0;  // MCX
  double currency_pct = 1.0;   // CDS
};

struct ExecutionSettings {
  LimitBuffers limit_buffer;
  int64_t chase_interval_ms = 1000;
  double max_slippage_pct = 3.0;
  int64_t chase_for_s = 30;
  // An open copy with no push from the order-update feed for this long is
  // read back from the broker (order details, then the order book).
  int64_t followup_ms = 2000;
};

enum class CopyMode { kComplete, kMirror };
const char* ToString(CopyMode mode);
enum class ExitSizingMode { kProportional, kRule };
const char* ToString(ExitSizingMode mode);

struct FollowerSettings {
  int number = 0;
  std::string id;  // "follower-<n>"
  bool enabled = true;
  QuantityRule rule;
  CopyRules rules;
  int64_t max_copy_delay_ms = 0;
  ExecutionSettings execution;
  // The follower's registered static IP: its SmartAPI calls leave from this
  // local address. Empty: the host's default route.
  std::string source_address;
  CopyMode copy_mode = CopyMode::kComplete;
  ExitSizingMode exit_sizing = ExitSizingMode::kProportional;
  // The host its executor runs on ([deploy]); empty: deploy.default_host.
  std::string host;
};

// [deploy]: which host runs which process, for `copytrade deploy
// supervisord --host NAME` and `copytrade validate --host NAME`. A process
// that names no host runs on default_host; with no host named anywhere,
// everything runs on one host.
struct DeploySettings {
  std::string default_host;
  std::string watcher_host;
  std::string router_host;
};

// [alerts]: a webhook (JSON POST) and/or a command (the alert JSON on its
// stdin), rate-limited per kind. See common/alerts/alerts.h.
struct AlertSettings {
  // A secret: a Telegram bot URL holds the bot's token. Registered with the
  // log mask, never logged. ALERT_WEBHOOK_URL in .env takes precedence.
  std::string webhook_url;
  std::string chat_id;  // sent as "chat_id" when set (Telegram's sendMessage needs it)
  std::string command;  // run by /bin/sh -c
  int64_t min_interval_s = 60;     // at most one alert of a kind per interval; the rest are counted
  int64_t feed_down_alert_s = 60;  // the order feed down this long is an alert
  int64_t timeout_ms = 5000;       // per delivery (webhook call, command run)
};

struct BrokerSettings {
  std::string rest_url = "https://apiconnect.angelone.in";
  std::string ws_url = "wss://tns.angelone.in/smart-order-update";
  int64_t timeout_ms = 7000;
};

// Bus endpoints. `*_bind` is where the owner binds; `*_connect` where peers
// connect (they differ across hosts: bind tcp://0.0.0.0:5550, connect
// tcp://watcher-host:5550). When a connect address is not given it equals
// the bind address.
struct BusSettings {
  std::string watcher_publish_bind = "ipc://run/watcher.pub";
  std::string watcher_replay_bind = "ipc://run/watcher.replay";
  std::string router_publish_bind = "ipc://run/router.pub";
  std::string router_replay_bind = "ipc://run/router.replay";
  std::string watcher_publish_connect, watcher_replay_connect;
  std::string router_publish_connect, router_replay_connect;
  // Each executor publishes its "reports/follower-<n>" stream; "{n}" in
  // these is replaced by the follower's number (ExecutorEndpoint()).
  std::string executor_publish_bind = "ipc://run/executor-{n}.pub";
  std::string executor_replay_bind = "ipc://run/executor-{n}.replay";
  std::string executor_publish_connect, executor_replay_connect;
  // The router's control socket (copytrade pending/approve/pause/...).
  std::string router_control_bind = "ipc://run/router.control";
  std::string router_control_connect;
};

// `endpoint` with every "{n}" replaced by the follower number.
std::string ExecutorEndpoint(const std::string& endpoint, int follower_number);

// [instruments]: the instrument master (OpenAPIScripMaster.json, SMARTAPI.md
// §7) for lot and tick sizes, and the freeze quantities per underlying.
struct InstrumentSettings {
  std::string file;  // empty: downloaded once a day from `url` into state_dir
  std::string url = "https://margincalculator.angelbroking.com/OpenAPI_File/files/OpenAPIScripMaster.json";
  std::string freeze_file;  // empty: the file shipped with copytrade
  int64_t download_timeout_ms = 60'000;
};

// [bus.curve]: CURVE encryption and client authentication for links that
// leave the host. Server key pairs for the watcher and the router, this
// host's client key pair, and the allow-list of client public keys that the
// servers admit. Files hold Z85 keys (`copytrade keygen` writes them).
struct CurveSettings {
  bool enabled = false;
  std::string watcher_public_key_file, watcher_secret_key_file;
  std::string router_public_key_file, router_secret_key_file;
  // The executors' report streams (one key pair for the executors; the
  // secret file is needed only on the executors' hosts).
  std::string executor_public_key_file, executor_secret_key_file;
  std::string client_public_key_file, client_secret_key_file;
  std::string allowed_clients_file;
};

// [dashboard]: copytrade-dashboard's web page and /metrics.
struct DashboardSettings {
  std::string listen = "127.0.0.1:8321";  // host:port
  // Required on every request and on the live updates when `listen` is not
  // a loopback address (DASHBOARD_TOKEN in .env takes precedence).
  std::string token;
};

struct Settings {
  std::string path;
  bool dry_run = true;
  std::string log_level = "info";

  QuantityRule default_rule;
  int64_t max_copy_delay_ms = 30'000;
  CopyMode copy_mode = CopyMode::kComplete;
  ExitSizingMode exit_sizing = ExitSizingMode::kProportional;
  ExecutionSettings execution;
  InstrumentSettings instruments;
  CopyRules default_rules;
  std::map<int, FollowerSettings> followers;  // overrides by follower number
  DashboardSettings dashboard;

  BrokerSettings broker;
  BusSettings bus;
  CurveSettings curve;
  DeploySettings deploy;
  AlertSettings alerts;
  int64_t poll_interval_ms = 1000;  // watcher order-book poll, >= 1000 (broker limit 1/s)
  bool order_feed = true;           // watcher also listens on the order-update WebSocket
  std::string state_dir = "state";   // journals
  // [journal] prune_after_hours: published messages older than this are
  // deleted from a publisher's journal (0: keep everything). A subscriber
  // away for longer loses them (and logs it); by then max_copy_delay has
  // long made them stale.
  int64_t journal_prune_after_hours = 72;
  std::string records_dir = "logs";  // session records

  // The effective settings for follower n (defaults + its override).
  FollowerSettings Follower(int number) const;
};

Result<Settings, ConfigError> LoadSettings(const std::string& path);
Result<Settings, ConfigError> ParseSettings(const std::string& path, const std::string& text);

// Cross-checks: every [followers.<n>] table names a follower in the .env.
std::optional<ConfigError> CrossCheck(const Settings& settings, const EnvFile& env);

}  // namespace ct::config
