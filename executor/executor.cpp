#include "executor/executor.h"

#include <algorithm>

#include "common/log/log.h"

namespace ct::executor {
namespace v1 = copytrade::v1;
namespace {

std::string Describe(const v1::Order& o) {
  char price[32];
  std::snprintf(price, sizeof price, "%.2f", o.price());
  return o.transactiontype() + " " + o.tradingsymbol() + " " + o.ordertype() + " x" + std::to_string(o.quantity()) +
         (o.ordertype() == "MARKET" ? "" : std::string(" @ ") + price);
}

const char* OutcomeText(v1::Outcome o) {
  switch (o) {
    case v1::OUTCOME_ACCEPTED: return "accepted";
    case v1::OUTCOME_REJECTED: return "REJECTED";
    case v1::OUTCOME_SKIPPED: return "skipped";
    case v1::OUTCOME_FAILED: return "FAILED";
    case v1::OUTCOME_DRY_RUN: return "dry run";
    case v1::OUTCOME_STALE: return "STALE";
    case v1::OUTCOME_FILLED: return "filled";
    case v1::OUTCOME_PARTIALLY_FILLED: return "partially filled";
    case v1::OUTCOME_CANCELLED: return "cancelled";
    case v1::OUTCOME_MODIFIED: return "modified";
    default: return "?";
  }
}

}  // namespace

void StreamReportOutbox::Stage(const v1::ExecutionReport& report) {
  bus::Envelope env;
  *env.mutable_execution_report() = report;
  staged_.push_back(publisher_.Stage(stream_, std::move(env)));
}

void StreamReportOutbox::Flush() {
  for (const auto& s : staged_) publisher_.Send(s);
  staged_.clear();
}

InstrumentInfo InstrumentFromOrder(const v1::Order& o) {
  InstrumentInfo info;
  info.segment = SegmentOf(o.exchange(), o.instrumenttype(), o.tradingsymbol());
  info.tick_paise = o.exchange() == "CDS" ? 1 : 5;  // a quarter paisa on CDS rounds to 1 here
  return info;
}

InstrumentLookup InstrumentsFrom(std::shared_ptr<const instruments::InstrumentMaster> master) {
  return [master = std::move(master)](const v1::Order& o) {
    const instruments::Instrument* in = master ? master->Find(o.exchange(), o.symboltoken()) : nullptr;
    if (in == nullptr) return InstrumentFromOrder(o);
    InstrumentInfo info;
    // A tick that is not whole paise (currency, 0.25 p) is priced on 1 p.
    info.tick_paise = in->tick_paise > 0 ? in->tick_paise : 1;
    using instruments::Segment;
    if (instruments::IsOptions(in->segment)) info.segment = executor::Segment::kOptions;
    else if (instruments::IsFutures(in->segment)) info.segment = executor::Segment::kFutures;
    else if (in->segment == Segment::kCommodity) info.segment = executor::Segment::kCommodity;
    else if (in->segment == Segment::kCurrency) info.segment = executor::Segment::kCurrency;
    else info.segment = executor::Segment::kEquity;
    return info;
  };
}

Executor::Executor(ExecutorOptions options, bus::Journal& journal, FollowerBroker& broker, bus::TimerQueue& timers,
                   const Clock& clock, ReportOutbox& outbox, InstrumentLookup instruments)
    : options_(std::move(options)),
      journal_(journal),
      broker_(broker),
      timers_(timers),
      clock_(clock),
      outbox_(outbox),
      instruments_(std::move(instruments)),
      store_(journal) {}

Executor::~Executor() {
  *alive_ = false;
  for (auto& [tag, live] : copies_)
    if (live.timer != 0) timers_.Cancel(live.timer);
}

CopyContext Executor::ContextFor(const v1::CopyInstruction& ci) const {
  CopyContext c;
  c.follower_id = options_.follower_id;
  c.dry_run = options_.dry_run;
  c.max_copy_delay_ms = options_.max_copy_delay_ms;
  c.execution = options_.execution;
  c.instrument = instruments_(ci.order());
  return c;
}

bool Executor::Apply(const bus::Envelope& envelope) {
  auto consume = [&] { journal_.Transaction([&] { journal_.SetCursor(envelope.stream_id(), envelope.seq()); }); };
  if (!envelope.has_copy_instruction() || envelope.copy_instruction().follower_id() != options_.follower_id) {
    consume();
    return true;
  }
  const auto& ci = envelope.copy_instruction();
  switch (ci.action()) {
    case v1::COPY_ACTION_UNSPECIFIED:
    case v1::COPY_ACTION_PLACE:
      if (copies_.count(ci.ordertag()) || store_.Exists(ci.ordertag())) {
        log::Get("executor")->warn("instruction for ordertag {} seen before; not placing again", ci.ordertag());
        consume();
        return true;
      }
      Start(ci, envelope.seq(), envelope.stream_id());
      return true;
    case v1::COPY_ACTION_CANCEL_ALL:
      CancelAll("stop-all", envelope.seq(), envelope.stream_id());
      return true;
    case v1::COPY_ACTION_CANCEL: {
      const auto it = copies_.find(ci.target_ordertag());
      if (it == copies_.end()) {
        consume();
        return true;
      }
      const int64_t now = clock_.wall_ns();
      Work work;
      work.emplace_back(ci.target_ordertag(), it->second.copy->Cancel("the master cancelled its order", now));
      Commit(std::move(work), [&] { journal_.SetCursor(envelope.stream_id(), envelope.seq()); });
      return true;
    }
    default:
      log::Get("executor")->warn("instruction {} with action {} is not handled; skipped", ci.ordertag(),
                                 v1::CopyAction_Name(ci.action()));
      consume();
      return true;
  }
}

void Executor::Start(const v1::CopyInstruction& ci, uint64_t seq, const std::string& stream) {
  const int64_t now = clock_.wall_ns();
  auto copy = std::make_unique<Copy>(ContextFor(ci), ci, seq, now);
  Step step = copy->Start(now);
  copies_[ci.ordertag()].copy = std::move(copy);
  Work work;
  work.emplace_back(ci.ordertag(), std::move(step));
  // The cursor commits with the copy's intent: a crash either has both or neither.
  Commit(std::move(work), [&] { journal_.SetCursor(stream, seq); });
}

void Executor::CancelAll(const std::string& reason, uint64_t seq, const std::string& stream) {
  const int64_t now = clock_.wall_ns();
  Work work;
  for (auto& [tag, live] : copies_) work.emplace_back(tag, live.copy->Cancel(reason, now));
  log::Get("executor")->warn("{}: cancelling {} open cop{} of {}", reason, work.size(),
                             work.size() == 1 ? "y" : "ies", options_.follower_id);
  Commit(std::move(work), [&] { journal_.SetCursor(stream, seq); });
}

void Executor::Resume() {
  const int64_t now = clock_.wall_ns();
  Work work;
  for (auto& record : store_.Unfinished()) {
    const std::string tag = record.instruction().ordertag();
    auto ctx = ContextFor(record.instruction());
    auto copy = std::make_unique<Copy>(std::move(ctx), std::move(record));
    log::Get("executor")->info("carrying on with copy {} of master order {} ({})", tag,
                               copy->record().instruction().master_order_id(),
                               v1::CopyPhase_Name(copy->record().phase()));
    work.emplace_back(tag, copy->Resume(now));
    copies_[tag].copy = std::move(copy);
  }
  if (!work.empty()) Commit(std::move(work));
}

void Executor::Commit(Work work, const std::function<void()>& also) {
  const int64_t now = clock_.wall_ns();
  bool write = static_cast<bool>(also);
  for (const auto& [tag, step] : work) write = write || step.changed || !step.reports.empty();
  std::vector<std::pair<std::string, BrokerCommand>> calls;
  journal_.Transaction([&] {
    if (also) also();
    for (const auto& [tag, step] : work) {
      if (!step.changed && step.reports.empty()) continue;
      const auto it = copies_.find(tag);
      if (it != copies_.end()) store_.Save(it->second.copy->record(), now);
      for (const auto& r : step.reports) outbox_.Stage(r);
    }
    for (auto& [tag, step] : work) {
      for (const auto& r : step.reports) LogReport(r);
      const auto it = copies_.find(tag);
      if (it == copies_.end()) continue;
      const auto& rec = it->second.copy->record();
      if (!rec.orderid().empty()) by_orderid_[rec.orderid()] = tag;
      for (auto& c : step.commands) calls.emplace_back(tag, std::move(c));
      if (it->second.copy->done()) {
        if (it->second.timer != 0) timers_.Cancel(it->second.timer);
        by_orderid_.erase(rec.orderid());
        book_current_.erase(tag);
        book_next_.erase(tag);
        copies_.erase(it);
      } else {
        Arm(tag);
      }
    }
    // Reports and broker calls leave once the records they rest on are
    // durable: when this transaction commits, or the batch it joined.
    if (write || !calls.empty())
      journal_.AfterCommit([this, calls = std::move(calls)] {
        outbox_.Flush();
        for (const auto& [tag, c] : calls) Issue(tag, c);
      });
  });
}

void Executor::Feed(const std::string& ordertag, const std::function<Step(Copy&, int64_t)>& input) {
  const auto it = copies_.find(ordertag);
  if (it == copies_.end()) return;  // finished meanwhile
  Work work;
  work.emplace_back(ordertag, input(*it->second.copy, clock_.wall_ns()));
  Commit(std::move(work));
}

void Executor::Issue(const std::string& tag, const BrokerCommand& c) {
  std::weak_ptr<bool> alive = alive_;
  auto guard = [alive] {
    auto a = alive.lock();
    return a && *a;
  };
  switch (c.kind) {
    case BrokerCommand::Kind::kPlace:
      {
        v1::Order o;
        o.set_transactiontype(c.place.transactiontype);
        o.set_tradingsymbol(c.place.tradingsymbol);
        o.set_ordertype(c.place.ordertype);
        o.set_quantity(c.place.quantity);
        o.set_price(c.place.price);
        log::Get("executor")->info("placing {} for {} (ordertag {})", Describe(o), options_.follower_id, tag);
      }
      broker_.PlaceOrder(c.place, [this, tag, guard](smartapi::Result<smartapi::PlacedOrder> r) {
        if (guard()) Feed(tag, [&](Copy& copy, int64_t now) { return copy.OnPlaced(r, now); });
      });
      return;
    case BrokerCommand::Kind::kModify:
      broker_.ModifyOrder(c.modify, [this, tag, guard](smartapi::Result<smartapi::PlacedOrder> r) {
        if (guard()) Feed(tag, [&](Copy& copy, int64_t now) { return copy.OnModified(r, now); });
      });
      return;
    case BrokerCommand::Kind::kCancel:
      broker_.CancelOrder(c.variety, c.orderid, [this, tag, guard](smartapi::Result<smartapi::PlacedOrder> r) {
        if (guard()) Feed(tag, [&](Copy& copy, int64_t now) { return copy.OnCancelled(r, now); });
      });
      return;
    case BrokerCommand::Kind::kGetLtp:
      broker_.GetLtp(c.exchange, c.tradingsymbol, c.symboltoken, [this, tag, guard](smartapi::Result<smartapi::Ltp> r) {
        if (guard()) Feed(tag, [&](Copy& copy, int64_t now) { return copy.OnLtp(r, now); });
      });
      return;
    case BrokerCommand::Kind::kReadOrder:
      if (!c.uniqueorderid.empty()) {
        broker_.GetOrderDetails(c.uniqueorderid, [this, tag, guard](smartapi::Result<smartapi::Order> r) {
          if (guard()) Feed(tag, [&](Copy& copy, int64_t now) { return copy.OnDetails(r, now); });
        });
        return;
      }
      WantBook(tag);
      return;
    case BrokerCommand::Kind::kFindByTag:
      WantBook(tag);
      return;
  }
}

void Executor::WantBook(const std::string& tag) {
  book_next_.insert(tag);
  if (book_in_flight_) return;
  book_in_flight_ = true;
  book_current_.swap(book_next_);
  book_next_.clear();
  std::weak_ptr<bool> alive = alive_;
  broker_.GetOrderBook([this, alive](smartapi::Result<std::vector<smartapi::Order>> book) {
    auto a = alive.lock();
    if (!a || !*a) return;
    book_in_flight_ = false;
    std::set<std::string> waiting;
    waiting.swap(book_current_);
    for (const auto& waiter : waiting)
      Feed(waiter, [&](Copy& copy, int64_t now) { return copy.OnBook(book, now); });
    if (!book_next_.empty() && !book_in_flight_) {
      // Copies that started waiting during that read get a fresh one.
      std::set<std::string> next;
      next.swap(book_next_);
      for (const auto& waiter : next) WantBook(waiter);
    }
  });
}

void Executor::OnOrderUpdate(const smartapi::Order& order) {
  std::string tag;
  if (const auto it = by_orderid_.find(order.orderid()); it != by_orderid_.end()) tag = it->second;
  else if (copies_.count(order.ordertag())) tag = order.ordertag();
  else return;  // not a copy in flight (an order placed by hand, or one already final)
  Feed(tag, [&](Copy& copy, int64_t now) { return copy.OnPush(order, now); });
}

void Executor::Arm(const std::string& tag) {
  auto& live = copies_.at(tag);
  const int64_t at = live.copy->wake_at_ns();
  if (at == live.timer_at_ns && (at == 0 || live.timer != 0)) return;
  if (live.timer != 0) timers_.Cancel(live.timer);
  live.timer = 0;
  live.timer_at_ns = at;
  if (at == 0) return;
  const auto delay = std::chrono::nanoseconds(std::max<int64_t>(0, at - clock_.wall_ns()));
  live.timer = timers_.After(delay, [this, tag] { OnTimer(tag); });
}

void Executor::OnTimer(const std::string& tag) {
  const auto it = copies_.find(tag);
  if (it == copies_.end()) return;
  it->second.timer = 0;
  it->second.timer_at_ns = 0;
  Feed(tag, [](Copy& copy, int64_t now) { return copy.OnTimer(now); });
  if (copies_.count(tag)) Arm(tag);
}

void Executor::LogReport(const v1::ExecutionReport& r) const {
  auto lg = log::Get("executor");
  const auto& o = r.order();
  switch (r.outcome()) {
    case v1::OUTCOME_ACCEPTED:
      lg->info("accepted {} for {}: broker order {}", Describe(o), options_.follower_id, r.broker_order_id());
      break;
    case v1::OUTCOME_MODIFIED:
      lg->info("re-priced {} for {} to {:.2f} (modification {})", r.ordertag(), options_.follower_id, r.limit_price(),
               r.modifications());
      break;
    case v1::OUTCOME_FILLED:
    case v1::OUTCOME_PARTIALLY_FILLED:
      lg->info("{} {} {} x{}/{} @ {:.2f} for {} (master {:.2f}, slippage {:.1f} bp, {:.1f} ms from detection){}",
               OutcomeText(r.outcome()), o.transactiontype(), o.tradingsymbol(), r.filled_quantity(), o.quantity(),
               r.average_price(), options_.follower_id, r.master_price(), r.slippage_bps(), r.timings().final_ms(),
               r.reason().empty() ? "" : ": " + r.reason());
      break;
    case v1::OUTCOME_DRY_RUN:
      lg->info("[DRY RUN] would place {} for {} (master order {}, ordertag {})", Describe(o), options_.follower_id,
               r.master_order_id(), r.ordertag());
      break;
    default:
      lg->warn("copy of master order {} for {}: {} {} {}", r.master_order_id(), options_.follower_id,
               OutcomeText(r.outcome()), r.error_code(), r.error_text());
  }
}

}  // namespace ct::executor
