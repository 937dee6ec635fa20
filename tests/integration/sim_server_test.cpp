// Starts the real copytrade-sim binary on an ephemeral port (readiness = its
// "listening on" line) and talks to it with Boost.Beast clients, some bound
// to other loopback addresses (127.0.0.11, 127.0.0.12: Linux routes all of
// 127.0.0.0/8 to lo) for the static-IP rule.
#include <gtest/gtest.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <ctime>
#include <functional>
#include <nlohmann/json.hpp>
#include <regex>
#include <string>
#include <tuple>

#include "common/totp/totp.h"
#include "tests/support/process.h"

namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using json = nlohmann::json;

constexpr char kMasterSecret[] = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";
constexpr char kFollowerSecret[] = "KRSXG5CTMVRXEZLUKRSXG5CTMVRXEZLU";
constexpr char kPlace[] = "/rest/secure/angelbroking/order/v1/placeOrder";
constexpr char kBook[] = "/rest/secure/angelbroking/order/v1/getOrderBook";
constexpr char kModify[] = "/rest/secure/angelbroking/order/v1/modifyOrder";
constexpr char kCancel[] = "/rest/secure/angelbroking/order/v1/cancelOrder";
constexpr char kLpp[] = "Order price is beyond the Limit Price Protection range defined by the exchange. ";

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string Totp(const char* secret) {
  const auto now =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  return ct::totp::Code(secret, now).value();
}

class TempDir {
 public:
  TempDir() {
    std::string templ = (std::filesystem::temp_directory_path() / "ct-sim-XXXXXX").string();
    path_ = mkdtemp(templ.data());
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  std::string File(const std::string& name, const std::string& text) const {
    const std::string p = path_ + "/" + name;
    std::ofstream(p) << text;
    return p;
  }

 private:
  std::string path_;
};

// The binary as a child process; its stdout is a pipe we read the
// readiness line from; stderr optionally goes to a file.
class SimProcess {
 public:
  explicit SimProcess(std::vector<std::string> args, const std::string& stderr_file = "") {
    int fds[2];
    if (pipe(fds) != 0) std::abort();
    pid_ = fork();
    if (pid_ == 0) {
      dup2(fds[1], STDOUT_FILENO);
      if (!stderr_file.empty()) {
        FILE* err = std::fopen(stderr_file.c_str(), "w");
        if (err != nullptr) dup2(fileno(err), STDERR_FILENO);
      }
      close(fds[0]);
      close(fds[1]);
      std::vector<char*> argv;
      static std::string bin = CT_BIN_DIR "/copytrade-sim";
      argv.push_back(bin.data());
      for (auto& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      execv(bin.c_str(), argv.data());
      _exit(127);
    }
    close(fds[1]);
    out_ = fdopen(fds[0], "r");
    char line[256] = {};
    if (fgets(line, sizeof line, out_) != nullptr) {
      first_line_ = line;
      const auto colon = first_line_.rfind(':');
      if (first_line_.rfind("copytrade-sim listening on 127.0.0.1:", 0) == 0)
        port_ = static_cast<uint16_t>(std::stoi(first_line_.substr(colon + 1)));
    }
  }
  ~SimProcess() {
    if (pid_ > 0) Stop(SIGKILL);
    if (out_ != nullptr) fclose(out_);
  }
  // Signals the process and returns its exit code (-1 if killed).
  int Stop(int sig = SIGTERM) {
    kill(pid_, sig);
    return Wait();
  }
  int Wait() {
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }
  uint16_t port() const { return port_; }
  const std::string& first_line() const { return first_line_; }

 private:
  pid_t pid_ = -1;
  FILE* out_ = nullptr;
  std::string first_line_;
  uint16_t port_ = 0;
};

struct Reply {
  int status = 0;
  std::string content_type;
  std::string date;  // the Date header
  std::string body;
  beast::error_code error;
  json Json() const { return json::parse(body, nullptr, false); }
};

// One keep-alive HTTP connection, from `source` (a loopback address) when
// given.
class Client {
 public:
  explicit Client(uint16_t port, const std::string& source = "") : stream_(io_) {
    if (!source.empty()) {
      stream_.socket().open(tcp::v4());
      stream_.socket().bind(tcp::endpoint(net::ip::make_address(source), 0));
    }
    stream_.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
  }
  Reply Send(http::verb verb, const std::string& target, const std::string& body = "", const std::string& jwt = "",
             const std::string& api_key = "masterkey") {
    if (beast::error_code ec = Write(verb, target, body, jwt, api_key)) {
      Reply r;
      r.error = ec;
      return r;
    }
    return Read();
  }
  // The two halves of Send, for a test that acts while a request is held.
  beast::error_code Write(http::verb verb, const std::string& target, const std::string& body = "",
                          const std::string& jwt = "", const std::string& api_key = "masterkey") {
    http::request<http::string_body> req(verb, target, 11);
    req.set(http::field::host, "127.0.0.1");
    req.set(http::field::content_type, "application/json");
    req.set(http::field::accept, "application/json");
    req.set("X-UserType", "USER");
    req.set("X-SourceID", "WEB");
    req.set("X-ClientLocalIP", "127.0.0.1");
    req.set("X-ClientPublicIP", "127.0.0.1");
    req.set("X-MACAddress", "00:00:00:00:00:00");
    req.set("X-PrivateKey", api_key);
    if (!jwt.empty()) req.set(http::field::authorization, "Bearer " + jwt);
    req.keep_alive(true);
    req.body() = body;
    req.prepare_payload();
    beast::error_code ec;
    http::write(stream_, req, ec);
    return ec;
  }
  Reply Read() {
    Reply r;
    http::response<http::string_body> res;
    http::read(stream_, buffer_, res, r.error);
    if (r.error) return r;
    r.status = static_cast<int>(res.result_int());
    r.content_type = std::string(res[http::field::content_type]);
    r.date = std::string(res[http::field::date]);
    r.body = res.body();
    return r;
  }
  // The broker's app: only the body (with "clientcode"), no SmartAPI headers.
  Reply App(const std::string& op, json body, const std::string& clientcode = "M1234567") {
    body["clientcode"] = clientcode;
    http::request<http::string_body> req(http::verb::post, "/sim/v1/app/" + op, 11);
    req.set(http::field::host, "127.0.0.1");
    req.set(http::field::content_type, "application/json");
    req.keep_alive(true);
    req.body() = body.dump();
    req.prepare_payload();
    Reply r;
    http::write(stream_, req, r.error);
    return r.error ? r : Read();
  }
  Reply Post(const std::string& target, const json& body, const std::string& jwt = "",
             const std::string& key = "masterkey") {
    return Send(http::verb::post, target, body.dump(), jwt, key);
  }
  Reply Get(const std::string& target, const std::string& jwt = "") { return Send(http::verb::get, target, "", jwt); }
  std::string Login(const std::string& client = "M1234567", const std::string& key = "masterkey",
                    const std::string& password = "1234", const char* secret = kMasterSecret) {
    const Reply r = Post("/rest/auth/angelbroking/user/v1/loginByPassword",
                         {{"clientcode", client}, {"password", password}, {"totp", Totp(secret)}}, "", key);
    const json j = r.Json();
    EXPECT_EQ(j["status"], true) << r.body;
    return j["data"]["jwtToken"].get<std::string>();
  }
  tcp::socket& socket() { return stream_.socket(); }

 private:
  net::io_context io_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
};

// A BUY LIMIT at 1000 fills at once: SBIN's default price is below 1000.
json SbinOrder(const std::string& type = "LIMIT", const std::string& price = "1000.00") {
  return {{"variety", "NORMAL"},
          {"tradingsymbol", "SBIN-EQ"},
          {"symboltoken", "3045"},
          {"transactiontype", "BUY"},
          {"exchange", "NSE"},
          {"ordertype", type},
          {"producttype", "INTRADAY"},
          {"duration", "DAY"},
          {"price", price},
          {"quantity", "1"}};
}

// An order-update WebSocket client.
class Feed {
 public:
  Feed() : ws_(io_) {}
  // The HTTP status of the handshake (101 on success).
  int Connect(uint16_t port, const std::string& authorization, const std::string& source = "") {
    if (!source.empty()) {
      beast::get_lowest_layer(ws_).socket().open(tcp::v4());
      beast::get_lowest_layer(ws_).socket().bind(tcp::endpoint(net::ip::make_address(source), 0));
    }
    beast::get_lowest_layer(ws_).connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
    ws_.set_option(websocket::stream_base::decorator([authorization](websocket::request_type& req) {
      if (!authorization.empty()) req.set(http::field::authorization, authorization);
    }));
    websocket::response_type res;
    beast::error_code ec;
    ws_.handshake(res, "127.0.0.1", "/smart-order-update", ec);
    handshake_date_ = std::string(res[http::field::date]);
    return static_cast<int>(res.result_int());
  }
  const std::string& handshake_date() const { return handshake_date_; }
  json Next() {
    beast::flat_buffer buffer;
    ws_.read(buffer);
    return json::parse(beast::buffers_to_string(buffer.data()));
  }
  std::string NextText() {
    beast::flat_buffer buffer;
    ws_.read(buffer);
    return beast::buffers_to_string(buffer.data());
  }
  void SendText(const std::string& text) {
    ws_.text(true);
    ws_.write(net::buffer(text));
  }
  void Ping() { ws_.ping({}); }
  // Clean close: waits for the server's close frame, so the server has
  // dropped the connection when this returns.
  void Close() {
    ws_.close(websocket::close_code::normal);
    beast::flat_buffer buffer;
    beast::error_code ec;
    while (!ec) ws_.read(buffer, ec);
  }

 private:
  net::io_context io_;
  websocket::stream<beast::tcp_stream> ws_;
  std::string handshake_date_;
};

// Status of a WebSocket upgrade request that the server may refuse (the
// Beast client does not expose the refusal's status in Boost 1.74).
http::response<http::string_body> UpgradeReply(uint16_t port, const std::string& authorization) {
  net::io_context io;
  beast::tcp_stream stream(io);
  stream.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
  http::request<http::empty_body> req(http::verb::get, "/smart-order-update", 11);
  req.set(http::field::host, "127.0.0.1");
  req.set(http::field::connection, "Upgrade");
  req.set(http::field::upgrade, "websocket");
  req.set(http::field::sec_websocket_version, "13");
  req.set(http::field::sec_websocket_key, "dGhlIHNhbXBsZSBub25jZQ==");
  if (!authorization.empty()) req.set(http::field::authorization, authorization);
  http::write(stream, req);
  beast::flat_buffer buffer;
  http::response<http::string_body> res;
  http::read(stream, buffer, res);
  return res;
}

int UpgradeStatus(uint16_t port, const std::string& authorization) {
  return static_cast<int>(UpgradeReply(port, authorization).result_int());
}

class SimServerTest : public ::testing::Test {
 protected:
  void SetUp() override { Start({}); }

  void Start(std::vector<std::string> extra) {
    const std::string env = dir_.File(".env",
                                      "API_KEY=masterkey\nCLIENT_ID=M1234567\nPASSWORD=1234\n"
                                      "TOTP_SECRET=" +
                                          std::string(kMasterSecret) +
                                          "\n"
                                          "FOLLOWER_1_API_KEY=f1key\nFOLLOWER_1_CLIENT_ID=F1111111\n"
                                          "FOLLOWER_1_PASSWORD=1111\n"
                                          "FOLLOWER_1_TOTP_SECRET=" +
                                          std::string(kFollowerSecret) + "\n");
    std::vector<std::string> args = {"--env", env, "--port", "0", "--log-level", "warn"};
    args.insert(args.end(), extra.begin(), extra.end());
    sim_ = std::make_unique<SimProcess>(args);
    ASSERT_NE(sim_->port(), 0) << "no readiness line: " << sim_->first_line();
  }

  // POST /sim/v1/<op> on a fresh connection; the reply's data.
  json Admin(const std::string& op, const json& body) {
    Client c(sim_->port());
    const Reply r = c.Post("/sim/v1/" + op, body);
    EXPECT_EQ(r.status, 200) << op << ": " << r.body;
    return r.Json()["data"];
  }
  json Orders(const std::string& client = "M1234567") {
    return Client(sim_->port()).Get("/sim/v1/orders").Json()["data"][client];
  }
  json OrderRow(const std::string& orderid, const std::string& client = "M1234567") {
    for (const auto& row : Orders(client))
      if (row["orderid"] == orderid) return row;
    ADD_FAILURE() << "no order " << orderid;
    return json::object();
  }

  TempDir dir_;
  std::unique_ptr<SimProcess> sim_;
};

json NfoOrder(const std::string& symbol, const std::string& token, const std::string& side, const std::string& price,
              int quantity, const std::string& exchange = "NFO") {
  return {{"variety", "NORMAL"},     {"tradingsymbol", symbol},  {"symboltoken", token},
          {"transactiontype", side}, {"exchange", exchange},     {"ordertype", "LIMIT"},
          {"producttype", "CARRYFORWARD"}, {"duration", "DAY"}, {"price", price},
          {"quantity", std::to_string(quantity)}};
}

TEST_F(SimServerTest, PrintsTheReadinessLineAndServesOverOneKeepAliveConnection) {
  EXPECT_EQ(sim_->first_line(), "copytrade-sim listening on 127.0.0.1:" + std::to_string(sim_->port()) + "\n");
  Client c(sim_->port());
  const std::string jwt = c.Login();
  const Reply placed = c.Post(kPlace, SbinOrder(), jwt);
  ASSERT_EQ(placed.status, 200);
  const json p = placed.Json();
  ASSERT_EQ(p["status"], true) << placed.body;
  const Reply book = c.Get(std::string(kBook) + "?%7B%7D", jwt);
  ASSERT_EQ(book.status, 200) << book.body;
  const json b = book.Json();
  ASSERT_EQ(b["data"].size(), 1u);
  EXPECT_EQ(b["data"][0]["orderid"], p["data"]["orderid"]);
  EXPECT_EQ(b["data"][0]["status"], "complete");
  // Throttle: another order book read within a second (a few tries, so a
  // stalled test machine cannot make it miss the window).
  Reply throttled;
  for (int i = 0; i < 5 && throttled.status != 403; ++i) throttled = c.Get(kBook, jwt);
  EXPECT_EQ(throttled.status, 403);
  EXPECT_EQ(throttled.content_type, "text/plain");
  EXPECT_EQ(throttled.body, "Access denied because of exceeding access rate");
}

TEST_F(SimServerTest, OfficialSdkRequestQuirksAreAccepted) {
  Client c(sim_->port());
  const std::string jwt = c.Login();
  // smartapi-javascript sends a "{}" body on GETs.
  const Reply js = c.Send(http::verb::get, "/rest/secure/angelbroking/user/v1/getProfile", "{}", jwt);
  EXPECT_EQ(js.Json()["data"]["clientcode"], "M1234567") << js.body;
  // smartapi-python sends the JSON params as the raw query string.
  const Reply py =
      c.Send(http::verb::get, "/rest/secure/angelbroking/user/v1/getRMS?%7B%22refreshToken%22%3A+%22x%22%7D", "", jwt);
  EXPECT_EQ(py.Json()["status"], true) << py.body;
}

TEST_F(SimServerTest, GatewayErrorsAreHttp200) {
  Client c(sim_->port());
  const Reply r = c.Get(kBook, "bad");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, R"({"success":false,"message":"Invalid Token","errorCode":"AG8001","data":""})");
}

TEST_F(SimServerTest, OrderFeedPushesEveryStateChange) {
  Client c(sim_->port());
  const std::string jwt = c.Login();
  Feed feed;
  ASSERT_EQ(feed.Connect(sim_->port(), "Bearer " + jwt), 101);
  const json hello = feed.Next();
  EXPECT_EQ(hello["order-status"], "AB00");
  EXPECT_EQ(hello["user-id"], "M1234567");

  const json placed = c.Post(kPlace, SbinOrder("LIMIT", "100.00"), jwt).Json();
  const json pending = feed.Next();
  EXPECT_EQ(pending["order-status"], "AB09");
  EXPECT_EQ(pending["orderData"]["orderid"], placed["data"]["orderid"]);
  EXPECT_EQ(pending["orderData"]["status"], "open pending");
  EXPECT_EQ(feed.Next()["order-status"], "AB01");

  c.Post("/sim/v1/price", {{"tradingsymbol", "SBIN-EQ"}, {"exchange", "NSE"}, {"price", 99.9}});
  const json done = feed.Next();
  EXPECT_EQ(done["order-status"], "AB05");
  EXPECT_EQ(done["orderData"]["status"], "complete");
  EXPECT_EQ(done["orderData"]["averageprice"], 99.9);

  feed.SendText("ping");
  EXPECT_EQ(feed.NextText(), "pong");
  feed.Ping();  // control ping: Beast's automatic pong keeps the stream alive
  feed.SendText("ping");
  EXPECT_EQ(feed.NextText(), "pong");
}

TEST_F(SimServerTest, PartialFillsShowOnTheFeedAndInTheBook) {
  Client c(sim_->port());
  const std::string jwt = c.Login();
  Feed feed;
  ASSERT_EQ(feed.Connect(sim_->port(), "Bearer " + jwt), 101);
  EXPECT_EQ(feed.Next()["order-status"], "AB00");
  json order = SbinOrder("LIMIT", "100.00");
  order["quantity"] = "10";
  const std::string id = c.Post(kPlace, order, jwt).Json()["data"]["orderid"];
  EXPECT_EQ(feed.Next()["order-status"], "AB09");
  EXPECT_EQ(feed.Next()["order-status"], "AB01");
  const Reply fill = c.Post("/sim/v1/fill", {{"orderid", id}, {"quantity", 4}});
  ASSERT_EQ(fill.status, 200) << fill.body;
  const json partial = feed.Next();
  EXPECT_EQ(partial["order-status"], "AB01");
  EXPECT_EQ(partial["orderData"]["status"], "open");
  EXPECT_EQ(partial["orderData"]["filledshares"], "4");
  EXPECT_EQ(partial["orderData"]["unfilledshares"], "6");
  c.Post("/rest/secure/angelbroking/order/v1/cancelOrder", {{"variety", "NORMAL"}, {"orderid", id}}, jwt);
  const json cancelled = feed.Next();
  EXPECT_EQ(cancelled["order-status"], "AB02");
  EXPECT_EQ(cancelled["orderData"]["cancelsize"], "6");
}

TEST_F(SimServerTest, AClosedFeedFreesItsSlot) {
  Client c(sim_->port());
  const std::string jwt = c.Login();
  Feed a, b;
  ASSERT_EQ(a.Connect(sim_->port(), "Bearer " + jwt), 101);
  ASSERT_EQ(b.Connect(sim_->port(), "Bearer " + jwt), 101);
  {
    Feed closing;
    ASSERT_EQ(closing.Connect(sim_->port(), "Bearer " + jwt), 101);
    EXPECT_EQ(closing.Next()["order-status"], "AB00");
    closing.Close();
  }
  // The server drops the connection when its read sees the close; watch it
  // happen through the health call (bounded, no sleeping).
  size_t open = 3;
  for (int i = 0; i < 1000 && open != 2; ++i)
    open = c.Get("/sim/v1/health").Json()["data"]["order_feeds"]["M1234567"].get<size_t>();
  EXPECT_EQ(open, 2u);
  EXPECT_EQ(UpgradeStatus(sim_->port(), "Bearer " + jwt), 101);
}

TEST_F(SimServerTest, FeedDropAndMuteForReconnectAndReconciliationTests) {
  Client c(sim_->port());
  const std::string jwt = c.Login();
  Feed feed;
  ASSERT_EQ(feed.Connect(sim_->port(), "Bearer " + jwt), 101);
  EXPECT_EQ(feed.Next()["order-status"], "AB00");
  // Muted: the marketable order's three updates are lost.
  c.Post("/sim/v1/feed/mute", {{"clientcode", "M1234567"}, {"muted", true}});
  c.Post(kPlace, SbinOrder(), jwt);
  c.Post("/sim/v1/feed/mute", {{"clientcode", "M1234567"}, {"muted", false}});
  const std::string second = c.Post(kPlace, SbinOrder("LIMIT", "100.00"), jwt).Json()["data"]["orderid"];
  const json next = feed.Next();
  EXPECT_EQ(next["order-status"], "AB09");
  EXPECT_EQ(next["orderData"]["orderid"], second);
  EXPECT_EQ(feed.Next()["order-status"], "AB01");
  // Drop: the connection ends without a close frame; a reconnect works.
  const Reply dropped = c.Post("/sim/v1/feed/drop", {{"clientcode", "M1234567"}});
  EXPECT_EQ(dropped.Json()["data"]["dropped"], 1);
  EXPECT_THROW(feed.Next(), beast::system_error);
  Feed again;
  ASSERT_EQ(again.Connect(sim_->port(), "Bearer " + jwt), 101);
  EXPECT_EQ(again.Next()["order-status"], "AB00");
}

TEST_F(SimServerTest, OrderFeedRefusesBadTokensAndAFourthConnection) {
  Client c(sim_->port());
  const std::string jwt = c.Login();
  EXPECT_EQ(UpgradeStatus(sim_->port(), ""), 401);
  EXPECT_EQ(UpgradeStatus(sim_->port(), "Bearer nonsense"), 401);
  EXPECT_EQ(UpgradeStatus(sim_->port(), jwt), 401);  // without "Bearer "

  Feed a, b, d;
  ASSERT_EQ(a.Connect(sim_->port(), "Bearer " + jwt), 101);
  ASSERT_EQ(b.Connect(sim_->port(), "Bearer " + jwt), 101);
  ASSERT_EQ(d.Connect(sim_->port(), "Bearer " + jwt), 101);
  EXPECT_EQ(UpgradeStatus(sim_->port(), "Bearer " + jwt), 429);
  c.Post("/sim/v1/expire", {{"clientcode", "M1234567"}});
  EXPECT_EQ(UpgradeStatus(sim_->port(), "Bearer " + jwt), 403);
}

TEST_F(SimServerTest, DropAndLostReplyFaults) {
  Client admin(sim_->port());
  const std::string jwt = admin.Login();
  auto count_orders = [&] { return admin.Get("/sim/v1/orders").Json()["data"]["M1234567"].size(); };
  admin.Post("/sim/v1/fault", {{"clientcode", "M1234567"}, {"endpoint", "placeOrder"}, {"kind", "drop"}});
  {
    Client c(sim_->port());
    const Reply r = c.Post(kPlace, SbinOrder(), jwt);
    EXPECT_TRUE(r.error) << r.body;
  }
  EXPECT_EQ(count_orders(), 0u);
  admin.Post("/sim/v1/fault", {{"clientcode", "M1234567"}, {"endpoint", "placeOrder"}, {"kind", "lost_reply"}});
  {
    Client c(sim_->port());
    const Reply r = c.Post(kPlace, SbinOrder(), jwt);
    EXPECT_TRUE(r.error) << r.body;
  }
  EXPECT_EQ(count_orders(), 1u);
}

TEST_F(SimServerTest, LatencyFaultHoldsTheReply) {
  Client c(sim_->port());
  const std::string jwt = c.Login();
  c.Post("/sim/v1/fault",
         {{"clientcode", "M1234567"}, {"endpoint", "placeOrder"}, {"kind", "latency"}, {"latency_ms", 200}});
  const auto start = std::chrono::steady_clock::now();
  const Reply r = c.Post(kPlace, SbinOrder(), jwt);
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(200));
  EXPECT_EQ(r.Json()["status"], true);
}

TEST_F(SimServerTest, HugeBodiesAndGarbageNeverCrashIt) {
  {
    Client c(sim_->port());
    const std::string jwt = c.Login();
    const Reply r = c.Send(http::verb::post, kPlace, std::string(2 << 20, 'x'), jwt);
    EXPECT_EQ(r.status, 413);
    EXPECT_EQ(r.Json()["status"], false);
  }
  {
    Client c(sim_->port());
    net::write(c.socket(), net::buffer(std::string("NOT HTTP AT ALL\r\n\r\n")));
    char buf[512];
    beast::error_code ec;
    const size_t n = c.socket().read_some(net::buffer(buf), ec);
    EXPECT_NE(std::string(buf, n).find("400"), std::string::npos);
  }
  {
    Client c(sim_->port());
    const Reply r = c.Post(kPlace, json::array({1, 2}), "x");
    EXPECT_EQ(r.status, 200);
    const Reply bad_json =
        c.Send(http::verb::post, "/rest/auth/angelbroking/user/v1/loginByPassword", "{\"clientcode\":");
    EXPECT_EQ(bad_json.Json()["status"], false);
  }
  Client c(sim_->port());
  EXPECT_EQ(c.Get("/sim/v1/health").Json()["data"]["status"], "ok");
}

TEST_F(SimServerTest, SmartApiRefusesMarketSlMarketAndIocNamingTheRule) {
  Client c(sim_->port());
  const std::string jwt = c.Login();
  json market = SbinOrder("MARKET", "0");
  json sl_market = SbinOrder("STOPLOSS_MARKET", "0");
  sl_market["variety"] = "STOPLOSS";
  sl_market["triggerprice"] = "999";
  json ioc = SbinOrder();
  ioc["duration"] = "IOC";
  const std::vector<std::pair<json, std::string>> cases = {
      {market, "MARKET orders are not allowed through the API under the exchange's retail algo rules; place a "
               "LIMIT order instead"},
      {sl_market, "STOPLOSS_MARKET orders are not allowed through the API under the exchange's retail algo rules; "
                  "place a STOPLOSS_LIMIT order instead"},
      {ioc, "IOC orders are not allowed through the API under the exchange's retail algo rules; use duration DAY"}};
  for (const auto& [order, message] : cases) {
    const Reply r = c.Post(kPlace, order, jwt);
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.Json(), json({{"status", false}, {"message", message}, {"errorcode", "AB2000"}, {"data", nullptr}}))
        << r.body;
  }
  EXPECT_TRUE(Orders().empty());
  // Modifying a working LIMIT into a MARKET is refused too.
  const std::string id = c.Post(kPlace, SbinOrder("LIMIT", "1.00"), jwt).Json()["data"]["orderid"];
  const Reply m = c.Post(kModify, {{"variety", "NORMAL"}, {"orderid", id}, {"ordertype", "MARKET"}}, jwt);
  EXPECT_EQ(m.Json()["errorcode"], "AB2000") << m.body;
  EXPECT_EQ(OrderRow(id)["ordertype"], "LIMIT");
  EXPECT_EQ(Client(sim_->port()).Get("/sim/v1/health").Json()["data"]["order_rules"], "2026");
}

TEST_F(SimServerTest, LegacyOrderRulesLetOldClientsPlaceMarketAndIoc) {
  Start({"--legacy-order-rules"});
  Client c(sim_->port());
  const std::string jwt = c.Login();
  const Reply r = c.Post(kPlace, SbinOrder("MARKET", "0"), jwt);
  ASSERT_EQ(r.Json()["status"], true) << r.body;
  EXPECT_EQ(OrderRow(r.Json()["data"]["orderid"])["status"], "complete");
  json ioc = SbinOrder("LIMIT", "1.00");
  ioc["duration"] = "IOC";
  const Reply i = c.Post(kPlace, ioc, jwt);
  ASSERT_EQ(i.Json()["status"], true) << i.body;
  EXPECT_EQ(OrderRow(i.Json()["data"]["orderid"])["status"], "cancelled");
  EXPECT_EQ(c.Get("/sim/v1/health").Json()["data"]["order_rules"], "legacy");
}

TEST_F(SimServerTest, TheAppTakesMasterOrdersWithoutAuthAndTheFeedPushesThem) {
  Client c(sim_->port());
  const std::string jwt = c.Login();
  Feed feed;
  ASSERT_EQ(feed.Connect(sim_->port(), "Bearer " + jwt), 101);
  EXPECT_EQ(feed.Next()["order-status"], "AB00");

  Client app(sim_->port());
  const Reply placed = app.App("placeOrder", SbinOrder("MARKET", "0"));
  ASSERT_EQ(placed.status, 200);
  const json p = placed.Json();
  ASSERT_EQ(p["status"], true) << placed.body;
  // The same reply as SmartAPI's placeOrder.
  EXPECT_EQ(p["message"], "SUCCESS");
  EXPECT_EQ(p["data"]["script"], "SBIN-EQ");
  EXPECT_EQ(p["data"].size(), 3u);
  EXPECT_FALSE(p["data"]["uniqueorderid"].get<std::string>().empty());
  for (const char* code : {"AB09", "AB01", "AB05"}) {
    const json update = feed.Next();
    EXPECT_EQ(update["order-status"], code);
    EXPECT_EQ(update["orderData"]["orderid"], p["data"]["orderid"]);
  }
  // In the master's own SmartAPI book, as a MARKET order.
  const json book = c.Get(kBook, jwt).Json();
  ASSERT_EQ(book["data"].size(), 1u) << book;
  EXPECT_EQ(book["data"][0]["ordertype"], "MARKET");
  EXPECT_EQ(book["data"][0]["status"], "complete");

  // Modify and cancel a resting LIMIT in the app: AB04 and AB02 on the feed.
  const std::string id = app.App("placeOrder", SbinOrder("LIMIT", "1.00")).Json()["data"]["orderid"];
  EXPECT_EQ(feed.Next()["order-status"], "AB09");
  EXPECT_EQ(feed.Next()["order-status"], "AB01");
  const Reply m = app.App("modifyOrder", {{"variety", "NORMAL"}, {"orderid", id}, {"ordertype", "LIMIT"},
                                          {"price", "2.00"}, {"quantity", "3"}});
  EXPECT_EQ(m.Json()["data"]["orderid"], id) << m.body;
  const json modified = feed.Next();
  EXPECT_EQ(modified["order-status"], "AB04");
  EXPECT_EQ(modified["orderData"]["price"], 2.0);
  EXPECT_EQ(app.App("cancelOrder", {{"variety", "NORMAL"}, {"orderid", id}}).Json()["status"], true);
  EXPECT_EQ(feed.Next()["order-status"], "AB02");
  // Errors in the broker's envelope.
  const Reply bad = app.App("placeOrder", SbinOrder(), "NOBODY");
  EXPECT_EQ(bad.Json(), json({{"status", false}, {"message", "Invalid clientcode"}, {"errorcode", "AB1007"},
                              {"data", nullptr}}));
}

TEST_F(SimServerTest, StaticIpAdmitsOrderWritesOnlyFromTheRegisteredAddress) {
  Start({"--static-ip", "F1111111=127.0.0.11"});
  Client wrong(sim_->port(), "127.0.0.12");
  Client right(sim_->port(), "127.0.0.11");
  // Login and reads from anywhere.
  const std::string jwt = wrong.Login("F1111111", "f1key", "1111", kFollowerSecret);
  const Reply refused = wrong.Post(kPlace, SbinOrder("LIMIT", "1.00"), jwt, "f1key");
  EXPECT_EQ(refused.status, 200);
  EXPECT_EQ(refused.body,
            R"({"status":false,"message":"Order not allowed from IP 127.0.0.12: the registered static IP of )"
            R"(F1111111 is 127.0.0.11","errorcode":"AB1100","data":null})");
  const Reply placed = right.Post(kPlace, SbinOrder("LIMIT", "1.00"), jwt, "f1key");
  ASSERT_EQ(placed.Json()["status"], true) << placed.body;
  const std::string id = placed.Json()["data"]["orderid"];
  const Reply book = wrong.Send(http::verb::get, kBook, "", jwt, "f1key");
  ASSERT_EQ(book.Json()["status"], true) << book.body;
  EXPECT_EQ(book.Json()["data"].size(), 1u);
  const Reply cancel = wrong.Post(kCancel, {{"variety", "NORMAL"}, {"orderid", id}}, jwt, "f1key");
  EXPECT_EQ(cancel.Json()["errorcode"], "AB1100") << cancel.body;
  EXPECT_NE(cancel.Json()["message"].get<std::string>().find("127.0.0.12"), std::string::npos);
  EXPECT_EQ(OrderRow(id, "F1111111")["status"], "open");
  EXPECT_EQ(right.Post(kCancel, {{"variety", "NORMAL"}, {"orderid", id}}, jwt, "f1key").Json()["status"], true);
  // The WebSocket is not checked.
  Feed feed;
  ASSERT_EQ(feed.Connect(sim_->port(), "Bearer " + jwt, "127.0.0.12"), 101);
  EXPECT_EQ(feed.Next()["order-status"], "AB00");
  // Other accounts are not affected.
  Client master(sim_->port(), "127.0.0.12");
  EXPECT_EQ(master.Post(kPlace, SbinOrder(), master.Login()).Json()["status"], true);
  EXPECT_EQ(master.Get("/sim/v1/health").Json()["data"]["static_ips"], json({{"F1111111", "127.0.0.11"}}));
}

TEST_F(SimServerTest, BadStaticIpFlagsExitTwoNamingTheValue) {
  for (const auto& [value, problem] : std::vector<std::pair<std::string, std::string>>{
           {"F1111111=not-an-ip", "config error: --static-ip: F1111111=not-an-ip: not-an-ip is not an IP address"},
           {"X1=127.0.0.11", "config error: --static-ip: X1=127.0.0.11: no account X1 in the .env file"}}) {
    const std::string err = dir_.File("static-ip.err", "");
    SimProcess p({"--env", dir_.File(".env2", "API_KEY=k\nCLIENT_ID=F1111111\nPASSWORD=1\nTOTP_SECRET=" +
                                                   std::string(kFollowerSecret) + "\n"),
                  "--port", "0", "--static-ip", value},
                 err);
    EXPECT_EQ(p.Wait(), 2);
    std::ifstream in(err);
    std::string line;
    std::getline(in, line);
    EXPECT_EQ(line, problem);
  }
}

TEST_F(SimServerTest, LppBandsOnNfoAndBfoLimitsModificationsAndTriggeredStopLosses) {
  Start({"--no-rate-limits"});
  Client c(sim_->port());
  const std::string jwt = c.Login();
  auto price = [&](const std::string& symbol, const std::string& exchange, double p) {
    Admin("price", {{"tradingsymbol", symbol}, {"exchange", exchange}, {"price", p}});
  };
  auto place = [&](const json& order) {
    const Reply r = c.Post(kPlace, order, jwt);
    EXPECT_EQ(r.Json()["status"], true) << r.body;  // accepted: the rejection follows in the book
    return OrderRow(r.Json()["data"]["orderid"]);
  };
  // NFO option above Rs 50: +/- 40 %.
  price("NIFTY01DEC2626000CE", "NFO", 200);
  json row = place(NfoOrder("NIFTY01DEC2626000CE", "47101", "BUY", "281", 75));
  EXPECT_EQ(row["status"], "rejected");
  EXPECT_EQ(row["text"], std::string(kLpp) +
                             "Please decrease the limit price to at most 280.00 (allowed range 120.00 - 280.00).");
  EXPECT_EQ(place(NfoOrder("NIFTY01DEC2626000CE", "47101", "BUY", "280", 75))["status"], "complete");
  // NFO option at or under Rs 50: +/- Rs 20.
  price("NIFTY01DEC2626000PE", "NFO", 30);
  row = place(NfoOrder("NIFTY01DEC2626000PE", "47102", "SELL", "9.95", 75));
  EXPECT_EQ(row["status"], "rejected");
  EXPECT_EQ(row["text"], std::string(kLpp) +
                             "Please increase the limit price to at least 10.00 (allowed range 10.00 - 50.00).");
  EXPECT_EQ(place(NfoOrder("NIFTY01DEC2626000PE", "47102", "SELL", "10", 75))["status"], "complete");
  // NFO future: +/- 3 %.
  price("NIFTY29DEC26FUT", "NFO", 1000);
  EXPECT_EQ(place(NfoOrder("NIFTY29DEC26FUT", "52167", "BUY", "1030.10", 75))["status"], "rejected");
  EXPECT_EQ(place(NfoOrder("NIFTY29DEC26FUT", "52167", "BUY", "1030", 75))["status"], "complete");
  // BFO option: 60 %, at least Rs 30; BFO future 3 %, at least Rs 1.50.
  price("SENSEX31DEC2685000CE", "BFO", 40);
  row = place(NfoOrder("SENSEX31DEC2685000CE", "825201", "BUY", "70.05", 20, "BFO"));
  EXPECT_EQ(row["status"], "rejected");
  EXPECT_EQ(row["text"], std::string(kLpp) +
                             "Please decrease the limit price to at most 70.00 (allowed range 10.00 - 70.00).");
  EXPECT_EQ(place(NfoOrder("SENSEX31DEC2685000CE", "825201", "BUY", "70", 20, "BFO"))["status"], "complete");
  price("SENSEX31DEC26FUT", "BFO", 40);
  EXPECT_EQ(place(NfoOrder("SENSEX31DEC26FUT", "825101", "SELL", "38.45", 20, "BFO"))["status"], "rejected");
  EXPECT_EQ(place(NfoOrder("SENSEX31DEC26FUT", "825101", "SELL", "38.50", 20, "BFO"))["status"], "complete");

  // A modification outside the band is refused; the order keeps its price.
  price("BANKNIFTY29DEC2659000CE", "NFO", 300);
  const json resting = place(NfoOrder("BANKNIFTY29DEC2659000CE", "48211", "BUY", "200", 35));
  ASSERT_EQ(resting["status"], "open");
  const Reply m = c.Post(kModify, {{"variety", "NORMAL"}, {"orderid", resting["orderid"]}, {"ordertype", "LIMIT"},
                                   {"price", "175"}, {"quantity", "35"}}, jwt);
  EXPECT_EQ(m.Json(), json({{"status", false},
                            {"message", std::string(kLpp) + "Please increase the limit price to at least 180.00 "
                                                            "(allowed range 180.00 - 420.00)."},
                            {"errorcode", "AB2000"},
                            {"data", nullptr}}))
      << m.body;
  EXPECT_EQ(OrderRow(resting["orderid"])["price"], 200.0);

  // An SL-limit is checked when it triggers.
  price("BANKNIFTY29DEC2659000PE", "NFO", 200);
  json sl = NfoOrder("BANKNIFTY29DEC2659000PE", "48212", "SELL", "80", 35);
  sl["variety"] = "STOPLOSS";
  sl["ordertype"] = "STOPLOSS_LIMIT";
  sl["triggerprice"] = "150";
  const json pending = place(sl);
  ASSERT_EQ(pending["status"], "trigger pending");
  price("BANKNIFTY29DEC2659000PE", "NFO", 140);
  row = OrderRow(pending["orderid"]);
  EXPECT_EQ(row["status"], "rejected");
  EXPECT_EQ(row["text"], std::string(kLpp) + "Please increase the stop loss limit price to at least 84.00 "
                                             "(allowed range 84.00 - 196.00).");
}

TEST_F(SimServerTest, PositionsFollowAdminPriceMoves) {
  Client c(sim_->port());
  const std::string jwt = c.Login();
  Admin("price", {{"tradingsymbol", "NIFTY01DEC2626100CE"}, {"exchange", "NFO"}, {"price", 100}});
  ASSERT_EQ(c.Post(kPlace, NfoOrder("NIFTY01DEC2626100CE", "47103", "BUY", "105", 75), jwt).Json()["status"], true);
  Admin("price", {{"tradingsymbol", "NIFTY01DEC2626100CE"}, {"exchange", "NFO"}, {"price", 90.5}});
  const json p = c.Get("/rest/secure/angelbroking/order/v1/getPosition", jwt).Json();
  ASSERT_EQ(p["data"].size(), 1u) << p;
  EXPECT_EQ(p["data"][0]["ltp"], "90.50");
  EXPECT_EQ(p["data"][0]["unrealised"], "-712.50");  // 75 x (90.50 - 100)
  EXPECT_EQ(p["data"][0]["pnl"], "-712.50");
}

TEST_F(SimServerTest, HoldFaultLetsThePriceMoveWhileTheOrderWaits) {
  Client c(sim_->port());
  const std::string jwt = c.Login();
  Admin("price", {{"tradingsymbol", "SBIN-EQ"}, {"exchange", "NSE"}, {"price", 800}});
  Admin("fault", {{"clientcode", "M1234567"}, {"endpoint", "placeOrder"}, {"kind", "hold"}, {"latency_ms", 1500}});
  ASSERT_FALSE(c.Write(http::verb::post, kPlace, SbinOrder("LIMIT", "810.00").dump(), jwt));
  // The write is in (the log has it) but held: nothing placed yet, and the
  // server goes on answering other connections meanwhile.
  Client admin(sim_->port());
  ASSERT_TRUE(ct::testing::Eventually([&] {
    return admin.Get("/sim/v1/requests").Json()["data"].size() == 1;
  }));
  EXPECT_TRUE(Orders().empty());
  Admin("price", {{"tradingsymbol", "SBIN-EQ"}, {"exchange", "NSE"}, {"price", 805}});
  const Reply r = c.Read();
  ASSERT_EQ(r.Json()["status"], true) << r.body;
  const json row = OrderRow(r.Json()["data"]["orderid"]);
  EXPECT_EQ(row["status"], "complete");
  EXPECT_EQ(row["averageprice"], 805.0);  // what the order saw: the price moved during the hold
}

TEST_F(SimServerTest, FreezeQuantitiesComeFromTheFileInForceToday) {
  const std::string file = dir_.File("freeze.csv",
                                     "# test freeze quantities\n"
                                     "underlying,exchange,freeze_quantity,effective_from\n"
                                     "BANKNIFTY,NFO,600,2000-01-01\n"
                                     "BANKNIFTY,NFO,900,1999-01-01\n"
                                     "BANKNIFTY,NFO,35,2999-01-01\n");
  Start({"--freeze-file", file});
  Client c(sim_->port());
  const std::string jwt = c.Login();
  Admin("price", {{"tradingsymbol", "BANKNIFTY29DEC2659000CE"}, {"exchange", "NFO"}, {"price", 300}});
  const Reply big = c.Post(kPlace, NfoOrder("BANKNIFTY29DEC2659000CE", "48211", "BUY", "300", 700), jwt);
  ASSERT_EQ(big.Json()["status"], true) << big.body;  // accepted, then the RMS rejects it
  const json row = OrderRow(big.Json()["data"]["orderid"]);
  EXPECT_EQ(row["status"], "rejected");
  EXPECT_EQ(row["text"], "Order quantity 700 exceeds the freeze quantity 600");
  const Reply ok = c.Post(kPlace, NfoOrder("BANKNIFTY29DEC2659000CE", "48211", "BUY", "300", 595), jwt);
  EXPECT_EQ(OrderRow(ok.Json()["data"]["orderid"])["status"], "complete");
}

TEST_F(SimServerTest, ABadFreezeFileExitsTwoNamingTheLine) {
  const std::string file = dir_.File("bad-freeze.csv",
                                     "# comment\n"
                                     "underlying,exchange,freeze_quantity,effective_from\n"
                                     "BANKNIFTY,NFO,six hundred,2026-02-01\n");
  const std::string err = dir_.File("freeze.err", "");
  SimProcess p({"--env", dir_.File(".env3", "API_KEY=k\nCLIENT_ID=M1\nPASSWORD=1\nTOTP_SECRET=" +
                                                std::string(kMasterSecret) + "\n"),
                "--port", "0", "--freeze-file", file},
               err);
  EXPECT_EQ(p.port(), 0);
  EXPECT_EQ(p.Wait(), 2);
  std::ifstream in(err);
  std::string line;
  std::getline(in, line);
  EXPECT_EQ(line, "config error: " + file + ": line 3: freeze_quantity must be a positive whole number");
}

// "Sun, 06 Nov 1994 08:49:37 GMT" -> Unix seconds.
int64_t ParseHttpDate(const std::string& date) {
  std::tm tm{};
  const char* end = strptime(date.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm);
  if (end == nullptr || *end != '\0') return -1;
  return timegm(&tm);
}

TEST_F(SimServerTest, EveryReplyCarriesADateHeaderFromTheClock) {
  const std::regex imf_fixdate("^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), [0-9]{2} "
                               "(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) [0-9]{4} [0-9]{2}:[0-9]{2}:[0-9]{2} GMT$");
  Client c(sim_->port());
  auto check = [&](const std::string& what, const std::function<std::string()>& call) {
    const int64_t before = NowNs() / 1'000'000'000;
    const std::string date = call();
    const int64_t after = NowNs() / 1'000'000'000;
    EXPECT_TRUE(std::regex_match(date, imf_fixdate)) << what << ": " << date;
    const int64_t at = ParseHttpDate(date);
    EXPECT_GE(at, before) << what << ": " << date;
    EXPECT_LE(at, after) << what << ": " << date;
  };
  std::string jwt;
  check("login", [&] {
    const Reply r = c.Post("/rest/auth/angelbroking/user/v1/loginByPassword",
                           {{"clientcode", "M1234567"}, {"password", "1234"}, {"totp", Totp(kMasterSecret)}});
    jwt = r.Json()["data"]["jwtToken"];
    return r.date;
  });
  check("order book", [&] { return c.Get(kBook, jwt).date; });
  check("throttled", [&] {
    Reply r;
    for (int i = 0; i < 5 && r.status != 403; ++i) r = c.Get(kBook, jwt);
    EXPECT_EQ(r.status, 403);
    return r.date;
  });
  check("gateway error", [&] { return c.Get(kBook, "bad").date; });
  check("admin", [&] { return c.Get("/sim/v1/health").date; });
  check("not found", [&] { return c.Get("/nope").date; });
  check("app", [&] { return c.App("placeOrder", SbinOrder()).date; });
  check("websocket refusal", [&] { return std::string(UpgradeReply(sim_->port(), "")[http::field::date]); });
  Feed feed;
  check("websocket handshake", [&] {
    EXPECT_EQ(feed.Connect(sim_->port(), "Bearer " + jwt), 101);
    return feed.handshake_date();
  });
}

TEST_F(SimServerTest, RequestsLogListsWhenOrderWritesArrived) {
  Client c(sim_->port());
  const std::string jwt = c.Login();
  auto timed = [&](const std::function<Reply()>& call, int64_t* before, int64_t* after) {
    *before = NowNs();
    const Reply r = call();
    *after = NowNs();
    return r;
  };
  int64_t b[4], a[4];
  json tagged = SbinOrder("LIMIT", "1.00");
  tagged["ordertag"] = "ct-bench-7";
  const std::string id = timed([&] { return c.Post(kPlace, tagged, jwt); }, &b[0], &a[0]).Json()["data"]["orderid"];
  timed([&] { return c.Post(kModify, {{"variety", "NORMAL"}, {"orderid", id}, {"price", "1.05"}}, jwt); }, &b[1],
        &a[1]);
  timed([&] { return c.Post(kCancel, {{"variety", "NORMAL"}, {"orderid", id}}, jwt); }, &b[2], &a[2]);
  const std::string app_id =
      timed([&] { return c.App("placeOrder", SbinOrder()); }, &b[3], &a[3]).Json()["data"]["orderid"];
  c.Get("/sim/v1/orders");

  const json rows = c.Get("/sim/v1/requests").Json()["data"];
  ASSERT_EQ(rows.size(), 4u) << rows;
  const std::vector<std::tuple<std::string, std::string, std::string, std::string>> expected = {
      {"placeOrder", "api", "ct-bench-7", id},
      {"modifyOrder", "api", "", id},
      {"cancelOrder", "api", "", id},
      {"placeOrder", "app", "", app_id}};
  for (size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(rows[i]["clientcode"], "M1234567");
    EXPECT_EQ(rows[i]["endpoint"], std::get<0>(expected[i]));
    EXPECT_EQ(rows[i]["source"], std::get<1>(expected[i]));
    EXPECT_EQ(rows[i]["ordertag"], std::get<2>(expected[i]));
    EXPECT_EQ(rows[i]["orderid"], std::get<3>(expected[i]));
    const int64_t at = rows[i]["received_ns"];
    EXPECT_GE(at, b[i]) << i;
    EXPECT_LE(at, a[i]) << i;
  }
  EXPECT_EQ(c.Post("/sim/v1/requests/clear", json::object()).status, 200);
  EXPECT_TRUE(c.Get("/sim/v1/requests").Json()["data"].empty());
}

TEST_F(SimServerTest, SigtermStopsItWithExitCodeZero) { EXPECT_EQ(sim_->Stop(SIGTERM), 0); }

TEST_F(SimServerTest, SigintStopsItWithExitCodeZero) { EXPECT_EQ(sim_->Stop(SIGINT), 0); }

TEST(SimServerConfig, MissingEnvFileExitsWithTwo) {
  SimProcess p({"--env", "/nonexistent/.env", "--port", "0"});
  EXPECT_EQ(p.port(), 0);
  EXPECT_EQ(p.Wait(), 2);
}

}  // namespace
