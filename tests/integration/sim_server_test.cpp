// Starts the real copytrade-sim binary on an ephemeral port (readiness = its
// "listening on" line) and talks to it with Boost.Beast clients.
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
#include <nlohmann/json.hpp>
#include <string>

#include "common/totp/totp.h"

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
// readiness line from.
class SimProcess {
 public:
  explicit SimProcess(std::vector<std::string> args) {
    int fds[2];
    if (pipe(fds) != 0) std::abort();
    pid_ = fork();
    if (pid_ == 0) {
      dup2(fds[1], STDOUT_FILENO);
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
  std::string body;
  beast::error_code error;
  json Json() const { return json::parse(body, nullptr, false); }
};

// One keep-alive HTTP connection.
class Client {
 public:
  explicit Client(uint16_t port) : stream_(io_) {
    stream_.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
  }
  Reply Send(http::verb verb, const std::string& target, const std::string& body = "", const std::string& jwt = "",
             const std::string& api_key = "masterkey") {
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
    Reply r;
    http::write(stream_, req, r.error);
    if (r.error) return r;
    http::response<http::string_body> res;
    http::read(stream_, buffer_, res, r.error);
    if (r.error) return r;
    r.status = static_cast<int>(res.result_int());
    r.content_type = std::string(res[http::field::content_type]);
    r.body = res.body();
    return r;
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

json SbinOrder(const std::string& type = "MARKET", const std::string& price = "0") {
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
  int Connect(uint16_t port, const std::string& authorization) {
    beast::get_lowest_layer(ws_).connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
    ws_.set_option(websocket::stream_base::decorator([authorization](websocket::request_type& req) {
      if (!authorization.empty()) req.set(http::field::authorization, authorization);
    }));
    websocket::response_type res;
    beast::error_code ec;
    ws_.handshake(res, "127.0.0.1", "/smart-order-update", ec);
    return static_cast<int>(res.result_int());
  }
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
};

// Status of a WebSocket upgrade request that the server may refuse (the
// Beast client does not expose the refusal's status in Boost 1.74).
int UpgradeStatus(uint16_t port, const std::string& authorization) {
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
  return static_cast<int>(res.result_int());
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

  TempDir dir_;
  std::unique_ptr<SimProcess> sim_;
};

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
  // Muted: the MARKET order's three updates are lost.
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

TEST_F(SimServerTest, SigtermStopsItWithExitCodeZero) { EXPECT_EQ(sim_->Stop(SIGTERM), 0); }

TEST_F(SimServerTest, SigintStopsItWithExitCodeZero) { EXPECT_EQ(sim_->Stop(SIGINT), 0); }

TEST(SimServerConfig, MissingEnvFileExitsWithTwo) {
  SimProcess p({"--env", "/nonexistent/.env", "--port", "0"});
  EXPECT_EQ(p.port(), 0);
  EXPECT_EQ(p.Wait(), 2);
}

}  // namespace
