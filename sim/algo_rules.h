// The retail-algo rules of 2026 (SMARTAPI.md §10) as the sim enforces them,
// as pure functions; BrokerApi and OrderEngine apply them.
//
//   * API order writes may not be MARKET, STOPLOSS_MARKET or IOC: refused at
//     once (AB2000, the message names the rule). Orders entered in the
//     broker's app are not algo orders and may. --legacy-order-rules lifts
//     the API refusal for side-by-side runs with old clients.
//   * Static IP: an account with a registered address accepts API order
//     writes (place/modify/cancel) only from that source address; others
//     are refused at once (kStaticIpErrorCode, naming the address seen).
//   * Limit Price Protection on NFO/BFO options and futures: a limit price
//     outside the band around the reference (the instrument's current sim
//     price) is rejected (new order: accepted, then `rejected` with the LPP
//     text; modification: refused; SL-limit: checked when it triggers).
//       NFO options  reference <= 50: +/- Rs 20; above: +/- 40 %
//       NFO futures  +/- 3 %
//       BFO options  +/- 60 %, at least Rs 30
//       BFO futures  +/- 3 %, at least Rs 1.50
//     The band's ends are rounded inwards to the tick, and the lower end is
//     at least one tick; a price on an end is inside.
//
// Where the live behaviour is unconfirmed the sim picks the stricter reading
// (sim/README.md, "The 2026 rules").
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/core/result.h"
#include "sim/instruments.h"

namespace ct::sim {

// The code of a refused MARKET/SL-M/IOC API order: the broker's generic
// code, so a client cannot come to rely on a code Angel One may not send.
inline constexpr std::string_view kOrderTypeErrorCode = "AB2000";
// The sim's own code for an order write from an unregistered address (the
// live reply is unconfirmed).
inline constexpr std::string_view kStaticIpErrorCode = "AB1100";
inline constexpr std::string_view kLppErrorCode = "AB2000";
inline constexpr std::string_view kLppText =
    "Order price is beyond the Limit Price Protection range defined by the exchange.";

struct OrderRules {
  // --legacy-order-rules: MARKET, STOPLOSS_MARKET and IOC allowed from the API.
  bool legacy_order_types = false;
  // --static-ip CLIENTCODE=ADDR: the registered address per client code.
  std::map<std::string, std::string, std::less<>> static_ips;
};

// Parses --static-ip values "CLIENTCODE=ADDR" (ADDR an IPv4 or IPv6
// address, kept in canonical form) for accounts in `client_codes`. The
// error names the value and the problem.
Result<std::map<std::string, std::string, std::less<>>, std::string> ParseStaticIps(
    const std::vector<std::string>& values, const std::vector<std::string>& client_codes);

// The refusal message for an API order with this type and duration, or
// nullopt when allowed.
std::optional<std::string> ApiOrderTypeRefusal(std::string_view ordertype, std::string_view duration);

// "Order not allowed from IP 127.0.0.12: the registered static IP of F101
// is 127.0.0.11"
std::string StaticIpRefusal(std::string_view client_code, std::string_view seen, std::string_view registered);

struct PriceBand {
  int64_t low_paise = 0;
  int64_t high_paise = 0;
  bool Contains(double price) const;
};

// The LPP band of `instrument` around `reference`; nullopt when LPP does not
// apply (anything but NFO/BFO options and futures).
std::optional<PriceBand> LppBand(const Instrument& instrument, double reference);

// The rejection text for a limit price outside the band, or nullopt when
// inside (or LPP does not apply). `stop_loss` words it for a triggered
// SL-limit order.
std::optional<std::string> LppRejection(const Instrument& instrument, double reference, double price,
                                        bool stop_loss);

}  // namespace ct::sim
