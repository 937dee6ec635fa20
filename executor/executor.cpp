#include "executor/executor.h"

#include <algorithm>
#include <optional>

#include "common/log/log.h"
#include "common/time/ist.h"

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

void StreamReportOutbox::StageState(const v1::FollowerState& state) {
  bus::Envelope env;
  *env.mutable_follower_state() = state;
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

InstrumentLookup InstrumentsFrom(std::shared_ptr<const instruments::InstrumentMaster> master,
                                 std::shared_ptr<const instruments::FreezeTable> freeze, const Clock* clock) {
  return [master = std::move(master), freeze = std::move(freeze), clock](const v1::Order& o) {
    const instruments::Instrument* in = master ? master->Find(o.exchange(), o.symboltoken()) : nullptr;
    if (in == nullptr) return InstrumentFromOrder(o);
    InstrumentInfo info;
    // A tick that is not whole paise (currency, 0.25 p) is priced on 1 p.
    info.tick_paise = in->tick_paise > 0 ? in->tick_paise : 1;
    info.lot_size = in->lot_size;
    using instruments::Segment;
    if (instruments::IsOptions(in->segment)) info.segment = executor::Segment::kOptions;
    else if (instruments::IsFutures(in->segment)) info.segment = executor::Segment::kFutures;
    else if (in->segment == Segment::kCommodity) info.segment = executor::Segment::kCommodity;
    else if (in->segment == Segment::kCurrency) info.segment = executor::Segment::kCurrency;
    else info.segment = executor::Segment::kEquity;
    if (freeze && clock) {
      if (auto q = freeze->FreezeQuantity(*in, ist::DayOf(clock->wall_ns()))) info.freeze_quantity = *q;
    }
    return info;
  };
}

std::string LegTag(const std::string& ordertag, int leg) {
  // FNV-1a 64 (stable across builds, unlike std::hash), as the router's tags.
  uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : ordertag + "#" + std::to_string(leg)) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  std::string digits(13, '0');
  for (int i = 12; i >= 0; --i) {
    digits[static_cast<size_t>(i)] = "0123456789abcdefghijklmnopqrstuvwxyz"[h % 36];
    h /= 36;
  }
  return "ct" + digits;
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
      store_(journal) {
  // A dry run has no broker session: its book starts flat and moves with
  // what it would have placed.
  if (options_.dry_run) positions_.set_loaded();
}

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
      if (ci.has_exit() && !positions_.loaded()) {
        // An exit is sized from the follower's position: wait for it (the
        // stream gives this instruction again, in order).
        RequestPositions();
        return false;
      }
      Start(ci, envelope.seq(), envelope.stream_id());
      return true;
    case v1::COPY_ACTION_CANCEL_ALL:
      CancelAll("stop-all", envelope.seq(), envelope.stream_id());
      return true;
    case v1::COPY_ACTION_MODIFY:
    case v1::COPY_ACTION_CANCEL:
      MirrorInstruction(ci, envelope.seq(), envelope.stream_id());
      return true;
    default:
      log::Get("executor")->warn("instruction {} with action {} is not handled; skipped", ci.ordertag(),
                                 v1::CopyAction_Name(ci.action()));
      consume();
      return true;
  }
}

void Executor::Start(const v1::CopyInstruction& ci, uint64_t seq, const std::string& stream) {
  const int64_t now = clock_.wall_ns();
  const CopyContext ctx = ContextFor(ci);
  const auto& o = ci.order();
  const int64_t lot = ctx.instrument.lot_size > 0 ? ctx.instrument.lot_size : std::max<int64_t>(1, o.lotsize());
  v1::CopyInstruction sized = ci;
  std::string skip;
  int64_t per_order = ctx.instrument.freeze_quantity;
  if (ci.has_exit()) {
    if (ExitAlreadySized(ci)) {
      skip = "this exit was sized (from the follower's position) and sliced with its first leg";
    } else {
      const ExitSize size = SizeExit(positions_.Net(o), o.transactiontype() == "SELL", ci.exit().fraction(),
                                     ci.exit().flatten(), lot, InFlight(o));
      if (size.quantity <= 0) skip = size.skipped;
      sized.mutable_order()->set_quantity(size.quantity);
      log::Get("executor")->info("exit of {} {} for {}: holds {}, {} -> {}", o.tradingsymbol(), o.producttype(),
                                 options_.follower_id, positions_.Net(o),
                                 ci.exit().flatten() ? std::string("flatten") : std::to_string(ci.exit().fraction()),
                                 size.quantity > 0 ? std::to_string(size.quantity) : size.skipped);
    }
    if (options_.max_quantity > 0 && (per_order <= 0 || options_.max_quantity < per_order))
      per_order = options_.max_quantity;
  } else {
    skip = CapBreach(ci);
  }
  // Over the freeze quantity: several orders (legs), each under it.
  std::vector<int64_t> chunks{sized.order().quantity()};
  if (skip.empty() && ci.legs() <= 1) chunks = SliceLegs(sized.order().quantity(), per_order, lot);
  Work work;
  for (size_t i = 0; i < chunks.size(); ++i) {
    v1::CopyInstruction leg = sized;
    if (chunks.size() > 1) {
      const std::string tag = i == 0 ? ci.ordertag() : LegTag(ci.ordertag(), static_cast<int>(i));
      leg.set_ordertag(tag);
      leg.mutable_order()->set_ordertag(tag);
      leg.set_leg(static_cast<int32_t>(i));
      leg.set_legs(static_cast<int32_t>(chunks.size()));
      if (leg.copy_id().empty()) leg.set_copy_id(ci.ordertag());
      leg.mutable_order()->set_quantity(chunks[i]);
    }
    auto copy = std::make_unique<Copy>(ctx, leg, seq, now);
    Step step = skip.empty() ? copy->Start(now) : copy->Skip(skip, now);
    accounted_[leg.ordertag()] = 0;
    copies_[leg.ordertag()].copy = std::move(copy);
    work.emplace_back(leg.ordertag(), std::move(step));
  }
  // The cursor commits with the copy's intent: a crash either has both or neither.
  Commit(std::move(work), [&] { journal_.SetCursor(stream, seq); });
}

bool Executor::ExitAlreadySized(const v1::CopyInstruction& ci) {
  auto group = [](const v1::CopyInstruction& i) { return i.copy_id().empty() ? i.ordertag() : i.copy_id(); };
  if (ci.master_order_id().empty()) return false;
  for (const auto& tag : store_.OfMaster(ci.master_order_id())) {
    const auto rec = store_.Load(tag);
    if (rec && rec->instruction().has_exit() && group(rec->instruction()) == group(ci)) return true;
  }
  return false;
}

std::string Executor::CapBreach(const v1::CopyInstruction& ci) const {
  const auto& o = ci.order();
  char buf[160];
  if (options_.max_quantity > 0 && o.quantity() > options_.max_quantity) {
    std::snprintf(buf, sizeof buf, "quantity %lld is over max_quantity %lld", static_cast<long long>(o.quantity()),
                  static_cast<long long>(options_.max_quantity));
    return buf;
  }
  const double price = ci.reference_price() > 0 ? ci.reference_price()
                       : o.price() > 0          ? o.price()
                                                : ci.master_average_price();
  const double value = price * static_cast<double>(o.quantity());
  if (options_.max_order_value > 0 && price > 0 && value > options_.max_order_value) {
    std::snprintf(buf, sizeof buf, "order value %.2f (%lld x %.2f) is over max_order_value %.2f", value,
                  static_cast<long long>(o.quantity()), price, options_.max_order_value);
    return buf;
  }
  return "";
}

int64_t Executor::InFlight(const v1::Order& o) const {
  int64_t units = 0;
  for (const auto& [tag, live] : copies_) {
    const auto& rec = live.copy->record();
    const auto& other = rec.instruction().order();
    if (other.exchange() == o.exchange() && other.symboltoken() == o.symboltoken() &&
        other.producttype() == o.producttype() && other.transactiontype() == o.transactiontype())
      units += std::max<int64_t>(0, rec.quantity() - rec.filled());
  }
  return units;
}

void Executor::AccountFills(const std::string& tag, const v1::CopyRecord& rec, bool done) {
  int64_t filled = rec.filled();
  // A dry run's book moves with what it would have placed.
  if (done && rec.final_report().outcome() == v1::OUTCOME_DRY_RUN) filled = rec.quantity();
  auto& seen = accounted_[tag];
  const int64_t delta = filled - seen;
  if (delta > 0 && positions_.loaded()) {
    const auto& o = rec.instruction().order();
    positions_.Fill(o, o.transactiontype() == "SELL" ? -delta : delta);
  }
  if (delta > 0) seen = filled;
  if (done) accounted_.erase(tag);
}

std::vector<std::string> Executor::TargetsOf(const v1::CopyInstruction& ci) {
  std::vector<std::string> tags;
  auto add = [&tags](const std::string& t) {
    if (!t.empty() && std::find(tags.begin(), tags.end(), t) == tags.end()) tags.push_back(t);
  };
  // The router names each leg it changes: then only that leg. Without a
  // known target, every copy of the master order (all its legs).
  const std::string& target = ci.target_ordertag();
  if (!target.empty() && (copies_.count(target) || store_.Exists(target))) {
    add(target);
    return tags;
  }
  add(target);
  if (!ci.master_order_id().empty())
    for (const auto& t : store_.OfMaster(ci.master_order_id())) add(t);
  return tags;
}

void Executor::MirrorInstruction(const v1::CopyInstruction& ci, uint64_t seq, const std::string& stream) {
  const int64_t now = clock_.wall_ns();
  const bool cancel = ci.action() == v1::COPY_ACTION_CANCEL;
  const auto tags = TargetsOf(ci);
  std::vector<std::string> live;
  for (const auto& t : tags)
    if (copies_.count(t)) live.push_back(t);
  Work work;
  v1::CopyInstruction each = ci;
  // A quantity cannot be split over legs here: with several legs only the
  // price, trigger and type follow.
  // An exit's quantity is the executor's (from the position), not the
  // router's estimate: its price, trigger and type follow.
  if (live.size() > 1 || ci.has_exit()) each.mutable_order()->set_quantity(0);
  for (const auto& t : live) {
    auto& copy = *copies_.at(t).copy;
    const std::string why = ci.order().text().empty() ? "the master cancelled its order" : ci.order().text();
    work.emplace_back(t, cancel ? copy.Cancel(why, now) : copy.Mirror(each, seq, now));
  }
  std::vector<v1::ExecutionReport> extra;
  if (live.empty()) {
    // Nothing open to change: the copy ended (filled, rejected, cancelled)
    // or never was. Said so; never a new order for it.
    const std::string what = cancel ? "cancel" : "modification";
    std::optional<v1::CopyRecord> rec;
    for (const auto& t : tags)
      if ((rec = store_.Load(t))) break;
    if (rec) {
      std::string state = v1::Outcome_Name(rec->final_report().outcome());
      if (state.rfind("OUTCOME_", 0) == 0) state = state.substr(8);
      const std::string reason = "the copy " + rec->instruction().ordertag() + " had already ended (" + state +
                                 ", " + std::to_string(rec->filled()) + " of " + std::to_string(rec->quantity()) +
                                 " filled) when the master's " + what + " came; not applied, no new order";
      Copy ended(ContextFor(rec->instruction()), *rec);
      extra.push_back(ended.InstructionReport(ci, seq, v1::OUTCOME_SKIPPED, reason, now));
    } else {
      v1::ExecutionReport r;
      r.set_follower_id(options_.follower_id);
      r.set_master_order_id(ci.master_order_id());
      r.set_outcome(v1::OUTCOME_SKIPPED);
      r.set_final(true);
      r.set_ordertag(InstructionKey(ci, seq));
      r.set_target_ordertag(ci.target_ordertag());
      r.set_action(ci.action());
      *r.mutable_order() = ci.order();
      r.set_instruction_seq(seq);
      r.set_reported_time_ns(now);
      r.set_master_event_time_ns(ci.master_event_time_ns());
      r.set_master_event_detected_ns(ci.detected_time_ns());
      r.set_reason("no copy of master order " + ci.master_order_id() + " to apply the master's " + what +
                   " to (it was not copied)");
      r.set_error_text(r.reason());
      extra.push_back(std::move(r));
    }
  }
  Commit(std::move(work), [&] {
    journal_.SetCursor(stream, seq);
    for (const auto& r : extra) {
      LogReport(r);
      outbox_.Stage(r);
    }
  });
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
    // What it filled before the restart is in getPosition already.
    accounted_[tag] = copy->record().filled();
    work.emplace_back(tag, copy->Resume(now));
    copies_[tag].copy = std::move(copy);
  }
  if (!work.empty()) Commit(std::move(work));
  if (!options_.dry_run) RequestPositions();
}

void Executor::RequestPositions() {
  if (positions_in_flight_ || options_.dry_run) return;
  positions_in_flight_ = true;
  std::weak_ptr<bool> alive = alive_;
  broker_.GetPositions([this, alive](smartapi::Result<std::vector<smartapi::Position>> r) {
    auto a = alive.lock();
    if (!a || !*a) return;
    positions_in_flight_ = false;
    OnPositions(r);
  });
}

void Executor::OnPositions(const smartapi::Result<std::vector<smartapi::Position>>& r) {
  if (!r.ok()) {
    broker_ok_ = false;
    SetError("getPosition: " + r.error().ToString());
    return;
  }
  broker_ok_ = true;
  double pnl = 0;
  for (const auto& p : *r) pnl += p.pnl;
  day_pnl_ = pnl;
  day_pnl_known_ = true;
  // Loaded once: from then on the book moves with the follower's own fills
  // (a position read can lag a fill that its push already showed).
  if (!positions_.loaded()) {
    positions_.Load(*r);
    log::Get("executor")->info("{} holds {} open position{} at start", options_.follower_id,
                               positions_.Entries().size(), positions_.Entries().size() == 1 ? "" : "s");
  }
}

void Executor::SetError(const std::string& text) {
  last_error_ = text;
  last_error_ns_ = clock_.wall_ns();
}

v1::FollowerState Executor::State() const {
  v1::FollowerState s;
  s.set_follower_id(options_.follower_id);
  s.set_time_ns(clock_.wall_ns());
  s.set_broker_ok(broker_ok_);
  s.set_order_feed_connected(feed_connected_);
  s.set_day_pnl_known(day_pnl_known_);
  s.set_day_pnl(day_pnl_);
  for (const auto& e : positions_.Entries()) *s.add_positions() = e;
  s.set_working_copies(static_cast<int32_t>(copies_.size()));
  s.set_last_error(last_error_);
  s.set_last_error_time_ns(last_error_ns_);
  s.set_dry_run(options_.dry_run);
  return s;
}

void Executor::Tick() {
  // getPosition at most once a second (one read in flight at a time).
  RequestPositions();
  v1::FollowerState s = State();
  v1::FollowerState timeless = s;
  timeless.clear_time_ns();
  std::string key = timeless.SerializeAsString();
  if (key == published_state_) return;
  published_state_ = std::move(key);
  journal_.Transaction([&] {
    outbox_.StageState(s);
    journal_.AfterCommit([this] { outbox_.Flush(); });
  });
}

nlohmann::json Executor::StatusExtras() {
  const int64_t now = clock_.wall_ns();
  nlohmann::json today = nlohmann::json::object();
  for (const auto& [state, n] : store_.FinalCountsSince(ist::StartOfDayNs(ist::DayOf(now)))) today[state] = n;
  return {{"follower_id", options_.follower_id},
          {"broker_ok", broker_ok_},
          {"feed_connected", feed_connected_},
          {"working_copies", copies_.size()},
          {"copies_today", today},
          {"last_error", last_error_},
          {"day_pnl", day_pnl_known_ ? nlohmann::json(day_pnl_) : nlohmann::json()}};
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
    std::vector<std::string> failed;
    for (auto& [tag, step] : work) {
      for (const auto& r : step.reports) {
        LogReport(r);
        if (r.final() && (r.outcome() == v1::OUTCOME_REJECTED || r.outcome() == v1::OUTCOME_FAILED)) {
          const std::string text = options_.follower_id + ": copy of master order " + r.master_order_id() + " (" +
                                   r.order().transactiontype() + " " + r.order().tradingsymbol() + " x" +
                                   std::to_string(r.order().quantity()) + ") " +
                                   (r.outcome() == v1::OUTCOME_REJECTED ? "REJECTED" : "FAILED") + ": " +
                                   (r.error_code().empty() ? "" : r.error_code() + " ") + r.error_text();
          SetError(text);
          failed.push_back(text);
        }
      }
      const auto it = copies_.find(tag);
      if (it == copies_.end()) continue;
      const auto& rec = it->second.copy->record();
      AccountFills(tag, rec, it->second.copy->done());
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
      journal_.AfterCommit([this, calls = std::move(calls), failed = std::move(failed)] {
        outbox_.Flush();
        if (options_.copy_failed)
          for (const auto& text : failed) options_.copy_failed(text);
        for (const auto& [tag, c] : calls) Issue(tag, c);
      });
  });
}

void Executor::Feed(const std::string& ordertag, const std::function<Step(Copy&, int64_t)>& input) {
  const auto it = copies_.find(ordertag);
  if (it == copies_.end()) return;  // finished meanwhile
  Work work;
  const int64_t now = clock_.wall_ns();
  Step step = input(*it->second.copy, now);
  // What waited for this call to end (a mirrored modify, a cancel) goes now.
  Step more = it->second.copy->Poll(now);
  step.changed = step.changed || more.changed;
  for (auto& c : more.commands) step.commands.push_back(std::move(c));
  for (auto& r : more.reports) step.reports.push_back(std::move(r));
  work.emplace_back(ordertag, std::move(step));
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
