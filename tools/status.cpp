#include "tools/status.h"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>

namespace ct::tools {
namespace {

using nlohmann::json;

// A field as the process wrote it; null when absent.
json Field(const json* doc, const std::string& key) {
  if (doc == nullptr || !doc->is_object()) return nullptr;
  auto it = doc->find(key);
  return it == doc->end() ? json() : *it;
}

// First of several names (a field renamed by the contract keeps its old name readable).
json Field(const json* doc, std::initializer_list<const char*> keys) {
  for (const char* k : keys) {
    json v = Field(doc, k);
    if (!v.is_null()) return v;
  }
  return nullptr;
}

std::string Show(const json& v) {
  if (v.is_null()) return "?";
  if (v.is_boolean()) return v.get<bool>() ? "yes" : "no";
  if (v.is_string()) return v.get<std::string>().empty() ? "-" : v.get<std::string>();
  return v.dump();
}

std::string ProcessState(const json& doc, int64_t now_ns, int64_t stale_ns) {
  if (doc.value("stopped", false)) return "stopped";
  return now_ns - doc.value("time_ns", int64_t{0}) > stale_ns ? "DOWN" : "running";
}

std::string CopiesToday(const json& v) {
  if (!v.is_object()) return Show(v);
  if (v.empty()) return "none";
  std::string out;
  for (const auto& [state, n] : v.items()) out += (out.empty() ? "" : ", ") + state + " " + Show(n);
  return out;
}

}  // namespace

StatusReport RenderStatus(const std::vector<json>& files, int64_t now_ns, int64_t stale_ns) {
  StatusReport report;
  std::ostringstream out;
  char line[512];
  std::snprintf(line, sizeof line, "%-12s %-8s %s\n", "PROCESS", "STATE", "DETAIL");
  out << line;
  const json* router = nullptr;
  const json* watcher = nullptr;
  std::map<std::string, const json*> executors;  // by follower id
  json processes = json::array();
  for (const auto& doc : files) {
    const std::string process = doc.value("process", "?");
    if (process == "router") router = &doc;
    if (process == "watcher") watcher = &doc;
    if (process.rfind("executor-", 0) == 0)
      executors[doc.value("follower_id", "follower-" + process.substr(9))] = &doc;
    const int64_t age_ns = now_ns - doc.value("time_ns", int64_t{0});
    const std::string state = ProcessState(doc, now_ns, stale_ns);
    std::string detail;
    if (state != "running") report.healthy = false;
    if (state == "DOWN") detail = "last seen " + std::to_string(age_ns / 1'000'000'000) + " s ago; ";
    const auto subs = doc.value("subscribes", json::object());
    for (const auto& [stream, s] : subs.items()) {
      const bool up = s.value("publisher_up", false);
      if (!up && state == "running") report.healthy = false;
      detail += stream + ": applied " + std::to_string(s.value("applied_seq", 0ULL)) +
                (up ? ", publisher up" : ", publisher DOWN");
      if (s.value("dropped_frames", 0ULL) > 0) detail += ", " + std::to_string(s.value("dropped_frames", 0ULL)) + " bad frames dropped";
      detail += "; ";
    }
    const auto pubs = doc.value("publishes", json::object());
    if (!pubs.empty()) {
      detail += "publishes";
      for (const auto& [stream, s] : pubs.items()) detail += " " + stream + "@" + std::to_string(s.value("last_seq", 0ULL));
      detail += "; ";
    }
    if (doc.contains("order_feed_connected") && doc["order_feed_connected"].is_boolean())
      detail += std::string("order feed ") + (doc["order_feed_connected"].get<bool>() ? "connected" : "disconnected") + "; ";
    if (doc.value("dry_run", false)) detail += "DRY RUN; ";
    if (detail.size() >= 2) detail.resize(detail.size() - 2);
    std::snprintf(line, sizeof line, "%-12s %-8s ", process.c_str(), state.c_str());
    out << line << detail << "\n";
    processes.push_back({{"process", process}, {"state", state}, {"age_ms", age_ns / 1'000'000}});
  }
  if (files.empty()) {
    out << "no status files: nothing has run with this state_dir\n";
    report.healthy = false;
  }

  // Followers: every one an executor, or the router, knows about.
  std::vector<std::string> ids;
  for (const auto& [id, doc] : executors) ids.push_back(id);
  auto add_id = [&](const std::string& id) {
    if (id.rfind("follower-", 0) == 0 && std::find(ids.begin(), ids.end(), id) == ids.end()) ids.push_back(id);
  };
  if (router) {
    // Named: items() of a temporary would outlive it.
    const json published = router->value("publishes", json::object());
    const json known = router->value("followers", json::object());
    for (const auto& [stream, s] : published.items()) add_id(stream);
    for (const auto& [id, f] : known.items()) add_id(id);
  }
  std::sort(ids.begin(), ids.end(), [](const std::string& a, const std::string& b) {
    return a.size() != b.size() ? a.size() < b.size() : a < b;  // follower-2 before follower-10
  });
  json followers = json::array();
  for (const auto& id : ids) {
    const json* ex = executors.count(id) ? executors[id] : nullptr;
    const json rf = router ? router->value("followers", json::object()).value(id, json()) : json();
    json f = {{"follower_id", id}};
    f["client_id"] = Field(ex, {"follower"});
    f["executor"] = ex ? json(ProcessState(*ex, now_ns, stale_ns)) : json("absent");
    f["broker_ok"] = Field(ex, {"broker_ok"});
    f["feed_connected"] = Field(ex, {"feed_connected", "order_feed_connected"});
    json paused = Field(&rf, {"paused"});
    f["paused"] = paused.is_null() ? Field(ex, {"paused"}) : paused;
    f["loss_limit_hit"] = Field(&rf, {"loss_limit_hit"});
    f["orders_today"] = Field(&rf, {"orders_today"});
    json applied = ex ? ex->value("subscribes", json::object()).value(id, json::object()).value("applied_seq", json())
                      : json();
    json published = router ? router->value("publishes", json::object()).value(id, json::object()).value("last_seq", json())
                            : json();
    f["applied_seq"] = applied;
    f["published_seq"] = published;
    f["lag"] = applied.is_number() && published.is_number()
                   ? json(std::max<int64_t>(0, published.get<int64_t>() - applied.get<int64_t>()))
                   : json();
    f["working_copies"] = Field(ex, {"working_copies"});
    f["copies_today"] = Field(ex, {"copies_today"});
    f["last_error"] = Field(ex, {"last_error"});
    if (f["broker_ok"].is_boolean() && !f["broker_ok"].get<bool>()) report.healthy = false;
    followers.push_back(std::move(f));
  }
  if (!followers.empty()) {
    std::snprintf(line, sizeof line, "\n%-12s %-10s %-8s %-6s %-5s %-6s %-8s %-5s %-7s %s\n", "FOLLOWER", "CLIENT",
                  "EXECUTOR", "BROKER", "FEED", "PAUSED", "APPLIED", "LAG", "WORKING", "COPIES TODAY / LAST ERROR");
    out << line;
    for (const auto& f : followers) {
      std::snprintf(line, sizeof line, "%-12s %-10s %-8s %-6s %-5s %-6s %-8s %-5s %-7s ",
                    f["follower_id"].get<std::string>().c_str(), Show(f["client_id"]).c_str(),
                    f["executor"].get<std::string>().c_str(), Show(f["broker_ok"]).c_str(),
                    Show(f["feed_connected"]).c_str(), Show(f["paused"]).c_str(), Show(f["applied_seq"]).c_str(),
                    Show(f["lag"]).c_str(), Show(f["working_copies"]).c_str());
      out << line << CopiesToday(f["copies_today"]) << " / " << Show(f["last_error"]);
      if (f["loss_limit_hit"].is_boolean() && f["loss_limit_hit"].get<bool>()) out << " / LOSS LIMIT HIT";
      out << "\n";
    }
  }

  json w = nullptr;
  if (watcher) {
    w = {{"state", ProcessState(*watcher, now_ns, stale_ns)}, {"master", Field(watcher, {"master"})}};
    w["feed_connected"] = Field(watcher, {"feed_connected", "order_feed_connected"});
    // From the poll's wall time when written (the age at the file's
    // writing would be up to a second old), else the age written.
    const json poll_ns = Field(watcher, {"last_poll_ns"});
    json age = Field(watcher, {"last_poll_age_ms"});
    if (poll_ns.is_number() && poll_ns.get<int64_t>() > 0) age = (now_ns - poll_ns.get<int64_t>()) / 1'000'000;
    else if (age.is_number() && age.get<int64_t>() < 0) age = nullptr;  // no poll answered yet
    w["last_poll_age_ms"] = age;
    std::string feed = Show(w["feed_connected"]);
    if (w["feed_connected"].is_boolean()) feed = w["feed_connected"].get<bool>() ? "connected" : "DISCONNECTED";
    char poll[64] = "?";
    if (age.is_number()) std::snprintf(poll, sizeof poll, "%.1f s ago", static_cast<double>(age.get<int64_t>()) / 1000.0);
    out << "\nWATCHER      " << w["state"].get<std::string>() << ", master " << Show(w["master"]) << ", order feed "
        << feed << ", last poll " << poll << "\n";
  }
  report.text = out.str();
  report.json = {{"healthy", report.healthy}, {"processes", processes}, {"followers", followers}, {"watcher", w}};
  return report;
}

std::vector<json> ReadStatusFiles(const std::string& state_dir) {
  std::vector<json> files;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(state_dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.size() < 12 || name.substr(name.size() - 12) != ".status.json") continue;
    std::ifstream in(entry.path());
    auto doc = json::parse(in, nullptr, /*allow_exceptions=*/false);
    if (doc.is_object()) files.push_back(std::move(doc));
  }
  std::sort(files.begin(), files.end(),
            [](const json& a, const json& b) { return a.value("process", "") < b.value("process", ""); });
  return files;
}

namespace {
volatile sig_atomic_t g_stop = 0;
}  // namespace

int RunStatus(const std::string& state_dir, bool json_out, double watch_s) {
  if (watch_s > 0) {
    struct sigaction sa {};
    sa.sa_handler = [](int) { g_stop = 1; };
    sigaction(SIGINT, &sa, nullptr);
    sigaction(SIGTERM, &sa, nullptr);
  }
  StatusReport report;
  do {
    const int64_t now = std::chrono::duration_cast<std::chrono::nanoseconds>(
                            std::chrono::system_clock::now().time_since_epoch()).count();
    report = RenderStatus(ReadStatusFiles(state_dir), now);
    if (watch_s > 0 && !json_out && isatty(STDOUT_FILENO)) std::printf("\033[H\033[2J");
    if (json_out) std::printf("%s\n", report.json.dump(watch_s > 0 ? -1 : 2).c_str());
    else std::printf("%s", report.text.c_str());
    std::fflush(stdout);
    for (double waited = 0; watch_s > 0 && !g_stop && waited < watch_s; waited += 0.1)
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
  } while (watch_s > 0 && !g_stop);
  return report.healthy ? 0 : 1;
}

}  // namespace ct::tools
