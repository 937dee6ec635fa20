#include "tools/control.h"

#include <cstdio>
#include <iostream>
#include <sstream>

#include "common/bus/curve.h"
#include "common/config/load.h"
#include "common/time/clock.h"
#include "router/control_server.h"

namespace ct::tools {
namespace v1 = copytrade::v1;

std::vector<CLI::App*> AddControlCommands(CLI::App& app, ControlOptions& o) {
  std::vector<CLI::App*> out;
  auto add = [&](const char* name, const char* help, const char* target_help, bool target_required) {
    auto* c = app.add_subcommand(name, help);
    c->add_option("--config", o.config, "copytrade.toml");
    c->add_option("--timeout-ms", o.timeout_ms, "how long to wait for the router's answer");
    if (target_help) {
      auto* t = c->add_option("target", o.target, target_help);
      if (target_required) t->required();
    }
    c->callback([&o, name] { o.command = name; });
    out.push_back(c);
  };
  add("pending", "list the copies held for approval", nullptr, false);
  add("approve", "send a held copy (or all) to its executor", "ID|all", true);
  add("reject", "drop a held copy (or all); recorded as skipped", "ID|all", true);
  add("pause", "skip new entries for one follower (all without one); exits still copied unless pause_exits",
      "FOLLOWER", false);
  add("resume", "copy again for one follower (all without one)", "FOLLOWER", false);
  add("stop-all", "pause every follower, then cancel every copy still open at the brokers", nullptr, false);
  return out;
}

namespace {

std::string Seconds(int64_t ns) {
  if (ns <= 0) return "now";
  return std::to_string((ns + 999'999'999) / 1'000'000'000) + "s";
}

void Followers(std::ostringstream& out, const v1::ControlReply& reply) {
  for (const auto& f : reply.followers()) {
    out << "  " << f.follower_id();
    if (!f.client_id().empty()) out << " (" << f.client_id() << ")";
    out << ": " << (f.paused() ? "PAUSED" : "copying");
    if (f.loss_limit_hit()) out << ", daily loss limit hit";
    out << ", " << f.orders_today() << (f.orders_today() == 1 ? " copy" : " copies") << " today";
    if (f.day_pnl_known()) {
      char pnl[32];
      std::snprintf(pnl, sizeof pnl, "%.2f", f.day_pnl());
      out << ", day P&L " << pnl;
    }
    out << "\n";
  }
}

void Pending(std::ostringstream& out, const v1::ControlReply& reply, int64_t now_ns) {
  if (reply.held().empty()) {
    out << "no copies awaiting approval\n";
    return;
  }
  out << reply.held_size() << (reply.held_size() == 1 ? " copy" : " copies") << " awaiting approval:\n";
  char line[256];
  std::snprintf(line, sizeof line, "  %-16s %-12s %-4s %-26s %8s  %-18s %s\n", "ID", "FOLLOWER", "SIDE", "SYMBOL", "QTY",
                "MASTER ORDER", "EXPIRES IN");
  out << line;
  for (const auto& h : reply.held()) {
    const auto& ci = h.instruction();
    std::snprintf(line, sizeof line, "  %-16s %-12s %-4s %-26s %8lld  %-18s %s\n", h.id().c_str(),
                  h.follower_id().c_str(), ci.order().transactiontype().c_str(), ci.order().tradingsymbol().c_str(),
                  static_cast<long long>(ci.order().quantity()), ci.master_order_id().c_str(),
                  Seconds(h.expires_time_ns() - now_ns).c_str());
    out << line;
  }
  out << "approve: copytrade approve ID|all    reject: copytrade reject ID|all\n";
}

}  // namespace

std::string RenderControlReply(const v1::ControlRequest& request, const v1::ControlReply& reply, int64_t now_ns) {
  std::ostringstream out;
  const std::string& cmd = request.command();
  if (!reply.message().empty()) out << reply.message() << "\n";
  if (cmd == "pending" || cmd == "approve" || cmd == "reject") {
    if (cmd != "pending" && reply.held().empty()) out << "no copies awaiting approval\n";
    else if (cmd == "pending" || !reply.held().empty()) Pending(out, reply, now_ns);
  } else {
    Followers(out, reply);
    if (cmd == "state") Pending(out, reply, now_ns);
  }
  return out.str();
}

int RunControl(const ControlOptions& o) {
  auto settings = config::LoadSettings(o.config);
  if (!settings.ok()) config::ExitWithError(settings.error());
  const auto& bus = settings->bus;
  const std::string endpoint = bus.router_control_connect.empty() ? bus.router_control_bind : bus.router_control_connect;
  std::optional<bus::CurveClientKeys> curve;
  if (settings->curve.enabled) {
    const auto& c = settings->curve;
    auto read = [&](const std::string& key, const std::string& file) {
      auto k = bus::ReadCurveKey(file);
      if (!k.ok()) config::ExitWithError({settings->path, "bus.curve." + key, k.error().message});
      return k.value();
    };
    curve = bus::CurveClientKeys{read("client_public_key_file", c.client_public_key_file),
                                 read("client_secret_key_file", c.client_secret_key_file),
                                 read("router_public_key_file", c.router_public_key_file)};
  }
  v1::ControlRequest request;
  request.set_command(o.command);
  request.set_target(o.target);
  request.set_origin("cli");
  zmq::context_t ctx;
  auto reply = router::SendControl(ctx, endpoint, request, std::chrono::milliseconds(o.timeout_ms), curve);
  if (!reply.ok()) {
    std::cerr << "copytrade " << o.command << ": " << reply.error() << "\n";
    return 1;
  }
  if (!reply->ok()) {
    std::cerr << "copytrade " << o.command << ": " << reply->error() << "\n";
    return 1;
  }
  std::cout << RenderControlReply(request, *reply, SystemClock::instance().wall_ns());
  return 0;
}

}  // namespace ct::tools
