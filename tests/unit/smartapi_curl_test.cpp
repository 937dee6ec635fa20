// CurlTransport against a tiny HTTP/1.1 server on loopback (ephemeral port,
// no outside network): keep-alive reuse, failure mapping, and no silent
// re-send of order writes.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/smartapi/transport.h"

namespace ct::smartapi {
namespace {

using namespace std::chrono_literals;

// What the server does with one request.
struct Action {
  enum Kind { kReply, kCloseWithoutReply } kind = kReply;
  int status = 200;
  std::string body = R"({"status":true,"message":"SUCCESS","errorcode":"","data":null})";
  std::string content_type = "application/json";
  std::chrono::milliseconds delay{0};
};

struct Received {
  std::string head;  // request line + headers
  std::string body;
};

class LoopbackServer {
 public:
  using Handler = std::function<Action(int request_index, const Received&)>;

  explicit LoopbackServer(Handler handler) : handler_(std::move(handler)) {
    listen_fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    if (bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) std::abort();
    if (listen(listen_fd_, 16) != 0) std::abort();
    socklen_t len = sizeof addr;
    getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { Run(); });
  }
  ~LoopbackServer() {
    stop_ = true;
    thread_.join();
    for (auto& [fd, buffer] : connections_) close(fd);
    close(listen_fd_);
  }

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  int connections_accepted() const { return accepted_; }
  std::vector<Received> received() {
    std::lock_guard lock(mu_);
    return received_;
  }

 private:
  void Run() {
    while (!stop_) {
      std::vector<pollfd> fds{{listen_fd_, POLLIN, 0}};
      for (auto& [fd, buffer] : connections_) fds.push_back({fd, POLLIN, 0});
      if (poll(fds.data(), fds.size(), 20) <= 0) continue;
      if (fds[0].revents & POLLIN) {
        const int fd = accept(listen_fd_, nullptr, nullptr);
        if (fd >= 0) {
          connections_[fd] = "";
          ++accepted_;
        }
      }
      for (size_t i = 1; i < fds.size(); ++i) {
        if (fds[i].revents == 0) continue;
        char chunk[4096];
        const ssize_t n = read(fds[i].fd, chunk, sizeof chunk);
        if (n <= 0) {
          Close(fds[i].fd);
          continue;
        }
        connections_[fds[i].fd].append(chunk, static_cast<size_t>(n));
        HandleBuffered(fds[i].fd);
      }
    }
  }

  void HandleBuffered(int fd) {
    auto it = connections_.find(fd);
    if (it == connections_.end()) return;
    std::string& buffer = it->second;
    const size_t head_end = buffer.find("\r\n\r\n");
    if (head_end == std::string::npos) return;
    Received request;
    request.head = buffer.substr(0, head_end);
    size_t content_length = 0;
    std::string lower = request.head;
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (auto pos = lower.find("content-length:"); pos != std::string::npos) {
      content_length = std::stoul(lower.substr(pos + 15));
    }
    if (buffer.size() < head_end + 4 + content_length) return;
    request.body = buffer.substr(head_end + 4, content_length);
    buffer.erase(0, head_end + 4 + content_length);

    int index;
    {
      std::lock_guard lock(mu_);
      index = static_cast<int>(received_.size());
      received_.push_back(request);
    }
    const Action action = handler_(index, request);
    if (action.delay.count() > 0) std::this_thread::sleep_for(action.delay);
    if (action.kind == Action::kCloseWithoutReply) {
      Close(fd);
      return;
    }
    const std::string reply = "HTTP/1.1 " + std::to_string(action.status) +
                              " X\r\nContent-Type: " + action.content_type +
                              "\r\nContent-Length: " + std::to_string(action.body.size()) + "\r\n\r\n" + action.body;
    if (send(fd, reply.data(), reply.size(), MSG_NOSIGNAL) < 0) Close(fd);
  }

  void Close(int fd) {
    close(fd);
    connections_.erase(fd);
  }

  Handler handler_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> accepted_{0};
  std::map<int, std::string> connections_;  // fd -> unread bytes (server thread only)
  std::mutex mu_;
  std::vector<Received> received_;
  std::thread thread_;
};

CurlOptions Options(std::string base_url) {
  CurlOptions options;
  options.base_url = std::move(base_url);
  return options;
}

HttpRequest Get(std::string path) {
  HttpRequest r;
  r.method = "GET";
  r.path = std::move(path);
  r.headers = {{"X-PrivateKey", "secret-api-key"}, {"Accept", "application/json"}};
  return r;
}

HttpRequest OrderWrite(std::string body) {
  HttpRequest r;
  r.method = "POST";
  r.path = "/rest/secure/angelbroking/order/v1/placeOrder";
  r.headers = {{"Content-Type", "application/json"}, {"Authorization", "Bearer secret-jwt"}};
  r.body = std::move(body);
  r.may_resend = false;
  return r;
}

TEST(CurlTransportTest, ReusesOneConnectionAndReturnsStatusBodyAndContentType) {
  LoopbackServer server([](int, const Received&) {
    Action a;
    a.status = 403;
    a.body = "Access denied because of exceeding access rate";
    a.content_type = "text/plain";
    return a;
  });
  auto transport = MakeCurlTransport(Options(server.url()));
  for (int i = 0; i < 5; ++i) {
    auto reply = transport->Send(Get("/rest/secure/angelbroking/order/v1/getOrderBook"));
    ASSERT_TRUE(reply.ok()) << reply.error().message;
    EXPECT_EQ(reply->status, 403);
    EXPECT_EQ(reply->body, "Access denied because of exceeding access rate");
    EXPECT_EQ(reply->content_type, "text/plain");
  }
  EXPECT_EQ(server.connections_accepted(), 1);
  const auto received = server.received();
  ASSERT_EQ(received.size(), 5u);
  EXPECT_EQ(received[0].head.rfind("GET /rest/secure/angelbroking/order/v1/getOrderBook HTTP/1.1", 0), 0u);
  EXPECT_NE(received[0].head.find("X-PrivateKey: secret-api-key"), std::string::npos);
}

TEST(CurlTransportTest, PostsTheBodyExactlyWithoutExpectContinue) {
  LoopbackServer server([](int, const Received&) { return Action{}; });
  auto transport = MakeCurlTransport(Options(server.url()));
  const std::string body = R"({"variety":"NORMAL","quantity":"1"})";
  ASSERT_TRUE(transport->Send(OrderWrite(body)).ok());
  HttpRequest login = OrderWrite(body);
  login.may_resend = true;
  ASSERT_TRUE(transport->Send(login).ok());
  ASSERT_TRUE(transport->Send(Get("/after-post")).ok());
  const auto received = server.received();
  ASSERT_EQ(received.size(), 3u);
  EXPECT_EQ(received[0].body, body);
  EXPECT_EQ(received[1].body, body);
  EXPECT_EQ(received[0].head.find("Expect:"), std::string::npos);
  EXPECT_EQ(received[2].head.rfind("GET /after-post", 0), 0u);
  EXPECT_EQ(server.connections_accepted(), 1);
}

TEST(CurlTransportTest, ConnectionRefusedWasNotDelivered) {
  int port = 0;
  {
    // Bind and close: the port is free and nothing listens on it.
    LoopbackServer probe([](int, const Received&) { return Action{}; });
    port = std::stoi(probe.url().substr(probe.url().rfind(':') + 1));
  }
  auto transport = MakeCurlTransport(Options("http://127.0.0.1:" + std::to_string(port)));
  auto reply = transport->Send(OrderWrite("{}"));
  ASSERT_FALSE(reply.ok());
  EXPECT_FALSE(reply.error().maybe_delivered);
}

TEST(CurlTransportTest, EmptyReplyMayHaveBeenDelivered) {
  LoopbackServer server([](int, const Received&) {
    Action a;
    a.kind = Action::kCloseWithoutReply;
    return a;
  });
  auto transport = MakeCurlTransport(Options(server.url()));
  auto reply = transport->Send(OrderWrite("{}"));
  ASSERT_FALSE(reply.ok());
  EXPECT_TRUE(reply.error().maybe_delivered);
  EXPECT_EQ(server.received().size(), 1u);
}

TEST(CurlTransportTest, TimeoutAfterSendingMayHaveBeenDeliveredAndLeaksNoSecrets) {
  LoopbackServer server([](int, const Received&) {
    Action a;
    a.delay = 400ms;
    return a;
  });
  CurlOptions options = Options(server.url());
  options.timeout_ms = 100;
  auto transport = MakeCurlTransport(options);
  auto reply = transport->Send(OrderWrite(R"({"password":"secret-body"})"));
  ASSERT_FALSE(reply.ok());
  EXPECT_TRUE(reply.error().maybe_delivered);
  EXPECT_NE(reply.error().message.find("imeout"), std::string::npos) << reply.error().message;
  EXPECT_EQ(reply.error().message.find("secret"), std::string::npos) << reply.error().message;
}

// The exactly-once hazard: the server takes an order on a kept-alive
// connection, then the connection dies before the reply. libcurl would
// silently re-send the POST on a fresh connection; for order writes the
// transport must report the failure instead.
TEST(CurlTransportTest, OrderWriteIsNotResentWhenAReusedConnectionDies) {
  LoopbackServer server([](int index, const Received&) {
    Action a;
    if (index == 1) a.kind = Action::kCloseWithoutReply;
    return a;
  });
  auto transport = MakeCurlTransport(Options(server.url()));
  ASSERT_TRUE(transport->Send(OrderWrite(R"({"n":"1"})")).ok());
  auto lost = transport->Send(OrderWrite(R"({"n":"2"})"));
  ASSERT_FALSE(lost.ok());
  EXPECT_TRUE(lost.error().maybe_delivered);
  EXPECT_EQ(server.received().size(), 2u);  // no third, duplicate request
  // The transport recovers on a fresh connection.
  ASSERT_TRUE(transport->Send(Get("/next")).ok());
}

TEST(CurlTransportTest, ResendableRequestIsRetriedByCurlOnAFreshConnection) {
  LoopbackServer server([](int index, const Received&) {
    Action a;
    if (index == 1) a.kind = Action::kCloseWithoutReply;
    return a;
  });
  auto transport = MakeCurlTransport(Options(server.url()));
  ASSERT_TRUE(transport->Send(Get("/one")).ok());
  auto second = transport->Send(Get("/two"));
  ASSERT_TRUE(second.ok()) << second.error().message;
  EXPECT_EQ(server.received().size(), 3u);
  EXPECT_EQ(server.connections_accepted(), 2);
}

TEST(CurlTransportTest, MalformedBaseUrlWasNotDelivered) {
  auto transport = MakeCurlTransport(Options("notascheme://x"));
  auto reply = transport->Send(Get("/"));
  ASSERT_FALSE(reply.ok());
  EXPECT_FALSE(reply.error().maybe_delivered);
}

}  // namespace
}  // namespace ct::smartapi
