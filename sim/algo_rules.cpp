#include "sim/algo_rules.h"

#include <algorithm>
#include <boost/asio/ip/address.hpp>
#include <cmath>

#include "sim/format.h"

namespace ct::sim {
namespace {

// floor(a / b) and ceil(a / b) for b > 0.
int64_t FloorDiv(int64_t a, int64_t b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }
int64_t CeilDiv(int64_t a, int64_t b) { return -FloorDiv(-a, b); }

std::string Rupees(int64_t paise) { return FixedDecimals(static_cast<double>(paise) / 100.0, 2); }

}  // namespace

Result<std::map<std::string, std::string, std::less<>>, std::string> ParseStaticIps(
    const std::vector<std::string>& values, const std::vector<std::string>& client_codes) {
  std::map<std::string, std::string, std::less<>> out;
  for (const std::string& value : values) {
    const size_t eq = value.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == value.size())
      return value + ": expected CLIENTCODE=ADDRESS";
    const std::string client = value.substr(0, eq);
    if (std::find(client_codes.begin(), client_codes.end(), client) == client_codes.end())
      return value + ": no account " + client + " in the .env file";
    boost::system::error_code ec;
    auto address = boost::asio::ip::make_address(value.substr(eq + 1), ec);
    if (ec) return value + ": " + value.substr(eq + 1) + " is not an IP address";
    // The server sees IPv4 peers in IPv4 form, whatever the listening socket.
    if (address.is_v6() && address.to_v6().is_v4_mapped())
      address = boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, address.to_v6());
    if (!out.emplace(client, address.to_string()).second) return value + ": a second static IP for " + client;
  }
  return out;
}

std::optional<std::string> ApiOrderTypeRefusal(std::string_view ordertype, std::string_view duration) {
  constexpr std::string_view kRule = " orders are not allowed through the API under the exchange's retail algo rules";
  if (ordertype == "MARKET") return "MARKET" + std::string(kRule) + "; place a LIMIT order instead";
  if (ordertype == "STOPLOSS_MARKET")
    return "STOPLOSS_MARKET" + std::string(kRule) + "; place a STOPLOSS_LIMIT order instead";
  if (duration == "IOC") return "IOC" + std::string(kRule) + "; use duration DAY";
  return std::nullopt;
}

std::string StaticIpRefusal(std::string_view client_code, std::string_view seen, std::string_view registered) {
  return "Order not allowed from IP " + std::string(seen.empty() ? "(unknown)" : seen) +
         ": the registered static IP of " + std::string(client_code) + " is " + std::string(registered);
}

bool PriceBand::Contains(double price) const {
  const int64_t paise = std::llround(price * 100.0);
  return paise >= low_paise && paise <= high_paise;
}

std::optional<PriceBand> LppBand(const Instrument& in, double reference) {
  const bool nfo = in.exchange == "NFO";
  const bool bfo = in.exchange == "BFO";
  const bool option = in.IsOption();
  const bool future = in.instrumenttype.rfind("FUT", 0) == 0;
  if ((!nfo && !bfo) || (!option && !future)) return std::nullopt;
  // Everything in hundredths of a paisa, so 40 % of any paise amount is exact.
  const int64_t ref = std::llround(reference * 100.0) * 100;
  int64_t width = 0;
  if (nfo && option) width = ref <= 5000 * 100 ? 2000 * 100 : ref * 40 / 100;
  if (nfo && future) width = ref * 3 / 100;
  if (bfo && option) width = std::max<int64_t>(ref * 60 / 100, 3000 * 100);
  if (bfo && future) width = std::max<int64_t>(ref * 3 / 100, 150 * 100);
  const int64_t tick = std::max<int64_t>(in.tick_paise, 1) * 100;
  PriceBand band;
  band.low_paise = std::max<int64_t>(CeilDiv(ref - width, tick), 1) * tick / 100;
  band.high_paise = FloorDiv(ref + width, tick) * tick / 100;
  return band;
}

std::optional<std::string> LppRejection(const Instrument& in, double reference, double price, bool stop_loss) {
  const auto band = LppBand(in, reference);
  if (!band || band->Contains(price)) return std::nullopt;
  const std::string what = stop_loss ? "stop loss limit price" : "limit price";
  const bool low = std::llround(price * 100.0) < band->low_paise;
  const std::string advice = low ? "Please increase the " + what + " to at least " + Rupees(band->low_paise)
                                 : "Please decrease the " + what + " to at most " + Rupees(band->high_paise);
  return std::string(kLppText) + " " + advice + " (allowed range " + Rupees(band->low_paise) + " - " +
         Rupees(band->high_paise) + ").";
}

}  // namespace ct::sim
