#include "dashboard/dashboard.h"

#include "common/log/log.h"
#include "dashboard/metrics.h"
#include "dashboard/web_security.h"

namespace ct::dashboard {
namespace {

std::vector<std::string> FollowerIds(const config::Settings& s, const config::EnvFile& env) {
  std::vector<std::string> ids;
  for (const auto& f : env.followers) ids.push_back(s.Follower(f.number).id);
  return ids;
}

}  // namespace

Result<DashboardConfig, config::ConfigError> ResolveDashboardConfig(const config::Settings& s,
                                                                   const config::EnvFile& env) {
  DashboardConfig c;
  const std::string& listen = s.dashboard.listen;
  const auto colon = listen.rfind(':');
  std::string host = listen.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  const std::string port = listen.substr(colon + 1);
  if (host.empty() || port.empty() || port.size() > 5 || port.find_first_not_of("0123456789") != std::string::npos ||
      std::stoi(port) > 65535)
    return config::ConfigError{s.path, "dashboard.listen", "expected HOST:PORT with an IP address, e.g. 127.0.0.1:8321"};
  c.listen_host = host;
  c.listen_port = static_cast<uint16_t>(std::stoi(port));
  const auto from_env = env.vars.find("DASHBOARD_TOKEN");
  c.token = from_env != env.vars.end() && !from_env->second.empty() ? from_env->second : s.dashboard.token;
  if (!IsLoopbackHost(host) && c.token.size() < 16)
    return config::ConfigError{s.path, "dashboard.token",
                               c.token.empty() ? "required when dashboard.listen is not a loopback address (or "
                                                 "DASHBOARD_TOKEN in " + env.path + ")"
                                               : "must be at least 16 characters when dashboard.listen is not a "
                                                 "loopback address"};
  if (!c.token.empty()) log::RegisterSecret(c.token);
  const auto& cv = s.curve;
  if (cv.enabled) {
    auto read = [&](const std::string& key, const std::string& file) -> Result<std::string, config::ConfigError> {
      if (file.empty()) return config::ConfigError{s.path, "bus.curve." + key, "required when bus.curve.enabled = true"};
      auto k = bus::ReadCurveKey(file);
      if (!k.ok()) return config::ConfigError{s.path, "bus.curve." + key, k.error().message};
      return std::move(k).value();
    };
    auto pub = read("client_public_key_file", cv.client_public_key_file);
    if (!pub.ok()) return pub.error();
    auto sec = read("client_secret_key_file", cv.client_secret_key_file);
    if (!sec.ok()) return sec.error();
    auto w = read("watcher_public_key_file", cv.watcher_public_key_file);
    if (!w.ok()) return w.error();
    auto r = read("router_public_key_file", cv.router_public_key_file);
    if (!r.ok()) return r.error();
    auto e = read("executor_public_key_file", cv.executor_public_key_file);
    if (!e.ok()) return e.error();
    c.curve.watcher = bus::CurveClientKeys{*pub, *sec, *w};
    c.curve.router = bus::CurveClientKeys{*pub, *sec, *r};
    c.curve.executors = bus::CurveClientKeys{*pub, *sec, *e};
  }
  return c;
}

DashboardProcess::DashboardProcess(const config::Settings& settings, const config::EnvFile& env,
                                   DashboardConfig config, zmq::context_t& ctx, bus::Loop& loop, const Clock& clock)
    : settings_(settings),
      config_(std::move(config)),
      loop_(loop),
      clock_(clock),
      model_(FollowerIds(settings, env)),
      control_(ctx, loop, clock, settings.bus.router_control_connect, config_.curve.router),
      status_(loop, clock, settings.state_dir, "dashboard") {
  auto subscribe = [&](const std::string& pub, const std::string& replay, const std::string& stream,
                       const std::optional<bus::CurveClientKeys>& curve) {
    // No journal: applied starts at 0, so the publisher replays what it
    // holds (the model keeps today's part) and duplicates are dropped by seq.
    auto s = std::make_unique<bus::StreamSubscriber>(
        ctx, loop, clock, bus::SubscriberOptions{.publish_endpoint = pub, .replay_endpoint = replay, .stream = stream,
                                                 .curve = curve},
        0, [this](const bus::Envelope& e) { return OnEnvelope(e); });
    s->OnStateChange([this, stream](bool up) { Push(model_.ApplyStreamState(stream, up)); });
    status_.Watch(*s);
    subscribers_.push_back(std::move(s));
  };
  const auto& b = settings.bus;
  subscribe(b.watcher_publish_connect, b.watcher_replay_connect, "master", config_.curve.watcher);
  for (const auto& id : FollowerIds(settings, env))
    subscribe(b.router_publish_connect, b.router_replay_connect, id, config_.curve.router);
  subscribe(b.router_publish_connect, b.router_replay_connect, "decisions", config_.curve.router);
  for (const auto& f : env.followers) {
    subscribe(config::ExecutorEndpoint(b.executor_publish_connect, f.number),
              config::ExecutorEndpoint(b.executor_replay_connect, f.number), "reports/" + settings.Follower(f.number).id,
              config_.curve.executors);
  }

  WebServer::Handlers h;
  h.metrics = [this](WebServer::Reply reply) {
    loop_.Post([this, reply] { reply(200, "text/plain; version=0.0.4; charset=utf-8", Metrics()); });
  };
  h.state = [this](WebServer::Reply reply) {
    loop_.Post([this, reply] { reply(200, "application/json", model_.Snapshot().dump()); });
  };
  h.subscribe = [this](uint64_t id) { loop_.Post([this, id] { web_->Attach(id, model_.Snapshot().dump()); }); };
  h.action = [this](const std::string& command, const std::string& target, WebServer::Reply reply) {
    loop_.Post([this, command, target, reply] {
      copytrade::v1::ControlRequest req;
      req.set_command(command);
      req.set_target(target);
      log::Get("dashboard")->info("action from the page: {} {}", command, target.empty() ? "(all)" : target);
      control_.Send(req, [this, reply](const copytrade::v1::ControlReply* r, const std::string& error) {
        if (!r) return reply(502, "application/json", nlohmann::json{{"ok", false}, {"error", error}}.dump());
        reply(r->ok() ? 200 : 409, "application/json",
              nlohmann::json{{"ok", r->ok()}, {"error", r->error()}, {"message", r->message()}}.dump());
        PollRouterState();  // show the change now, not at the next tick
      });
    });
  };
  web_ = std::make_unique<WebServer>(AccessPolicy{config_.listen_host, config_.listen_port, config_.token},
                                     PageHtml(), std::move(h));
  loop.Every(std::chrono::milliseconds(1000), [this] { PollRouterState(); });
}

DashboardProcess::~DashboardProcess() {
  if (web_) web_->Stop();  // its thread posts into the loop: stop it first
}

bool DashboardProcess::Start(std::string* error) {
  port_ = web_->Start(config_.listen_host, config_.listen_port, error);
  if (port_ == 0) return false;
  status_.Set("listen", config_.listen_host + ":" + std::to_string(port_));
  for (auto& s : subscribers_) s->Start();
  PollRouterState();
  status_.Write();
  return true;
}

void DashboardProcess::Push(const DashboardModel::Updates& updates) {
  for (const auto& u : updates) web_->Broadcast(u.dump());
}

bool DashboardProcess::OnEnvelope(const bus::Envelope& env) {
  const int64_t now = clock_.wall_ns();
  if (env.has_master_order_event()) Push(model_.ApplyMasterEvent(env.master_order_event(), now));
  else if (env.has_copy_instruction()) Push(model_.ApplyInstruction(env.copy_instruction(), now));
  else if (env.has_execution_report()) Push(model_.ApplyReport(env.execution_report(), now));
  else if (env.has_follower_state()) Push(model_.ApplyFollowerState(env.follower_state(), now));
  return true;
}

void DashboardProcess::PollRouterState() {
  if (control_.queued() > 1) return;  // the router is slow or down: do not pile up
  copytrade::v1::ControlRequest req;
  req.set_command("state");
  control_.Send(req, [this](const copytrade::v1::ControlReply* r, const std::string&) {
    Push(model_.ApplyControlState(r, r != nullptr && r->ok()));
  });
}

std::string DashboardProcess::Metrics() {
  std::map<std::string, OwnStream> own;
  for (const auto& s : subscribers_) own[s->stream()] = {s->applied_seq(), s->publisher_up()};
  return RenderMetrics(model_, ReadStatusFiles(settings_.state_dir), own, clock_.wall_ns());
}

}  // namespace ct::dashboard
