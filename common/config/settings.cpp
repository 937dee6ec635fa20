#include "common/config/settings.h"

#include <toml++/toml.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "common/log/log.h"

namespace ct::config {
namespace {

// Reads one TOML table, remembering the first problem. Every key the table
// holds must be read (or listed as a sub-table), else it is "unknown".
class TableReader {
 public:
  TableReader(const std::string& file, const toml::table* table, std::string prefix,
              std::optional<ConfigError>& error)
      : file_(file), table_(table), prefix_(std::move(prefix)), error_(error) {}

  bool present() const { return table_ != nullptr; }

  void Bool(const char* key, bool& out) {
    if (auto* node = Find(key)) {
      if (auto v = node->value<bool>(); v && node->is_boolean()) out = *v;
      else Fail(key, "expected true or false");
    }
  }
  void Int(const char* key, int64_t& out, int64_t min, int64_t max) {
    if (auto* node = Find(key)) {
      if (!node->is_integer()) return Fail(key, "expected an integer");
      const int64_t v = *node->value<int64_t>();
      if (v < min || v > max)
        return Fail(key, "must be between " + std::to_string(min) + " and " + std::to_string(max) +
                             ", got " + std::to_string(v));
      out = v;
    }
  }
  void Double(const char* key, double& out, double min_exclusive) {
    if (auto* node = Find(key)) {
      if (!node->is_number()) return Fail(key, "expected a number");
      const double v = *node->value<double>();
      if (!(v > min_exclusive)) return Fail(key, "must be greater than " + Fmt(min_exclusive));
      out = v;
    }
  }
  void String(const char* key, std::string& out, bool allow_empty = false) {
    if (auto* node = Find(key)) {
      if (!node->is_string()) return Fail(key, "expected a string");
      std::string v = *node->value<std::string>();
      if (v.empty() && !allow_empty) return Fail(key, "must not be empty");
      out = v;
    }
  }
  void StringSet(const char* key, std::set<std::string>& out) {
    if (auto* node = Find(key)) {
      auto* arr = node->as_array();
      if (!arr) return Fail(key, "expected an array of strings");
      out.clear();
      for (auto& item : *arr) {
        if (!item.is_string()) return Fail(key, "expected an array of strings");
        out.insert(*item.value<std::string>());
      }
    }
  }
  void Rule(QuantityRule& rule) {
    std::string mode;
    String("quantity_rule", mode);
    if (mode == "mirror") rule.mode = QuantityMode::kMirror;
    else if (mode == "multiplier") rule.mode = QuantityMode::kMultiplier;
    else if (mode == "fixed") rule.mode = QuantityMode::kFixed;
    else if (mode == "fixed_lots") rule.mode = QuantityMode::kFixedLots;
    else if (!mode.empty())
      Fail("quantity_rule", "expected mirror, multiplier, fixed or fixed_lots, got '" + mode + "'");
    Double("multiplier", rule.multiplier, 0.0);
    Int("fixed_quantity", rule.fixed_quantity, 1, 10'000'000);
    Int("fixed_lots", rule.fixed_lots, 1, 100'000);
    Bool("min_one_lot", rule.min_one_lot);
    if (rule.mode == QuantityMode::kFixed && rule.fixed_quantity <= 0)
      Fail("fixed_quantity", "required (> 0) when quantity_rule = \"fixed\"");
    if (rule.mode == QuantityMode::kFixedLots && rule.fixed_lots <= 0)
      Fail("fixed_lots", "required (> 0) when quantity_rule = \"fixed_lots\"");
  }
  // [copy] filters and limits, in [copy] or [followers.<n>].
  void Rules(CopyRules& r) {
    StringSet("symbols_allow", r.symbols_allow);
    StringSet("symbols_block", r.symbols_block);
    Choices("exchanges", r.exchanges, {"NSE", "BSE", "NFO", "BFO", "MCX", "CDS"});
    Choices("product_types", r.product_types, {"DELIVERY", "CARRYFORWARD", "MARGIN", "INTRADAY", "BO"});
    Choices("sides", r.sides, {"BUY", "SELL"});
    if (auto* t = Table("order_types")) {
      TableReader types(file_, t, Key("order_types"), error_);
      for (auto& [type, enabled] : r.order_types) types.Bool(type.c_str(), enabled);
      types.RejectUnknown();
    }
    std::string window;
    String("window", window);
    if (!window.empty()) {
      r.window = ParseTimeWindow(window);
      if (!r.window) Fail("window", "expected HH:MM-HH:MM in IST, e.g. \"09:20-15:10\", got '" + window + "'");
    }
    Bool("reverse", r.reverse);
    Int("max_quantity", r.max_quantity, 1, 100'000'000);
    Money("max_order_value", r.max_order_value);
    Int("max_orders_per_day", r.max_orders_per_day, 1, 100'000);
    Money("daily_loss_limit", r.daily_loss_limit);
    Bool("require_approval", r.require_approval);
    Bool("pause_exits", r.pause_exits);
  }
  void Money(const char* key, double& out) {
    if (auto* node = Find(key)) {
      if (!node->is_number()) return Fail(key, "expected a number (rupees)");
      const double v = *node->value<double>();
      if (!(v > 0 && v < 1e12)) return Fail(key, "must be a positive amount in rupees");
      out = v;
    }
  }
  void Choices(const char* key, std::set<std::string>& out, std::initializer_list<const char*> allowed) {
    StringSet(key, out);
    for (const auto& v : out) {
      bool ok = false;
      std::string list;
      for (const char* a : allowed) {
        ok = ok || v == a;
        list += (list.empty() ? "" : ", ") + std::string(a);
      }
      if (!ok) return Fail(key, "'" + v + "' is not one of " + list);
    }
  }
  // [execution] keys, in [execution] or [followers.<n>].
  void Execution(ExecutionSettings& e) {
    if (auto* node = Find("limit_buffer_pct")) {
      if (node->is_number()) {
        const double v = *node->value<double>();
        if (!(v >= 0 && v <= 50)) return Fail("limit_buffer_pct", "must be between 0 and 50 (percent)");
        e.limit_buffer = {v, v, v, v, v};
      } else if (auto* t = node->as_table()) {
        TableReader buffers(file_, t, Key("limit_buffer_pct"), error_);
        buffers.Percent("equity", e.limit_buffer.equity_pct, 50);
        buffers.Percent("futures", e.limit_buffer.futures_pct, 50);
        buffers.Percent("options", e.limit_buffer.options_pct, 50);
        buffers.Percent("commodity", e.limit_buffer.commodity_pct, 50);
        buffers.Percent("currency", e.limit_buffer.currency_pct, 50);
        buffers.RejectUnknown();
      } else {
        Fail("limit_buffer_pct", "expected a number or a table of equity/futures/options/commodity/currency");
      }
    }
    Int("chase_interval_ms", e.chase_interval_ms, 200, 60'000);
    Percent("max_slippage_pct", e.max_slippage_pct, 100);
    Int("chase_for_s", e.chase_for_s, 0, 3600);
    Int("followup_ms", e.followup_ms, 200, 60'000);
  }
  void Percent(const char* key, double& out, double max) {
    if (auto* node = Find(key)) {
      if (!node->is_number()) return Fail(key, "expected a number (percent)");
      const double v = *node->value<double>();
      if (!(v >= 0 && v <= max)) return Fail(key, "must be between 0 and " + Fmt(max) + " (percent)");
      out = v;
    }
  }
  // A host name as `copytrade deploy --host` takes it.
  void Host(const char* key, std::string& out) {
    String(key, out);
    if (out.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789.-_") != std::string::npos)
      Fail(key, "expected a host name (letters, digits, '.', '-', '_'), got '" + out + "'");
  }
  void Modes(CopyMode& copy_mode, ExitSizingMode& exit_sizing) {
    std::string mode;
    String("copy_mode", mode);
    if (mode == "complete") copy_mode = CopyMode::kComplete;
    else if (mode == "mirror") copy_mode = CopyMode::kMirror;
    else if (!mode.empty()) Fail("copy_mode", "expected complete or mirror, got '" + mode + "'");
    std::string exits;
    String("exit_sizing", exits);
    if (exits == "proportional") exit_sizing = ExitSizingMode::kProportional;
    else if (exits == "rule") exit_sizing = ExitSizingMode::kRule;
    else if (!exits.empty()) Fail("exit_sizing", "expected proportional or rule, got '" + exits + "'");
  }
  const toml::table* Table(const char* key) {
    if (auto* node = Find(key)) {
      if (auto* t = node->as_table()) return t;
      Fail(key, "expected a table");
    }
    return nullptr;
  }
  std::string Key(const std::string& key) const { return prefix_.empty() ? key : prefix_ + "." + key; }

  // Call last: any key not read above is unknown.
  void RejectUnknown() {
    if (!table_ || error_) return;
    for (auto& [k, v] : *table_) {
      if (!seen_.count(std::string(k.str())))
        return Fail(std::string(k.str()).c_str(), "unknown setting");
    }
  }
  void Fail(const std::string& key, const std::string& problem) {
    if (!error_) error_ = ConfigError{file_, Key(key), problem};
  }

 private:
  const toml::node* Find(const char* key) {
    seen_.insert(key);
    if (!table_) return nullptr;
    return table_->get(key);
  }
  static std::string Fmt(double d) {
    std::ostringstream o;
    o << d;
    return o.str();
  }
  const std::string& file_;
  const toml::table* table_;
  std::string prefix_;
  std::optional<ConfigError>& error_;
  std::set<std::string> seen_;
};

bool ValidIpv4(const std::string& text) {
  int parts = 0;
  size_t i = 0;
  while (i <= text.size()) {
    size_t j = text.find('.', i);
    if (j == std::string::npos) j = text.size();
    const std::string part = text.substr(i, j - i);
    if (part.empty() || part.size() > 3 || part.find_first_not_of("0123456789") != std::string::npos ||
        std::stoi(part) > 255)
      return false;
    ++parts;
    i = j + 1;
  }
  return parts == 4;
}

bool ValidEndpoint(const std::string& e) {
  return e.rfind("ipc://", 0) == 0 || e.rfind("tcp://", 0) == 0 || e.rfind("inproc://", 0) == 0;
}

}  // namespace

const char* ToString(CopyMode mode) { return mode == CopyMode::kMirror ? "mirror" : "complete"; }
const char* ToString(ExitSizingMode mode) { return mode == ExitSizingMode::kRule ? "rule" : "proportional"; }

std::string ExecutorEndpoint(const std::string& endpoint, int follower_number) {
  std::string out = endpoint;
  const std::string n = std::to_string(follower_number);
  for (size_t pos = 0; (pos = out.find("{n}", pos)) != std::string::npos; pos += n.size()) out.replace(pos, 3, n);
  return out;
}

const char* ToString(QuantityMode mode) {
  switch (mode) {
    case QuantityMode::kMirror: return "mirror";
    case QuantityMode::kMultiplier: return "multiplier";
    case QuantityMode::kFixed: return "fixed";
    case QuantityMode::kFixedLots: return "fixed_lots";
  }
  return "?";
}

std::optional<TimeWindow> ParseTimeWindow(const std::string& text) {
  int h1 = 0, m1 = 0, h2 = 0, m2 = 0;
  char tail = 0;
  if (std::sscanf(text.c_str(), "%2d:%2d-%2d:%2d%c", &h1, &m1, &h2, &m2, &tail) != 4) return std::nullopt;
  if (h1 < 0 || h1 > 23 || h2 < 0 || h2 > 23 || m1 < 0 || m1 > 59 || m2 < 0 || m2 > 59) return std::nullopt;
  TimeWindow w{h1 * 60 + m1, h2 * 60 + m2};
  if (w.from_minute > w.to_minute) return std::nullopt;
  return w;
}

FollowerSettings Settings::Follower(int number) const {
  if (auto it = followers.find(number); it != followers.end()) return it->second;
  FollowerSettings f;
  f.number = number;
  f.id = "follower-" + std::to_string(number);
  f.rule = default_rule;
  f.rules = default_rules;
  f.max_copy_delay_ms = max_copy_delay_ms;
  f.execution = execution;
  f.copy_mode = copy_mode;
  f.exit_sizing = exit_sizing;
  return f;
}

Result<Settings, ConfigError> ParseSettings(const std::string& path, const std::string& text) {
  toml::table root;
  try {
    root = toml::parse(text, path);
  } catch (const toml::parse_error& e) {
    return ConfigError{path, "line " + std::to_string(e.source().begin.line),
                       std::string("not valid TOML: ") + std::string(e.description())};
  }
  Settings s;
  s.path = path;
  std::optional<ConfigError> error;

  TableReader top(path, &root, "", error);
  top.Bool("dry_run", s.dry_run);
  top.String("log_level", s.log_level);
  if (s.log_level != "trace" && s.log_level != "debug" && s.log_level != "info" &&
      s.log_level != "warn" && s.log_level != "error")
    top.Fail("log_level", "expected trace, debug, info, warn or error");

  TableReader broker(path, top.Table("broker"), "broker", error);
  broker.String("rest_url", s.broker.rest_url);
  broker.String("ws_url", s.broker.ws_url);
  broker.Int("timeout_ms", s.broker.timeout_ms, 100, 60'000);
  if (s.broker.ws_url.rfind("wss://", 0) != 0 && s.broker.ws_url.rfind("ws://", 0) != 0)
    broker.Fail("ws_url", "expected a ws:// or wss:// URL");
  if (s.broker.rest_url.rfind("https://", 0) != 0 && s.broker.rest_url.rfind("http://", 0) != 0)
    broker.Fail("rest_url", "expected an http:// or https:// URL");
  broker.RejectUnknown();

  TableReader copy(path, top.Table("copy"), "copy", error);
  copy.Rule(s.default_rule);
  copy.Int("max_copy_delay_ms", s.max_copy_delay_ms, 100, 24LL * 3600 * 1000);
  copy.Modes(s.copy_mode, s.exit_sizing);
  copy.Rules(s.default_rules);
  copy.RejectUnknown();

  TableReader execution(path, top.Table("execution"), "execution", error);
  execution.Execution(s.execution);
  execution.RejectUnknown();

  TableReader instruments(path, top.Table("instruments"), "instruments", error);
  instruments.String("file", s.instruments.file, true);
  instruments.String("url", s.instruments.url);
  instruments.String("freeze_file", s.instruments.freeze_file, true);
  instruments.Int("download_timeout_ms", s.instruments.download_timeout_ms, 1000, 600'000);
  if (s.instruments.url.rfind("https://", 0) != 0 && s.instruments.url.rfind("http://", 0) != 0)
    instruments.Fail("url", "expected an http:// or https:// URL");
  instruments.RejectUnknown();

  TableReader followers(path, top.Table("followers"), "followers", error);
  if (followers.present()) {
    for (auto& [k, v] : *root["followers"].as_table()) {
      const std::string key(k.str());
      int n = 0;
      try {
        size_t used = 0;
        n = std::stoi(key, &used);
        if (used != key.size() || n < 1) throw std::invalid_argument(key);
      } catch (const std::exception&) {
        followers.Fail(key, "follower tables are named by number, e.g. [followers.1]");
        break;
      }
      FollowerSettings f;
      f.number = n;
      f.id = "follower-" + std::to_string(n);
      f.rule = s.default_rule;
      f.rules = s.default_rules;
      f.max_copy_delay_ms = s.max_copy_delay_ms;
      f.execution = s.execution;
      f.copy_mode = s.copy_mode;
      f.exit_sizing = s.exit_sizing;
      TableReader fr(path, followers.Table(key.c_str()), "followers." + key, error);
      fr.Bool("enabled", f.enabled);
      fr.Rule(f.rule);
      fr.Rules(f.rules);
      fr.Execution(f.execution);
      fr.Modes(f.copy_mode, f.exit_sizing);
      fr.String("source_address", f.source_address);
      if (!f.source_address.empty() && !ValidIpv4(f.source_address))
        fr.Fail("source_address", "expected an IPv4 address such as 203.0.113.7, got '" + f.source_address + "'");
      if (auto* t = root["followers"][key].as_table();
          t && (t->contains("quantity_rule") || t->contains("multiplier") || t->contains("fixed_quantity") ||
                t->contains("fixed_lots") || t->contains("min_one_lot")))
        f.rule.source = "followers." + key;
      fr.Int("max_copy_delay_ms", f.max_copy_delay_ms, 100, 24LL * 3600 * 1000);
      fr.Host("host", f.host);
      fr.RejectUnknown();
      s.followers[n] = f;
    }
  }

  TableReader dashboard(path, top.Table("dashboard"), "dashboard", error);
  dashboard.String("listen", s.dashboard.listen);
  dashboard.String("token", s.dashboard.token, true);
  if (s.dashboard.listen.find(':') == std::string::npos)
    dashboard.Fail("listen", "expected HOST:PORT, e.g. 127.0.0.1:8321");
  dashboard.RejectUnknown();

  TableReader bus(path, top.Table("bus"), "bus", error);
  struct Ep { const char* key; std::string* value; bool required; };
  Ep eps[] = {
      {"watcher_publish", &s.bus.watcher_publish_bind, true},
      {"watcher_replay", &s.bus.watcher_replay_bind, true},
      {"router_publish", &s.bus.router_publish_bind, true},
      {"router_replay", &s.bus.router_replay_bind, true},
      {"watcher_publish_connect", &s.bus.watcher_publish_connect, false},
      {"watcher_replay_connect", &s.bus.watcher_replay_connect, false},
      {"router_publish_connect", &s.bus.router_publish_connect, false},
      {"router_replay_connect", &s.bus.router_replay_connect, false},
      {"executor_publish", &s.bus.executor_publish_bind, true},
      {"executor_replay", &s.bus.executor_replay_bind, true},
      {"executor_publish_connect", &s.bus.executor_publish_connect, false},
      {"executor_replay_connect", &s.bus.executor_replay_connect, false},
      {"router_control", &s.bus.router_control_bind, true},
      {"router_control_connect", &s.bus.router_control_connect, false},
  };
  for (auto& ep : eps) {
    bus.String(ep.key, *ep.value, !ep.required);
    if (!ep.value->empty() && !ValidEndpoint(*ep.value))
      bus.Fail(ep.key, "expected an ipc://, tcp:// or inproc:// endpoint, got '" + *ep.value + "'");
  }
  TableReader curve(path, bus.Table("curve"), "bus.curve", error);
  curve.Bool("enabled", s.curve.enabled);
  struct KeyFile { const char* key; std::string* value; };
  KeyFile key_files[] = {
      {"watcher_public_key_file", &s.curve.watcher_public_key_file},
      {"watcher_secret_key_file", &s.curve.watcher_secret_key_file},
      {"router_public_key_file", &s.curve.router_public_key_file},
      {"router_secret_key_file", &s.curve.router_secret_key_file},
      {"executor_public_key_file", &s.curve.executor_public_key_file},
      {"executor_secret_key_file", &s.curve.executor_secret_key_file},
      {"client_public_key_file", &s.curve.client_public_key_file},
      {"client_secret_key_file", &s.curve.client_secret_key_file},
      {"allowed_clients_file", &s.curve.allowed_clients_file},
  };
  for (auto& kf : key_files) curve.String(kf.key, *kf.value);
  curve.RejectUnknown();
  bus.RejectUnknown();
  auto fill = [](std::string& connect, const std::string& bind) {
    if (connect.empty()) connect = bind;
  };
  fill(s.bus.watcher_publish_connect, s.bus.watcher_publish_bind);
  fill(s.bus.watcher_replay_connect, s.bus.watcher_replay_bind);
  fill(s.bus.router_publish_connect, s.bus.router_publish_bind);
  fill(s.bus.router_replay_connect, s.bus.router_replay_bind);
  fill(s.bus.executor_publish_connect, s.bus.executor_publish_bind);
  fill(s.bus.executor_replay_connect, s.bus.executor_replay_bind);
  fill(s.bus.router_control_connect, s.bus.router_control_bind);
  for (const auto* ep : {&s.bus.executor_publish_bind, &s.bus.executor_replay_bind}) {
    if (ep->rfind("ipc://", 0) == 0 && ep->find("{n}") == std::string::npos)
      bus.Fail(ep == &s.bus.executor_publish_bind ? "executor_publish" : "executor_replay",
               "an ipc:// endpoint must contain {n} (each executor binds its own)");
  }

  TableReader watcher(path, top.Table("watcher"), "watcher", error);
  watcher.Int("poll_interval_ms", s.poll_interval_ms, 1000, 60'000);
  watcher.Bool("order_feed", s.order_feed);
  watcher.RejectUnknown();

  TableReader journal(path, top.Table("journal"), "journal", error);
  journal.Int("prune_after_hours", s.journal_prune_after_hours, 0, 24 * 366);
  journal.RejectUnknown();

  TableReader deploy(path, top.Table("deploy"), "deploy", error);
  deploy.Host("default_host", s.deploy.default_host);
  deploy.Host("watcher_host", s.deploy.watcher_host);
  deploy.Host("router_host", s.deploy.router_host);
  deploy.RejectUnknown();

  TableReader alerts(path, top.Table("alerts"), "alerts", error);
  alerts.String("webhook_url", s.alerts.webhook_url, true);
  if (!s.alerts.webhook_url.empty() && s.alerts.webhook_url.rfind("https://", 0) != 0 &&
      s.alerts.webhook_url.rfind("http://", 0) != 0)
    alerts.Fail("webhook_url", "expected an http:// or https:// URL");  // the value is a secret: not shown
  log::RegisterSecret(s.alerts.webhook_url);
  alerts.String("chat_id", s.alerts.chat_id, true);
  alerts.String("command", s.alerts.command, true);
  alerts.Int("min_interval_s", s.alerts.min_interval_s, 0, 24 * 3600);
  alerts.Int("feed_down_alert_s", s.alerts.feed_down_alert_s, 1, 24 * 3600);
  alerts.Int("timeout_ms", s.alerts.timeout_ms, 100, 120'000);
  alerts.RejectUnknown();

  TableReader paths(path, top.Table("paths"), "paths", error);
  paths.String("state_dir", s.state_dir);
  paths.String("records_dir", s.records_dir);
  paths.RejectUnknown();

  top.RejectUnknown();
  if (error) return *error;
  return s;
}

Result<Settings, ConfigError> LoadSettings(const std::string& path) {
  std::ifstream in(path);
  if (!in) return ConfigError{path, "(file)", "cannot be read (missing or no permission)"};
  std::stringstream ss;
  ss << in.rdbuf();
  return ParseSettings(path, ss.str());
}

std::optional<ConfigError> CrossCheck(const Settings& settings, const EnvFile& env) {
  for (const auto& [n, f] : settings.followers) {
    if (!env.Follower(n))
      return ConfigError{settings.path, "followers." + std::to_string(n),
                         "no FOLLOWER_" + std::to_string(n) + "_* credentials in " + env.path};
  }
  return std::nullopt;
}

}  // namespace ct::config
