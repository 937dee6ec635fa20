#include "watcher/master_account.h"

#include "watcher/order_tracker.h"

namespace ct::watcher {
namespace v1 = copytrade::v1;
namespace {

std::map<std::string, int64_t> FillsOf(const std::vector<v1::Order>& book) {
  std::map<std::string, int64_t> fills;
  for (const auto& o : book)
    if (o.filledshares() > 0) fills[o.orderid()] = o.filledshares();
  return fills;
}

}  // namespace

ClientMasterAccount::ClientMasterAccount(smartapi::Client& client) : client_(client) { HandOverToken(); }

void ClientMasterAccount::HandOverToken() {
  std::lock_guard lock(mu_);
  token_ = client_.session().jwt_token;
}

std::string ClientMasterAccount::token() const {
  std::lock_guard lock(mu_);
  return token_;
}

smartapi::Result<std::vector<v1::Order>> ClientMasterAccount::OrderBook() {
  auto book = client_.GetOrderBook();
  HandOverToken();  // whatever the outcome: a re-login may have happened inside
  return book;
}

smartapi::Result<std::vector<smartapi::Position>> ClientMasterAccount::Positions() {
  auto positions = client_.GetPosition();
  HandOverToken();
  return positions;
}

std::map<std::string, int64_t> NetPositions(const std::vector<smartapi::Position>& rows) {
  std::map<std::string, int64_t> net;
  for (const auto& p : rows) net[PositionKey(p.exchange, p.symboltoken, p.producttype)] += p.netqty;
  return net;
}

smartapi::Result<Baseline> ReadBaseline(MasterAccount& account) {
  auto book = account.OrderBook();
  if (!book.ok()) return book.error();
  Baseline baseline;
  baseline.book = std::move(book).value();
  for (int attempt = 0; attempt < kBaselineTries; ++attempt) {
    auto positions = account.Positions();
    if (!positions.ok()) {
      baseline.positions_problem = "getPosition failed: " + positions.error().ToString();
      return baseline;
    }
    auto again = account.OrderBook();
    if (!again.ok()) {
      // The first book still stands; only the positions are in doubt.
      baseline.positions_problem = "order book re-read failed: " + again.error().ToString();
      return baseline;
    }
    const bool agree = FillsOf(again.value()) == FillsOf(baseline.book);
    baseline.book = std::move(again).value();
    if (agree) {
      baseline.positions = NetPositions(positions.value());
      return baseline;
    }
  }
  baseline.positions_problem = "fills kept arriving while the positions were read";
  return baseline;
}

}  // namespace ct::watcher
