// DashboardProcess: copytrade-dashboard's wiring. A bus subscriber like
// `copytrade capture`: it subscribes to "master" (watcher), the router's
// per-follower instruction streams and its "decisions" stream, and every
// executor's "reports/follower-<n>" (ExecutionReport + FollowerState),
// keeps what they say in a DashboardModel, pushes each change to the
// browsers (WebServer, server-sent events) and serves /metrics. It acts
// only through the router's control socket (ControlClient). It keeps no
// journal: on start it replays what the publishers still hold, so its
// view is rebuilt from the bus alone; it never reads another process's
// journal and never talks to a broker.
//
// Lives on the process Loop's thread, except the WebServer's own thread,
// which reaches it only through Loop::Post.
#pragma once

#include <zmq.hpp>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/bus/loop.h"
#include "common/bus/status.h"
#include "common/bus/stream.h"
#include "common/config/env_file.h"
#include "common/config/settings.h"
#include "common/core/result.h"
#include "dashboard/control_client.h"
#include "dashboard/model.h"
#include "dashboard/web_server.h"

namespace ct::dashboard {

// The embedded page (page.html, compiled in).
const std::string& PageHtml();

// CURVE client keys for each server the dashboard connects to, when
// [bus.curve] is on (the host's client key pair + each server's public key).
struct DashboardCurve {
  std::optional<bus::CurveClientKeys> watcher, router, executors;
};

struct DashboardConfig {
  std::string listen_host = "127.0.0.1";
  uint16_t listen_port = 8321;
  std::string token;  // required when listen_host is not loopback
  DashboardCurve curve;
};

// From [dashboard] and the .env (DASHBOARD_TOKEN wins over dashboard.token):
// the listen address split, the token required off loopback, the CURVE
// keys read. Errors name the file, the key and the problem.
Result<DashboardConfig, config::ConfigError> ResolveDashboardConfig(const config::Settings& settings,
                                                                   const config::EnvFile& env);

class DashboardProcess {
 public:
  DashboardProcess(const config::Settings& settings, const config::EnvFile& env, DashboardConfig config,
                   zmq::context_t& ctx, bus::Loop& loop, const Clock& clock);
  ~DashboardProcess();

  // Binds the web server and starts the subscriptions; false with `error`.
  bool Start(std::string* error);
  uint16_t port() const { return port_; }
  const DashboardModel& model() const { return model_; }

 private:
  void Push(const DashboardModel::Updates& updates);
  bool OnEnvelope(const bus::Envelope& env);
  void PollRouterState();
  std::string Metrics();

  const config::Settings& settings_;
  DashboardConfig config_;
  bus::Loop& loop_;
  const Clock& clock_;
  DashboardModel model_;
  ControlClient control_;
  std::vector<std::unique_ptr<bus::StreamSubscriber>> subscribers_;
  std::unique_ptr<WebServer> web_;
  bus::StatusFile status_;
  uint16_t port_ = 0;
};

}  // namespace ct::dashboard
