#include "sim/simulator.h"

#include <array>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <deque>
#include <random>

#include "common/log/log.h"
#include "sim/format.h"
#include "sim/order_json.h"

namespace ct::sim {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;

constexpr std::string_view kOrderFeedPath = "/smart-order-update";
constexpr auto kIdleTimeout = std::chrono::seconds(300);
constexpr auto kLingerTimeout = std::chrono::seconds(5);

std::string HttpDate(const Clock& clock) { return FormatHttpDate(clock.wall_ns() / 1'000'000'000); }

// "127.0.0.11"; an IPv4-mapped IPv6 peer as its IPv4 address.
std::string PeerAddress(const tcp::socket& socket) {
  beast::error_code ec;
  const auto endpoint = socket.remote_endpoint(ec);
  if (ec) return "";
  auto address = endpoint.address();
  if (address.is_v6() && address.to_v6().is_v4_mapped())
    address = net::ip::make_address_v4(net::ip::v4_mapped, address.to_v6());
  return address.to_string();
}

std::string RandomKey() {
  std::random_device rd;
  std::string key(64, '\0');
  for (auto& c : key) c = static_cast<char>(rd() & 0xFF);
  return key;
}

// One order-update WebSocket connection.
class FeedSession final : public FeedSubscriber, public std::enable_shared_from_this<FeedSession> {
 public:
  FeedSession(beast::tcp_stream&& stream, std::string client_code, OrderFeed& feed, const Clock& clock)
      : ws_(std::move(stream)), client_code_(std::move(client_code)), feed_(feed), clock_(clock) {}

  void Start(const http::request<http::string_body>& request) {
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.set_option(websocket::stream_base::decorator([&clock = clock_](websocket::response_type& res) {
      res.set(http::field::server, "copytrade-sim");
      res.set(http::field::date, HttpDate(clock));
    }));
    beast::get_lowest_layer(ws_).expires_never();
    ws_.async_accept(request, [self = shared_from_this()](beast::error_code ec) {
      if (ec) {
        self->feed_.Remove(self->client_code_, self.get());
        return;
      }
      self->accepted_ = true;
      self->queue_.push_front(ConnectedMessage(self->client_code_));
      self->DoWrite();
      self->DoRead();
    });
  }

  void Drop() override {
    beast::error_code ignored;
    beast::get_lowest_layer(ws_).socket().shutdown(tcp::socket::shutdown_both, ignored);
    beast::get_lowest_layer(ws_).close();
    // Pending writes fail and clear the queue in their handler.
    feed_.Remove(client_code_, this);
  }

  void Send(std::string message) override {
    queue_.push_back(std::move(message));
    if (accepted_ && queue_.size() == 1) DoWrite();
  }

 private:
  void DoRead() {
    ws_.async_read(buffer_, [self = shared_from_this()](beast::error_code ec, size_t) {
      if (ec) {
        self->feed_.Remove(self->client_code_, self.get());
        return;
      }
      const std::string text = beast::buffers_to_string(self->buffer_.data());
      self->buffer_.consume(self->buffer_.size());
      if (self->ws_.got_text() && text == "ping") self->Send("pong");
      self->DoRead();
    });
  }

  void DoWrite() {
    ws_.text(true);
    ws_.async_write(net::buffer(queue_.front()), [self = shared_from_this()](beast::error_code ec, size_t) {
      if (ec) {
        self->queue_.clear();
        self->feed_.Remove(self->client_code_, self.get());
        return;
      }
      self->queue_.pop_front();
      if (!self->queue_.empty()) self->DoWrite();
    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  std::string client_code_;
  OrderFeed& feed_;
  const Clock& clock_;
  beast::flat_buffer buffer_;
  std::deque<std::string> queue_;  // front is being written once accepted
  bool accepted_ = false;
};

// One HTTP/1.1 connection: requests answered in order, keep-alive.
class HttpSession final : public std::enable_shared_from_this<HttpSession> {
 public:
  HttpSession(tcp::socket&& socket, BrokerApi& api, OrderFeed& feed, const Clock& clock)
      : peer_(PeerAddress(socket)),
        stream_(std::move(socket)),
        api_(api),
        feed_(feed),
        clock_(clock),
        timer_(stream_.get_executor()) {}

  void Start() { DoRead(); }

 private:
  void DoRead() {
    parser_.emplace();
    parser_->body_limit(BrokerApi::kMaxBodyBytes);
    stream_.expires_after(kIdleTimeout);
    http::async_read(stream_, buffer_, *parser_,
                     [self = shared_from_this()](beast::error_code ec, size_t) { self->OnRead(ec); });
  }

  void OnRead(beast::error_code ec) {
    // The moment the whole request is in: the order-write log's timestamp.
    const int64_t received_ns = clock_.wall_ns();
    if (ec == http::error::end_of_stream) {
      Close();
      return;
    }
    if (ec == http::error::body_limit) {
      Respond(BrokerApi::TooLarge(), /*keep_alive=*/false, 11);
      return;
    }
    if (ec && ec.category() == http::make_error_code(http::error::bad_target).category()) {
      SimReply bad;
      bad.status = 400;
      bad.body = ErrorEnvelope("AB2000", "Bad request").dump();
      Respond(bad, false, 11);
      return;
    }
    if (ec) return;  // timeout, reset: the connection is gone
    http::request<http::string_body> req = parser_->release();
    if (websocket::is_upgrade(req)) {
      Upgrade(std::move(req));
      return;
    }
    SimRequest sim_req;
    sim_req.method = std::string(req.method_string());
    sim_req.target = std::string(req.target());
    for (const auto& field : req) {
      std::string name(field.name_string());
      for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      sim_req.headers[name] = std::string(field.value());
    }
    sim_req.body = std::move(req.body());
    sim_req.peer_address = peer_;
    sim_req.received_ns = received_ns;
    SimReply reply = api_.Handle(sim_req);
    const bool keep_alive = req.keep_alive();
    if (reply.resume) {
      // hold fault: process only after the wait, on a timer, so the io
      // thread serves every other connection meanwhile.
      ct::log::Get("sim")->debug("{} {} held {} ms", sim_req.method, sim_req.target, reply.hold.count());
      timer_.expires_after(reply.hold);
      timer_.async_wait([self = shared_from_this(), resume = std::move(reply.resume), keep_alive,
                         version = req.version(), target = sim_req.target](beast::error_code) {
        self->Finish(resume(), keep_alive, version, target);
      });
      return;
    }
    Finish(std::move(reply), keep_alive, req.version(), sim_req.target);
  }

  void Finish(SimReply reply, bool keep_alive, unsigned version, const std::string& target) {
    ct::log::Get("sim")->debug("{} -> {}{}", target,
                               reply.close_without_reply ? "no reply" : std::to_string(reply.status),
                               reply.delay.count() > 0 ? " (delayed)" : "");
    if (reply.close_without_reply) {
      // drop / lost_reply: hang up without a byte of response, optionally late.
      if (reply.delay.count() > 0) {
        timer_.expires_after(reply.delay);
        timer_.async_wait([self = shared_from_this()](beast::error_code) { self->Close(); });
      } else {
        Close();
      }
      return;
    }
    if (reply.delay.count() > 0) {
      timer_.expires_after(reply.delay);
      timer_.async_wait([self = shared_from_this(), reply = std::move(reply), keep_alive, version](beast::error_code) {
        self->Respond(reply, keep_alive, version);
      });
      return;
    }
    Respond(reply, keep_alive, version);
  }

  void Respond(const SimReply& reply, bool keep_alive, unsigned version) {
    auto res = std::make_shared<http::response<http::string_body>>(static_cast<http::status>(reply.status), version);
    res->set(http::field::server, "copytrade-sim");
    // From the sim's clock, taken as the reply leaves: clients (the setup
    // validator) measure clock skew against it, as against Angel One.
    res->set(http::field::date, HttpDate(clock_));
    res->set(http::field::content_type, reply.content_type);
    res->keep_alive(keep_alive);
    res->body() = reply.body;
    res->prepare_payload();
    http::async_write(stream_, *res, [self = shared_from_this(), res](beast::error_code ec, size_t) {
      if (ec) return;
      if (!res->keep_alive()) {
        self->LingeringClose();
        return;
      }
      self->DoRead();
    });
  }

  void Upgrade(http::request<http::string_body> req) {
    const std::string_view target(req.target().data(), req.target().size());
    const std::string_view path = target.substr(0, target.find('?'));
    auto refuse = [&](int status) {
      SimReply r;
      r.status = status;
      r.content_type = "text/plain";
      r.body = std::string(http::obsolete_reason(static_cast<http::status>(status)));
      Respond(r, false, req.version());
    };
    if (path != kOrderFeedPath) return refuse(404);
    const auto admitted = api_.AdmitOrderFeed(
        std::string_view(req[http::field::authorization].data(), req[http::field::authorization].size()));
    if (!admitted.ok()) return refuse(admitted.error());
    const std::string& client = admitted.value();
    if (feed_.Connections(client) >= OrderFeed::kMaxConnectionsPerClient) return refuse(429);
    stream_.expires_never();
    auto session = std::make_shared<FeedSession>(std::move(stream_), client, feed_, clock_);
    // Checked just above on this same thread, so the add cannot fail.
    feed_.TryAdd(client, session);
    ct::log::Get("sim")->info("order feed connected: {} ({} open)", client, feed_.Connections(client));
    session->Start(req);
  }

  // Half-closes, then reads and discards until the peer closes (bounded):
  // closing with unread input (the rest of a refused huge body) would send
  // a reset that can destroy the reply before the client reads it.
  void LingeringClose() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream_.expires_after(kLingerTimeout);
    Drain();
  }

  void Drain() {
    stream_.async_read_some(net::buffer(drain_), [self = shared_from_this()](beast::error_code ec, size_t) {
      if (ec) {
        self->Close();
        return;
      }
      self->Drain();
    });
  }

  void Close() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream_.close();
  }

  std::string peer_;
  beast::tcp_stream stream_;
  BrokerApi& api_;
  OrderFeed& feed_;
  const Clock& clock_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  net::steady_timer timer_;
  std::array<char, 16384> drain_{};
};

}  // namespace

Simulator::Simulator(const Clock& clock, InstrumentTable instruments, const std::vector<SimAccount>& accounts,
                     SimOptions options)
    : clock_(clock),
      instruments_(std::move(instruments)),
      sessions_(clock, RandomKey()),
      engine_(clock, instruments_, std::random_device{}()),
      limiter_(clock),
      api_(clock, instruments_, sessions_, engine_, limiter_, faults_, std::move(options.rules)) {
  limiter_.set_enabled(options.rate_limits);
  engine_.set_freeze_quantities(std::move(options.freeze));
  api_.set_order_feed(&feed_);
  for (const auto& a : accounts) {
    if (!sessions_.AddAccount(a)) ct::log::Get("sim")->warn("duplicate client code {} ignored", a.client_code);
  }
  engine_.SetListener([this](const Order& order, std::string_view code, std::string_view status) {
    feed_.Publish(order.client_code, OrderUpdateMessage(order, code, status));
  });
}

Simulator::~Simulator() = default;

Result<uint16_t, std::string> Simulator::Listen(const std::string& host, uint16_t port) {
  beast::error_code ec;
  const auto address = net::ip::make_address(host, ec);
  if (ec) return "bad host " + host + ": " + ec.message();
  const tcp::endpoint endpoint(address, port);
  acceptor_.open(endpoint.protocol(), ec);
  if (!ec) acceptor_.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) acceptor_.bind(endpoint, ec);
  if (!ec) acceptor_.listen(net::socket_base::max_listen_connections, ec);
  if (ec) return "cannot listen on " + host + ":" + std::to_string(port) + ": " + ec.message();
  DoAccept();
  return acceptor_.local_endpoint().port();
}

void Simulator::DoAccept() {
  acceptor_.async_accept([this](beast::error_code ec, tcp::socket socket) {
    if (ec == net::error::operation_aborted || !acceptor_.is_open()) return;
    if (!ec) {
      socket.set_option(tcp::no_delay(true), ec);
      std::make_shared<HttpSession>(std::move(socket), api_, feed_, clock_)->Start();
    }
    DoAccept();
  });
}

void Simulator::StopOnSignals() {
  auto signals = std::make_shared<net::signal_set>(io_, SIGINT, SIGTERM);
  signals->async_wait([this](beast::error_code ec, int) {
    if (!ec) Stop();
  });
  signals_ = signals;
}

void Simulator::Run() { io_.run(); }

void Simulator::Stop() {
  net::post(io_, [this] {
    beast::error_code ignored;
    acceptor_.close(ignored);
    io_.stop();
  });
}

}  // namespace ct::sim
