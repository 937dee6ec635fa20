#include "sim/broker_api.h"

#include <algorithm>
#include <cctype>
#include <cmath>

#include "common/log/log.h"
#include "common/totp/totp.h"
#include "sim/format.h"
#include "sim/order_json.h"

namespace ct::sim {
namespace {

using InJson = nlohmann::json;
using OutJson = nlohmann::ordered_json;

constexpr std::string_view kSecurePrefix = "/rest/secure/angelbroking/";
constexpr std::string_view kAppPrefix = "/sim/v1/app/";
constexpr std::string_view kDetailsPrefix = "/rest/secure/angelbroking/order/v1/details/";
constexpr double kMaxPrice = 1e9;
constexpr std::string_view kThrottleBody = "Access denied because of exceeding access rate";

struct Route {
  const char* method;
  const char* endpoint;
};

// Secure endpoints by path suffix after /rest/secure/angelbroking/.
const std::map<std::string, Route, std::less<>>& SecureRoutes() {
  static const std::map<std::string, Route, std::less<>> kRoutes = {
      {"user/v1/getProfile", {"GET", "getProfile"}},
      {"user/v1/logout", {"POST", "logout"}},
      {"user/v1/getRMS", {"GET", "getRMS"}},
      {"order/v1/placeOrder", {"POST", "placeOrder"}},
      {"order/v1/modifyOrder", {"POST", "modifyOrder"}},
      {"order/v1/cancelOrder", {"POST", "cancelOrder"}},
      {"order/v1/getOrderBook", {"GET", "getOrderBook"}},
      {"order/v1/getTradeBook", {"GET", "getTradeBook"}},
      {"order/v1/getPosition", {"GET", "getPosition"}},
      {"order/v1/getLtpData", {"POST", "getLtpData"}},
  };
  return kRoutes;
}

SimReply JsonReply(const OutJson& body, int status = 200) {
  SimReply r;
  r.status = status;
  r.body = body.dump();
  return r;
}

SimReply Error(std::string_view code, std::string_view message, int status = 200) {
  return JsonReply(ErrorEnvelope(code, message), status);
}

SimReply Throttled() {
  SimReply r;
  r.status = 403;
  r.content_type = "text/plain";
  r.body = std::string(kThrottleBody);
  return r;
}

// Thrown inside request handling for a broker error envelope; caught in
// Handle, never escapes the class.
struct BrokerError {
  std::string code;
  std::string message;
};

[[noreturn]] void Fail(std::string code, std::string message) {
  throw BrokerError{std::move(code), std::move(message)};
}

InJson ParseBody(const std::string& body) {
  auto doc = InJson::parse(body, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object()) Fail("AB2000", "Invalid request body");
  return doc;
}

// A string field; nullopt when absent or null, Fail when another type.
std::optional<std::string> Text(const InJson& body, const char* key, const char* code, const char* message) {
  const auto it = body.find(key);
  if (it == body.end() || it->is_null()) return std::nullopt;
  if (!it->is_string()) Fail(code, message);
  return it->get<std::string>();
}

std::string RequiredText(const InJson& body, const char* key, const char* code, const char* message) {
  auto v = Text(body, key, code, message);
  if (!v || v->empty()) Fail(code, message);
  return *v;
}

std::optional<double> Number(const InJson& body, const char* key, const char* message) {
  const auto it = body.find(key);
  if (it == body.end() || it->is_null() || (it->is_string() && it->get_ref<const std::string&>().empty()))
    return std::nullopt;
  auto v = NumberField(*it);
  // Beyond any real price; also keeps paise arithmetic far from overflow.
  if (!v || std::fabs(*v) > kMaxPrice) Fail("AB2000", message);
  return v;
}

std::optional<int64_t> Integer(const InJson& body, const char* key, const char* message) {
  const auto it = body.find(key);
  if (it == body.end() || it->is_null() || (it->is_string() && it->get_ref<const std::string&>().empty()))
    return std::nullopt;
  auto v = IntegerField(*it);
  if (!v) Fail("AB2000", message);
  return v;
}

bool OneOf(std::string_view v, std::initializer_list<std::string_view> options) {
  return std::find(options.begin(), options.end(), v) != options.end();
}

bool IsOrderWrite(std::string_view endpoint) {
  return endpoint == "placeOrder" || endpoint == "modifyOrder" || endpoint == "cancelOrder";
}

// A reply that is not ready: after `wait`, `process` makes it. It runs
// outside Handle, so it catches what Handle would.
SimReply Held(std::chrono::milliseconds wait, std::function<SimReply()> process) {
  SimReply r;
  r.hold = wait;
  r.resume = [process = std::move(process)]() -> SimReply {
    try {
      return process();
    } catch (const BrokerError& e) {
      return Error(e.code, e.message);
    } catch (const std::exception& e) {
      ct::log::Get("sim")->error("internal error after a hold: {}", e.what());
      return Error("AB2001", "Internal Error, Please try after sometime", 500);
    }
  };
  return r;
}

// The orderid of a placeOrder success envelope.
std::string PlacedOrderId(const OutJson& reply) {
  const auto data = reply.find("data");
  if (data == reply.end() || !data->is_object()) return "";
  return data->value("orderid", "");
}

std::string_view PathOf(std::string_view target) {
  const size_t q = target.find('?');
  return q == std::string_view::npos ? target : target.substr(0, q);
}

std::string OrderTypeOf(const InJson& body) {
  std::string t = RequiredText(body, "ordertype", "AB2000", "Invalid Order Type");
  if (!OneOf(t, {"MARKET", "LIMIT", "STOPLOSS_LIMIT", "STOPLOSS_MARKET"})) Fail("AB2000", "Invalid Order Type");
  return t;
}

std::string VarietyOf(const InJson& body) {
  const auto v = Text(body, "variety", "AB1008", "Invalid Order Variety");
  if (v && *v == "ROBO") Fail("AB2002", "ROBO order is block");
  if (!v || !OneOf(*v, {"NORMAL", "STOPLOSS"}))
    Fail("AB1008", "Invalid Order Variety. Value should be NORMAL, STOPLOSS, ROBO.");
  return *v;
}

}  // namespace

std::string_view SimRequest::Header(const std::string& lower_name) const {
  const auto it = headers.find(lower_name);
  return it == headers.end() ? std::string_view() : std::string_view(it->second);
}

BrokerApi::BrokerApi(const Clock& clock, const InstrumentTable& instruments, SessionStore& sessions,
                     OrderEngine& engine, RateLimiter& limiter, FaultTable& faults, OrderRules rules)
    : clock_(clock),
      instruments_(instruments),
      sessions_(sessions),
      engine_(engine),
      limiter_(limiter),
      faults_(faults),
      rules_(std::move(rules)) {}

SimReply BrokerApi::TooLarge() { return Error("AB2000", "Request body too large", 413); }

SimReply BrokerApi::Handle(const SimRequest& request) {
  const std::string_view path = PathOf(request.target);
  try {
    if (path.rfind(kAppPrefix, 0) == 0) return App(request, path.substr(kAppPrefix.size()));
    if (path.rfind("/sim/v1/", 0) == 0) return Admin(request, path);
    if (path == "/rest/auth/angelbroking/user/v1/loginByPassword") {
      if (request.method != "POST") return Error("AB9002", "Method Not Allowed", 405);
      return Login(request);
    }
    if (path == "/rest/auth/angelbroking/jwt/v1/generateTokens") {
      if (request.method != "POST") return Error("AB9002", "Method Not Allowed", 405);
      return GenerateTokens(request);
    }
    if (path.rfind(kDetailsPrefix, 0) == 0) {
      if (request.method != "GET") return Error("AB9002", "Method Not Allowed", 405);
      return Secure(request, "details");
    }
    std::string_view rest = path;
    if (rest.rfind("/order-service", 0) == 0) rest.remove_prefix(std::string_view("/order-service").size());
    if (rest.rfind(kSecurePrefix, 0) == 0) {
      const auto it = SecureRoutes().find(rest.substr(kSecurePrefix.size()));
      if (it != SecureRoutes().end()) {
        if (request.method != it->second.method) return Error("AB9002", "Method Not Allowed", 405);
        return Secure(request, it->second.endpoint);
      }
    }
    return Error("AB2000", "Resource not found", 404);
  } catch (const BrokerError& e) {
    return Error(e.code, e.message);
  } catch (const std::exception& e) {
    ct::log::Get("sim")->error("internal error on {}: {}", path, e.what());
    return Error("AB2001", "Internal Error, Please try after sometime", 500);
  }
}

std::optional<SimReply> BrokerApi::PreFault(const std::optional<Fault>& fault) const {
  if (!fault) return std::nullopt;
  switch (fault->kind) {
    case FaultKind::kHttp500:
      return Error("AB2001", "Internal Error, Please try after sometime", 500);
    case FaultKind::kDrop: {
      SimReply r;
      r.close_without_reply = true;
      return r;
    }
    case FaultKind::kReject:
      return Error(fault->errorcode, fault->message);
    case FaultKind::kLatency:
    case FaultKind::kHold:
    case FaultKind::kLostReply:
    case FaultKind::kRmsReject:
      return std::nullopt;
  }
  return std::nullopt;
}

void BrokerApi::PostFault(const std::optional<Fault>& fault, SimReply& reply) {
  if (!fault) return;
  if (fault->kind == FaultKind::kLatency) reply.delay = fault->latency;
  if (fault->kind == FaultKind::kLostReply) reply.close_without_reply = true;
}

SimReply BrokerApi::Login(const SimRequest& request) {
  const InJson body = ParseBody(request.body);
  const std::string client = Text(body, "clientcode", "AB1007", "Invalid clientcode").value_or("");
  const auto fault = faults_.Take(client, "loginByPassword");
  if (auto r = PreFault(fault)) return *r;
  if (fault && fault->kind == FaultKind::kHold)
    return Held(fault->latency, [this, request, client, fault] { return LoginNow(request, client, fault); });
  return LoginNow(request, client, fault);
}

SimReply BrokerApi::LoginNow(const SimRequest& request, const std::string& client, const std::optional<Fault>& fault) {
  if (!limiter_.Allow(client, "loginByPassword")) return Throttled();
  const InJson body = ParseBody(request.body);
  SimReply reply = [&] {
    const SimAccount* account = sessions_.FindAccount(client);
    const std::string_view key = request.Header("x-privatekey");
    if (account == nullptr || key != account->api_key) {
      // The key is checked before the credentials, like the gateway does.
      bool known_key = false;
      for (const auto& code : sessions_.client_codes())
        known_key = known_key || sessions_.FindAccount(code)->api_key == key;
      if (account != nullptr || !known_key) return Error("AG8004", "Invalid API Key");
      return Error("AB1007", "Login Id or password is invalid");
    }
    const auto password = Text(body, "password", "AB1007", "Login Id or password is invalid");
    if (!password || *password != account->password) return Error("AB1007", "Login Id or password is invalid");
    const auto totp = Text(body, "totp", "AB1050", "Invalid totp");
    const int64_t now = clock_.wall_ns() / 1'000'000'000;
    if (!totp || !ct::totp::Verify(account->totp_secret, *totp, now, 1)) return Error("AB1050", "Invalid totp");
    const SessionTokens t = sessions_.Open(account->client_code);
    OutJson data;
    data["jwtToken"] = t.jwt;
    data["refreshToken"] = t.refresh;
    data["feedToken"] = t.feed;
    const auto state = body.find("state");
    if (state != body.end() && state->is_string()) data["state"] = state->get<std::string>();
    ct::log::Get("sim")->info("login {}", client);
    return JsonReply(SuccessEnvelope(std::move(data)));
  }();
  PostFault(fault, reply);
  return reply;
}

SimReply BrokerApi::GenerateTokens(const SimRequest& request) {
  const InJson body = ParseBody(request.body);
  const std::string refresh = Text(body, "refreshToken", "AB8050", "Invalid Refresh Token").value_or("");
  const std::string client = sessions_.OwnerOf(refresh).value_or("");
  const auto fault = faults_.Take(client, "generateTokens");
  if (auto r = PreFault(fault)) return *r;
  if (fault && fault->kind == FaultKind::kHold)
    return Held(fault->latency, [this, request, client, fault] { return GenerateTokensNow(request, client, fault); });
  return GenerateTokensNow(request, client, fault);
}

SimReply BrokerApi::GenerateTokensNow(const SimRequest& request, const std::string& client,
                                      const std::optional<Fault>& fault) {
  if (!client.empty() && !limiter_.Allow(client, "generateTokens")) return Throttled();
  const InJson body = ParseBody(request.body);
  const std::string refresh = Text(body, "refreshToken", "AB8050", "Invalid Refresh Token").value_or("");
  auto tokens = sessions_.Refresh(refresh);
  SimReply reply;
  if (!tokens.ok()) {
    reply = tokens.error() == RefreshFailure::kExpired ? Error("AB8051", "Refresh Token Expired")
                                                       : Error("AB8050", "Invalid Refresh Token");
  } else {
    OutJson data;
    data["jwtToken"] = tokens->jwt;
    data["refreshToken"] = tokens->refresh;
    data["feedToken"] = tokens->feed;
    reply = JsonReply(SuccessEnvelope(std::move(data)));
  }
  PostFault(fault, reply);
  return reply;
}

Result<std::string, int> BrokerApi::AdmitOrderFeed(std::string_view authorization) const {
  const auto session = sessions_.Authenticate(authorization);
  if (session.ok()) return session->client_code;
  return session.error() == AuthFailure::kExpired ? 403 : 401;
}

SimReply BrokerApi::Secure(const SimRequest& request, std::string_view endpoint) {
  const auto session = sessions_.Authenticate(request.Header("authorization"));
  if (!session.ok()) {
    switch (session.error()) {
      case AuthFailure::kMissing:
        return JsonReply(GatewayError("AG8003", "Token missing"));
      case AuthFailure::kExpired:
        return JsonReply(GatewayError("AG8002", "Token Expired"));
      case AuthFailure::kInvalid:
        return JsonReply(GatewayError("AG8001", "Invalid Token"));
    }
  }
  const SimAccount* account = sessions_.FindAccount(session->client_code);
  if (account == nullptr || request.Header("x-privatekey") != account->api_key)
    return Error("AG8004", "Invalid API Key");
  const std::string& client = session->client_code;
  uint64_t write_seq = 0;
  if (IsOrderWrite(endpoint)) {
    write_seq = RecordWrite(request, client, endpoint, Source::kApi);
    // Static IP: order writes only from the registered address; logins,
    // reads and the WebSocket from anywhere.
    const auto ip = rules_.static_ips.find(client);
    if (ip != rules_.static_ips.end() && request.peer_address != ip->second) {
      ct::log::Get("sim")->info("{} {} refused: from {}, registered {}", client, endpoint, request.peer_address,
                                ip->second);
      return Error(kStaticIpErrorCode, StaticIpRefusal(client, request.peer_address, ip->second));
    }
  }
  const auto fault = faults_.Take(client, endpoint);
  if (auto r = PreFault(fault)) return *r;
  if (fault && fault->kind == FaultKind::kHold) {
    return Held(fault->latency, [this, request, endpoint = std::string(endpoint), session = *session, fault,
                                 write_seq] { return SecureNow(request, endpoint, session, fault, write_seq); });
  }
  return SecureNow(request, std::string(endpoint), *session, fault, write_seq);
}

SimReply BrokerApi::SecureNow(const SimRequest& request, const std::string& endpoint, const AuthedSession& session,
                              const std::optional<Fault>& fault, uint64_t write_seq) {
  if (!limiter_.Allow(session.client_code, endpoint)) return Throttled();
  SimReply reply;
  try {
    const OutJson out = Dispatch(endpoint, PathOf(request.target), request, session, fault);
    if (write_seq != 0 && endpoint == "placeOrder") requests_.SetOrderId(write_seq, PlacedOrderId(out));
    reply = JsonReply(out);
  } catch (const BrokerError& e) {
    reply = Error(e.code, e.message);
  }
  PostFault(fault, reply);
  return reply;
}

uint64_t BrokerApi::RecordWrite(const SimRequest& request, const std::string& client, std::string_view endpoint,
                                Source source) {
  OrderWrite w;
  w.client_code = client;
  w.endpoint = std::string(endpoint);
  w.source = source == Source::kApi ? "api" : "app";
  w.received_ns = request.received_ns != 0 ? request.received_ns : clock_.wall_ns();
  // A lenient look at the body: a malformed one is still a received write.
  const InJson body = InJson::parse(request.body, nullptr, /*allow_exceptions=*/false);
  if (body.is_object()) {
    const auto text = [&](const char* key) {
      const auto it = body.find(key);
      return it != body.end() && it->is_string() ? it->get<std::string>() : std::string();
    };
    w.ordertag = text("ordertag");
    w.orderid = text("orderid");
  }
  return requests_.Record(std::move(w));
}

SimReply BrokerApi::App(const SimRequest& request, std::string_view endpoint) {
  // The broker's own app: an order entered by hand, not an algo order. No
  // token, no static IP, no rate limit, no faults; MARKET and IOC allowed.
  // The rest (validation, engine, order-update pushes, replies) is the
  // SmartAPI call's.
  if (!IsOrderWrite(endpoint)) return Error("AB2000", "Resource not found", 404);
  if (request.method != "POST") return Error("AB9002", "Method Not Allowed", 405);
  const InJson body = ParseBody(request.body);
  const std::string client = Text(body, "clientcode", "AB1007", "Invalid clientcode").value_or("");
  if (sessions_.FindAccount(client) == nullptr) Fail("AB1007", "Invalid clientcode");
  const uint64_t seq = RecordWrite(request, client, endpoint, Source::kApp);
  OutJson out;
  if (endpoint == "placeOrder") {
    out = PlaceOrder(client, body, std::nullopt, Source::kApp);
    requests_.SetOrderId(seq, PlacedOrderId(out));
  } else if (endpoint == "modifyOrder") {
    out = ModifyOrder(client, body, Source::kApp);
  } else {
    out = CancelOrder(client, body);
  }
  return JsonReply(out);
}

BrokerApi::Json BrokerApi::Dispatch(std::string_view endpoint, std::string_view path, const SimRequest& request,
                                    const AuthedSession& session, const std::optional<Fault>& fault) {
  const std::string& client = session.client_code;
  auto rows_or_null = [](OutJson rows) {
    return rows.empty() ? SuccessEnvelope(nullptr) : SuccessEnvelope(std::move(rows));
  };
  if (endpoint == "getOrderBook") {
    OutJson rows = OutJson::array();
    for (const Order* o : engine_.Orders(client)) rows.push_back(OrderRow(*o));
    return rows_or_null(std::move(rows));
  }
  if (endpoint == "placeOrder") {
    std::optional<std::string> rejection;
    if (fault && fault->kind == FaultKind::kRmsReject) rejection = fault->message;
    return PlaceOrder(client, ParseBody(request.body), rejection, Source::kApi);
  }
  if (endpoint == "modifyOrder") return ModifyOrder(client, ParseBody(request.body), Source::kApi);
  if (endpoint == "cancelOrder") return CancelOrder(client, ParseBody(request.body));
  if (endpoint == "details") {
    const std::string_view id = path.substr(kDetailsPrefix.size());
    const Order* o = engine_.FindByUniqueId(client, id);
    if (o == nullptr) Fail("AB1007", "Order not found");
    return SuccessEnvelope(OrderRow(*o));
  }
  if (endpoint == "getTradeBook") {
    OutJson rows = OutJson::array();
    for (const Trade& t : engine_.Trades(client)) rows.push_back(TradeRow(t));
    return rows_or_null(std::move(rows));
  }
  if (endpoint == "getPosition") {
    OutJson rows = OutJson::array();
    for (const Position& p : engine_.Positions(client)) rows.push_back(PositionRow(p, engine_.Price(*p.instrument)));
    return rows_or_null(std::move(rows));
  }
  if (endpoint == "getProfile") return Profile(client);
  if (endpoint == "getRMS") return Rms(client);
  if (endpoint == "getLtpData") return LtpData(ParseBody(request.body));
  if (endpoint == "logout") {
    sessions_.Close(session.session_id);
    ct::log::Get("sim")->info("logout {}", client);
    return SuccessEnvelope("");
  }
  Fail("AB2000", "Resource not found");
}

BrokerApi::Json BrokerApi::PlaceOrder(const std::string& client, const InJson& body,
                                      const std::optional<std::string>& rejection, Source source) {
  OrderParams p;
  p.variety = VarietyOf(body);
  const std::string exchange = RequiredText(body, "exchange", "AB2000", "Invalid Exchange");
  if (!OneOf(exchange, {"NSE", "BSE", "NFO", "MCX", "BFO", "CDS"})) Fail("AB2000", "Invalid Exchange");
  const auto symbol = Text(body, "tradingsymbol", "AB1009", "Symbol Not Found");
  const auto token = Text(body, "symboltoken", "AB1009", "Symbol Not Found");
  if (!symbol || !token) Fail("AB1009", "Symbol Not Found");
  p.instrument = instruments_.Find(exchange, *symbol, *token);
  if (p.instrument == nullptr) Fail("AB1009", "Symbol Not Found");
  p.transactiontype = RequiredText(body, "transactiontype", "AB2000", "Invalid Transaction Type");
  if (!OneOf(p.transactiontype, {"BUY", "SELL"})) Fail("AB2000", "Invalid Transaction Type");
  p.ordertype = OrderTypeOf(body);
  const bool stop = p.ordertype.rfind("STOPLOSS", 0) == 0;
  if (stop != (p.variety == "STOPLOSS"))
    Fail("AB1008", "Invalid Order Variety. Value should be NORMAL, STOPLOSS, ROBO.");
  p.producttype = RequiredText(body, "producttype", "AB1012", "Invalid Product Type");
  if (!OneOf(p.producttype, {"DELIVERY", "CARRYFORWARD", "MARGIN", "INTRADAY"})) Fail("AB1012", "Invalid Product Type");
  p.duration = RequiredText(body, "duration", "AB2000", "Invalid Duration");
  if (!OneOf(p.duration, {"DAY", "IOC"})) Fail("AB2000", "Invalid Duration");
  const auto quantity = Integer(body, "quantity", "Invalid Quantity");
  if (!quantity || *quantity <= 0 || *quantity > 100'000'000) Fail("AB2000", "Invalid Quantity");
  p.quantity = *quantity;
  const auto price = Number(body, "price", "Invalid Price");
  const bool has_limit = p.ordertype == "LIMIT" || p.ordertype == "STOPLOSS_LIMIT";
  if (has_limit && (!price || *price <= 0)) Fail("AB2000", "Invalid Price");
  if (price && *price < 0) Fail("AB2000", "Invalid Price");
  p.price = has_limit ? *price : 0.0;
  const auto trigger = Number(body, "triggerprice", "Invalid Trigger Price");
  if (stop && (!trigger || *trigger <= 0)) Fail("AB2000", "Invalid Trigger Price");
  p.triggerprice = stop ? *trigger : 0.0;
  p.squareoff = Number(body, "squareoff", "Invalid Squareoff").value_or(0);
  p.stoploss = Number(body, "stoploss", "Invalid Stoploss").value_or(0);
  p.trailingstoploss = Number(body, "trailingStopLoss", "Invalid Trailing Stoploss").value_or(0);
  const auto disclosed = Integer(body, "disclosedquantity", "Invalid Disclosed Quantity");
  if (disclosed && *disclosed < 0) Fail("AB2000", "Invalid Disclosed Quantity");
  p.disclosedquantity = disclosed.value_or(0);
  p.ordertag = Text(body, "ordertag", "AB2000", "Invalid Ordertag").value_or("");
  if (p.ordertag.size() > 20) Fail("AB4008", "Ordertag length should not exceed 20 characters");
  if (source == Source::kApi && !rules_.legacy_order_types) {
    if (auto refusal = ApiOrderTypeRefusal(p.ordertype, p.duration)) Fail(std::string(kOrderTypeErrorCode), *refusal);
  }

  const Order& o = engine_.Place(client, p, rejection);
  ct::log::Get("sim")->info("{} placeOrder{} {} {} {} x{} -> {} {}", client, source == Source::kApp ? " (app)" : "",
                            p.transactiontype, p.ordertype, p.instrument->symbol, p.quantity, o.orderid, o.status);
  OutJson data;
  data["script"] = p.instrument->symbol;
  data["orderid"] = o.orderid;
  data["uniqueorderid"] = o.uniqueorderid;
  return SuccessEnvelope(std::move(data));
}

BrokerApi::Json BrokerApi::ModifyOrder(const std::string& client, const InJson& body, Source source) {
  VarietyOf(body);
  const std::string orderid = RequiredText(body, "orderid", "AB1013", "Order not found");
  ModifyParams m;
  if (body.contains("ordertype")) m.ordertype = OrderTypeOf(body);
  if (auto d = Text(body, "duration", "AB2000", "Invalid Duration")) {
    if (!OneOf(*d, {"DAY", "IOC"})) Fail("AB2000", "Invalid Duration");
    m.duration = *d;
  }
  if (auto q = Integer(body, "quantity", "Invalid Quantity")) {
    if (*q <= 0) Fail("AB2000", "Invalid Quantity");
    m.quantity = *q;
  }
  m.price = Number(body, "price", "Invalid Price");
  m.triggerprice = Number(body, "triggerprice", "Invalid Trigger Price");
  const Order* existing = engine_.FindByOrderId(client, orderid);
  if (existing == nullptr) Fail("AB1013", "Order not found");
  // MARKET orders carry price 0; only a limit-bearing type keeps the price.
  const std::string type = m.ordertype.value_or(existing->params.ordertype);
  // The rule is about the order as it would stand after the modification.
  if (source == Source::kApi && !rules_.legacy_order_types) {
    if (auto refusal = ApiOrderTypeRefusal(type, m.duration.value_or(existing->params.duration)))
      Fail(std::string(kOrderTypeErrorCode), *refusal);
  }
  if (type == "MARKET" || type == "STOPLOSS_MARKET") m.price = 0.0;
  auto result = engine_.Modify(client, orderid, m);
  if (!result.ok()) Fail(result.error().code, result.error().message);
  OutJson data;
  data["orderid"] = (*result)->orderid;
  data["uniqueorderid"] = (*result)->uniqueorderid;
  return SuccessEnvelope(std::move(data));
}

BrokerApi::Json BrokerApi::CancelOrder(const std::string& client, const InJson& body) {
  VarietyOf(body);
  const std::string orderid = RequiredText(body, "orderid", "AB1013", "Order not found");
  auto result = engine_.Cancel(client, orderid);
  if (!result.ok()) Fail(result.error().code, result.error().message);
  OutJson data;
  data["orderid"] = (*result)->orderid;
  data["uniqueorderid"] = (*result)->uniqueorderid;
  return SuccessEnvelope(std::move(data));
}

BrokerApi::Json BrokerApi::Profile(const std::string& client) const {
  const SimAccount* account = sessions_.FindAccount(client);
  OutJson data;
  data["clientcode"] = client;
  data["name"] = account != nullptr ? account->name : "";
  data["email"] = "";
  data["mobileno"] = "";
  data["exchanges"] = {"nse_fo", "nse_cm", "cde_fo", "ncx_fo", "bse_fo", "bse_cm", "mcx_fo"};
  data["products"] = {"MARGIN", "MIS", "NRML", "CNC", "CO", "BO"};
  data["lastlogintime"] = "";
  data["broker"] = "";
  return SuccessEnvelope(std::move(data));
}

BrokerApi::Json BrokerApi::Rms(const std::string& client) const {
  constexpr double kFunds = 1'000'000.0;
  double utilised = 0;
  double realised = 0;
  double unrealised = 0;
  for (const Position& p : engine_.Positions(client)) {
    const OutJson row = PositionRow(p, engine_.Price(*p.instrument));
    realised += std::stod(row["realised"].get<std::string>());
    unrealised += std::stod(row["unrealised"].get<std::string>());
    utilised += std::max(0.0, p.buy_amount - p.sell_amount);
  }
  auto four = [](double v) { return FixedDecimals(v, 4); };
  const double available = kFunds - utilised + realised;
  OutJson data;
  data["net"] = four(available);
  data["availablecash"] = four(available);
  data["availableintradaypayin"] = "0.0000";
  data["availablelimitmargin"] = "0.0000";
  data["collateral"] = "0.0000";
  data["m2munrealized"] = four(unrealised);
  data["m2mrealized"] = four(realised);
  data["utiliseddebits"] = four(utilised);
  data["utilisedspan"] = nullptr;
  data["utilisedoptionpremium"] = nullptr;
  data["utilisedholdingsales"] = nullptr;
  data["utilisedexposure"] = nullptr;
  data["utilisedturnover"] = nullptr;
  data["utilisedpayout"] = four(available);
  return SuccessEnvelope(std::move(data));
}

BrokerApi::Json BrokerApi::LtpData(const InJson& body) const {
  const std::string exchange = RequiredText(body, "exchange", "AB2000", "Invalid Exchange");
  const auto symbol = Text(body, "tradingsymbol", "AB1009", "Symbol Not Found");
  const auto token = Text(body, "symboltoken", "AB1009", "Symbol Not Found");
  const Instrument* in = (symbol && token) ? instruments_.Find(exchange, *symbol, *token) : nullptr;
  if (in == nullptr) Fail("AB1009", "Symbol Not Found");
  const double ltp = engine_.Price(*in);
  const double close = DefaultPrice(*in);
  auto money = [](double v) { return FixedDecimals(v, 2); };
  OutJson data;
  data["exchange"] = in->exchange;
  data["tradingsymbol"] = in->symbol;
  data["symboltoken"] = in->token;
  data["open"] = money(close);
  data["high"] = money(std::max(ltp, close));
  data["low"] = money(std::min(ltp, close));
  data["close"] = money(close);
  data["ltp"] = money(ltp);
  return SuccessEnvelope(std::move(data));
}

SimReply BrokerApi::Admin(const SimRequest& request, std::string_view path) {
  auto bad = [](const std::string& message) { return Error("SIM400", message, 400); };
  auto ok = [](OutJson data) { return JsonReply(SuccessEnvelope(std::move(data))); };
  const std::string_view op = path.substr(std::string_view("/sim/v1/").size());
  if (op == "health" && request.method == "GET") {
    OutJson data;
    data["status"] = "ok";
    data["accounts"] = sessions_.client_codes();
    data["instruments"] = instruments_.all().size();
    data["rate_limits"] = limiter_.enabled();
    data["order_rules"] = rules_.legacy_order_types ? "legacy" : "2026";
    OutJson ips = OutJson::object();
    for (const auto& [code, address] : rules_.static_ips) ips[code] = address;
    data["static_ips"] = std::move(ips);
    OutJson feeds = OutJson::object();
    for (const auto& code : sessions_.client_codes()) feeds[code] = feed_ != nullptr ? feed_->Connections(code) : 0;
    data["order_feeds"] = std::move(feeds);
    return ok(std::move(data));
  }
  if (op == "orders" && request.method == "GET") {
    OutJson data = OutJson::object();
    for (const auto& code : sessions_.client_codes()) {
      OutJson rows = OutJson::array();
      for (const Order* o : engine_.Orders(code)) rows.push_back(OrderRow(*o));
      data[code] = std::move(rows);
    }
    return ok(std::move(data));
  }
  if (op == "requests" && request.method == "GET") {
    OutJson rows = OutJson::array();
    for (const OrderWrite& w : requests_.entries()) {
      OutJson row;
      row["seq"] = w.seq;
      row["clientcode"] = w.client_code;
      row["endpoint"] = w.endpoint;
      row["source"] = w.source;
      row["received_ns"] = w.received_ns;
      row["ordertag"] = w.ordertag;
      row["orderid"] = w.orderid;
      rows.push_back(std::move(row));
    }
    return ok(std::move(rows));
  }
  if (request.method != "POST") return Error("SIM404", "Unknown admin call", 404);
  if (op == "requests/clear") {
    requests_.Clear();
    return ok(nullptr);
  }
  const InJson body = InJson::parse(request.body.empty() ? "{}" : request.body, nullptr, false);
  if (body.is_discarded() || !body.is_object()) return bad("body must be a JSON object");
  auto text = [&](const char* key) {
    const auto it = body.find(key);
    return (it != body.end() && it->is_string()) ? it->get<std::string>() : std::string();
  };
  if (op == "price") {
    const std::string exchange = text("exchange").empty() ? "NSE" : text("exchange");
    const Instrument* in = instruments_.FindBySymbol(exchange, text("tradingsymbol"));
    if (in == nullptr) return bad("unknown tradingsymbol/exchange");
    const auto price = NumberField(body.value("price", InJson()));
    if (!price || *price <= 0 || *price > kMaxPrice) return bad("price must be a positive number");
    engine_.SetPrice(*in, *price);
    OutJson data;
    data["tradingsymbol"] = in->symbol;
    data["exchange"] = in->exchange;
    data["price"] = engine_.Price(*in);
    return ok(std::move(data));
  }
  if (op == "expire") {
    const std::string client = text("clientcode");
    if (sessions_.FindAccount(client) == nullptr) return bad("unknown clientcode");
    OutJson data;
    data["expired"] = sessions_.ExpireAll(client);
    return ok(std::move(data));
  }
  if (op == "fault") {
    Fault f;
    f.client_code = text("clientcode");
    if (sessions_.FindAccount(f.client_code) == nullptr) return bad("unknown clientcode");
    f.endpoint = text("endpoint").empty() ? "*" : text("endpoint");
    const auto kind = ParseFaultKind(text("kind"));
    if (!kind) return bad("kind must be latency|hold|http500|drop|lost_reply|reject|rms_reject");
    f.kind = *kind;
    if (f.kind == FaultKind::kRmsReject) f.message = "Your order has been rejected due to Insufficient Funds.";
    const auto count = IntegerField(body.value("count", InJson(1)));
    if (!count || *count == 0 || *count < -1) return bad("count must be positive or -1");
    f.remaining = static_cast<int>(*count);
    const auto latency = IntegerField(body.value("latency_ms", InJson(0)));
    if (!latency || *latency < 0) return bad("latency_ms must be a non-negative integer");
    f.latency = std::chrono::milliseconds(*latency);
    if (!text("errorcode").empty()) f.errorcode = text("errorcode");
    if (!text("message").empty()) f.message = text("message");
    faults_.Add(f);
    OutJson data;
    data["clientcode"] = f.client_code;
    data["endpoint"] = f.endpoint;
    data["kind"] = FaultKindName(f.kind);
    data["count"] = f.remaining;
    return ok(std::move(data));
  }
  if (op == "fault/clear") {
    faults_.Clear();
    return ok(nullptr);
  }
  if (op == "fill") {
    const auto quantity = IntegerField(body.value("quantity", InJson(0)));
    if (!quantity || *quantity < 0) return bad("quantity must be a non-negative integer");
    auto result = engine_.FillNow(text("orderid"), *quantity);
    if (!result.ok()) return Error(result.error().code, result.error().message, 400);
    return ok(OrderRow(**result));
  }
  if (op == "ratelimit") {
    const auto it = body.find("enabled");
    if (it == body.end() || !it->is_boolean()) return bad("enabled must be a boolean");
    limiter_.set_enabled(it->get<bool>());
    limiter_.Reset();
    OutJson data;
    data["enabled"] = limiter_.enabled();
    return ok(std::move(data));
  }
  if ((op == "feed/drop" || op == "feed/mute") && feed_ != nullptr) {
    const std::string client = text("clientcode");
    if (sessions_.FindAccount(client) == nullptr) return bad("unknown clientcode");
    OutJson data;
    if (op == "feed/drop") {
      data["dropped"] = feed_->DropAll(client);
    } else {
      const auto it = body.find("muted");
      if (it == body.end() || !it->is_boolean()) return bad("muted must be a boolean");
      feed_->SetMuted(client, it->get<bool>());
      data["muted"] = it->get<bool>();
    }
    return ok(std::move(data));
  }
  if (op == "reset") {
    if (feed_ != nullptr)
      for (const auto& code : sessions_.client_codes()) feed_->SetMuted(code, false);
    engine_.Reset();
    faults_.Clear();
    limiter_.Reset();
    requests_.Clear();
    return ok(nullptr);
  }
  return Error("SIM404", "Unknown admin call", 404);
}

}  // namespace ct::sim
