#include "dashboard/web_server.h"

#include <utility>  // before asio: its awaitable.hpp uses std::exchange

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <nlohmann/json.hpp>

#include <deque>
#include <map>
#include <set>
#include <thread>

#include "common/log/log.h"

namespace ct::dashboard {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

// Headers on every page answer: no framing (clickjacking on the buttons),
// nothing loaded from elsewhere, no Referer (a ?token= URL never leaks).
void Harden(http::response<http::string_body>& res) {
  res.set("Content-Security-Policy",
          "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:; "
          "media-src data:; connect-src 'self'; frame-ancestors 'none'; form-action 'none'; base-uri 'none'");
  res.set("X-Frame-Options", "DENY");
  res.set("X-Content-Type-Options", "nosniff");
  res.set("Referrer-Policy", "no-referrer");
  res.set(http::field::cache_control, "no-store");
}

constexpr size_t kMaxBody = 16 * 1024;
const std::set<std::string> kCommands = {"pause", "resume", "approve", "reject", "stop-all"};

}  // namespace

class EventClient;

struct WebServer::Impl {
  Impl(WebServer& o, AccessPolicy p, std::string page, Handlers h)
      : owner(o), policy(std::move(p)), page_html(std::move(page)), handlers(std::move(h)), acceptor(ioc) {}
  WebServer& owner;
  AccessPolicy policy;
  std::string page_html;
  Handlers handlers;
  asio::io_context ioc;
  tcp::acceptor acceptor;
  std::thread thread;
  CsrfTokens csrf;  // used on the io thread only
  uint64_t next_client = 1;
  std::map<uint64_t, std::shared_ptr<EventClient>> pending;   // connected, waiting for the snapshot
  std::map<uint64_t, std::shared_ptr<EventClient>> attached;  // receiving updates
  std::unique_ptr<asio::steady_timer> ping;
  void Accept();
  void Ping();
  void Detached() { --owner.clients_; }
  void Attached() { ++owner.clients_; }
};

// One browser's event stream: a plain HTTP/1.1 response that never ends,
// written event by event from a queue.
class EventClient : public std::enable_shared_from_this<EventClient> {
 public:
  EventClient(WebServer::Impl& server, tcp::socket socket, uint64_t id)
      : server_(server), socket_(std::move(socket)), id_(id) {}
  void Start() {
    Queue(
        "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-store\r\n"
        "X-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\nretry: 1000\n\n");
    // Detect the browser going away (a read that ends) so the client is dropped.
    auto self = shared_from_this();
    socket_.async_read_some(asio::buffer(sink_), [self](beast::error_code, size_t) { self->Close(); });
  }
  void Event(const std::string& type, const std::string& json) { Queue("event: " + type + "\ndata: " + json + "\n\n"); }
  void Comment() { Queue(": ping\n\n"); }
  void Close() {
    if (closed_) return;
    closed_ = true;
    beast::error_code ec;
    socket_.shutdown(tcp::socket::shutdown_both, ec);
    socket_.close(ec);
    server_.pending.erase(id_);
    if (server_.attached.erase(id_)) server_.Detached();
  }

 private:
  void Queue(std::string text) {
    if (closed_) return;
    // A browser that stops reading must not make the dashboard hold an
    // unbounded queue: drop it; it reconnects and gets a fresh snapshot.
    if (queue_.size() > 10'000) return Close();
    queue_.push_back(std::move(text));
    if (queue_.size() == 1) WriteNext();
  }
  void WriteNext() {
    auto self = shared_from_this();
    asio::async_write(socket_, asio::buffer(queue_.front()), [self](beast::error_code ec, size_t) {
      if (ec) return self->Close();
      self->queue_.pop_front();
      if (!self->queue_.empty()) self->WriteNext();
    });
  }
  WebServer::Impl& server_;
  tcp::socket socket_;
  uint64_t id_;
  std::deque<std::string> queue_;
  char sink_[256];
  bool closed_ = false;
};

namespace {

class HttpSession : public std::enable_shared_from_this<HttpSession> {
 public:
  HttpSession(WebServer::Impl& server, tcp::socket socket) : server_(server), stream_(std::move(socket)) {}
  void Read() {
    request_ = {};
    parser_.emplace();
    parser_->body_limit(kMaxBody);
    stream_.expires_after(std::chrono::seconds(60));
    auto self = shared_from_this();
    http::async_read(stream_, buffer_, *parser_, [self](beast::error_code ec, size_t) {
      if (ec) return self->Shutdown();
      self->request_ = self->parser_->release();
      self->Handle();
    });
  }

 private:
  RequestFacts Facts() const {
    auto h = [&](http::field f) { return std::string(request_[f]); };
    return {std::string(request_.method_string()), std::string(request_.target()), h(http::field::host),
            h(http::field::origin), std::string(request_["Sec-Fetch-Site"]), h(http::field::cookie),
            h(http::field::authorization), std::string(request_["X-CSRF-Token"])};
  }

  void Handle() {
    const RequestFacts facts = Facts();
    const std::string path = PathOf(facts.target);
    const bool is_action = path == "/api/action";
    const Verdict v = Check(server_.policy, facts, server_.csrf, is_action);
    if (v.status != 200) return Send(v.status, "text/plain; charset=utf-8", v.why + "\n");
    set_cookie_ = v.set_cookie;
    if (is_action) return Action();
    if (request_.method() != http::verb::get && request_.method() != http::verb::head)
      return Send(405, "text/plain; charset=utf-8", "method not allowed\n");
    if (path == "/" || path == "/index.html") return Page();
    if (path == "/events") return Events();
    auto self = shared_from_this();
    auto reply = [self](int status, std::string type, std::string body) {
      asio::post(self->server_.ioc, [self, status, type = std::move(type), body = std::move(body)]() mutable {
        self->Send(status, type, std::move(body));
      });
    };
    if (path == "/metrics") return server_.handlers.metrics(reply);
    if (path == "/api/state") return server_.handlers.state(reply);
    if (path == "/healthz") return Send(200, "text/plain", "ok\n");
    Send(404, "text/plain; charset=utf-8", "not found\n");
  }

  void Page() {
    std::string html = server_.page_html;
    const std::string marker = "{{CSRF_TOKEN}}";
    const auto at = html.find(marker);
    if (at != std::string::npos) html.replace(at, marker.size(), server_.csrf.Issue());
    Send(200, "text/html; charset=utf-8", std::move(html));
  }

  void Events() {
    const uint64_t id = server_.next_client++;
    auto client = std::make_shared<EventClient>(server_, stream_.release_socket(), id);
    server_.pending[id] = client;
    client->Start();
    server_.handlers.subscribe(id);
  }

  void Action() {
    const auto body = nlohmann::json::parse(request_.body(), nullptr, false);
    if (!body.is_object() || !body.contains("command") || !body["command"].is_string())
      return Send(400, "application/json", R"({"ok":false,"error":"expected {\"command\":...,\"target\":...}"})");
    const std::string command = body["command"].get<std::string>();
    const std::string target = body.value("target", "");
    if (!kCommands.count(command))
      return Send(400, "application/json", nlohmann::json{{"ok", false}, {"error", "unknown command"}}.dump());
    // Stop-all cancels every open copy: the page asks first, and the
    // request must say it was confirmed.
    if (command == "stop-all" && !body.value("confirm", false))
      return Send(400, "application/json",
                  nlohmann::json{{"ok", false}, {"error", "stop-all needs \"confirm\": true"}}.dump());
    auto self = shared_from_this();
    server_.handlers.action(command, target, [self](int status, std::string type, std::string text) {
      asio::post(self->server_.ioc, [self, status, type = std::move(type), text = std::move(text)]() mutable {
        self->Send(status, type, std::move(text));
      });
    });
  }

  void Send(int status, const std::string& type, std::string body) {
    auto res = std::make_shared<http::response<http::string_body>>(static_cast<http::status>(status),
                                                                    request_.version());
    res->set(http::field::server, "copytrade-dashboard");
    res->set(http::field::content_type, type);
    Harden(*res);
    if (set_cookie_)
      res->set(http::field::set_cookie, std::string(kTokenCookie) + "=" + server_.policy.token +
                                            "; HttpOnly; SameSite=Strict; Path=/");
    res->keep_alive(request_.keep_alive());
    res->body() = request_.method() == http::verb::head ? "" : std::move(body);
    res->prepare_payload();
    auto self = shared_from_this();
    http::async_write(stream_, *res, [self, res](beast::error_code ec, size_t) {
      if (ec || !res->keep_alive()) return self->Shutdown();
      self->Read();
    });
  }

  void Shutdown() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
  }

  WebServer::Impl& server_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  http::request<http::string_body> request_;
  bool set_cookie_ = false;
};

}  // namespace

void WebServer::Impl::Accept() {
  acceptor.async_accept([this](beast::error_code ec, tcp::socket socket) {
    if (ec) {
      if (ec == asio::error::operation_aborted) return;
    } else {
      std::make_shared<HttpSession>(*this, std::move(socket))->Read();
    }
    Accept();
  });
}

void WebServer::Impl::Ping() {
  ping->expires_after(std::chrono::seconds(15));
  ping->async_wait([this](beast::error_code ec) {
    if (ec) return;
    auto clients = attached;  // Comment() may close and erase
    for (auto& [id, c] : clients) c->Comment();
    Ping();
  });
}

WebServer::WebServer(AccessPolicy policy, std::string page_html, Handlers handlers)
    : impl_(std::make_unique<Impl>(*this, std::move(policy), std::move(page_html), std::move(handlers))) {}

WebServer::~WebServer() { Stop(); }

uint16_t WebServer::Start(const std::string& host, uint16_t port, std::string* error) {
  beast::error_code ec;
  const auto address = asio::ip::make_address(host == "localhost" ? "127.0.0.1" : host, ec);
  if (ec) {
    *error = "not an IP address: " + host;
    return 0;
  }
  const tcp::endpoint endpoint(address, port);
  auto& a = impl_->acceptor;
  a.open(endpoint.protocol(), ec);
  if (!ec) a.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) a.bind(endpoint, ec);
  if (!ec) a.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    *error = "cannot listen on " + host + ":" + std::to_string(port) + ": " + ec.message();
    return 0;
  }
  const uint16_t bound = a.local_endpoint().port();
  impl_->policy.port = bound;
  impl_->ping = std::make_unique<asio::steady_timer>(impl_->ioc);
  impl_->Accept();
  impl_->Ping();
  impl_->thread = std::thread([this] { impl_->ioc.run(); });
  return bound;
}

void WebServer::Stop() {
  if (!impl_ || !impl_->thread.joinable()) return;
  impl_->ioc.stop();
  impl_->thread.join();
}

void WebServer::Broadcast(const std::string& json) {
  asio::post(impl_->ioc, [this, json] {
    auto clients = impl_->attached;
    for (auto& [id, c] : clients) c->Event("update", json);
  });
}

void WebServer::Attach(uint64_t id, const std::string& snapshot) {
  asio::post(impl_->ioc, [this, id, snapshot] {
    auto it = impl_->pending.find(id);
    if (it == impl_->pending.end()) return;  // gone already
    auto client = it->second;
    impl_->pending.erase(it);
    impl_->attached[id] = client;
    impl_->Attached();
    client->Event("snapshot", snapshot);
  });
}

}  // namespace ct::dashboard
