#include "common/smartapi/wire.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cmath>
#include <nlohmann/json.hpp>
#include <optional>
#include <variant>

#include "common/log/log.h"

namespace ct::smartapi {
namespace {

using nlohmann::json;
namespace pb = google::protobuf;

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

// A short, masked excerpt of a reply for error messages.
std::string Excerpt(std::string_view body) {
  constexpr size_t kMax = 120;
  std::string text(body.substr(0, kMax));
  for (char& c : text) {
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  }
  if (body.size() > kMax) text += "...";
  return log::Mask(text);
}

Error BadResponse(std::string message) { return Error{ErrorKind::kBadResponse, "", std::move(message), 0}; }

// Numbers arrive as JSON numbers or as strings ("10.55", "", "- 2235.80");
// null and "" are 0.
std::optional<double> AsDouble(const json& v) {
  if (v.is_null()) return 0.0;
  if (v.is_number()) return v.get<double>();
  if (!v.is_string()) return std::nullopt;
  std::string text;
  for (char c : v.get_ref<const std::string&>()) {
    if (!std::isspace(static_cast<unsigned char>(c))) text.push_back(c);
  }
  if (text.empty()) return 0.0;
  const char* begin = text.data();
  if (*begin == '+') ++begin;
  double out = 0;
  auto [ptr, ec] = std::from_chars(begin, text.data() + text.size(), out);
  if (ec != std::errc() || ptr != text.data() + text.size() || !std::isfinite(out)) {
    return std::nullopt;
  }
  return out;
}

std::optional<int64_t> AsInt(const json& v) {
  if (v.is_number_integer()) return v.get<int64_t>();
  if (v.is_string()) {
    std::string_view text = Trim(v.get_ref<const std::string&>());
    int64_t out = 0;
    auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
    if (!text.empty() && ec == std::errc() && ptr == text.data() + text.size()) return out;
  }
  // "1.0", 1.0: accepted when integral.
  auto d = AsDouble(v);
  if (!d || std::trunc(*d) != *d || std::fabs(*d) > 9.0e15) return std::nullopt;
  return static_cast<int64_t>(*d);
}

std::optional<std::string> AsString(const json& v) {
  if (v.is_null()) return std::string();
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number_integer()) return v.dump();
  if (v.is_number_float()) return FormatNumber(v.get<double>());
  return std::nullopt;
}

Error FieldError(std::string_view key, const json& v) {
  return BadResponse("field '" + std::string(key) + "' has an unusable value: " + Excerpt(v.dump()));
}

// Plain structs are filled from a table of {key, member}.
template <typename T>
struct Field {
  const char* key;
  std::variant<std::string T::*, double T::*, int64_t T::*> member;
};

template <typename T, size_t N>
Result<T> ParseObject(const json& row, const std::array<Field<T>, N>& fields, const char* what) {
  if (!row.is_object()) {
    return BadResponse(std::string(what) + " is not a JSON object: " + Excerpt(row.dump()));
  }
  T out{};
  for (const Field<T>& f : fields) {
    auto it = row.find(f.key);
    if (it == row.end()) continue;
    if (auto s = std::get_if<std::string T::*>(&f.member)) {
      auto v = AsString(*it);
      if (!v) return FieldError(f.key, *it);
      out.*(*s) = std::move(*v);
    } else if (auto d = std::get_if<double T::*>(&f.member)) {
      auto v = AsDouble(*it);
      if (!v) return FieldError(f.key, *it);
      out.*(*d) = *v;
    } else {
      auto v = AsInt(*it);
      if (!v) return FieldError(f.key, *it);
      out.*(std::get<int64_t T::*>(f.member)) = *v;
    }
  }
  return out;
}

template <typename T, typename ParseRow>
Result<std::vector<T>> ParseRows(const json& data, ParseRow parse_row, const char* what) {
  std::vector<T> rows;
  if (data.is_null() || (data.is_string() && data.get_ref<const std::string&>().empty())) {
    return rows;
  }
  if (!data.is_array()) {
    return BadResponse(std::string(what) + " is not an array: " + Excerpt(data.dump()));
  }
  rows.reserve(data.size());
  for (const json& row : data) {
    auto parsed = parse_row(row);
    if (!parsed.ok()) return parsed.error();
    rows.push_back(std::move(parsed.value()));
  }
  return rows;
}

std::string StringField(const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end()) return {};
  auto v = AsString(*it);
  return v ? *v : std::string();
}

}  // namespace

bool IsAuthExpiredCode(std::string_view code) {
  static constexpr std::array<std::string_view, 5> kCodes = {"AG8001", "AG8002", "AG8003", "AB1010", "AB1011"};
  return std::find(kCodes.begin(), kCodes.end(), code) != kCodes.end();
}

bool IsThrottleText(std::string_view body) {
  const std::string lower = Lower(body);
  return lower.find("exceeding access rate") != std::string::npos ||
         lower.find("exceeding access limit") != std::string::npos ||
         lower.find("exceeding rate limit") != std::string::npos;
}

Result<json> ParseReply(const HttpResponse& response, bool order_write) {
  const int http = response.status;
  const bool server_error = http >= 500;
  auto fail = [&](ErrorKind kind, std::string code, std::string message) {
    return Error{kind, std::move(code), std::move(message), http};
  };
  // What an unreadable reply means: on an order write the order may exist;
  // on a read a 5xx is a broker-side failure worth retrying.
  const ErrorKind unreadable = order_write    ? ErrorKind::kUnknownOutcome
                               : server_error ? ErrorKind::kTransport
                                              : ErrorKind::kBadResponse;

  const std::string_view body = Trim(response.body);
  if (http == 429 || (!body.starts_with('{') && IsThrottleText(body))) {
    return fail(ErrorKind::kThrottled, "", body.empty() ? "HTTP 429" : Excerpt(body));
  }
  if (body.empty()) return fail(unreadable, "", "empty reply");

  json j = json::parse(body, nullptr, /*allow_exceptions=*/false);
  std::optional<bool> flag;
  if (j.is_object()) {
    auto it = j.find("status");
    if (it == j.end()) it = j.find("success");
    if (it != j.end()) {
      if (it->is_boolean()) {
        flag = it->get<bool>();
      } else if (it->is_string()) {
        // The docs' "status":"false" typo, tolerated.
        const std::string s = Lower(it->get<std::string>());
        if (s == "true") flag = true;
        if (s == "false") flag = false;
      }
    }
  }
  if (!flag) {
    // 401 without an envelope: the gateway refused the token before
    // anything ran, so even an order write is safe to redo after login.
    if (http == 401) return fail(ErrorKind::kAuthExpired, "", "HTTP 401: " + Excerpt(body));
    const char* what = j.is_discarded() ? "reply is not JSON: " : "reply is not a SmartAPI envelope: ";
    return fail(unreadable, "", what + Excerpt(body));
  }

  std::string code = StringField(j, "errorcode");
  if (code.empty()) code = StringField(j, "errorCode");
  std::string message = log::Mask(StringField(j, "message"));

  if (server_error && order_write) {
    // A 5xx says nothing definite about the order, whatever the body says.
    return fail(ErrorKind::kUnknownOutcome, code, message.empty() ? "server error" : message);
  }
  if (!*flag && IsAuthExpiredCode(code)) return fail(ErrorKind::kAuthExpired, code, message);
  if (server_error) {
    // A read that failed broker-side ("AB2001 Internal Error, please try
    // after sometime"): transient, worth retrying, not a verdict.
    return fail(ErrorKind::kTransport, code, message.empty() ? "server error" : message);
  }
  if (!*flag) return fail(ErrorKind::kRejected, code, message);
  auto data = j.find("data");
  if (data == j.end()) return json(nullptr);
  return std::move(*data);
}

Error TransportFailure(const TransportError& error, bool order_write) {
  const ErrorKind kind = order_write && error.maybe_delivered ? ErrorKind::kUnknownOutcome : ErrorKind::kTransport;
  return Error{kind, "", log::Mask(error.message), 0};
}

Result<Session> ParseSession(const json& data) {
  static const std::array<Field<Session>, 3> kFields = {{
      {"jwtToken", &Session::jwt_token},
      {"refreshToken", &Session::refresh_token},
      {"feedToken", &Session::feed_token},
  }};
  auto session = ParseObject(data, kFields, "session data");
  if (!session.ok()) return session;
  // Tolerate a "Bearer " prefix should the server ever add one.
  constexpr std::string_view kBearer = "Bearer ";
  if (session->jwt_token.starts_with(kBearer)) session->jwt_token.erase(0, kBearer.size());
  if (session->jwt_token.empty()) return BadResponse("session data has no jwtToken");
  return session;
}

Result<Order> ParseOrderRow(const json& row) {
  if (!row.is_object()) return BadResponse("order row is not a JSON object: " + Excerpt(row.dump()));
  // Order's proto field names are SmartAPI's keys, so reflection maps them.
  Order order;
  const pb::Descriptor* descriptor = order.GetDescriptor();
  const pb::Reflection* reflection = order.GetReflection();
  for (int i = 0; i < descriptor->field_count(); ++i) {
    const pb::FieldDescriptor* field = descriptor->field(i);
    auto it = row.find(field->name());
    if (it == row.end()) continue;
    switch (field->cpp_type()) {
      case pb::FieldDescriptor::CPPTYPE_STRING: {
        auto v = AsString(*it);
        if (!v) return FieldError(field->name(), *it);
        reflection->SetString(&order, field, std::move(*v));
        break;
      }
      case pb::FieldDescriptor::CPPTYPE_DOUBLE: {
        auto v = AsDouble(*it);
        if (!v) return FieldError(field->name(), *it);
        reflection->SetDouble(&order, field, *v);
        break;
      }
      case pb::FieldDescriptor::CPPTYPE_INT64: {
        auto v = AsInt(*it);
        if (!v) return FieldError(field->name(), *it);
        reflection->SetInt64(&order, field, *v);
        break;
      }
      default:
        std::abort();  // Order holds only strings, doubles and int64s
    }
  }
  return order;
}

Result<std::vector<Order>> ParseOrderBook(const json& data) {
  return ParseRows<Order>(data, ParseOrderRow, "order book");
}

Result<PlacedOrder> ParsePlacedOrder(const json& data, bool order_write) {
  static const std::array<Field<PlacedOrder>, 3> kFields = {{
      {"script", &PlacedOrder::script},
      {"orderid", &PlacedOrder::orderid},
      {"uniqueorderid", &PlacedOrder::uniqueorderid},
  }};
  auto placed = ParseObject(data, kFields, "order reply data");
  const ErrorKind kind = order_write ? ErrorKind::kUnknownOutcome : ErrorKind::kBadResponse;
  if (!placed.ok()) return Error{kind, "", placed.error().message, 200};
  // "Success" without an order id: the broker may or may not hold the order.
  if (placed->orderid.empty()) {
    return Error{kind, "", "success reply without an orderid: " + Excerpt(data.dump()), 200};
  }
  return placed;
}

Result<Profile> ParseProfile(const json& data) {
  if (!data.is_object()) return BadResponse("profile is not a JSON object: " + Excerpt(data.dump()));
  Profile p;
  p.clientcode = StringField(data, "clientcode");
  p.name = StringField(data, "name");
  p.email = StringField(data, "email");
  p.mobileno = StringField(data, "mobileno");
  p.lastlogintime = StringField(data, "lastlogintime");
  p.broker = StringField(data, "broker");
  if (p.broker.empty()) p.broker = StringField(data, "brokerid");
  for (const char* key : {"exchanges", "products"}) {
    auto it = data.find(key);
    if (it == data.end() || it->is_null()) continue;
    if (!it->is_array()) return FieldError(key, *it);
    auto& out = std::string_view(key) == "exchanges" ? p.exchanges : p.products;
    for (const json& v : *it) {
      auto s = AsString(v);
      if (!s) return FieldError(key, v);
      out.push_back(std::move(*s));
    }
  }
  return p;
}

Result<Rms> ParseRms(const json& data) {
  static const std::array<Field<Rms>, 14> kFields = {{
      {"net", &Rms::net},
      {"availablecash", &Rms::availablecash},
      {"availableintradaypayin", &Rms::availableintradaypayin},
      {"availablelimitmargin", &Rms::availablelimitmargin},
      {"collateral", &Rms::collateral},
      {"m2munrealized", &Rms::m2munrealized},
      {"m2mrealized", &Rms::m2mrealized},
      {"utiliseddebits", &Rms::utiliseddebits},
      {"utilisedspan", &Rms::utilisedspan},
      {"utilisedoptionpremium", &Rms::utilisedoptionpremium},
      {"utilisedholdingsales", &Rms::utilisedholdingsales},
      {"utilisedexposure", &Rms::utilisedexposure},
      {"utilisedturnover", &Rms::utilisedturnover},
      {"utilisedpayout", &Rms::utilisedpayout},
  }};
  return ParseObject(data, kFields, "RMS data");
}

Result<std::vector<Trade>> ParseTradeBook(const json& data) {
  static const std::array<Field<Trade>, 18> kFields = {{
      {"exchange", &Trade::exchange},
      {"producttype", &Trade::producttype},
      {"tradingsymbol", &Trade::tradingsymbol},
      {"instrumenttype", &Trade::instrumenttype},
      {"symbolgroup", &Trade::symbolgroup},
      {"strikeprice", &Trade::strikeprice},
      {"optiontype", &Trade::optiontype},
      {"expirydate", &Trade::expirydate},
      {"marketlot", &Trade::marketlot},
      {"precision", &Trade::precision},
      {"multiplier", &Trade::multiplier},
      {"tradevalue", &Trade::tradevalue},
      {"transactiontype", &Trade::transactiontype},
      {"fillprice", &Trade::fillprice},
      {"fillsize", &Trade::fillsize},
      {"orderid", &Trade::orderid},
      {"fillid", &Trade::fillid},
      {"filltime", &Trade::filltime},
  }};
  return ParseRows<Trade>(
      data, [](const json& row) { return ParseObject(row, kFields, "trade row"); }, "trade book");
}

Result<std::vector<Position>> ParsePositions(const json& data) {
  static const std::array<Field<Position>, 32> kFields = {{
      {"exchange", &Position::exchange},
      {"symboltoken", &Position::symboltoken},
      {"producttype", &Position::producttype},
      {"tradingsymbol", &Position::tradingsymbol},
      {"symbolname", &Position::symbolname},
      {"instrumenttype", &Position::instrumenttype},
      {"symbolgroup", &Position::symbolgroup},
      {"strikeprice", &Position::strikeprice},
      {"optiontype", &Position::optiontype},
      {"expirydate", &Position::expirydate},
      {"lotsize", &Position::lotsize},
      {"buyqty", &Position::buyqty},
      {"sellqty", &Position::sellqty},
      {"netqty", &Position::netqty},
      {"cfbuyqty", &Position::cfbuyqty},
      {"cfsellqty", &Position::cfsellqty},
      {"buyamount", &Position::buyamount},
      {"sellamount", &Position::sellamount},
      {"buyavgprice", &Position::buyavgprice},
      {"sellavgprice", &Position::sellavgprice},
      {"avgnetprice", &Position::avgnetprice},
      {"netvalue", &Position::netvalue},
      {"netprice", &Position::netprice},
      {"cfbuyamount", &Position::cfbuyamount},
      {"cfsellamount", &Position::cfsellamount},
      {"totalbuyvalue", &Position::totalbuyvalue},
      {"totalsellvalue", &Position::totalsellvalue},
      {"pnl", &Position::pnl},
      {"realised", &Position::realised},
      {"unrealised", &Position::unrealised},
      {"ltp", &Position::ltp},
      {"close", &Position::close},
  }};
  return ParseRows<Position>(
      data, [](const json& row) { return ParseObject(row, kFields, "position row"); }, "positions");
}

Result<Ltp> ParseLtp(const json& data) {
  static const std::array<Field<Ltp>, 8> kFields = {{
      {"exchange", &Ltp::exchange},
      {"tradingsymbol", &Ltp::tradingsymbol},
      {"symboltoken", &Ltp::symboltoken},
      {"open", &Ltp::open},
      {"high", &Ltp::high},
      {"low", &Ltp::low},
      {"close", &Ltp::close},
      {"ltp", &Ltp::ltp},
  }};
  return ParseObject(data, kFields, "LTP data");
}

std::string FormatNumber(double value) {
  if (value == 0) return "0";  // also turns -0 into 0
  std::array<char, 64> buf{};
  auto [ptr, ec] = std::to_chars(buf.data(), buf.data() + buf.size(), value, std::chars_format::fixed);
  if (ec != std::errc()) return "0";
  return {buf.data(), ptr};
}

std::string OrderRequestJson(const OrderRequest& r) {
  json j = {
      {"variety", r.variety},
      {"tradingsymbol", r.tradingsymbol},
      {"symboltoken", r.symboltoken},
      {"transactiontype", r.transactiontype},
      {"exchange", r.exchange},
      {"ordertype", r.ordertype},
      {"producttype", r.producttype},
      {"duration", r.duration},
      {"price", FormatNumber(r.price)},
      {"triggerprice", FormatNumber(r.triggerprice)},
      {"squareoff", FormatNumber(r.squareoff)},
      {"stoploss", FormatNumber(r.stoploss)},
      {"quantity", std::to_string(r.quantity)},
  };
  if (r.disclosedquantity != 0) j["disclosedquantity"] = std::to_string(r.disclosedquantity);
  if (r.trailingstoploss != 0) j["trailingStopLoss"] = FormatNumber(r.trailingstoploss);
  if (!r.ordertag.empty()) j["ordertag"] = r.ordertag;
  if (!r.scripconsent.empty()) j["scripconsent"] = r.scripconsent;
  return j.dump();
}

std::string ModifyRequestJson(const ModifyRequest& r) {
  json j = {
      {"variety", r.variety},
      {"orderid", r.orderid},
      {"ordertype", r.ordertype},
      {"producttype", r.producttype},
      {"duration", r.duration},
      {"price", FormatNumber(r.price)},
      {"quantity", std::to_string(r.quantity)},
      {"tradingsymbol", r.tradingsymbol},
      {"symboltoken", r.symboltoken},
      {"exchange", r.exchange},
  };
  if (r.triggerprice != 0) j["triggerprice"] = FormatNumber(r.triggerprice);
  return j.dump();
}

}  // namespace ct::smartapi
