// Shared fixture pieces for the sim unit tests: the shipped instrument and
// freeze quantity files and a fully wired BrokerApi on a FakeClock.
#pragma once

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "common/time/clock.h"
#include "common/totp/totp.h"
#include "sim/broker_api.h"

namespace ct::sim::testing {

inline FreezeQuantities ShippedFreezeQuantities() {
  auto t = FreezeQuantities::Load(CT_SOURCE_DIR "/sim/data/freeze_quantities.csv");
  if (!t.ok()) {
    ADD_FAILURE() << t.error();
    std::abort();
  }
  return std::move(t).value();
}

inline InstrumentTable ShippedInstruments() {
  auto t = InstrumentTable::Load(CT_SOURCE_DIR "/sim/data/OpenAPIScripMaster.json");
  if (!t.ok()) {
    ADD_FAILURE() << t.error();
    std::abort();
  }
  return std::move(t).value();
}

constexpr char kMasterSecret[] = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";
constexpr char kFollowerSecret[] = "KRSXG5CTMVRXEZLUKRSXG5CTMVRXEZLU";

// 2026-11-25 10:00:00 IST (04:30:00 UTC), a Wednesday.
constexpr int64_t kMorningNs = 1'795'581'000'000'000'000;

class ApiHarness {
 public:
  explicit ApiHarness(OrderRules rules = {})
      : clock(kMorningNs),
        instruments(ShippedInstruments()),
        sessions(clock, "test-signing-key"),
        engine(clock, instruments, 7),
        limiter(clock),
        api(clock, instruments, sessions, engine, limiter, faults, std::move(rules)) {
    engine.set_freeze_quantities(ShippedFreezeQuantities());
    sessions.AddAccount({"M1234567", "masterkey", "1234", kMasterSecret, "master"});
    sessions.AddAccount({"F1111111", "f1key", "1111", kFollowerSecret, "follower-1"});
  }

  std::string Totp(const std::string& secret) const {
    return ct::totp::Code(secret, clock.wall_ns() / 1'000'000'000).value();
  }

  SimReply Call(const std::string& method, const std::string& target, const std::string& body = "",
                const std::string& jwt = "", const std::string& api_key = "masterkey") {
    SimRequest r;
    r.method = method;
    r.target = target;
    r.body = body;
    r.headers["content-type"] = "application/json";
    r.headers["x-privatekey"] = api_key;
    r.headers["x-usertype"] = "USER";
    r.headers["x-sourceid"] = "WEB";
    if (!jwt.empty()) r.headers["authorization"] = "Bearer " + jwt;
    r.peer_address = peer;
    return api.Handle(r);
  }

  static nlohmann::json Parse(const SimReply& reply) {
    auto j = nlohmann::json::parse(reply.body, nullptr, false);
    EXPECT_FALSE(j.is_discarded()) << reply.body;
    return j;
  }

  nlohmann::json Login(const std::string& client = "M1234567", const std::string& key = "masterkey",
                       const std::string& password = "1234", const std::string& secret = kMasterSecret) {
    nlohmann::json body = {{"clientcode", client}, {"password", password}, {"totp", Totp(secret)}};
    return Parse(Call("POST", "/rest/auth/angelbroking/user/v1/loginByPassword", body.dump(), "", key));
  }

  std::string Jwt() { return Login()["data"]["jwtToken"].get<std::string>(); }

  // Moves past every per-second window so the next call is not throttled.
  void NextSecond() { clock.advance(std::chrono::milliseconds(1001)); }

  std::string peer = "127.0.0.1";  // the source address of Call's requests
  FakeClock clock;
  InstrumentTable instruments;
  SessionStore sessions;
  OrderEngine engine;
  RateLimiter limiter;
  FaultTable faults;
  BrokerApi api;
};

// A BUY LIMIT at this price fills at once: SBIN's default price is below
// 1000 (and NSE cash has no price band in the sim).
constexpr double kMarketableSbin = 1000.0;

// A SmartAPI placeOrder body for SBIN-EQ; by default a marketable LIMIT
// (the API refuses MARKET).
inline nlohmann::json SbinOrder(const std::string& ordertype = "LIMIT", double price = kMarketableSbin,
                                int quantity = 1, const std::string& side = "BUY") {
  return {{"variety", ordertype.rfind("STOPLOSS", 0) == 0 ? "STOPLOSS" : "NORMAL"},
          {"tradingsymbol", "SBIN-EQ"},
          {"symboltoken", "3045"},
          {"transactiontype", side},
          {"exchange", "NSE"},
          {"ordertype", ordertype},
          {"producttype", "INTRADAY"},
          {"duration", "DAY"},
          {"price", std::to_string(price)},
          {"squareoff", "0"},
          {"stoploss", "0"},
          {"quantity", std::to_string(quantity)}};
}

}  // namespace ct::sim::testing
