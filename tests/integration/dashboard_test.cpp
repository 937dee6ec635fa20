// copytrade-dashboard against the whole pipeline on the emulator, seen the
// way a person sees it: a real headless Chromium (Debian's `chromium`)
// loads the page, driven over the DevTools protocol; /metrics read by
// Prometheus' own Python parser (python3-prometheus-client) and compared
// with the session records; the token and the CSRF rules checked with
// plain HTTP requests.
#include <curl/curl.h>
#include <gtest/gtest.h>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/core/detail/base64.hpp>
#include <boost/beast/websocket.hpp>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <map>
#include <regex>

#include "tests/integration/pipeline_harness.h"

namespace ct::testing {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

struct HttpReply {
  long status = 0;
  std::string headers, body;
};

// One HTTP request with libcurl; `timeout_ms` bounds a stream that never ends.
HttpReply Http(const std::string& method, const std::string& url, const std::vector<std::string>& headers = {},
               const std::string& body = "", long timeout_ms = 5000) {
  HttpReply r;
  CURL* curl = curl_easy_init();
  curl_slist* list = nullptr;
  for (const auto& h : headers) list = curl_slist_append(list, h.c_str());
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method.c_str());
  if (method == "POST") curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, list);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, timeout_ms);
  auto write = +[](char* p, size_t n, size_t m, void* out) {
    static_cast<std::string*>(out)->append(p, n * m);
    return n * m;
  };
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, write);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &r.body);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, write);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &r.headers);
  curl_easy_perform(curl);
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &r.status);
  curl_slist_free_all(list);
  curl_easy_cleanup(curl);
  return r;
}

// Headless Chromium driven over the DevTools protocol (its websocket).
class Browser {
 public:
  explicit Browser(const TempDir& dir) {
    const std::string profile = dir / "chromium-profile";
    std::filesystem::create_directories(profile);
    process_ = std::make_unique<ChildProcess>(
        std::vector<std::string>{"/usr/bin/chromium", "--headless=new", "--no-sandbox", "--disable-gpu",
                                 "--disable-dev-shm-usage", "--no-first-run", "--mute-audio",
                                 "--user-data-dir=" + profile, "--remote-debugging-port=0",
                                 "--window-size=1500,1000", "about:blank"},
        dir / "chromium.log");
    if (!process_->WaitForLog("DevTools listening on ws://", 30s)) {
      ADD_FAILURE() << "chromium did not start: " << process_->Log();
      return;
    }
    std::smatch m;
    const std::string log = process_->Log();
    if (!std::regex_search(log, m, std::regex("ws://127\\.0\\.0\\.1:([0-9]+)/"))) return;
    port_ = m[1].str();
    // The page target's own websocket.
    std::string page_ws;
    Eventually([&] {
      const auto list = json::parse(Http("GET", "http://127.0.0.1:" + port_ + "/json/list").body, nullptr, false);
      if (!list.is_array()) return false;
      for (const auto& t : list)
        if (t.value("type", "") == "page") page_ws = t.value("webSocketDebuggerUrl", "");
      return !page_ws.empty();
    }, 10s);
    if (page_ws.empty()) {
      ADD_FAILURE() << "no page target";
      return;
    }
    const auto path = page_ws.substr(page_ws.find('/', 5));
    boost::asio::ip::tcp::resolver resolver(ioc_);
    auto endpoints = resolver.resolve("127.0.0.1", port_);
    boost::asio::connect(ws_.next_layer(), endpoints);
    ws_.handshake("127.0.0.1:" + port_, path);
    ws_.next_layer().set_option(boost::asio::socket_base::keep_alive(true));
    ok_ = true;
  }
  ~Browser() {
    if (ok_) {
      boost::beast::error_code ec;
      ws_.close(boost::beast::websocket::close_code::normal, ec);
    }
    if (process_) process_->Stop(2s);
  }
  bool ok() const { return ok_; }

  json Call(const std::string& method, json params = json::object()) {
    const int id = ++next_id_;
    ws_.write(boost::asio::buffer(json{{"id", id}, {"method", method}, {"params", params}}.dump()));
    for (;;) {
      boost::beast::flat_buffer buf;
      ws_.read(buf);
      auto msg = json::parse(boost::beast::buffers_to_string(buf.data()), nullptr, false);
      if (msg.is_object() && msg.value("id", 0) == id) return msg;
    }
  }
  void Navigate(const std::string& url) { Call("Page.navigate", {{"url", url}}); }
  // The value of a JavaScript expression in the page ("" on error).
  std::string Eval(const std::string& expression) {
    const auto r = Call("Runtime.evaluate", {{"expression", expression}, {"returnByValue", true}});
    const auto& v = r["result"]["result"];
    if (!v.contains("value")) return "";
    return v["value"].is_string() ? v["value"].get<std::string>() : v["value"].dump();
  }
  bool Screenshot(const std::string& file) {
    const auto r = Call("Page.captureScreenshot", {{"format", "png"}, {"captureBeyondViewport", true}});
    const std::string b64 = r["result"].value("data", "");
    if (b64.empty()) return false;
    std::string png(boost::beast::detail::base64::decoded_size(b64.size()), '\0');
    const auto n = boost::beast::detail::base64::decode(png.data(), b64.data(), b64.size());
    png.resize(n.first);
    WriteFile(file, png);
    return true;
  }

 private:
  std::unique_ptr<ChildProcess> process_;
  std::string port_;
  boost::asio::io_context ioc_;
  boost::beast::websocket::stream<boost::asio::ip::tcp::socket> ws_{ioc_};
  int next_id_ = 0;
  bool ok_ = false;
};

// "follower-1=filled 10/10 @ 812.50 · ...|follower-2=..." for a master order's row.
std::string RowText(Browser& b, const std::string& orderid) {
  return b.Eval("(() => { const tr = document.querySelector('tr[data-order=\"" + orderid +
                "\"]'); if (!tr) return ''; return [...tr.querySelectorAll('td[data-copy]')].map(td => "
                "td.dataset.copy + '=' + td.innerText.replace(/\\s+/g, ' ')).join('|'); })()");
}
std::string CellText(const std::string& row, const std::string& follower) {
  for (size_t pos = 0; pos < row.size();) {
    const auto end = row.find('|', pos);
    const std::string cell = row.substr(pos, end == std::string::npos ? std::string::npos : end - pos);
    if (cell.rfind(follower + "=", 0) == 0) return cell.substr(follower.size() + 1);
    if (end == std::string::npos) break;
    pos = end + 1;
  }
  return "";
}

// The price as the page writes it (en-IN, two decimals, thousands grouped).
std::string PagePrice(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", v);
  std::string s = buf;
  const auto dot = s.find('.');
  std::string whole = s.substr(0, dot), out;
  // Indian grouping: last three digits, then pairs.
  if (whole.size() > 3) {
    out = "," + whole.substr(whole.size() - 3);
    whole = whole.substr(0, whole.size() - 3);
    while (whole.size() > 2) {
      out = "," + whole.substr(whole.size() - 2) + out;
      whole = whole.substr(0, whole.size() - 2);
    }
    out = whole + out;
  } else {
    out = whole;
  }
  return out + s.substr(dot);
}

std::string ScreenshotPath() {
  return (std::filesystem::path(CT_BIN_DIR).parent_path() / "dashboard-screenshot.png").string();
}

// The copy of `orderid` in `account`'s book at the emulator (null if none yet).
json CopyOf(Pipeline& p, const std::string& account, const std::string& master_orderid) {
  for (const auto& r : p.RecordsOf(account))
    if (r.value("master_order_id", "") == master_orderid && r.value("state", "") == "FILLED")
      return p.Row(account, r.value("follower_order_id", ""));
  return nullptr;
}

TEST(DashboardTest, APageInChromiumShowsEachFollowersFillAndPauseSkipsTheNextCopy) {
  Pipeline p({});
  p.StartAll();
  p.StartDashboard();
  const std::string url = "http://127.0.0.1:" + std::to_string(p.dashboard_port) + "/";
  Browser b(p.dir());
  ASSERT_TRUE(b.ok());
  b.Navigate(url);
  ASSERT_TRUE(Eventually([&] { return b.Eval("document.getElementById('live').textContent") == "live"; }, 10s))
      << "the page never got its event stream";

  const std::string first = p.Place("master", "BUY", "SBIN-EQ", "3045", 10);
  ASSERT_FALSE(first.empty());
  std::string row;
  ASSERT_TRUE(Eventually([&] {
    row = RowText(b, first);
    return CellText(row, "follower-1").rfind("filled", 0) == 0 && CellText(row, "follower-2").rfind("filled", 0) == 0;
  }, 10s)) << "row: " << row;
  // What the page says is what the followers' books at the emulator say.
  for (const auto& [account, qty] : std::vector<std::pair<std::string, int>>{{"follower-1", 10}, {"follower-2", 20}}) {
    json book_row;
    ASSERT_TRUE(Eventually([&] { return !(book_row = CopyOf(p, account, first)).is_null(); }, 10s)) << account;
    ASSERT_EQ(book_row.value("status", ""), "complete") << book_row.dump();
    const std::string cell = CellText(row, account);
    const std::string q = std::to_string(qty);
    EXPECT_NE(cell.find(q + "/" + q), std::string::npos) << cell;
    EXPECT_NE(cell.find("@ " + PagePrice(std::stod(book_row["averageprice"].dump()))), std::string::npos)
        << cell << " vs book " << book_row.dump();
    EXPECT_NE(cell.find(" ms"), std::string::npos) << "latency shown: " << cell;
  }
  EXPECT_NE(b.Eval("document.getElementById('histsum').textContent").find("2 copies"), std::string::npos);
  ASSERT_TRUE(b.Screenshot(ScreenshotPath()));

  // Pause follower-2 with its button, as a person would.
  b.Eval("document.querySelector('button[data-action=\"pause\"][data-target=\"follower-2\"]').click()");
  const bool paused = Eventually([&] {
    return b.Eval("document.querySelector('[data-follower=\"follower-2\"]').innerText").find("paused") !=
           std::string::npos;
  }, 8s);
  ASSERT_TRUE(paused) << b.Eval("document.getElementById('toast').textContent") << " / router: "
                      << b.Eval("document.getElementById('router').textContent");

  const std::string second = p.Place("master", "BUY", "SBIN-EQ", "3045", 5);
  ASSERT_TRUE(Eventually([&] {
    row = RowText(b, second);
    const std::string c2 = CellText(row, "follower-2");
    return CellText(row, "follower-1").rfind("filled", 0) == 0 && c2.find("skipped") != std::string::npos &&
           c2.find("paused") != std::string::npos;
  }, 10s)) << "row: " << row;
  EXPECT_EQ(CellText(row, "follower-2").rfind("skipped: paused", 0), 0u) << row;
  // And no copy of it reached follower-2's book.
  EXPECT_EQ(p.Copies("follower-2").size(), 1u);
  ASSERT_TRUE(b.Screenshot(ScreenshotPath()));
}

// /metrics through Prometheus' own parser; its copies counters are the
// session records' count of copies per follower and state.
TEST(DashboardTest, MetricsParseAsPrometheusTextAndCountWhatTheRecordsSay) {
  Pipeline p({});
  p.StartAll();
  p.StartDashboard();
  p.Place("master", "BUY", "SBIN-EQ", "3045", 10);
  p.Place("master", "SELL", "RELIANCE-EQ", "2885", 4);
  std::map<std::string, double> from_records;
  ASSERT_TRUE(Eventually([&] {
    from_records.clear();
    for (const std::string f : {"follower-1", "follower-2"}) {
      for (const auto& r : p.RecordsOf(f)) from_records[f + "|" + r.value("state", "")] += 1;
    }
    return from_records["follower-1|FILLED"] == 2 && from_records["follower-2|FILLED"] == 2;
  }, 15s)) << p.Records().dump();

  const std::string metrics_file = p.dir() / "metrics.txt";
  const std::string parsed_file = p.dir() / "metrics.json";
  const std::string script =
      "import json, sys\n"
      "from prometheus_client.parser import text_string_to_metric_families\n"
      "out = {}\n"
      "for fam in text_string_to_metric_families(open(sys.argv[1]).read()):\n"
      "    for s in fam.samples:\n"
      "        key = s.name + '{' + ','.join(k + '=' + v for k, v in sorted(s.labels.items())) + '}'\n"
      "        out[key] = s.value\n"
      "json.dump(out, open(sys.argv[2], 'w'))\n";
  WriteFile(p.dir() / "parse.py", script);
  json parsed;
  std::string text;
  const std::string url = "http://127.0.0.1:" + std::to_string(p.dashboard_port) + "/metrics";
  // The dashboard hears the same reports as the router: wait until it has.
  ASSERT_TRUE(Eventually([&] {
    auto r = Http("GET", url);
    if (r.status != 200) return false;
    text = r.body;
    WriteFile(metrics_file, text);
    ChildProcess py({"/usr/bin/python3", p.dir() / "parse.py", metrics_file, parsed_file}, p.dir() / "parse.log");
    if (py.Wait(20s) != 0) {
      ADD_FAILURE() << "prometheus_client could not parse /metrics: " << py.Log() << "\n" << text;
      return true;
    }
    parsed = json::parse(ReadFile(parsed_file), nullptr, false);
    for (const auto& [key, n] : from_records) {
      const auto bar = key.find('|');
      const std::string name = "copytrade_copies_total{follower=" + key.substr(0, bar) + ",state=" +
                               key.substr(bar + 1) + "}";
      if (!parsed.contains(name) || parsed[name].get<double>() != n) return false;
    }
    return true;
  }, 10s)) << text;
  ASSERT_TRUE(parsed.is_object()) << text;
  // Nothing counted that the records do not have.
  for (const auto& [name, v] : parsed.items()) {
    if (name.rfind("copytrade_copies_total{", 0) != 0) continue;
    const std::regex re("follower=([^,]+),state=([^}]+)");
    std::smatch m;
    ASSERT_TRUE(std::regex_search(name, m, re)) << name;
    EXPECT_EQ(v.get<double>(), from_records[m[1].str() + "|" + m[2].str()]) << name;
  }
  EXPECT_EQ(parsed.value("copytrade_up{process=dashboard}", 0.0), 1);
  EXPECT_EQ(parsed.value("copytrade_up{process=router}", 0.0), 1);
  EXPECT_EQ(parsed.value("copytrade_copy_latency_seconds_count{follower=follower-1,stage=accepted}", 0.0), 2);
  EXPECT_EQ(parsed.value("copytrade_copy_latency_seconds_count{follower=follower-2,stage=accepted}", 0.0), 2);
  EXPECT_EQ(parsed.value("copytrade_master_orders_total{}", 0.0), 2);
  EXPECT_TRUE(parsed.contains("copytrade_stream_lag_messages{stream=master,subscriber=router}")) << text;
  EXPECT_EQ(parsed.value("copytrade_stream_publisher_up{stream=reports/follower-1,subscriber=dashboard}", 0.0), 1);
  EXPECT_NE(text.find("# TYPE copytrade_feed_connected gauge"), std::string::npos);
}

TEST(DashboardTest, BoundElsewhereEveryRequestNeedsTheToken) {
  Pipeline p({});
  p.StartSim();
  const std::string token = "dash-token-0123456789abcdef";
  p.StartDashboard("0.0.0.0:0", token);
  const std::string base = "http://127.0.0.1:" + std::to_string(p.dashboard_port);
  for (const std::string path : {"/", "/events", "/metrics", "/api/state"}) {
    EXPECT_EQ(Http("GET", base + path).status, 401) << path;
    EXPECT_EQ(Http("GET", base + path + "?token=wrong-token-0123456789").status, 401) << path;
    EXPECT_EQ(Http("GET", base + path, {"Authorization: Bearer wrong"}).status, 401) << path;
  }
  EXPECT_EQ(Http("POST", base + "/api/action", {"Content-Type: application/json"}, R"({"command":"pause"})").status,
            401);
  EXPECT_EQ(Http("GET", base + "/metrics", {"Authorization: Bearer " + token}).status, 200);
  const auto page = Http("GET", base + "/?token=" + token);
  EXPECT_EQ(page.status, 200);
  EXPECT_NE(page.headers.find("ct_dashboard_token="), std::string::npos) << "remembered in a cookie";
  EXPECT_NE(page.headers.find("HttpOnly"), std::string::npos);
  EXPECT_EQ(page.body.find(token), std::string::npos) << "the token is not in the page";
  // The event stream with the cookie: it opens (and never ends, so the read times out).
  const auto events = Http("GET", base + "/events", {std::string("Cookie: ct_dashboard_token=") + token}, "", 1500);
  EXPECT_EQ(events.status, 200);
  EXPECT_NE(events.body.find("retry:"), std::string::npos);
  EXPECT_EQ(p.dashboard->Log().find(token), std::string::npos) << "the token is not logged";

  // Without a token configured it refuses to start, naming the key.
  Pipeline q({});
  q.StartSim();
  q.AppendConfig("[dashboard]\nlisten = \"0.0.0.0:0\"\n");
  ChildProcess d({BinPath("copytrade-dashboard"), "--config", q.config(), "--env", q.env()}, q.dir() / "d.log");
  EXPECT_EQ(d.Wait(10s), 2);
  EXPECT_NE(d.Log().find("dashboard.token"), std::string::npos) << d.Log();
}

TEST(DashboardTest, ACrossOriginPostIsRefusedAndSecretsNeverReachThePage) {
  Pipeline p({});
  p.StartSim();
  p.StartDashboard();
  const std::string host = "127.0.0.1:" + std::to_string(p.dashboard_port);
  const std::string base = "http://" + host;
  const auto page = Http("GET", base + "/");
  ASSERT_EQ(page.status, 200);
  std::smatch m;
  ASSERT_TRUE(std::regex_search(page.body, m, std::regex("<meta name=\"csrf\" content=\"([0-9a-z]{32})\">")));
  const std::string csrf = m[1].str();
  const std::string body = R"({"command":"pause","target":"follower-1"})";
  auto post = [&](std::vector<std::string> headers) {
    headers.push_back("Content-Type: application/json");
    return Http("POST", base + "/api/action", headers, body).status;
  };
  EXPECT_EQ(post({"Origin: http://evil.example", "X-CSRF-Token: " + csrf}), 403);
  EXPECT_EQ(post({"Origin: http://evil.example"}), 403);
  EXPECT_EQ(post({"Origin: " + base, "Sec-Fetch-Site: cross-site", "X-CSRF-Token: " + csrf}), 403);
  EXPECT_EQ(post({"Origin: " + base}), 403) << "no page token";
  EXPECT_EQ(post({"Origin: " + base, "X-CSRF-Token: 0123456789abcdef0123456789abcdef"}), 403);
  EXPECT_EQ(post({"Host: evil.example:" + std::to_string(p.dashboard_port), "X-CSRF-Token: " + csrf}), 403);
  EXPECT_EQ(Http("GET", base + "/api/action").status, 405);
  // From the page itself it goes through to the router (not running here: 502).
  const int same = post({"Origin: " + base, "X-CSRF-Token: " + csrf});
  EXPECT_TRUE(same == 502 || same == 200 || same == 409) << same;

  // No credential from the .env in anything the dashboard serves.
  const std::string env = ReadFile(p.env());
  std::vector<std::string> secrets;
  for (const auto& line : std::vector<std::string>{"API_KEY=", "TOTP_SECRET="}) {
    for (size_t at = env.find(line); at != std::string::npos; at = env.find(line, at + 1)) {
      const auto start = at + line.size();
      secrets.push_back(env.substr(start, env.find('\n', start) - start));
    }
  }
  ASSERT_GE(secrets.size(), 6u);
  for (const std::string path : {"/", "/api/state", "/metrics"}) {
    const auto r = Http("GET", base + path);
    EXPECT_EQ(r.status, 200) << path;
    for (const auto& s : secrets) EXPECT_EQ(r.body.find(s), std::string::npos) << path;
  }
}

}  // namespace
}  // namespace ct::testing
