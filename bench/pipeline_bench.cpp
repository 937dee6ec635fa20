// bench-pipeline: the whole copy path with real processes on loopback —
// copytrade-sim, watcher, router and one executor per follower, journals
// fsync'd on this disk — measured from the master's order (the emulator
// receives the app's placeOrder and pushes the order update at once) to
// each follower's placeOrder received at the emulator.
//
// Per hop, from the session records' timings and the emulator's request
// log: detect (master order -> watcher's detection: push, parse, journal
// commit), route (-> the router's instruction committed), execute (-> the
// executor's placeOrder sent: its journal commit, the broker worker),
// broker (-> the emulator has read the request: HTTP on loopback).
//
//   bench-pipeline [--quick] [--followers 1,5,20] [--orders N]
#include <curl/curl.h>
#include <sys/utsname.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "common/totp/totp.h"
#include "tests/support/process.h"

namespace {

using ct::testing::BinPath;
using ct::testing::ChildProcess;
using ct::testing::ReadFile;
using ct::testing::TempDir;
using ct::testing::WriteFile;
using nlohmann::json;

std::string CpuModel() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("model name", 0) == 0) return line.substr(line.find(':') + 2);
  }
  return "unknown";
}

std::string Http(const std::string& method, const std::string& url, const std::string& body = "") {
  CURL* curl = curl_easy_init();
  std::string reply;
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  if (method == "POST") curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.c_str());
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, +[](char* p, size_t n, size_t m, void* out) {
    static_cast<std::string*>(out)->append(p, n * m);
    return n * m;
  });
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &reply);
  curl_easy_perform(curl);
  curl_easy_cleanup(curl);
  return reply;
}

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const size_t i = std::min(v.size() - 1, static_cast<size_t>(p / 100.0 * static_cast<double>(v.size())));
  return v[i];
}

struct Samples {
  std::vector<double> total, detect, route, execute, broker;
};

// One run: `followers` executors, `orders` master MARKET orders.
bool Run(int followers, int orders, Samples& out) {
  TempDir dir;
  const std::string d = dir.path();
  std::filesystem::create_directories(d + "/bus");
  std::string env = "API_KEY=bench-master-key\nCLIENT_ID=M100\nPASSWORD=1111\nTOTP_SECRET=" + ct::totp::NewSecret() + "\n";
  for (int n = 1; n <= followers; ++n) {
    const std::string p = "FOLLOWER_" + std::to_string(n) + "_";
    env += p + "API_KEY=bench-f" + std::to_string(n) + "-key\n" + p + "CLIENT_ID=F" + std::to_string(1000 + n) +
           "\n" + p + "PASSWORD=2222\n" + p + "TOTP_SECRET=" + ct::totp::NewSecret() + "\n";
  }
  WriteFile(d + "/.env", env);
  ChildProcess sim({BinPath("copytrade-sim"), "--env", d + "/.env", "--port", "0", "--no-rate-limits",
                    "--log-level", "warn"},
                   d + "/sim.log");
  if (!sim.WaitForLog("listening on 127.0.0.1:")) return false;
  std::smatch m;
  const std::string sim_log = sim.Log();
  if (!std::regex_search(sim_log, m, std::regex("listening on 127\\.0\\.0\\.1:([0-9]+)"))) return false;
  const std::string base = "http://127.0.0.1:" + m[1].str();
  WriteFile(d + "/copytrade.toml",
            "dry_run = false\nlog_level = \"warn\"\n[broker]\nrest_url = \"" + base + "\"\nws_url = \"ws://127.0.0.1:" +
                m[1].str() + "/smart-order-update\"\n[bus]\n" + "watcher_publish = \"ipc://" + d +
                "/bus/w.pub\"\nwatcher_replay = \"ipc://" + d + "/bus/w.rep\"\nrouter_publish = \"ipc://" + d +
                "/bus/r.pub\"\nrouter_replay = \"ipc://" + d + "/bus/r.rep\"\nrouter_control = \"ipc://" + d +
                "/bus/r.ctl\"\nexecutor_publish = \"ipc://" + d + "/bus/e{n}.pub\"\nexecutor_replay = \"ipc://" + d +
                "/bus/e{n}.rep\"\n[instruments]\nfile = \"" CT_SOURCE_DIR "/sim/data/OpenAPIScripMaster.json\"\n"
                "[paths]\nstate_dir = \"" + d + "/state\"\nrecords_dir = \"" + d + "/records\"\n");
  const std::vector<std::string> common{"--config", d + "/copytrade.toml", "--env", d + "/.env"};
  auto args = [&](const std::string& bin, std::vector<std::string> extra = {}) {
    std::vector<std::string> a{BinPath(bin)};
    a.insert(a.end(), common.begin(), common.end());
    a.insert(a.end(), extra.begin(), extra.end());
    return a;
  };
  // The processes log at warn: their readiness lines are info, so wait on
  // the status files instead.
  ChildProcess router(args("copytrade-router"), d + "/router.log");
  std::vector<std::unique_ptr<ChildProcess>> executors;
  for (int n = 1; n <= followers; ++n)
    executors.push_back(std::make_unique<ChildProcess>(args("copytrade-executor", {"--follower", std::to_string(n)}),
                                                       d + "/executor-" + std::to_string(n) + ".log"));
  auto up = [&](const std::string& name) {
    return ct::testing::Eventually([&] { return std::filesystem::exists(d + "/state/" + name + ".status.json"); },
                                   std::chrono::seconds(20));
  };
  if (!up("router")) return false;
  for (int n = 1; n <= followers; ++n)
    if (!up("executor-" + std::to_string(n))) return false;
  ChildProcess watcher(args("copytrade-watcher"), d + "/watcher.log");
  if (!up("watcher")) return false;
  // Every executor's and the watcher's order feed up, the streams joined.
  ct::testing::Eventually(
      [&] {
        const auto h = json::parse(Http("GET", base + "/sim/v1/health"), nullptr, false);
        if (!h.is_object()) return false;
        int open = 0;
        for (const auto& [code, n] : h["data"]["order_feeds"].items()) open += n.get<int>() > 0 ? 1 : 0;
        return open == followers + 1;
      },
      std::chrono::seconds(20));
  std::this_thread::sleep_for(std::chrono::seconds(2));  // heartbeats: every subscriber has heard its publisher
  Http("POST", base + "/sim/v1/requests/clear", "{}");

  const std::vector<std::pair<std::string, std::string>> symbols{
      {"SBIN-EQ", "3045"}, {"RELIANCE-EQ", "2885"}, {"INFY-EQ", "1594"}, {"TCS-EQ", "11536"}};
  for (int i = 0; i < orders; ++i) {
    const auto& [symbol, token] = symbols[static_cast<size_t>(i) % symbols.size()];
    json body = {{"clientcode", "M100"}, {"variety", "NORMAL"}, {"tradingsymbol", symbol}, {"symboltoken", token},
                 {"transactiontype", i % 2 ? "SELL" : "BUY"}, {"exchange", "NSE"}, {"ordertype", "MARKET"},
                 {"producttype", "INTRADAY"}, {"duration", "DAY"}, {"quantity", "1"}};
    Http("POST", base + "/sim/v1/app/placeOrder", body.dump());
    // Spaced so no follower meets its 9 order writes/s budget.
    std::this_thread::sleep_for(std::chrono::milliseconds(followers >= 20 ? 250 : 150));
  }
  // Every follower placed every copy.
  json requests;
  ct::testing::Eventually(
      [&] {
        requests = json::parse(Http("GET", base + "/sim/v1/requests"), nullptr, false);
        if (!requests.is_object()) return false;
        int placed = 0;
        for (const auto& r : requests["data"])
          if (r["source"] == "api" && r["endpoint"] == "placeOrder") ++placed;
        return placed >= orders * followers;
      },
      std::chrono::seconds(30));
  std::this_thread::sleep_for(std::chrono::milliseconds(500));  // the records file catches up (200 ms timer)
  router.Stop();

  // master order id -> when the emulator read the app's placeOrder.
  std::map<std::string, int64_t> master_at;
  std::map<std::string, int64_t> follower_at;  // ordertag -> when its placeOrder was read
  for (const auto& r : requests["data"]) {
    if (r["endpoint"] != "placeOrder") continue;
    if (r["source"] == "app") master_at[r["orderid"].get<std::string>()] = r["received_ns"].get<int64_t>();
    else if (!follower_at.count(r["ordertag"].get<std::string>()))
      follower_at[r["ordertag"].get<std::string>()] = r["received_ns"].get<int64_t>();
  }
  std::string records_file;
  for (const auto& e : std::filesystem::directory_iterator(d + "/records"))
    if (e.path().extension() == ".json") records_file = e.path().string();
  const auto doc = json::parse(ReadFile(records_file), nullptr, false);
  int measured = 0;
  for (const auto& rec : doc["records"]) {
    const auto m_it = master_at.find(rec["master_order_id"].get<std::string>());
    const auto f_it = follower_at.find(rec["ordertag"].get<std::string>());
    if (m_it == master_at.end() || f_it == follower_at.end()) continue;
    const double detected = static_cast<double>(rec["master_detected_ns"].get<int64_t>());
    const auto& t = rec["timings_ms"];
    const double master = static_cast<double>(m_it->second);
    const double received = static_cast<double>(f_it->second);
    out.total.push_back((received - master) / 1e6);
    out.detect.push_back((detected - master) / 1e6);
    out.route.push_back(t["routed"].get<double>());
    out.execute.push_back(t["request_sent"].get<double>() - t["routed"].get<double>());
    out.broker.push_back((received - detected) / 1e6 - t["request_sent"].get<double>());
    ++measured;
  }
  watcher.Stop();
  for (auto& e : executors) e->Stop();
  if (measured < orders * followers)
    std::fprintf(stderr, "  only %d of %d copies measured (logs in %s)\n", measured, orders * followers, d.c_str());
  return measured > 0;
}

void Print(const char* name, const std::vector<double>& v) {
  std::printf("  %-8s p50 %7.3f ms   p99 %7.3f ms   max %7.3f ms\n", name, Percentile(v, 50), Percentile(v, 99),
              v.empty() ? 0.0 : *std::max_element(v.begin(), v.end()));
}

}  // namespace

int main(int argc, char** argv) {
  bool quick = false;
  std::vector<int> follower_counts{1, 2, 5, 20};
  int orders = 0;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--quick") quick = true;
    else if (a == "--orders" && i + 1 < argc) orders = std::atoi(argv[++i]);
    else if (a == "--followers" && i + 1 < argc) {
      follower_counts.clear();
      std::stringstream list(argv[++i]);
      for (std::string n; std::getline(list, n, ',');) follower_counts.push_back(std::atoi(n.c_str()));
    }
  }
  if (orders == 0) orders = quick ? 30 : 200;
  if (quick && follower_counts == std::vector<int>{1, 2, 5, 20}) follower_counts = {1, 2, 5};
  curl_global_init(CURL_GLOBAL_DEFAULT);
  utsname u{};
  uname(&u);
  std::printf("bench-pipeline: master order -> each follower's placeOrder at the emulator, real processes on "
              "loopback\nmachine: %s, %u cores, %s %s\n",
              CpuModel().c_str(), std::thread::hardware_concurrency(), u.sysname, u.release);
  int status = 0;
  for (const int followers : follower_counts) {
    Samples s;
    std::printf("%d follower%s, %d master orders:\n", followers, followers == 1 ? "" : "s", orders);
    std::fflush(stdout);
    if (!Run(followers, orders, s)) {
      std::printf("  FAILED: the pipeline did not copy\n");
      status = 1;
      continue;
    }
    Print("total", s.total);
    Print("detect", s.detect);
    Print("route", s.route);
    Print("execute", s.execute);
    Print("broker", s.broker);
    std::fflush(stdout);
  }
  return status;
}
