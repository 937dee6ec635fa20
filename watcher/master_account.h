// MasterAccount: the reads of the master's account the watcher makes (the
// order book, the positions). ClientMasterAccount is the one over SmartAPI;
// unit tests use a fake. Called from one thread at a time: the start-up,
// then the Poller's thread.
//
// ClientMasterAccount also hands the session's token over to the order
// feed, which runs on its own thread: a re-login inside a poll (the daily
// expiry, a revoked token) renews the client's session, and the feed's next
// connect must use the new token. token() is its one thread-safe member.
//
// ReadBaseline: the book and positions the day starts from. Two calls are
// not one snapshot: a fill between them would be counted twice or never. So
// it reads the book, the positions, then the book again; when both books
// report the same fills, no fill happened in between and the positions
// agree with the second book. Otherwise it tries again, at most
// kBaselineTries times (the broker's 1/s limit on each read paces them).
#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "common/smartapi/client.h"
#include "copytrade.pb.h"

namespace ct::watcher {

class MasterAccount {
 public:
  virtual ~MasterAccount() = default;
  virtual smartapi::Result<std::vector<copytrade::v1::Order>> OrderBook() = 0;
  virtual smartapi::Result<std::vector<smartapi::Position>> Positions() = 0;
};

class ClientMasterAccount final : public MasterAccount {
 public:
  // `client` is logged in; used only through this object from here on.
  explicit ClientMasterAccount(smartapi::Client& client);
  smartapi::Result<std::vector<copytrade::v1::Order>> OrderBook() override;
  smartapi::Result<std::vector<smartapi::Position>> Positions() override;
  // The session's current jwtToken; any thread.
  std::string token() const;

 private:
  void HandOverToken();

  smartapi::Client& client_;
  mutable std::mutex mu_;
  std::string token_;  // guarded by mu_
};

struct Baseline {
  std::vector<copytrade::v1::Order> book;
  // Net quantity by PositionKey, agreeing with `book`; nullopt when unknown
  // (`positions_problem` says why).
  std::optional<std::map<std::string, int64_t>> positions;
  std::string positions_problem;
};

inline constexpr int kBaselineTries = 3;

// Fails only when the order book cannot be read; positions that cannot be
// read (or never agree with the book) leave them unknown.
smartapi::Result<Baseline> ReadBaseline(MasterAccount& account);

// getPosition rows summed by PositionKey.
std::map<std::string, int64_t> NetPositions(const std::vector<smartapi::Position>& rows);

}  // namespace ct::watcher
