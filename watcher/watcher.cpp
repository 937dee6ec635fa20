#include "watcher/watcher.h"

#include <ctime>

#include "common/log/log.h"

namespace ct::watcher {
namespace v1 = copytrade::v1;

Watcher::Watcher(bus::Journal& journal, bus::StreamPublisher& publisher, const Clock& clock,
                 std::string master_client_id)
    : journal_(journal), publisher_(publisher), clock_(clock), master_client_id_(std::move(master_client_id)) {
  journal_.Exec(
      "CREATE TABLE IF NOT EXISTS master_orders(orderid TEXT PRIMARY KEY, day TEXT NOT NULL,"
      " baseline INTEGER NOT NULL, last_kind INTEGER NOT NULL, last_filled INTEGER NOT NULL)");
  publisher_.DeclareStream("master");
}

std::string Watcher::Today() const {
  // Trading days are IST days.
  const std::time_t t = static_cast<std::time_t>(clock_.wall_ns() / 1'000'000'000 + 5 * 3600 + 30 * 60);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[16];
  std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
  return buf;
}

bool Watcher::Restore() {
  bus::Statement q(journal_.db(), "SELECT orderid, baseline, last_kind, last_filled FROM master_orders WHERE day=?");
  q.Bind(1, Today());
  bool any = false;
  while (q.Step()) {
    any = true;
    TrackedOrder t;
    t.baseline = q.Int(1) != 0;
    t.last_kind = static_cast<v1::OrderEventKind>(q.Int(2));
    t.last_filled = q.Int(3);
    tracker_.Restore(q.Text(0), t);
  }
  // A day-marker row keeps "baseline taken today" even for an empty book.
  bus::Statement m(journal_.db(), "SELECT 1 FROM master_orders WHERE orderid=?");
  m.Bind(1, "#baseline:" + Today());
  return any || m.Step();
}

void Watcher::Persist(const std::string& orderid, const TrackedOrder& t) {
  bus::Statement up(journal_.db(),
                    "INSERT OR REPLACE INTO master_orders(orderid, day, baseline, last_kind, last_filled)"
                    " VALUES(?,?,?,?,?)");
  up.Bind(1, orderid).Bind(2, Today()).Bind(3, t.baseline ? 1 : 0).Bind(4, static_cast<int64_t>(t.last_kind))
      .Bind(5, t.last_filled);
  up.Step();
}

void Watcher::SetBaseline(const std::vector<v1::Order>& book) {
  tracker_.SetBaseline(book);
  journal_.Transaction([&] {
    journal_.Exec("DELETE FROM master_orders WHERE day <> '" + Today() + "'");
    for (const auto& [id, t] : tracker_.orders()) Persist(id, t);
    Persist("#baseline:" + Today(), TrackedOrder{true, {}, 0});
  });
  log::Get("watcher")->info("baseline: {} existing master order(s) will not be copied", book.size());
}

void Watcher::OnSnapshot(const std::vector<v1::Order>& book) {
  const int64_t now = clock_.wall_ns();
  auto events = tracker_.Update(book, now);
  if (events.empty()) return;
  std::vector<bus::StreamPublisher::Staged> out;
  journal_.Transaction([&] {
    for (auto& e : events) {
      e.set_master_client_id(master_client_id_);
      Persist(e.order().orderid(), tracker_.orders().at(e.order().orderid()));
      bus::Envelope env;
      *env.mutable_master_order_event() = e;
      out.push_back(publisher_.Stage("master", std::move(env)));
    }
  });
  auto lg = log::Get("watcher");
  for (const auto& staged : out) {
    const auto& e = staged.envelope.master_order_event();
    const auto& o = e.order();
    // "ORDER_EVENT_PARTIALLY_FILLED" -> "partially filled"
    std::string kind = v1::OrderEventKind_Name(e.kind()).substr(12);
    for (char& ch : kind) ch = ch == '_' ? ' ' : static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    lg->info("{}master order {} {}: {} {} x{} {} @ {:.2f} ({}, {})",
             e.kind() == v1::ORDER_EVENT_PLACED ? "new " : "", o.orderid(), kind, o.transactiontype(),
             o.tradingsymbol(), o.quantity(), o.ordertype(), o.averageprice() > 0 ? o.averageprice() : o.price(),
             o.exchange(), o.producttype());
    publisher_.Send(staged);
  }
}

Poller::Poller(std::chrono::milliseconds interval, std::function<void()> poll)
    : interval_(interval), poll_(std::move(poll)) {
  thread_ = std::thread([this] {
    std::unique_lock lock(mu_);
    while (!stop_) {
      const auto next = std::chrono::steady_clock::now() + interval_;
      lock.unlock();
      poll_();
      lock.lock();
      cv_.wait_until(lock, next, [this] { return stop_; });
    }
  });
}

Poller::~Poller() { Stop(); }

void Poller::Stop() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

}  // namespace ct::watcher
