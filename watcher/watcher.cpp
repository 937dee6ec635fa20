#include "watcher/watcher.h"

#include <cctype>
#include <ctime>

#include "common/log/log.h"

namespace ct::watcher {
namespace v1 = copytrade::v1;
namespace {

// "ORDER_EVENT_PARTIALLY_FILLED" -> "partially filled"
std::string KindText(v1::OrderEventKind kind) {
  std::string text = v1::OrderEventKind_Name(kind).substr(12);
  for (char& ch : text) ch = ch == '_' ? ' ' : static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return text;
}

void LogEvent(const v1::MasterOrderEvent& e) {
  const auto& o = e.order();
  auto lg = log::Get("watcher");
  if (e.kind() == v1::ORDER_EVENT_MODIFIED) {
    const auto& p = e.previous();
    lg->info("master order {} modified: {} x{} {} @ {:.2f} trigger {:.2f} (was {} x{} @ {:.2f} trigger {:.2f}) [{}]",
             o.orderid(), o.tradingsymbol(), o.quantity(), o.ordertype(), o.price(), o.triggerprice(), p.ordertype(),
             p.quantity(), p.price(), p.triggerprice(), e.source());
    return;
  }
  lg->info("{}master order {} {}: {} {} x{} {} @ {:.2f} filled {} ({}, {}) [{}]",
           e.kind() == v1::ORDER_EVENT_PLACED ? "new " : "", o.orderid(), KindText(e.kind()), o.transactiontype(),
           o.tradingsymbol(), o.quantity(), o.ordertype(), o.averageprice() > 0 ? o.averageprice() : o.price(),
           o.filledshares(), o.exchange(), o.producttype(), e.source());
}

}  // namespace

Watcher::Watcher(bus::Journal& journal, bus::StreamPublisher& publisher, const Clock& clock,
                 std::string master_client_id)
    : journal_(journal),
      publisher_(publisher),
      clock_(clock),
      master_client_id_(std::move(master_client_id)),
      store_(journal) {
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

smartapi::Result<Watcher::Start> Watcher::Begin(MasterAccount& account) {
  if (Restore()) return Start::kRestored;
  auto baseline = ReadBaseline(account);
  if (!baseline.ok()) return baseline.error();
  SetBaseline(*baseline);
  return Start::kNewBaseline;
}

bool Watcher::Restore() {
  const std::string today = Today();
  auto state = store_.Load(today);
  if (!state) return false;
  day_ = today;
  tracker_.Restore(std::move(*state));
  return true;
}

void Watcher::SetBaseline(const Baseline& baseline) {
  day_ = Today();
  tracker_.SetBaseline(baseline.book, baseline.positions);
  journal_.Transaction([&] { store_.SaveBaseline(day_, tracker_.state()); });
  auto lg = log::Get("watcher");
  lg->info("baseline: {} existing master order(s) will not be copied", baseline.book.size());
  if (baseline.positions) {
    lg->info("baseline: the master holds {} position(s)", baseline.positions->size());
  } else {
    lg->warn("baseline: the master's positions are unknown today ({}); events will say so",
             baseline.positions_problem);
  }
}

void Watcher::OnPush(const v1::Order& order, SteadyTime received) { Apply({order}, Source::kFeed, received); }

void Watcher::OnPoll(const std::vector<v1::Order>& book, SteadyTime sent) { Apply(book, Source::kPoll, sent); }

void Watcher::OnPushes(const std::vector<Push>& pushes) {
  std::vector<bus::StreamPublisher::Staged> out;
  journal_.Transaction([&] {
    for (const auto& p : pushes) Stage({p.order}, Source::kFeed, p.received, out);
  });
  for (const auto& staged : out) {
    LogEvent(staged.envelope.master_order_event());
    publisher_.Send(staged);
  }
}

void Watcher::Apply(const std::vector<v1::Order>& views, Source source, SteadyTime taken) {
  std::vector<bus::StreamPublisher::Staged> out;
  journal_.Transaction([&] { Stage(views, source, taken, out); });
  for (const auto& staged : out) {
    LogEvent(staged.envelope.master_order_event());
    publisher_.Send(staged);
  }
}

void Watcher::Stage(const std::vector<v1::Order>& views, Source source, SteadyTime taken,
                    std::vector<bus::StreamPublisher::Staged>& out) {
  auto applied = tracker_.Apply(views, {source, taken, clock_.wall_ns()});
  if (applied.empty()) return;
  const auto& state = tracker_.state();
  for (const auto& id : applied.orders) store_.SaveOrder(day_, id, state.orders.at(id));
  for (const auto& key : applied.positions) store_.SavePosition(day_, key, state.positions.at(key));
  for (auto& e : applied.events) {
    e.set_master_client_id(master_client_id_);
    bus::Envelope env;
    *env.mutable_master_order_event() = std::move(e);
    out.push_back(publisher_.Stage("master", std::move(env)));
  }
}

Poller::Poller(const Clock& clock, std::chrono::milliseconds interval, std::function<void()> poll)
    : clock_(clock), interval_(interval), poll_(std::move(poll)) {
  thread_ = std::thread([this] {
    std::unique_lock lock(mu_);
    while (!stop_) {
      const SteadyTime next = clock_.steady() + interval_;
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
