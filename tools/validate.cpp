#include "tools/validate.h"

#include <sys/stat.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <thread>

#include "common/config/env_file.h"
#include "common/config/settings.h"
#include "common/instruments/load.h"
#include "common/log/log.h"
#include "common/startup/broker_client.h"
#include "tools/deploy.h"

namespace ct::tools {
namespace {

using config::Account;

std::string Fixed(double v, int digits) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

std::string AccountName(const Account& a) {
  return a.credentials.client_id.empty() ? a.id : a.id + " (" + a.credentials.client_id + ")";
}

class Checks {
 public:
  explicit Checks(const std::function<void(const CheckLine&)>& on_line) : on_line_(on_line) {}
  void Ok(const std::string& check, const std::string& detail) { Add(CheckStatus::kOk, check, detail); }
  void Warn(const std::string& check, const std::string& detail) { Add(CheckStatus::kWarn, check, detail); }
  void Fail(const std::string& check, const std::string& detail) { Add(CheckStatus::kFail, check, detail); }
  ValidateReport Done(int exit_code_if_any_failed = 1) {
    for (const auto& l : report_.lines)
      if (l.status == CheckStatus::kFail) report_.exit_code = std::max(report_.exit_code, exit_code_if_any_failed);
    return report_;
  }
  ValidateReport Unparsable() {
    report_.exit_code = config::kConfigErrorExitCode;
    return report_;
  }

 private:
  void Add(CheckStatus status, const std::string& check, const std::string& detail) {
    report_.lines.push_back({status, check, log::Mask(detail)});
    if (on_line_) on_line_(report_.lines.back());
  }
  const std::function<void(const CheckLine&)>& on_line_;
  ValidateReport report_;
};

std::string Problem(const config::ConfigError& e) { return e.key + ": " + e.problem; }

// The endpoints a process binds, and those it connects to with the
// process that binds them.
struct Endpoint {
  std::string key;  // "router_publish", "executor_publish (follower-2)"
  std::string address;
};
std::vector<Endpoint> Binds(const config::BusSettings& b, const PlacedProcess& p) {
  switch (p.role) {
    case PlacedProcess::Role::kWatcher:
      return {{"watcher_publish", b.watcher_publish_bind}, {"watcher_replay", b.watcher_replay_bind}};
    case PlacedProcess::Role::kRouter:
      return {{"router_publish", b.router_publish_bind},
              {"router_replay", b.router_replay_bind},
              {"router_control", b.router_control_bind}};
    case PlacedProcess::Role::kExecutor: {
      const std::string f = " (follower-" + std::to_string(p.follower) + ")";
      return {{"executor_publish" + f, config::ExecutorEndpoint(b.executor_publish_bind, p.follower)},
              {"executor_replay" + f, config::ExecutorEndpoint(b.executor_replay_bind, p.follower)}};
    }
  }
  return {};
}
struct Peer {
  Endpoint endpoint;
  const PlacedProcess* owner;
};
std::vector<Peer> Connects(const config::BusSettings& b, const PlacedProcess& p, const std::vector<PlacedProcess>& all) {
  auto find = [&](PlacedProcess::Role role, int follower) -> const PlacedProcess* {
    for (const auto& q : all)
      if (q.role == role && q.follower == follower) return &q;
    return nullptr;
  };
  std::vector<Peer> out;
  if (p.role == PlacedProcess::Role::kRouter) {
    const auto* w = find(PlacedProcess::Role::kWatcher, 0);
    out.push_back({{"watcher_publish_connect", b.watcher_publish_connect}, w});
    out.push_back({{"watcher_replay_connect", b.watcher_replay_connect}, w});
    for (const auto& q : all) {
      if (q.role != PlacedProcess::Role::kExecutor) continue;
      const std::string f = " (follower-" + std::to_string(q.follower) + ")";
      out.push_back({{"executor_publish_connect" + f, config::ExecutorEndpoint(b.executor_publish_connect, q.follower)}, &q});
      out.push_back({{"executor_replay_connect" + f, config::ExecutorEndpoint(b.executor_replay_connect, q.follower)}, &q});
    }
  } else if (p.role == PlacedProcess::Role::kExecutor) {
    const auto* r = find(PlacedProcess::Role::kRouter, 0);
    out.push_back({{"router_publish_connect", b.router_publish_connect}, r});
    out.push_back({{"router_replay_connect", b.router_replay_connect}, r});
  }
  return out;
}

// The master's account is needed where the watcher runs.
void CheckCredentials(Checks& checks, const config::Settings& s, const config::EnvFile& env, bool master_here) {
  std::vector<std::string> problems;
  if (!env.master && master_here)
    problems.push_back("no master account (API_KEY, CLIENT_ID, PASSWORD, TOTP_SECRET)");
  else if (auto e = env.master ? config::MissingCredential(env.path, *env.master) : std::nullopt)
    problems.push_back(e->key + " missing");
  for (const auto& f : env.followers)
    if (auto e = config::MissingCredential(env.path, f)) problems.push_back(e->key + " missing");
  if (auto e = config::CrossCheck(s, env)) problems.push_back(Problem(*e));
  if (!problems.empty()) {
    std::string text;
    for (const auto& p : problems) text += (text.empty() ? "" : "; ") + p;
    return checks.Fail("credentials", text + " (every account needs API_KEY, CLIENT_ID, PASSWORD, TOTP_SECRET)");
  }
  if (env.followers.empty())
    return checks.Warn("credentials", "the master has all its credentials, but .env has no FOLLOWER_<n>_ account: "
                                      "nothing to copy to");
  std::string names;
  if (env.master) names = AccountName(*env.master);
  for (const auto& f : env.followers) names += (names.empty() ? "" : ", ") + AccountName(f);
  checks.Ok("credentials", "API_KEY, CLIENT_ID, PASSWORD, TOTP_SECRET for " + names);
}

void CheckEnvPermissions(Checks& checks, const std::string& path) {
  struct stat st {};
  if (stat(path.c_str(), &st) != 0) return checks.Fail("env permissions", path + " cannot be read");
  char mode[8];
  std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
  if ((st.st_mode & 077) != 0)
    return checks.Warn("env permissions", path + " is mode " + mode +
                                              ": other users of this host can read the credentials (chmod 600 " + path + ")");
  checks.Ok("env permissions", path + " is readable by its owner only (mode " + mode + ")");
}

void CheckTotpSecrets(Checks& checks, const std::vector<const Account*>& accounts, const std::string& path) {
  std::string problems;
  int good = 0;
  for (const Account* a : accounts) {
    if (a->credentials.totp_secret.empty()) continue;
    if (auto e = config::BadTotpSecret(path, *a)) problems += (problems.empty() ? "" : "; ") + e->key + " " + e->problem;
    else ++good;
  }
  if (!problems.empty()) return checks.Fail("totp secrets", problems);
  checks.Ok("totp secrets", std::to_string(good) + " base32 secret(s)");
}

void CheckLogins(Checks& checks, const config::Settings& s, const std::vector<const Account*>& accounts,
                 const std::string& env_path, const Clock& clock) {
  for (const Account* a : accounts) {
    const std::string check = "login " + a->id;
    if (config::MissingCredential(env_path, *a)) {
      checks.Warn(check, "not tried: its credentials are incomplete");
      continue;
    }
    if (config::BadTotpSecret(env_path, *a)) {
      checks.Warn(check, "not tried: its TOTP secret is not base32");
      continue;
    }
    auto client = startup::MakeBrokerClient(*a, s.broker, clock);
    auto session = client->Login();
    if (session.ok()) checks.Ok(check, a->credentials.client_id + " logged in at " + s.broker.rest_url);
    else checks.Fail(check, a->credentials.client_id + ": " + session.error().ToString());
  }
}

void CheckClock(Checks& checks, const config::Settings& s, const Clock& clock, const Sleeper& sleep) {
  auto skew = MeasureClockSkew(s.broker.rest_url, static_cast<long>(s.broker.timeout_ms), clock, sleep);
  if (!skew.ok()) {
    if (skew.error().find("no Date header") != std::string::npos)
      return checks.Warn("clock", "cannot be measured: " + skew.error());
    return checks.Fail("clock", skew.error());
  }
  const double off = skew->skew_s;
  const std::string text = "this host is " + Fixed(std::fabs(off), 2) + " s " + (off >= 0 ? "ahead of" : "behind") +
                           " the broker's clock (±" + Fixed(skew->uncertainty_s, 2) + " s)";
  if (std::fabs(off) >= 1.0)
    return checks.Fail("clock", text + ": keep it in sync (NTP: chrony or systemd-timesyncd); TOTP codes and order "
                                       "times depend on it");
  checks.Ok("clock", text);
}

// Offline, a master that would be downloaded is not checked (the network).
void CheckInstruments(Checks& checks, const config::Settings& s, const Clock& clock, bool offline) {
  if (offline && s.instruments.file.empty()) return;
  auto loaded = instruments::LoadInstruments(s, clock, log::Get("instruments"));
  if (!loaded.ok()) return checks.Fail("instruments", loaded.error());
  std::string text = std::to_string(loaded->master->size()) + " instruments from " + loaded->master_path + ", " +
                     std::to_string(loaded->freeze->size()) + " freeze quantities from " + loaded->freeze_path;
  if (loaded->warnings.empty()) return checks.Ok("instruments", text);
  for (const auto& w : loaded->warnings) text += "; " + w;
  checks.Warn("instruments", text);
}

void CheckSourceAddresses(Checks& checks, const config::Settings& s, const std::vector<PlacedProcess>& here) {
  bool any = false;
  for (const auto& p : here) {
    if (p.role != PlacedProcess::Role::kExecutor) continue;
    const auto f = s.Follower(p.follower);
    if (f.source_address.empty()) continue;
    any = true;
    const auto found = FindLocalAddress(f.source_address);
    const std::string check = "source_address " + f.id;
    if (!found.exists)
      checks.Fail(check, found.problem + ": it must be the follower's registered static IP, on an interface of this host");
    else
      checks.Ok(check, f.source_address + " is an address of this host" +
                           (found.interface_name.empty() ? "" : " (" + found.interface_name + ")"));
  }
  if (!any) checks.Ok("source addresses", "none set: every follower's calls leave from this host's default route");
}

// Relative ipc:// paths are resolved against copytrade.toml's folder: the
// working directory `copytrade deploy supervisord` gives every process.
void CheckBus(Checks& checks, const config::Settings& s, const std::vector<PlacedProcess>& all,
              const std::vector<PlacedProcess>& here, bool offline) {
  const std::string base = std::filesystem::absolute(s.path).parent_path().string();
  auto is_here = [&](const PlacedProcess* p) {
    if (p == nullptr) return true;
    for (const auto& q : here)
      if (q.name == p->name) return true;
    return false;
  };
  for (const auto& p : here) {
    for (const auto& e : Binds(s.bus, p)) {
      const auto probe = ProbeBind(e.address, base);
      if (probe.state == EndpointState::kFailed) checks.Fail("bus " + e.key, probe.detail);
      else checks.Ok("bus " + e.key, probe.detail);
    }
  }
  for (const auto& p : here) {
    for (const auto& peer : Connects(s.bus, p, all)) {
      if (is_here(peer.owner)) continue;  // bound here: checked above
      const std::string check = "bus " + peer.endpoint.key;
      if (peer.endpoint.address.rfind("ipc://", 0) == 0) {
        checks.Fail(check, peer.endpoint.address + " is bound by " + peer.owner->name + " on host " + peer.owner->host +
                               ": an ipc:// endpoint cannot be reached from another host (use tcp://)");
        continue;
      }
      if (offline) continue;
      const auto probe = ProbeConnect(peer.endpoint.address, std::chrono::milliseconds(2000), base);
      if (probe.state == EndpointState::kFailed)
        checks.Fail(check, probe.detail + " (" + peer.owner->name + " runs on " + peer.owner->host + ")");
      else
        checks.Ok(check, probe.detail);
    }
  }
}

}  // namespace

std::string CheckLine::Render() const {
  const char* mark = status == CheckStatus::kOk ? "✅" : status == CheckStatus::kWarn ? "⚠" : "❌";
  return std::string(mark) + " " + check + ": " + detail;
}

ValidateReport Validate(const ValidateOptions& o, const Clock& clock, const Sleeper& sleep,
                        const std::function<void(const CheckLine&)>& on_line) {
  Checks checks(on_line);
  auto settings = config::LoadSettings(o.config_path);
  if (!settings.ok()) {
    checks.Fail("config", o.config_path + ": " + Problem(settings.error()));
    return checks.Unparsable();
  }
  const auto& s = *settings;
  checks.Ok("config", o.config_path + " parses (" + (s.dry_run ? "dry run" : "LIVE: dry_run = false") + ", broker " +
                          s.broker.rest_url + ")");
  auto env = config::LoadEnvFileUnchecked(o.env_path);
  if (!env.ok()) {
    checks.Fail("env", o.env_path + ": " + Problem(env.error()));
    return checks.Unparsable();
  }
  checks.Ok("env", o.env_path + " parses (" + (env->master ? "a master" : "no master") + " and " +
                       std::to_string(env->followers.size()) + " follower(s))");
  auto here = ProcessesOnHost(s, *env, o.host);
  if (!here.ok()) {
    checks.Fail("deploy", Problem(here.error()));
    return checks.Unparsable();
  }
  const auto all = PlaceProcesses(s, *env);

  // The accounts this host logs in to: the master's with the watcher, each
  // follower's with its executor.
  std::vector<const Account*> accounts;
  for (const auto& p : *here) {
    if (p.role == PlacedProcess::Role::kWatcher && env->master) accounts.push_back(&*env->master);
    if (p.role == PlacedProcess::Role::kExecutor) accounts.push_back(env->Follower(p.follower));
  }
  std::stable_partition(accounts.begin(), accounts.end(), [](const Account* a) { return a->number == 0; });

  const bool watcher_here = std::any_of(here->begin(), here->end(),
                                        [](const PlacedProcess& p) { return p.role == PlacedProcess::Role::kWatcher; });
  CheckCredentials(checks, s, *env, watcher_here);
  CheckEnvPermissions(checks, o.env_path);
  CheckTotpSecrets(checks, accounts, env->path);
  if (!o.offline) {
    CheckLogins(checks, s, accounts, env->path, clock);
    CheckClock(checks, s, clock, sleep);
  }
  CheckSourceAddresses(checks, s, *here);
  CheckInstruments(checks, s, clock, o.offline);
  CheckBus(checks, s, all, *here, o.offline);
  return checks.Done();
}

CLI::App* AddValidateCommand(CLI::App& app, ValidateOptions& options) {
  auto* v = app.add_subcommand("validate", "check the configuration, the accounts (real logins), the clock, the "
                                           "addresses and the bus endpoints; one ✅/❌ line per check");
  v->add_option("--config", options.config_path, "copytrade.toml");
  v->add_option("--env", options.env_path, ".env with the accounts");
  v->add_option("--host", options.host, "check only what [deploy] places on this host");
  v->add_flag("--offline", options.offline, "skip the network checks (logins, the broker's clock, other hosts)");
  return v;
}

int RunValidate(const ValidateOptions& options) {
  const auto report = Validate(
      options, SystemClock::instance(), [](std::chrono::milliseconds d) { std::this_thread::sleep_for(d); },
      [](const CheckLine& line) {
        std::printf("%s\n", line.Render().c_str());
        std::fflush(stdout);
      });
  return report.exit_code;
}

}  // namespace ct::tools
