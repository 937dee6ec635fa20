#include "common/smartapi/client.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "common/log/log.h"
#include "common/totp/totp.h"

namespace ct::smartapi {
namespace {

using nlohmann::json;

constexpr int64_t kNsPerSecond = 1'000'000'000;
constexpr int64_t kIstOffsetSeconds = 5 * 3600 + 30 * 60;
constexpr int64_t kSecondsPerDay = 86400;

constexpr const char* kLoginPath = "/rest/auth/angelbroking/user/v1/loginByPassword";
constexpr const char* kGenerateTokensPath = "/rest/auth/angelbroking/jwt/v1/generateTokens";
constexpr const char* kProfilePath = "/rest/secure/angelbroking/user/v1/getProfile";
constexpr const char* kLogoutPath = "/rest/secure/angelbroking/user/v1/logout";
constexpr const char* kRmsPath = "/rest/secure/angelbroking/user/v1/getRMS";
constexpr const char* kPlacePath = "/rest/secure/angelbroking/order/v1/placeOrder";
constexpr const char* kModifyPath = "/rest/secure/angelbroking/order/v1/modifyOrder";
constexpr const char* kCancelPath = "/rest/secure/angelbroking/order/v1/cancelOrder";
constexpr const char* kOrderBookPath = "/rest/secure/angelbroking/order/v1/getOrderBook";
constexpr const char* kDetailsPath = "/rest/secure/angelbroking/order/v1/details/";
constexpr const char* kTradeBookPath = "/rest/secure/angelbroking/order/v1/getTradeBook";
constexpr const char* kPositionPath = "/rest/secure/angelbroking/order/v1/getPosition";
constexpr const char* kLtpPath = "/rest/secure/angelbroking/order/v1/getLtpData";

// Unreserved characters pass; everything else is %XX (path segments).
std::string EscapePathSegment(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xF]);
    }
  }
  return out;
}

std::optional<std::string> DecodeBase64Url(std::string_view in) {
  std::string out;
  uint32_t buffer = 0;
  int bits = 0;
  for (char c : in) {
    int v;
    if (c >= 'A' && c <= 'Z')
      v = c - 'A';
    else if (c >= 'a' && c <= 'z')
      v = c - 'a' + 26;
    else if (c >= '0' && c <= '9')
      v = c - '0' + 52;
    else if (c == '-' || c == '+')
      v = 62;
    else if (c == '_' || c == '/')
      v = 63;
    else if (c == '=')
      break;
    else
      return std::nullopt;
    buffer = (buffer << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((buffer >> bits) & 0xFF));
    }
  }
  return out;
}


// A reply's data through its parser; a failed call passes its error on.
template <typename Parse>
auto Parsed(const Result<json>& data, Parse parse) -> decltype(parse(*data)) {
  if (!data.ok()) return data.error();
  return parse(*data);
}

Result<PlacedOrder> ParseOrderWrite(const json& data) { return ParsePlacedOrder(data, /*order_write=*/true); }
}  // namespace

int64_t NextMidnightIst(int64_t wall_ns) {
  const int64_t ist_seconds = wall_ns / kNsPerSecond + kIstOffsetSeconds;
  const int64_t next_day = ist_seconds / kSecondsPerDay + 1;
  return (next_day * kSecondsPerDay - kIstOffsetSeconds) * kNsPerSecond;
}

int64_t NextIstTime(int64_t wall_ns, int hour, int minute) {
  const int64_t offset_ns = (int64_t{hour} * 3600 + int64_t{minute} * 60) * kNsPerSecond;
  const int64_t day_ns = kSecondsPerDay * kNsPerSecond;
  // The last midnight IST at or before wall_ns, then step forward.
  int64_t at = NextMidnightIst(wall_ns) - day_ns + offset_ns;
  while (at <= wall_ns) at += day_ns;
  return at;
}

std::optional<int64_t> JwtExpiry(std::string_view jwt) {
  const size_t first = jwt.find('.');
  if (first == std::string_view::npos) return std::nullopt;
  const size_t second = jwt.find('.', first + 1);
  if (second == std::string_view::npos) return std::nullopt;
  auto payload = DecodeBase64Url(jwt.substr(first + 1, second - first - 1));
  if (!payload) return std::nullopt;
  json claims = json::parse(*payload, nullptr, /*allow_exceptions=*/false);
  if (!claims.is_object()) return std::nullopt;
  auto exp = claims.find("exp");
  if (exp == claims.end() || !exp->is_number()) return std::nullopt;
  return exp->get<int64_t>();
}

ClientIdentity DetectIdentity() {
  ClientIdentity id{"127.0.0.1", "127.0.0.1", "00:00:00:00:00:00"};
  ifaddrs* list = nullptr;
  if (getifaddrs(&list) != 0) return id;
  for (ifaddrs* a = list; a != nullptr; a = a->ifa_next) {
    if (a->ifa_addr == nullptr || a->ifa_addr->sa_family != AF_INET) continue;
    if ((a->ifa_flags & IFF_LOOPBACK) != 0 || (a->ifa_flags & IFF_UP) == 0) continue;
    char text[INET_ADDRSTRLEN] = {};
    const auto* sin = reinterpret_cast<const sockaddr_in*>(a->ifa_addr);
    if (inet_ntop(AF_INET, &sin->sin_addr, text, sizeof text) == nullptr) continue;
    id.local_ip = text;
    id.public_ip = text;
    std::ifstream mac(std::string("/sys/class/net/") + a->ifa_name + "/address");
    std::string value;
    if (mac >> value && value.size() == 17) id.mac_address = value;
    break;
  }
  freeifaddrs(list);
  return id;
}

struct Client::Call {
  Endpoint endpoint;
  const char* method;
  std::string path;
  std::string body;
  bool order_write = false;
  bool authorized = true;  // sends Authorization: Bearer <jwt>
};

Client::Client(LoginCredentials credentials, std::unique_ptr<HttpTransport> transport, const Clock& clock,
               ClientOptions options)
    : credentials_(std::move(credentials)),
      transport_(std::move(transport)),
      clock_(clock),
      options_(std::move(options)),
      identity_(options_.identity ? *options_.identity : DetectIdentity()),
      limiter_(clock_, options_.sleep ? options_.sleep : RealSleeper(), options_.rate_margin),
      log_(log::Get("smartapi")) {
  if (!options_.sleep) options_.sleep = RealSleeper();
  if (!options_.rate_limit) {
    for (int i = 0; i < kEndpointCount; ++i) limiter_.SetLimits(static_cast<Endpoint>(i), {});
  }
  log::RegisterSecret(credentials_.api_key);
  log::RegisterSecret(credentials_.password);
  log::RegisterSecret(credentials_.totp_secret);
}

Client::~Client() = default;

void Client::SetSession(Session session) {
  log::RegisterSecret(session.jwt_token);
  log::RegisterSecret(session.refresh_token);
  log::RegisterSecret(session.feed_token);
  session_ = std::move(session);
  const int64_t now = clock_.wall_ns();
  expiry_ns_ = NextMidnightIst(now);
  if (auto exp = JwtExpiry(session_.jwt_token)) {
    expiry_ns_ = std::min(expiry_ns_, *exp * kNsPerSecond);
  }
}

bool Client::NeedsDailyRelogin(int64_t now_wall_ns) const { return logged_in() && now_wall_ns >= expiry_ns_; }

Result<Ok> Client::EnsureSession() {
  if (logged_in() && !NeedsDailyRelogin(clock_.wall_ns())) return Ok{};
  if (logged_in()) log_->info("session of {} expired (daily expiry); logging in again", credentials_.client_id);
  auto login = Login();
  if (!login.ok()) return login.error();
  return Ok{};
}

Result<Session> Client::Login() {
  const int64_t now_s = clock_.wall_ns() / kNsPerSecond;
  auto code = totp::Code(credentials_.totp_secret, now_s);
  if (!code) {
    return Error{ErrorKind::kRejected, "CT_TOTP_SECRET", "TOTP secret is not valid base32", 0};
  }
  const json body = {{"clientcode", credentials_.client_id}, {"password", credentials_.password}, {"totp", *code}};
  auto data = InvokeOnce(Call{Endpoint::kLogin, "POST", kLoginPath, body.dump(), false, false});
  if (!data.ok()) {
    log_->warn("login of {} failed: {}", credentials_.client_id, data.error().ToString());
    return data.error();
  }
  auto session = ParseSession(*data);
  if (!session.ok()) return session.error();
  SetSession(*session);
  log_->info("logged in as {}", credentials_.client_id);
  return session_;
}

Result<Session> Client::GenerateTokens() {
  if (!logged_in()) return Error{ErrorKind::kAuthExpired, "", "not logged in", 0};
  const json body = {{"refreshToken", session_.refresh_token}};
  auto data = InvokeOnce(Call{Endpoint::kGenerateTokens, "POST", kGenerateTokensPath, body.dump()});
  if (!data.ok()) return data.error();
  auto session = ParseSession(*data);
  if (!session.ok()) return session.error();
  if (session->refresh_token.empty()) session->refresh_token = session_.refresh_token;
  if (session->feed_token.empty()) session->feed_token = session_.feed_token;
  // Refreshed tokens do not outlive the login's day.
  const int64_t day_end = NextMidnightIst(clock_.wall_ns());
  SetSession(*session);
  expiry_ns_ = std::min(expiry_ns_, day_end);
  return session_;
}

Result<Ok> Client::Logout() {
  if (!logged_in()) return Ok{};
  const json body = {{"clientcode", credentials_.client_id}};
  auto data = InvokeOnce(Call{Endpoint::kLogout, "POST", kLogoutPath, body.dump()});
  session_ = Session{};
  expiry_ns_ = 0;
  if (!data.ok()) return data.error();
  return Ok{};
}

Result<Profile> Client::GetProfile() {
  return Parsed(Invoke(Call{Endpoint::kGetProfile, "GET", kProfilePath, ""}), ParseProfile);
}

Result<Rms> Client::GetRms() {
  return Parsed(Invoke(Call{Endpoint::kGetRms, "GET", kRmsPath, ""}), ParseRms);
}

Result<std::vector<Order>> Client::GetOrderBook() {
  return Parsed(Invoke(Call{Endpoint::kGetOrderBook, "GET", kOrderBookPath, ""}), ParseOrderBook);
}

Result<Order> Client::GetOrderDetails(const std::string& uniqueorderid) {
  auto data = Invoke(Call{Endpoint::kOrderDetails, "GET", kDetailsPath + EscapePathSegment(uniqueorderid), ""});
  if (!data.ok()) return data.error();
  if (data->is_null()) {
    return Error{ErrorKind::kBadResponse, "", "order details reply without data", 200};
  }
  return ParseOrderRow(*data);
}

Result<std::vector<Trade>> Client::GetTradeBook() {
  return Parsed(Invoke(Call{Endpoint::kGetTradeBook, "GET", kTradeBookPath, ""}), ParseTradeBook);
}

Result<std::vector<Position>> Client::GetPosition() {
  return Parsed(Invoke(Call{Endpoint::kGetPosition, "GET", kPositionPath, ""}), ParsePositions);
}

Result<Ltp> Client::GetLtpData(const std::string& exchange, const std::string& tradingsymbol,
                               const std::string& symboltoken) {
  const json body = {{"exchange", exchange}, {"tradingsymbol", tradingsymbol}, {"symboltoken", symboltoken}};
  return Parsed(Invoke(Call{Endpoint::kGetLtpData, "POST", kLtpPath, body.dump()}), ParseLtp);
}

Result<PlacedOrder> Client::PlaceOrder(const OrderRequest& request) {
  return Parsed(Invoke(Call{Endpoint::kOrderWrite, "POST", kPlacePath, OrderRequestJson(request), true}),
                ParseOrderWrite);
}

Result<PlacedOrder> Client::ModifyOrder(const ModifyRequest& request) {
  return Parsed(Invoke(Call{Endpoint::kOrderWrite, "POST", kModifyPath, ModifyRequestJson(request), true}),
                ParseOrderWrite);
}

Result<PlacedOrder> Client::CancelOrder(const std::string& variety, const std::string& orderid) {
  const json body = {{"variety", variety}, {"orderid", orderid}};
  return Parsed(Invoke(Call{Endpoint::kOrderWrite, "POST", kCancelPath, body.dump(), true}), ParseOrderWrite);
}

Result<json> Client::Invoke(const Call& call) {
  if (auto ensured = EnsureSession(); !ensured.ok()) return ensured.error();
  auto reply = InvokeOnce(call);
  if (reply.ok() || reply.error().kind != ErrorKind::kAuthExpired) return reply;
  log_->warn("{} {}: {}; logging in again and retrying once", call.method, call.path, reply.error().ToString());
  session_ = Session{};
  if (auto login = Login(); !login.ok()) return login.error();
  return InvokeOnce(call);
}

Result<json> Client::InvokeOnce(const Call& call) {
  HttpRequest request;
  request.method = call.method;
  request.path = call.path;
  request.body = call.body;
  request.may_resend = !call.order_write;
  request.headers = {
      {"Content-Type", "application/json"},
      {"Accept", "application/json"},
      {"X-UserType", "USER"},
      {"X-SourceID", "WEB"},
      {"X-ClientLocalIP", identity_.local_ip},
      {"X-ClientPublicIP", identity_.public_ip},
      {"X-MACAddress", identity_.mac_address},
      {"X-PrivateKey", credentials_.api_key},
  };
  if (call.authorized) request.headers.emplace_back("Authorization", "Bearer " + session_.jwt_token);

  for (int attempt = 0;; ++attempt) {
    limiter_.Acquire(call.endpoint);
    const SteadyTime start = clock_.steady();
    auto sent = transport_->Send(request);
    const auto elapsed_us = std::chrono::duration_cast<std::chrono::microseconds>(clock_.steady() - start).count();
    if (!sent.ok()) {
      Error error = TransportFailure(sent.error(), call.order_write);
      log_->warn("{} {} failed after {} us: {}", call.method, call.path, elapsed_us, error.ToString());
      return error;
    }
    log_->debug("{} {} -> HTTP {} in {} us", call.method, call.path, sent->status, elapsed_us);
    auto reply = ParseReply(*sent, call.order_write);
    if (reply.ok() || reply.error().kind != ErrorKind::kThrottled || attempt >= options_.throttle_retries) {
      return reply;
    }
    log_->warn("{} {} throttled by the broker; retrying in {} ms", call.method, call.path,
               std::chrono::duration_cast<std::chrono::milliseconds>(options_.throttle_backoff).count());
    options_.sleep(options_.throttle_backoff);
  }
}

}  // namespace ct::smartapi
