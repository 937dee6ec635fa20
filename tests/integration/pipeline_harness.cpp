#include "tests/integration/pipeline_harness.h"

#include <curl/curl.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <regex>

#include "common/totp/totp.h"

namespace ct::testing {

Pipeline::Pipeline(PipelineOptions options) : options_(std::move(options)) {
  std::filesystem::create_directories(dir_ / "bus");
  std::string env = "API_KEY=master-api-key-1\nCLIENT_ID=M100\nPASSWORD=1111\nTOTP_SECRET=" + totp::NewSecret() + "\n";
  for (int n = 1; n <= options_.followers; ++n) {
    const std::string p = "FOLLOWER_" + std::to_string(n) + "_";
    env += p + "API_KEY=follower-api-key-" + std::to_string(n) + "\n" + p + "CLIENT_ID=F10" + std::to_string(n) +
           "\n" + p + "PASSWORD=2222\n" + p + "TOTP_SECRET=" + totp::NewSecret() + "\n";
  }
  WriteFile(dir_ / ".env", env);
  executors.resize(static_cast<size_t>(options_.followers));
}

Pipeline::~Pipeline() {
  // Stop in reverse order of the data flow; SIGKILL after the grace time.
  if (watcher) watcher->Stop();
  for (auto& e : executors)
    if (e) e->Stop();
  if (router) router->Stop();
  if (sim) sim->Stop();
}

void Pipeline::WriteConfig() {
  const std::string d = dir_.path();
  std::string toml = std::string("dry_run = ") + (options_.dry_run ? "true" : "false") + "\n" +
                     "[broker]\nrest_url = \"http://127.0.0.1:" + std::to_string(port_) + "\"\n" +
                     "ws_url = \"ws://127.0.0.1:" + std::to_string(port_) + "/smart-order-update\"\n" +
                     "timeout_ms = 3000\n"
                     "[followers.2]\nquantity_rule = \"multiplier\"\nmultiplier = 2.0\n"
                     "[bus]\n"
                     "watcher_publish = \"ipc://" + d + "/bus/w.pub\"\n"
                     "watcher_replay = \"ipc://" + d + "/bus/w.rep\"\n"
                     "router_publish = \"ipc://" + d + "/bus/r.pub\"\n"
                     "router_replay = \"ipc://" + d + "/bus/r.rep\"\n"
                     "router_control = \"ipc://" + d + "/bus/r.ctl\"\n"
                     "executor_publish = \"ipc://" + d + "/bus/e{n}.pub\"\n"
                     "executor_replay = \"ipc://" + d + "/bus/e{n}.rep\"\n"
                     "[instruments]\nfile = \"" CT_SOURCE_DIR "/sim/data/OpenAPIScripMaster.json\"\n"
                     "[paths]\nstate_dir = \"" + d + "/state\"\nrecords_dir = \"" + d + "/records\"\n" +
                     options_.extra_toml;
  if (options_.followers < 2) toml = std::regex_replace(toml, std::regex("\\[followers\\.2\\][^\\[]*"), "");
  WriteFile(dir_ / "copytrade.toml", toml);
}

namespace {
constexpr char kMasterClientCode[] = "M100";  // CLIENT_ID in the .env above
}  // namespace

void Pipeline::StartSim() {
  std::vector<std::string> argv{BinPath("copytrade-sim"), "--env", env(), "--port", "0"};
  argv.insert(argv.end(), options_.sim_args.begin(), options_.sim_args.end());
  sim = std::make_unique<ChildProcess>(argv, dir_ / "sim.log");
  ASSERT_TRUE(sim->WaitForLog("listening on 127.0.0.1:")) << sim->Log();
  std::smatch m;
  const std::string log = sim->Log();
  ASSERT_TRUE(std::regex_search(log, m, std::regex("listening on 127\\.0\\.0\\.1:([0-9]+)")));
  port_ = std::stoi(m[1].str());
  WriteConfig();
}

void Pipeline::StartRouter() {
  router = std::make_unique<ChildProcess>(
      std::vector<std::string>{BinPath("copytrade-router"), "--config", config(), "--env", env()},
      dir_ / "router.log");
  ASSERT_TRUE(router->WaitForLog("router up")) << router->Log();
}

void Pipeline::AppendConfig(const std::string& toml) { WriteFile(config(), ReadFile(config()) + "\n" + toml); }

void Pipeline::StartExecutor(int n, const std::string& config_path) {
  auto& e = executors[static_cast<size_t>(n - 1)];
  e = std::make_unique<ChildProcess>(
      std::vector<std::string>{BinPath("copytrade-executor"), "--config", config_path.empty() ? config() : config_path,
                               "--env", env(), "--follower",
                               std::to_string(n)},
      dir_ / ("executor-" + std::to_string(n) + ".log"));
  ASSERT_TRUE(e->WaitForLog("executor up")) << e->Log();
}

void Pipeline::StartWatcher() {
  watcher = std::make_unique<ChildProcess>(
      std::vector<std::string>{BinPath("copytrade-watcher"), "--config", config(), "--env", env()},
      dir_ / "watcher.log");
  ASSERT_TRUE(watcher->WaitForLog("watching master")) << watcher->Log();
}

void Pipeline::StartAll() {
  StartSim();
  StartRouter();
  for (int n = 1; n <= options_.followers; ++n) StartExecutor(n);
  StartWatcher();
}

std::string Pipeline::Run(const std::vector<std::string>& args, int* exit_code) {
  const std::string out = dir_ / ("cli-" + std::to_string(++runs_) + ".out");
  std::vector<std::string> argv{BinPath("copytrade")};
  argv.insert(argv.end(), args.begin(), args.end());
  ChildProcess p(argv, out);
  const int rc = p.Wait(std::chrono::seconds(20));
  if (exit_code) *exit_code = rc;
  return ReadFile(out);
}

std::string Pipeline::Place(const std::string& account, const std::string& side, const std::string& symbol,
                            const std::string& token, long quantity, double limit, const std::string& exchange) {
  if (account == "master") {
    const nlohmann::json reply = App("placeOrder", {{"variety", "NORMAL"},
                                                    {"tradingsymbol", symbol},
                                                    {"symboltoken", token},
                                                    {"transactiontype", side},
                                                    {"exchange", exchange},
                                                    {"ordertype", limit > 0 ? "LIMIT" : "MARKET"},
                                                    {"producttype", exchange == "NFO" ? "CARRYFORWARD" : "INTRADAY"},
                                                    {"duration", "DAY"},
                                                    {"price", limit},
                                                    {"quantity", quantity}});
    EXPECT_EQ(reply.value("status", false), true) << reply.dump();
    const auto data = reply.find("data");
    return data != reply.end() && data->is_object() ? data->value("orderid", "") : "";
  }
  std::vector<std::string> args{"place", "--config", config(), "--env", env(), "--account", account, side, symbol,
                                std::to_string(quantity), "--token", token, "--exchange", exchange};
  if (exchange == "NFO") args.insert(args.end(), {"--product", "CARRYFORWARD"});
  if (limit > 0) args.insert(args.end(), {"--limit", std::to_string(limit)});
  int rc = 0;
  const std::string out = Run(args, &rc);
  EXPECT_EQ(rc, 0) << out;
  std::smatch m;
  if (!std::regex_search(out, m, std::regex("(^|\\n)([0-9]{10,})\\n"))) return "";
  return m[2].str();
}

nlohmann::json Pipeline::App(const std::string& op, nlohmann::json body) {
  body["clientcode"] = kMasterClientCode;
  const std::string reply = SimAdmin("app/" + op, body.dump());
  return nlohmann::json::parse(reply, nullptr, false);
}

nlohmann::json Pipeline::AppModify(const std::string& orderid, double price, long quantity,
                                   const std::string& ordertype) {
  return App("modifyOrder", {{"variety", "NORMAL"},
                             {"orderid", orderid},
                             {"ordertype", ordertype},
                             {"price", price},
                             {"quantity", quantity}});
}

nlohmann::json Pipeline::AppCancel(const std::string& orderid) {
  return App("cancelOrder", {{"variety", "NORMAL"}, {"orderid", orderid}});
}

nlohmann::json Pipeline::Book(const std::string& account) {
  int rc = 0;
  const std::string out = Run({"orders", "--config", config(), "--env", env(), "--account", account, "--json"}, &rc);
  EXPECT_EQ(rc, 0) << out;
  const auto start = out.rfind("\n[");
  return nlohmann::json::parse(start == std::string::npos ? out : out.substr(start + 1), nullptr, false);
}

// One request to the emulator's /sim/v1/ admin API: a POST with `body`, or
// a GET when there is none.
std::string Pipeline::SimRequest(const std::string& path, const std::string* body) {
  CURL* curl = curl_easy_init();
  std::string reply;
  const std::string url = "http://127.0.0.1:" + std::to_string(port_) + "/sim/v1/" + path;
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  if (body) curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body->c_str());
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, +[](char* p, size_t n, size_t m, void* out) {
    static_cast<std::string*>(out)->append(p, n * m);
    return n * m;
  });
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &reply);
  const CURLcode rc = curl_easy_perform(curl);
  curl_easy_cleanup(curl);
  EXPECT_EQ(rc, CURLE_OK) << url;
  return reply;
}

std::string Pipeline::SimAdmin(const std::string& path, const std::string& body) { return SimRequest(path, &body); }

nlohmann::json Pipeline::SimBooks() {
  CURL* curl = curl_easy_init();
  std::string reply;
  const std::string url = "http://127.0.0.1:" + std::to_string(port_) + "/sim/v1/orders";
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, +[](char* p, size_t n, size_t m, void* out) {
    static_cast<std::string*>(out)->append(p, n * m);
    return n * m;
  });
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &reply);
  const CURLcode rc = curl_easy_perform(curl);
  curl_easy_cleanup(curl);
  EXPECT_EQ(rc, CURLE_OK) << url;
  const auto doc = nlohmann::json::parse(reply, nullptr, false);
  return doc.is_object() && doc.contains("data") ? doc["data"] : nlohmann::json::object();
}

nlohmann::json Pipeline::Records() {
  std::string newest;
  if (!std::filesystem::exists(dir_ / "records")) return nlohmann::json();
  for (const auto& e : std::filesystem::directory_iterator(dir_ / "records")) {
    const std::string name = e.path().string();
    if (name.size() > 5 && name.substr(name.size() - 5) == ".json" && name > newest) newest = name;
  }
  if (newest.empty()) return nlohmann::json();
  return nlohmann::json::parse(ReadFile(newest), nullptr, false);
}

std::vector<nlohmann::json> Pipeline::RecordsOf(const std::string& follower_id) {
  std::vector<nlohmann::json> out;
  const auto doc = Records();
  if (!doc.is_object() || !doc.contains("records")) return out;
  for (const auto& r : doc["records"])
    if (r.value("follower_id", "") == follower_id) out.push_back(r);
  return out;
}

nlohmann::json Pipeline::Row(const std::string& account, const std::string& orderid) {
  for (const auto& row : Book(account))
    if (row.value("orderid", "") == orderid) return row;
  return nlohmann::json();
}

void Pipeline::SetPrice(const std::string& symbol, double price, const std::string& exchange) {
  const std::string reply = SimAdmin("price", nlohmann::json{{"tradingsymbol", symbol}, {"exchange", exchange},
                                                              {"price", price}}.dump());
  EXPECT_NE(reply.find("\"status\":true"), std::string::npos) << reply;
}

std::vector<nlohmann::json> Pipeline::Copies(const std::string& account) {
  std::vector<nlohmann::json> out;
  auto book = Book(account);
  if (!book.is_array()) return out;
  for (auto& row : book)
    if (row["ordertag"].get<std::string>().rfind("ct", 0) == 0) out.push_back(row);
  return out;
}

nlohmann::json Pipeline::SimGet(const std::string& path) {
  return nlohmann::json::parse(SimRequest(path, nullptr), nullptr, false);
}

void Pipeline::StartDashboard(const std::string& listen, const std::string& token) {
  AppendConfig("[dashboard]\nlisten = \"" + listen + "\"\n" + (token.empty() ? "" : "token = \"" + token + "\"\n"));
  dashboard = std::make_unique<ChildProcess>(
      std::vector<std::string>{BinPath("copytrade-dashboard"), "--config", config(), "--env", env()},
      dir_ / "dashboard.log");
  ASSERT_TRUE(dashboard->WaitForLog("dashboard listening on http://")) << dashboard->Log();
  std::smatch m;
  const std::string log = dashboard->Log();
  ASSERT_TRUE(std::regex_search(log, m, std::regex("listening on http://[^:]+:([0-9]+)/")));
  dashboard_port = std::stoi(m[1].str());
}

// ---- the order lifecycle (issue 9) ----

std::string Pipeline::AppPlace(nlohmann::json fields) {
  const std::string exchange = fields.value("exchange", "NSE");
  fields["exchange"] = exchange;
  if (!fields.contains("producttype")) fields["producttype"] = exchange == "NFO" ? "CARRYFORWARD" : "INTRADAY";
  if (!fields.contains("duration")) fields["duration"] = "DAY";
  if (!fields.contains("variety"))
    fields["variety"] = fields.value("ordertype", "").rfind("STOPLOSS", 0) == 0 ? "STOPLOSS" : "NORMAL";
  const nlohmann::json reply = App("placeOrder", fields);
  EXPECT_EQ(reply.value("status", false), true) << reply.dump();
  const auto data = reply.find("data");
  return data != reply.end() && data->is_object() ? data->value("orderid", "") : "";
}

nlohmann::json Pipeline::AppModifyWith(const std::string& orderid, nlohmann::json fields) {
  fields["orderid"] = orderid;
  if (!fields.contains("variety"))
    fields["variety"] = fields.value("ordertype", "").rfind("STOPLOSS", 0) == 0 ? "STOPLOSS" : "NORMAL";
  return App("modifyOrder", fields);
}

void Pipeline::SimFill(const std::string& orderid, long quantity) {
  const std::string reply = SimAdmin("fill", nlohmann::json{{"orderid", orderid}, {"quantity", quantity}}.dump());
  EXPECT_NE(reply.find("\"status\":true"), std::string::npos) << reply;
}

std::vector<nlohmann::json> Pipeline::SimBook(const std::string& clientcode) {
  std::vector<nlohmann::json> out;
  const auto books = SimBooks();
  if (books.contains(clientcode))
    for (const auto& row : books[clientcode]) out.push_back(row);
  return out;
}

std::vector<nlohmann::json> Pipeline::SimCopies(const std::string& clientcode) {
  std::vector<nlohmann::json> out;
  for (auto& row : SimBook(clientcode))
    if (row.value("ordertag", "").rfind("ct", 0) == 0) out.push_back(row);
  return out;
}

long Pipeline::NetAtSim(const std::string& clientcode, const std::string& symbol) {
  long net = 0;
  for (const auto& row : SimBook(clientcode)) {
    if (row.value("tradingsymbol", "") != symbol) continue;
    const auto& f = row["filledshares"];
    const long filled = f.is_string() ? std::stol(f.get<std::string>()) : f.get<long>();
    net += row.value("transactiontype", "") == "SELL" ? -filled : filled;
  }
  return net;
}

std::string Pipeline::Control(const std::string& command, const std::vector<std::string>& args, int* exit_code) {
  std::vector<std::string> argv{command, "--config", config()};
  argv.insert(argv.end(), args.begin(), args.end());
  return Run(argv, exit_code);
}

}  // namespace ct::testing
