// placeOrder round trip through common/smartapi against copytrade-sim on
// loopback, over one reused (kept-alive) connection: p50/p99 and the
// machine. The emulator runs with --no-rate-limits and the client without
// its limiter, so the numbers are client + emulator cost, not the 9/s cap.
// The orders are marketable LIMITs (the API refuses MARKET under the 2026
// rules): each fills at once, as a MARKET order did.
//
//   smartapi_place_bench [--orders N] [--warmup N] [--sim PATH]
#include <sys/utsname.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "common/log/log.h"
#include "common/smartapi/client.h"
#include "common/smartapi/testing/sim_process.h"

namespace {

using ct::smartapi::Client;
using ct::smartapi::ClientOptions;
using ct::smartapi::CurlOptions;
using ct::smartapi::OrderRequest;

std::string CpuModel() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("model name", 0) == 0) {
      const auto colon = line.find(':');
      if (colon != std::string::npos) return line.substr(colon + 2);
    }
  }
  return "unknown";
}

// Answers every request with a canned placeOrder success: measures the
// client's own share (request body, headers, reply parsing) without I/O.
class CannedTransport final : public ct::smartapi::HttpTransport {
 public:
  ct::Result<ct::smartapi::HttpResponse, ct::smartapi::TransportError> Send(
      const ct::smartapi::HttpRequest& request) override {
    if (request.path.find("loginByPassword") != std::string::npos) {
      return ct::smartapi::HttpResponse{
          200, "application/json",
          R"({"status":true,"message":"SUCCESS","errorcode":"","data":{"jwtToken":"canned-jwt",)"
          R"("refreshToken":"canned-refresh","feedToken":"canned-feed"}})"};
    }
    return ct::smartapi::HttpResponse{
        200, "application/json",
        R"({"status":true,"message":"SUCCESS","errorcode":"","data":{"script":"SBIN-EQ",)"
        R"("orderid":"251125000000001","uniqueorderid":"7c4a1f9e-3b2d-4c8a-9f10-2a6b5c4d3e21"}})"};
  }
};

double Percentile(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  const size_t index = std::min(sorted.size() - 1, static_cast<size_t>(p / 100.0 * static_cast<double>(sorted.size())));
  return sorted[index];
}

}  // namespace

int main(int argc, char** argv) {
  int orders = 2000;
  int warmup = 200;
  std::string sim_binary = std::string(CT_BIN_DIR) + "/copytrade-sim";
  for (int i = 1; i < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--quick") {  // CI: a short run, same report
      orders = 300;
      warmup = 50;
      --i;
      continue;
    }
    if (i + 1 >= argc) {
      std::fprintf(stderr, "%s needs a value\n", flag.c_str());
      return 2;
    }
    if (flag == "--orders")
      orders = std::atoi(argv[i + 1]);
    else if (flag == "--warmup")
      warmup = std::atoi(argv[i + 1]);
    else if (flag == "--sim")
      sim_binary = argv[i + 1];
    else {
      std::fprintf(stderr, "usage: %s [--quick] [--orders N] [--warmup N] [--sim PATH]\n", argv[0]);
      return 2;
    }
  }
  if (orders <= 0 || warmup < 0) {
    std::fprintf(stderr, "--orders must be positive, --warmup non-negative\n");
    return 2;
  }
  ct::log::Init("smartapi_place_bench", "warn");

  auto sim = ct::smartapi::testing::SimProcess::Start(sim_binary, 0, {"--no-rate-limits", "--log-level", "warn"});
  if (!sim) {
    std::fprintf(stderr, "could not start %s\n", sim_binary.c_str());
    return 1;
  }
  CurlOptions curl;
  curl.base_url = sim->base_url();
  ClientOptions options;
  options.rate_limit = false;
  options.throttle_retries = 0;
  Client client(sim->master(), ct::smartapi::MakeCurlTransport(curl), ct::SystemClock::instance(), options);
  if (auto login = client.Login(); !login.ok()) {
    std::fprintf(stderr, "login failed: %s\n", login.error().ToString().c_str());
    return 1;
  }

  auto ltp = client.GetLtpData("NSE", "SBIN-EQ", "3045");
  if (!ltp.ok()) {
    std::fprintf(stderr, "getLtpData failed: %s\n", ltp.error().ToString().c_str());
    return 1;
  }
  OrderRequest order;
  order.tradingsymbol = "SBIN-EQ";
  order.symboltoken = "3045";
  order.transactiontype = "BUY";
  order.exchange = "NSE";
  order.ordertype = "LIMIT";
  order.price = std::ceil(ltp->ltp) + 10;  // whole rupees are on SBIN's 0.05 tick
  order.producttype = "INTRADAY";
  order.quantity = 1;

  std::vector<double> micros;
  micros.reserve(static_cast<size_t>(orders));
  int failures = 0;
  for (int i = 0; i < warmup + orders; ++i) {
    order.ordertag = "bench-" + std::to_string(i);
    const auto start = std::chrono::steady_clock::now();
    auto placed = client.PlaceOrder(order);
    const auto end = std::chrono::steady_clock::now();
    if (!placed.ok()) {
      if (++failures <= 3) std::fprintf(stderr, "placeOrder: %s\n", placed.error().ToString().c_str());
      continue;
    }
    if (i >= warmup) {
      micros.push_back(std::chrono::duration<double, std::micro>(end - start).count());
    }
  }
  std::sort(micros.begin(), micros.end());
  double sum = 0;
  for (double m : micros) sum += m;

  utsname uts{};
  uname(&uts);
  std::printf("smartapi placeOrder round trip (client + copytrade-sim, loopback, one kept-alive connection)\n");
  std::string load;
  std::getline(std::ifstream("/proc/loadavg") >> std::ws, load);
  std::printf("machine: %s, nproc %u, %s %s, loadavg %s\n", CpuModel().c_str(), std::thread::hardware_concurrency(),
              uts.sysname, uts.release, load.substr(0, load.find(' ', load.find(' ', load.find(' ') + 1) + 1)).c_str());
  std::printf("orders: %zu measured (%d warm-up), %d failed\n", micros.size(), warmup, failures);
  if (micros.empty()) return 1;
  const double p99 = Percentile(micros, 99);
  std::printf("p50 %.1f us  p90 %.1f us  p99 %.1f us  p99.9 %.1f us  max %.1f us  mean %.1f us\n",
              Percentile(micros, 50), Percentile(micros, 90), p99, Percentile(micros, 99.9), micros.back(),
              sum / static_cast<double>(micros.size()));
  std::printf("target p99 < 1000 us: %s\n", p99 < 1000 ? "met" : "NOT met");

  // The client alone, in process: what of the round trip is ours.
  {
    Client canned(sim->master(), std::make_unique<CannedTransport>(), ct::SystemClock::instance(), options);
    std::vector<double> own;
    own.reserve(static_cast<size_t>(orders));
    for (int i = 0; i < warmup + orders; ++i) {
      order.ordertag = "canned-" + std::to_string(i);
      const auto start = std::chrono::steady_clock::now();
      auto placed = canned.PlaceOrder(order);  // the first call logs in (canned)
      const auto end = std::chrono::steady_clock::now();
      if (i >= warmup && placed.ok()) {
        own.push_back(std::chrono::duration<double, std::micro>(end - start).count());
      }
    }
    std::sort(own.begin(), own.end());
    if (!own.empty()) {
      std::printf("client only (canned reply, no I/O): p50 %.1f us  p99 %.1f us\n", Percentile(own, 50),
                  Percentile(own, 99));
    }
  }
  return failures == 0 ? 0 : 1;
}
