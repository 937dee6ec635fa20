#include "tools/deploy.h"

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <set>
#include <sstream>

#include "common/alerts/alerts.h"
#include "common/config/load.h"
#include "common/startup/process.h"

namespace ct::tools {
namespace {

// A value in a supervisord file: '%' starts an expansion there.
std::string Escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    out += c;
    if (c == '%') out += '%';
  }
  return out;
}

// One word of a `command=` line (split like a shell by supervisord).
std::string Word(const std::string& s) {
  if (s.find_first_of(" \t\"'\\") == std::string::npos) return Escape(s);
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return Escape(out + "\"");
}

std::string SelfDir() {
  std::error_code ec;
  const auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::string(".") : exe.parent_path().string();
}

int Priority(PlacedProcess::Role role) {
  switch (role) {
    case PlacedProcess::Role::kRouter: return 10;
    case PlacedProcess::Role::kExecutor: return 20;
    case PlacedProcess::Role::kWatcher: return 30;
  }
  return 40;
}

}  // namespace

std::vector<PlacedProcess> PlaceProcesses(const config::Settings& s, const config::EnvFile& env) {
  auto host_or_default = [&](const std::string& h) { return h.empty() ? s.deploy.default_host : h; };
  std::vector<PlacedProcess> out;
  out.push_back({PlacedProcess::Role::kRouter, 0, "router", host_or_default(s.deploy.router_host)});
  for (const auto& f : env.followers) {
    auto it = s.followers.find(f.number);
    out.push_back({PlacedProcess::Role::kExecutor, f.number, "executor-" + std::to_string(f.number),
                   host_or_default(it == s.followers.end() ? "" : it->second.host)});
  }
  out.push_back({PlacedProcess::Role::kWatcher, 0, "watcher", host_or_default(s.deploy.watcher_host)});
  return out;
}

Result<std::vector<PlacedProcess>, config::ConfigError> ProcessesOnHost(const config::Settings& s,
                                                                       const config::EnvFile& env,
                                                                       const std::string& host) {
  auto all = PlaceProcesses(s, env);
  if (host.empty()) return all;
  std::vector<PlacedProcess> out;
  std::set<std::string> hosts;
  for (const auto& p : all) {
    if (p.host.empty()) {
      const std::string key = p.role == PlacedProcess::Role::kExecutor ? "followers." + std::to_string(p.follower) + ".host"
                              : p.role == PlacedProcess::Role::kRouter ? "deploy.router_host"
                                                                       : "deploy.watcher_host";
      return config::ConfigError{s.path, key,
                                 p.name + " names no host and [deploy] has no default_host: set one of them"};
    }
    hosts.insert(p.host);
    if (p.host == host) out.push_back(p);
  }
  if (out.empty()) {
    std::string names;
    for (const auto& h : hosts) names += (names.empty() ? "" : ", ") + h;
    return config::ConfigError{s.path, "deploy", "no process is placed on host '" + host + "' (hosts: " + names + ")"};
  }
  return out;
}

int StopWaitSecs(int64_t broker_timeout_ms) {
  const int64_t call_s = (broker_timeout_ms + 999) / 1000;
  return static_cast<int>(2 * call_s + 5);
}

std::string RenderSupervisord(const config::Settings& s, const std::vector<PlacedProcess>& processes,
                              const SupervisordLayout& layout, bool alert_listener) {
  const std::string home = Escape(layout.home_dir), logs = Escape(layout.home_dir + "/logs");
  const std::string config_args =
      " --config " + Word(layout.config_path) + " --env " + Word(layout.env_path);
  std::ostringstream o;
  o << "; Written by `copytrade deploy supervisord` from " << Escape(layout.config_path) << " and "
    << Escape(layout.env_path) << ".\n"
    << "; Start: supervisord -c THIS_FILE    Status: supervisorctl -c THIS_FILE status\n"
    << "; Exit codes 0, " << config::kConfigErrorExitCode << " (config error) and " << startup::kFailClosedExitCode
    << " (failed closed) are never restarted; any other exit is.\n\n"
    << "[unix_http_server]\nfile=" << home << "/supervisor.sock\nchmod=0700\n\n"
    << "[supervisord]\nlogfile=" << logs << "/supervisord.log\npidfile=" << home
    << "/supervisord.pid\nchildlogdir=" << logs << "\ndirectory=" << home << "\n\n"
    << "[rpcinterface:supervisor]\nsupervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface\n\n"
    << "[supervisorctl]\nserverurl=unix://" << home << "/supervisor.sock\n";
  if (alert_listener) {
    o << "\n; Alerts when a process goes FATAL (supervisord gave up restarting it).\n"
      << "[eventlistener:alerts]\ncommand=" << Word(layout.bin_dir + "/copytrade") << " alert-listener" << config_args
      << "\ndirectory=" << home << "\nevents=PROCESS_STATE_FATAL\npriority=1\nautorestart=true\nstartsecs=1\n"
      << "stderr_logfile=" << logs << "/alerts.log\nstderr_logfile_maxbytes=10MB\nstderr_logfile_backups=5\n";
  }
  const int stopwait = StopWaitSecs(s.broker.timeout_ms);
  for (const auto& p : processes) {
    std::string binary = "copytrade-router", extra;
    if (p.role == PlacedProcess::Role::kExecutor) {
      binary = "copytrade-executor";
      extra = " --follower " + std::to_string(p.follower);
    } else if (p.role == PlacedProcess::Role::kWatcher) {
      binary = "copytrade-watcher";
    }
    o << "\n[program:" << p.name << "]\n"
      << "command=" << Word(layout.bin_dir + "/" + binary) << config_args << extra << "\n"
      << "directory=" << home << "\n"
      << "priority=" << Priority(p.role) << "\n"
      << "autostart=true\nautorestart=unexpected\n"
      << "exitcodes=0," << config::kConfigErrorExitCode << "," << startup::kFailClosedExitCode << "\n"
      << "startsecs=1\nstartretries=3\n"
      << "stopsignal=TERM\nstopwaitsecs=" << stopwait << "\nstopasgroup=true\nkillasgroup=true\n"
      << "redirect_stderr=true\nstdout_logfile=" << logs << "/" << p.name << ".log\n"
      << "stdout_logfile_maxbytes=50MB\nstdout_logfile_backups=10\n";
  }
  // The dashboard runs where the router runs: it uses the router's control socket.
  for (const auto& p : processes) {
    if (p.role != PlacedProcess::Role::kRouter) continue;
    o << "\n[program:dashboard]\ncommand=" << Word(layout.bin_dir + "/copytrade-dashboard") << config_args << "\n"
      << "directory=" << home << "\npriority=40\nautostart=true\nautorestart=unexpected\n"
      << "exitcodes=0," << config::kConfigErrorExitCode << "," << startup::kFailClosedExitCode << "\n"
      << "startsecs=1\nstartretries=3\n"
      << "stopsignal=TERM\nstopwaitsecs=" << stopwait << "\nstopasgroup=true\nkillasgroup=true\n"
      << "redirect_stderr=true\nstdout_logfile=" << logs << "/dashboard.log\n"
      << "stdout_logfile_maxbytes=50MB\nstdout_logfile_backups=10\n";
  }
  return o.str();
}

CLI::App* AddDeployCommand(CLI::App& app, DeployOptions& options) {
  auto* deploy = app.add_subcommand("deploy", "write a process supervisor's configuration for this deployment");
  deploy->require_subcommand(1);
  auto* sup = deploy->add_subcommand("supervisord", "write a supervisord configuration (router, executors, watcher, alerts)");
  sup->add_option("--config", options.config_path, "copytrade.toml");
  sup->add_option("--env", options.env_path, ".env with the accounts");
  sup->add_option("--host", options.host, "only the processes [deploy] places on this host");
  sup->add_option("--out", options.out, "write here (default: stdout)");
  sup->add_option("--bin", options.bin_dir, "folder of the copytrade binaries (default: this binary's)");
  sup->add_option("--home", options.home_dir, "working folder: logs/, supervisor.sock (default: copytrade.toml's folder)");
  return deploy;
}

int RunDeploySupervisord(const DeployOptions& options) {
  auto cfg = config::LoadOrExit(options.config_path, options.env_path);
  auto processes = ProcessesOnHost(cfg.settings, cfg.env, options.host);
  if (!processes.ok()) config::ExitWithError(processes.error());
  namespace fs = std::filesystem;
  SupervisordLayout layout;
  layout.config_path = fs::absolute(options.config_path).lexically_normal().string();
  layout.env_path = fs::absolute(options.env_path).lexically_normal().string();
  layout.bin_dir = fs::absolute(options.bin_dir.empty() ? SelfDir() : options.bin_dir).lexically_normal().string();
  layout.home_dir = options.home_dir.empty() ? fs::path(layout.config_path).parent_path().string()
                                             : fs::absolute(options.home_dir).lexically_normal().string();
  if (!layout.home_dir.empty() && layout.home_dir.back() == '/' && layout.home_dir.size() > 1) layout.home_dir.pop_back();
  const auto alerts = alerts::ResolveAlertSettings(cfg.settings, cfg.env);
  const bool listener = !alerts.webhook_url.empty() || !alerts.command.empty();
  const std::string text = RenderSupervisord(cfg.settings, *processes, layout, listener);
  std::error_code ec;
  fs::create_directories(layout.home_dir + "/logs", ec);  // supervisord does not create its log folder
  if (options.out.empty()) {
    std::cout << text;
    return 0;
  }
  std::ofstream out(options.out, std::ios::trunc);
  out << text;
  if (!out) {
    std::cerr << "cannot write " << options.out << "\n";
    return 1;
  }
  std::fprintf(stderr, "%s: %zu program(s)%s\n", options.out.c_str(), processes->size(),
               listener ? " and the alert listener" : "");
  return 0;
}

}  // namespace ct::tools
