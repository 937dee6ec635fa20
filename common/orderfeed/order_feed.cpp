#include "common/orderfeed/order_feed.h"

#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <nlohmann/json.hpp>

#include <regex>

#include "common/log/log.h"
#include "common/smartapi/wire.h"

namespace ct::orderfeed {
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;

bool ParseWsUrl(const std::string& url, ParsedUrl& out) {
  static const std::regex kUrl(R"(^(wss?)://([^/:]+)(?::([0-9]+))?(/.*)?$)");
  std::smatch m;
  if (!std::regex_match(url, m, kUrl)) return false;
  out.tls = m[1] == "wss";
  out.host = m[2];
  out.port = m[3].matched ? m[3].str() : (out.tls ? "443" : "80");
  out.path = m[4].matched ? m[4].str() : "/";
  return true;
}

std::optional<copytrade::v1::Order> ParseUpdate(const std::string& frame) {
  auto doc = nlohmann::json::parse(frame, nullptr, /*allow_exceptions=*/false);
  if (!doc.is_object() || !doc.contains("orderData") || !doc["orderData"].is_object()) return std::nullopt;
  if (doc.value("order-status", "") == "AB00") return std::nullopt;
  auto order = smartapi::ParseOrderRow(doc["orderData"]);
  if (!order.ok() || order->orderid().empty()) return std::nullopt;
  return std::move(order).value();
}

struct OrderFeedClient::Impl {
  FeedOptions options;
  FeedCallbacks callbacks;
  ParsedUrl url;
  net::io_context ioc;
  ssl::context tls{ssl::context::tls_client};
  net::steady_timer retry{ioc};
  std::chrono::milliseconds backoff;
  std::thread thread;
  std::shared_ptr<void> session;  // the live connection, kept alive here
  bool started = false;

  Impl(FeedOptions o, FeedCallbacks c) : options(std::move(o)), callbacks(std::move(c)), backoff(options.reconnect_min) {
    tls.set_default_verify_paths();
    tls.set_verify_mode(ssl::verify_peer);
    tls.set_options(ssl::context::no_sslv2 | ssl::context::no_sslv3 | ssl::context::no_tlsv1 |
                    ssl::context::no_tlsv1_1);
  }

  void Connect();
  void Lost(const std::string& why) {
    if (callbacks.on_connection) callbacks.on_connection(false);
    Retry(why);
  }
  void Retry(const std::string& why) {
    if (ioc.stopped()) return;
    log::Get("orderfeed")->warn("order-update feed: {}; reconnecting in {} ms", why, backoff.count());
    retry.expires_after(backoff);
    backoff = std::min(backoff * 2, options.reconnect_max);
    retry.async_wait([this](beast::error_code ec) {
      if (!ec) Connect();
    });
  }
  void Connected() {
    backoff = options.reconnect_min;
    log::Get("orderfeed")->info("order-update feed connected ({})", url.host);
    if (callbacks.on_connection) callbacks.on_connection(true);
  }
};

namespace {

template <typename WsStream>
class Session : public std::enable_shared_from_this<Session<WsStream>> {
 public:
  template <typename... Args>
  Session(OrderFeedClient::Impl& owner, Args&&... args)
      : owner_(owner), resolver_(owner.ioc), ws_(std::forward<Args>(args)...) {}

  void Run() {
    resolver_.async_resolve(owner_.url.host, owner_.url.port,
                            [self = this->shared_from_this()](beast::error_code ec, tcp::resolver::results_type r) {
                              if (ec) return self->owner_.Retry("resolve: " + ec.message());
                              self->OnResolved(r);
                            });
  }

 private:
  static constexpr bool kTls = !std::is_same_v<WsStream, websocket::stream<beast::tcp_stream>>;

  beast::tcp_stream& Tcp() { return beast::get_lowest_layer(ws_); }

  void OnResolved(const tcp::resolver::results_type& results) {
    Tcp().expires_after(std::chrono::seconds(10));
    Tcp().async_connect(results, [self = this->shared_from_this()](beast::error_code ec, const tcp::endpoint&) {
      if (ec) return self->owner_.Retry("connect: " + ec.message());
      if constexpr (kTls) {
        if (!SSL_set_tlsext_host_name(self->ws_.next_layer().native_handle(), self->owner_.url.host.c_str()))
          return self->owner_.Retry("TLS SNI failed");
        self->ws_.next_layer().async_handshake(ssl::stream_base::client, [self](beast::error_code e2) {
          if (e2) return self->owner_.Retry("TLS: " + e2.message());
          self->Handshake();
        });
      } else {
        self->Handshake();
      }
    });
  }

  void Handshake() {
    Tcp().expires_never();
    // Beast pings after idle_timeout/2 of silence and drops the connection
    // when nothing at all arrives for idle_timeout: the documented 10 s
    // ping with a 20 s cut-off.
    websocket::stream_base::timeout timeouts{};
    timeouts.handshake_timeout = std::chrono::seconds(10);
    timeouts.idle_timeout = owner_.options.ping_interval * 2;
    timeouts.keep_alive_pings = true;
    ws_.set_option(timeouts);
    const std::string token = owner_.callbacks.token ? owner_.callbacks.token() : "";
    ws_.set_option(websocket::stream_base::decorator([this, token](websocket::request_type& req) {
      req.set(http::field::authorization, "Bearer " + token);
      req.set("x-api-key", owner_.options.api_key);
      req.set("x-client-code", owner_.options.client_code);
    }));
    ws_.async_handshake(response_, owner_.url.host, owner_.url.path,
                        [self = this->shared_from_this()](beast::error_code ec) {
                          if (ec) {
                            const unsigned status = self->response_.result_int();
                            return self->owner_.Retry("handshake refused" +
                                                      (status ? " with HTTP " + std::to_string(status) : "") + " (" +
                                                      ec.message() + ")");
                          }
                          self->owner_.Connected();
                          self->Read();
                        });
  }

  void Read() {
    ws_.async_read(buffer_, [self = this->shared_from_this()](beast::error_code ec, size_t) {
      if (ec) return self->owner_.Lost("connection lost: " + ec.message());
      const std::string frame = beast::buffers_to_string(self->buffer_.data());
      self->buffer_.consume(self->buffer_.size());
      if (auto order = ParseUpdate(frame); order && self->owner_.callbacks.on_order)
        self->owner_.callbacks.on_order(*order);
      self->Read();
    });
  }

  OrderFeedClient::Impl& owner_;
  tcp::resolver resolver_;
  WsStream ws_;
  beast::flat_buffer buffer_;
  websocket::response_type response_;
};

}  // namespace

void OrderFeedClient::Impl::Connect() {
  if (url.tls) {
    auto s = std::make_shared<Session<websocket::stream<beast::ssl_stream<beast::tcp_stream>>>>(*this, ioc, tls);
    session = s;
    s->Run();
  } else {
    auto s = std::make_shared<Session<websocket::stream<beast::tcp_stream>>>(*this, ioc);
    session = s;
    s->Run();
  }
}

OrderFeedClient::OrderFeedClient(FeedOptions options, FeedCallbacks callbacks)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(callbacks))) {}

OrderFeedClient::~OrderFeedClient() { Stop(); }

void OrderFeedClient::Start() {
  if (impl_->started) return;
  if (!ParseWsUrl(impl_->options.url, impl_->url)) {
    log::Get("orderfeed")->error("order-update feed disabled: '{}' is not a ws:// or wss:// URL", impl_->options.url);
    return;
  }
  impl_->started = true;
  net::post(impl_->ioc, [this] { impl_->Connect(); });
  impl_->thread = std::thread([this] {
    auto guard = net::make_work_guard(impl_->ioc);
    impl_->ioc.run();
  });
}

void OrderFeedClient::Stop() {
  if (!impl_->started) return;
  impl_->ioc.stop();
  if (impl_->thread.joinable()) impl_->thread.join();
  impl_->session.reset();
  impl_->started = false;
}

}  // namespace ct::orderfeed
