#include "executor/copy.h"

#include <algorithm>
#include <cmath>

namespace ct::executor {
namespace v1 = copytrade::v1;
namespace {

constexpr int64_t kNsPerMs = 1'000'000;
constexpr int64_t kNsPerS = 1'000'000'000;
// Retry spacing for calls the broker surely did not process.
constexpr int64_t kRetryBaseNs = 200 * kNsPerMs;
// A book read that failed while looking for an unknown outcome.
constexpr int64_t kLookupRetryNs = 1 * kNsPerS;
// After a cancel was accepted, how soon its effect is read back when no
// push came, and when an order still working is cancelled again.
constexpr int64_t kCancelReadNs = 500 * kNsPerMs;
constexpr int64_t kCancelResendNs = 3 * kNsPerS;
constexpr int kMaxPricingAttempts = 5;

bool Terminal(const std::string& status) {
  return status == "complete" || status == "rejected" || status == "cancelled" ||
         status == "cancelled after market order";
}

std::string StatusOf(const smartapi::Order& o) { return o.orderstatus().empty() ? o.status() : o.orderstatus(); }

std::string Money(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", v);
  return buf;
}

std::string Percent(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g%%", v);
  return buf;
}

double MsSince(int64_t from_ns, int64_t at_ns) {
  if (from_ns <= 0 || at_ns <= 0) return 0;
  return static_cast<double>(at_ns - from_ns) / 1e6;
}

}  // namespace

smartapi::OrderRequest RequestFrom(const v1::Order& o) {
  smartapi::OrderRequest r;
  r.variety = o.variety().empty() ? "NORMAL" : o.variety();
  r.tradingsymbol = o.tradingsymbol();
  r.symboltoken = o.symboltoken();
  r.transactiontype = o.transactiontype();
  r.exchange = o.exchange();
  r.ordertype = o.ordertype();
  r.producttype = o.producttype();
  r.duration = "DAY";  // never IOC (SMARTAPI.md §10)
  r.price = o.price();
  r.triggerprice = o.triggerprice();
  r.quantity = o.quantity();
  r.ordertag = o.ordertag();
  return r;
}

Copy::Copy(CopyContext context, const v1::CopyInstruction& instruction, uint64_t seq, int64_t now_ns)
    : ctx_(std::move(context)) {
  *rec_.mutable_instruction() = instruction;
  rec_.set_instruction_seq(seq);
  rec_.set_last_instruction_seq(seq);
  rec_.set_received_ns(now_ns);
}

Copy::Copy(CopyContext context, v1::CopyRecord record) : ctx_(std::move(context)), rec_(std::move(record)) {}

bool Copy::Stale(int64_t now_ns, int64_t* age_ms) const {
  const int64_t t = rec_.instruction().master_event_time_ns();
  if (t <= 0) return false;
  *age_ms = (now_ns - t) / kNsPerMs;
  return *age_ms > ctx_.max_copy_delay_ms;
}

double Copy::MasterPrice() const {
  const auto& ci = rec_.instruction();
  if (ci.master_average_price() > 0) return ci.master_average_price();
  if (ci.reference_price() > 0) return ci.reference_price();
  return rec_.reference_price();
}

int64_t Copy::wake_at_ns() const {
  if (done() || rec_.await() != v1::COPY_AWAIT_NOTHING) return 0;
  int64_t at = 0;
  auto consider = [&at](int64_t t) {
    if (t > 0 && (at == 0 || t < at)) at = t;
  };
  switch (rec_.phase()) {
    case v1::COPY_PHASE_PRICING:
    case v1::COPY_PHASE_RETRYING:
    case v1::COPY_PHASE_LOOKING_UP:
      consider(rec_.retry_at_ns());
      break;
    case v1::COPY_PHASE_WORKING:
      consider(rec_.next_read_ns());
      if (rec_.marketable()) {
        consider(rec_.chase_deadline_ns());
        consider(rec_.next_chase_ns());
      }
      break;
    case v1::COPY_PHASE_CANCELLING:
      consider(rec_.next_read_ns());
      break;
    default:
      break;
  }
  return at;
}

// ---- start -----------------------------------------------------------------

Step Copy::Start(int64_t now_ns) {
  Step step;
  step.changed = true;
  const auto& ci = rec_.instruction();
  const auto& o = ci.order();
  int64_t age_ms = 0;
  if (Stale(now_ns, &age_ms))
    return Finish(std::move(step), v1::OUTCOME_STALE, "",
                  "master order is " + std::to_string(age_ms) + " ms old, over max_copy_delay_ms " +
                      std::to_string(ctx_.max_copy_delay_ms),
                  now_ns);
  rec_.set_quantity(o.quantity());
  if (rec_.quantity() <= 0) return Finish(std::move(step), v1::OUTCOME_SKIPPED, "", "nothing to place", now_ns);

  const bool market_type = o.ordertype() == "MARKET";
  const bool stop_market = o.ordertype() == "STOPLOSS_MARKET";
  // A MARKET order cannot rest: it is marketable whatever the instruction says.
  const bool marketable = ci.execution() == v1::EXECUTION_MARKETABLE || market_type;
  const int64_t tick = ctx_.instrument.tick_paise;
  if (marketable) {
    rec_.set_marketable(true);
    const double reference = ci.reference_price() > 0 ? ci.reference_price() : ci.master_average_price();
    if (reference > 0) return PriceAndPlace(std::move(step), reference, now_ns);
    if (ctx_.dry_run) {
      rec_.set_variety("NORMAL");
      rec_.set_ordertype("LIMIT");
      return Finish(std::move(step), v1::OUTCOME_DRY_RUN, "", "", now_ns);
    }
    rec_.set_phase(v1::COPY_PHASE_PRICING);
    rec_.set_await(v1::COPY_AWAIT_LTP);
    BrokerCommand c;
    c.kind = BrokerCommand::Kind::kGetLtp;
    c.exchange = o.exchange();
    c.tradingsymbol = o.tradingsymbol();
    c.symboltoken = o.symboltoken();
    step.commands.push_back(std::move(c));
    return step;
  }
  if (stop_market) {
    // SL-M is not allowed from the API: an SL-limit priced off its trigger.
    const double trigger = RoundToTick(o.triggerprice(), tick);
    const auto band = SafeBand(LppBand(o.exchange(), ctx_.instrument.segment, trigger), tick);
    const LimitPrice lp =
        MarketableLimit({buy(), trigger, BufferPct(ctx_.execution.limit_buffer, ctx_.instrument.segment), tick, band,
                         SlippageCap(buy(), trigger, ctx_.execution.max_slippage_pct)});
    rec_.set_converted_stop(true);
    rec_.set_variety("STOPLOSS");
    rec_.set_ordertype("STOPLOSS_LIMIT");
    rec_.set_trigger_price(trigger);
    rec_.set_limit_price(lp.price);
    rec_.set_reference_price(trigger);
    return Place(std::move(step), now_ns);
  }
  // Resting: at the master's own price and trigger (on the tick).
  const bool stop = o.ordertype() == "STOPLOSS_LIMIT";
  rec_.set_variety(stop ? "STOPLOSS" : "NORMAL");
  rec_.set_ordertype(stop ? "STOPLOSS_LIMIT" : "LIMIT");
  rec_.set_limit_price(RoundToTick(o.price(), tick));
  rec_.set_trigger_price(stop ? RoundToTick(o.triggerprice(), tick) : 0.0);
  rec_.set_reference_price(o.price());
  return Place(std::move(step), now_ns);
}

Step Copy::PriceAndPlace(Step step, double reference, int64_t now_ns) {
  const auto& o = rec_.instruction().order();
  const int64_t tick = ctx_.instrument.tick_paise;
  rec_.set_reference_price(reference);
  const LimitPrice lp = MarketableLimit(
      {buy(), reference, BufferPct(ctx_.execution.limit_buffer, ctx_.instrument.segment), tick,
       SafeBand(LppBand(o.exchange(), ctx_.instrument.segment, reference), tick),
       SlippageCap(buy(), MasterPrice(), ctx_.execution.max_slippage_pct)});
  rec_.set_variety("NORMAL");
  rec_.set_ordertype("LIMIT");
  rec_.set_limit_price(lp.price);
  rec_.set_trigger_price(0);
  rec_.set_at_slippage_cap(lp.capped);
  return Place(std::move(step), now_ns);
}

Step Copy::Place(Step step, int64_t now_ns) {
  step.changed = true;
  if (ctx_.dry_run) return Finish(std::move(step), v1::OUTCOME_DRY_RUN, "", "", now_ns);
  rec_.set_phase(v1::COPY_PHASE_PLACING);
  rec_.set_await(v1::COPY_AWAIT_PLACE);
  rec_.set_place_attempts(rec_.place_attempts() + 1);
  if (rec_.sent_ns() == 0) rec_.set_sent_ns(now_ns);
  smartapi::OrderRequest r = RequestFrom(rec_.instruction().order());
  r.variety = rec_.variety();
  r.ordertype = rec_.ordertype();
  r.price = rec_.limit_price();
  r.triggerprice = rec_.trigger_price();
  r.quantity = rec_.quantity();
  r.ordertag = rec_.instruction().ordertag();
  BrokerCommand c;
  c.kind = BrokerCommand::Kind::kPlace;
  c.place = std::move(r);
  step.commands.push_back(std::move(c));
  return step;
}

Step Copy::Resume(int64_t now_ns) {
  Step step;
  switch (rec_.phase()) {
    case v1::COPY_PHASE_DONE:
      return step;
    case v1::COPY_PHASE_UNSPECIFIED:
      return Start(now_ns);
    case v1::COPY_PHASE_PRICING:
      rec_.set_await(v1::COPY_AWAIT_NOTHING);
      rec_.set_retry_at_ns(now_ns);
      step.changed = true;
      return step;
    case v1::COPY_PHASE_PLACING:
    case v1::COPY_PHASE_LOOKING_UP:
      // The placeOrder may have reached the broker before the crash.
      step.changed = true;
      rec_.set_phase(v1::COPY_PHASE_LOOKING_UP);
      rec_.set_absent_reads(0);
      return Look(std::move(step));
    case v1::COPY_PHASE_RETRYING:
      rec_.set_await(v1::COPY_AWAIT_NOTHING);
      step.changed = true;
      return step;  // placed again at retry_at
    case v1::COPY_PHASE_WORKING:
    case v1::COPY_PHASE_CANCELLING:
      step.changed = true;
      rec_.set_await(v1::COPY_AWAIT_NOTHING);
      return Read(std::move(step), now_ns);
    default:
      return step;
  }
}

// ---- broker replies ----------------------------------------------------------

Step Copy::OnLtp(const smartapi::Result<smartapi::Ltp>& ltp, int64_t now_ns) {
  Step step;
  if (rec_.await() != v1::COPY_AWAIT_LTP) return step;
  rec_.set_await(v1::COPY_AWAIT_NOTHING);
  step.changed = true;
  if (rec_.phase() == v1::COPY_PHASE_PRICING) {
    if (ltp.ok() && ltp->ltp > 0) return PriceAndPlace(std::move(step), ltp->ltp, now_ns);
    rec_.set_failed_reads(rec_.failed_reads() + 1);
    if (rec_.failed_reads() >= kMaxPricingAttempts)
      return Finish(std::move(step), v1::OUTCOME_FAILED, ltp.ok() ? "" : ltp.error().code,
                    "no price to place at: getLtpData " + (ltp.ok() ? std::string("gave no LTP") : ltp.error().ToString()),
                    now_ns);
    rec_.set_retry_at_ns(now_ns + kRetryBaseNs * rec_.failed_reads());
    return step;
  }
  if (rec_.phase() != v1::COPY_PHASE_WORKING || !ltp.ok() || ltp->ltp <= 0) return step;
  // Chase: re-price to LTP ± buffer, within the cap and the band.
  const auto& o = rec_.instruction().order();
  const int64_t tick = ctx_.instrument.tick_paise;
  const LimitPrice lp =
      MarketableLimit({buy(), ltp->ltp, BufferPct(ctx_.execution.limit_buffer, ctx_.instrument.segment), tick,
                       SafeBand(LppBand(o.exchange(), ctx_.instrument.segment, ltp->ltp), tick),
                       SlippageCap(buy(), MasterPrice(), ctx_.execution.max_slippage_pct)});
  rec_.set_at_slippage_cap(lp.capped);
  if (!DiffersByTick(lp.price, rec_.limit_price(), tick)) return step;
  smartapi::ModifyRequest m = ModifyRequestFor(lp.price);
  return SendModify(std::move(step), m, now_ns);
}

Step Copy::OnPlaced(const smartapi::Result<smartapi::PlacedOrder>& placed, int64_t now_ns) {
  Step step;
  if (rec_.await() != v1::COPY_AWAIT_PLACE) return step;
  rec_.set_await(v1::COPY_AWAIT_NOTHING);
  step.changed = true;
  if (placed.ok()) {
    if (rec_.accepted_ns() == 0) rec_.set_accepted_ns(now_ns);
    if (rec_.orderid().empty()) rec_.set_orderid(placed->orderid);
    if (rec_.uniqueorderid().empty()) rec_.set_uniqueorderid(placed->uniqueorderid);
    if (done()) return step;  // a push already told the end
    return Accepted(std::move(step), now_ns);
  }
  if (done()) return step;
  if (!rec_.orderid().empty()) return Accepted(std::move(step), now_ns);  // a push showed it exists
  const auto& err = placed.error();
  switch (err.kind) {
    case smartapi::ErrorKind::kRejected:
      return Finish(std::move(step), v1::OUTCOME_REJECTED, err.code, err.message, now_ns);
    case smartapi::ErrorKind::kUnknownOutcome:
    case smartapi::ErrorKind::kBadResponse:
      rec_.set_phase(v1::COPY_PHASE_LOOKING_UP);
      rec_.set_absent_reads(0);
      rec_.set_broker_text(err.ToString());
      return Look(std::move(step));
    case smartapi::ErrorKind::kThrottled:
    case smartapi::ErrorKind::kTransport:
      // Surely not processed: safe to send again.
      if (rec_.place_attempts() >= kMaxPlaceAttempts)
        return Finish(std::move(step), v1::OUTCOME_FAILED, err.code,
                      "gave up after " + std::to_string(rec_.place_attempts()) + " attempts: " + err.ToString(),
                      now_ns);
      rec_.set_phase(v1::COPY_PHASE_RETRYING);
      rec_.set_retry_at_ns(now_ns + kRetryBaseNs * rec_.place_attempts());
      rec_.set_broker_text(err.ToString());
      return step;
    case smartapi::ErrorKind::kAuthExpired:
      break;
  }
  return Finish(std::move(step), v1::OUTCOME_FAILED, err.code, err.ToString(), now_ns);
}

Step Copy::Look(Step step) {
  rec_.set_await(v1::COPY_AWAIT_LOOKUP);
  BrokerCommand c;
  c.kind = BrokerCommand::Kind::kFindByTag;
  step.commands.push_back(std::move(c));
  return step;
}

Step Copy::Read(Step step, int64_t now_ns) {
  rec_.set_await(v1::COPY_AWAIT_READ);
  rec_.set_next_read_ns(now_ns + ctx_.execution.followup_ms * kNsPerMs);
  BrokerCommand c;
  c.kind = BrokerCommand::Kind::kReadOrder;
  if (!rec_.details_unusable()) c.uniqueorderid = rec_.uniqueorderid();
  step.commands.push_back(std::move(c));
  return step;
}

Step Copy::OnBook(const smartapi::Result<std::vector<smartapi::Order>>& book, int64_t now_ns) {
  Step step;
  const auto await = rec_.await();
  if (await != v1::COPY_AWAIT_LOOKUP && await != v1::COPY_AWAIT_READ) return step;
  rec_.set_await(v1::COPY_AWAIT_NOTHING);
  step.changed = true;
  if (!book.ok()) {
    rec_.set_failed_reads(rec_.failed_reads() + 1);
    // Never a blind retry: keep looking until the book answers.
    if (await == v1::COPY_AWAIT_LOOKUP) rec_.set_retry_at_ns(now_ns + kLookupRetryNs);
    return step;
  }
  const smartapi::Order* row = nullptr;
  for (const auto& o : *book) {
    if ((!rec_.orderid().empty() && o.orderid() == rec_.orderid()) || o.ordertag() == ordertag()) {
      row = &o;
      break;
    }
  }
  if (await == v1::COPY_AWAIT_READ) {
    if (row != nullptr) return Apply(std::move(step), *row, now_ns);
    return step;
  }
  if (row != nullptr) {
    rec_.set_orderid(row->orderid());
    if (!row->uniqueorderid().empty()) rec_.set_uniqueorderid(row->uniqueorderid());
    step = Accepted(std::move(step), now_ns);
    return Apply(std::move(step), *row, now_ns);
  }
  rec_.set_absent_reads(rec_.absent_reads() + 1);
  if (rec_.absent_reads() >= kAbsentAfterReads && rec_.pending_cancel())
    return Finish(std::move(step), v1::OUTCOME_CANCELLED, "", rec_.pending_cancel_reason() + " (before it was placed)",
                  now_ns);
  // A book can lag an order it has just accepted: "absent" is believed only
  // after several reads (the worker spaces them at the broker's 1/s).
  if (rec_.absent_reads() < kAbsentAfterReads) return Look(std::move(step));
  int64_t age_ms = 0;
  if (Stale(now_ns, &age_ms))
    return Finish(std::move(step), v1::OUTCOME_STALE, "",
                  "not placed: its outcome was unknown and the master order is now " + std::to_string(age_ms) +
                      " ms old, over max_copy_delay_ms",
                  now_ns);
  if (rec_.place_attempts() >= kMaxPlaceAttempts)
    return Finish(std::move(step), v1::OUTCOME_FAILED, "UNKNOWN_OUTCOME",
                  "placeOrder outcome unknown " + std::to_string(rec_.place_attempts()) +
                      " times and the order is not in the book: " + rec_.broker_text(),
                  now_ns);
  return Place(std::move(step), now_ns);
}

Step Copy::OnDetails(const smartapi::Result<smartapi::Order>& order, int64_t now_ns) {
  Step step;
  if (rec_.await() != v1::COPY_AWAIT_READ) return step;
  rec_.set_await(v1::COPY_AWAIT_NOTHING);
  step.changed = true;
  if (order.ok()) return Apply(std::move(step), *order, now_ns);
  // Details unavailable (e.g. not found yet): the order book instead.
  rec_.set_details_unusable(true);
  return Read(std::move(step), now_ns);
}

Step Copy::OnPush(const smartapi::Order& order, int64_t now_ns) {
  Step step;
  if (done()) return step;
  if (rec_.orderid().empty() && !order.orderid().empty()) {
    rec_.set_orderid(order.orderid());
    step.changed = true;
  }
  return Apply(std::move(step), order, now_ns);
}

Step Copy::OnModified(const smartapi::Result<smartapi::PlacedOrder>& result, int64_t now_ns) {
  Step step;
  if (rec_.await() != v1::COPY_AWAIT_MODIFY) return step;
  rec_.set_await(v1::COPY_AWAIT_NOTHING);
  step.changed = true;
  if (done()) return step;
  const bool mirrored = rec_.has_mirror_in_flight();
  if (result.ok()) {
    rec_.set_modifications(rec_.modifications() + 1);
    rec_.set_limit_price(rec_.modify_price());
    rec_.set_trigger_price(rec_.modify_trigger());
    if (rec_.modify_quantity() > 0) rec_.set_quantity(rec_.modify_quantity());
    if (!rec_.modify_ordertype().empty()) {
      rec_.set_ordertype(rec_.modify_ordertype());
      rec_.set_variety(rec_.modify_ordertype() == "STOPLOSS_LIMIT" ? "STOPLOSS" : "NORMAL");
    }
    if (mirrored) {
      const std::string master_type = rec_.mirror_in_flight().order().ordertype();
      rec_.set_converted_stop(master_type == "STOPLOSS_MARKET");
      if (master_type == "MARKET" && !rec_.marketable()) {
        // The master made its order a market order: chase it from now on.
        rec_.set_marketable(true);
        ScheduleWork(now_ns);
      }
      rec_.clear_mirror_in_flight();
    }
    step = Progress(std::move(step), v1::OUTCOME_MODIFIED, now_ns);
  } else {
    const auto kind = result.error().kind;
    rec_.set_broker_text(result.error().ToString());
    if (mirrored) {
      // Refused (the order filled or ended meanwhile, a price outside the
      // band): the master's change is not on the follower's order. Said so
      // once, under the instruction's own key; the read below tells the
      // copy's own end.
      step.reports.push_back(InstructionReport(rec_.mirror_in_flight(), rec_.mirror_seq(), v1::OUTCOME_SKIPPED,
                                               "the follower's order was not modified: " + result.error().ToString(),
                                               now_ns));
      rec_.clear_mirror_in_flight();
    }
    // Refused (already filled or cancelled, outside the band) or unknown:
    // the broker's view says which; throttled or unreachable: the next
    // chase tries again.
    if (kind != smartapi::ErrorKind::kThrottled && kind != smartapi::ErrorKind::kTransport)
      return Read(std::move(step), now_ns);
  }
  if (rec_.pending_cancel()) return SendCancel(std::move(step), rec_.pending_cancel_reason(), now_ns);
  return step;
}

Step Copy::OnCancelled(const smartapi::Result<smartapi::PlacedOrder>& result, int64_t now_ns) {
  Step step;
  if (rec_.await() != v1::COPY_AWAIT_CANCEL) return step;
  rec_.set_await(v1::COPY_AWAIT_NOTHING);
  step.changed = true;
  if (done()) return step;
  if (result.ok()) {
    // The push (or a read soon) tells what was filled before the cancel.
    rec_.set_next_read_ns(now_ns + kCancelReadNs);
    return step;
  }
  rec_.set_broker_text(result.error().ToString());
  const auto kind = result.error().kind;
  if (kind == smartapi::ErrorKind::kThrottled || kind == smartapi::ErrorKind::kTransport) {
    rec_.set_cancel_sent_ns(0);  // not processed: cancel again at the next read
    rec_.set_next_read_ns(now_ns + kCancelReadNs);
    return step;
  }
  return Read(std::move(step), now_ns);  // refused (filled meanwhile?) or unknown: look
}

// ---- the order as the broker sees it ----------------------------------------

Step Copy::Apply(Step step, const smartapi::Order& o, int64_t now_ns) {
  if (done()) return step;
  const std::string status = StatusOf(o);
  rec_.set_last_update_ns(now_ns);
  if (rec_.phase() == v1::COPY_PHASE_WORKING || rec_.phase() == v1::COPY_PHASE_CANCELLING)
    rec_.set_next_read_ns(now_ns + (rec_.phase() == v1::COPY_PHASE_CANCELLING ? kCancelReadNs
                                                                              : ctx_.execution.followup_ms * kNsPerMs));
  if (!o.uniqueorderid().empty() && rec_.uniqueorderid().empty()) rec_.set_uniqueorderid(o.uniqueorderid());
  // The broker's view of the order (a push can beat placeOrder's reply)
  // means it was accepted.
  if (rec_.accepted_ns() == 0) rec_.set_accepted_ns(now_ns);
  int64_t filled = o.filledshares();
  if (status == "complete" && filled == 0) filled = o.quantity() > 0 ? o.quantity() : rec_.quantity();
  if (filled > rec_.filled()) {
    rec_.set_filled(filled);
    if (o.averageprice() > 0) rec_.set_average_price(o.averageprice());
    if (rec_.first_fill_ns() == 0) rec_.set_first_fill_ns(now_ns);
    step.changed = true;
  } else if (filled == rec_.filled() && o.averageprice() > 0 && rec_.average_price() == 0) {
    rec_.set_average_price(o.averageprice());
  }
  if (status != rec_.broker_status()) {
    rec_.set_broker_status(status);
    step.changed = true;
  }
  if (!o.text().empty()) rec_.set_broker_text(o.text());

  if (status == "rejected")
    return Finish(std::move(step), v1::OUTCOME_REJECTED, "", o.text().empty() ? "rejected by the broker" : o.text(),
                  now_ns);
  if (status == "complete") return Finish(std::move(step), v1::OUTCOME_FILLED, "", "", now_ns);
  if (Terminal(status)) {  // cancelled
    const std::string reason = rec_.cancel_reason().empty() ? "cancelled at the broker" : rec_.cancel_reason();
    return Finish(std::move(step), rec_.filled() > 0 ? v1::OUTCOME_PARTIALLY_FILLED : v1::OUTCOME_CANCELLED, "",
                  reason, now_ns);
  }
  // Still working.
  if (rec_.phase() == v1::COPY_PHASE_LOOKING_UP && !rec_.orderid().empty())
    step = Accepted(std::move(step), now_ns);
  if (rec_.converted_stop() && !rec_.marketable() && status == "open") {
    // The stop triggered: from now on it is chased like a marketable copy.
    rec_.set_marketable(true);
    rec_.set_chase_deadline_ns(now_ns + ctx_.execution.chase_for_s * kNsPerS);
    rec_.set_next_chase_ns(now_ns + ctx_.execution.chase_interval_ms * kNsPerMs);
    step.changed = true;
  }
  if (rec_.phase() == v1::COPY_PHASE_CANCELLING && rec_.await() == v1::COPY_AWAIT_NOTHING &&
      now_ns - rec_.cancel_sent_ns() >= kCancelResendNs)
    return SendCancel(std::move(step), rec_.cancel_reason(), now_ns);  // still open: cancel again
  return step;
}

Step Copy::Accepted(Step step, int64_t now_ns) {
  if (rec_.phase() == v1::COPY_PHASE_WORKING || rec_.phase() == v1::COPY_PHASE_CANCELLING || done()) return step;
  rec_.set_phase(v1::COPY_PHASE_WORKING);
  if (rec_.accepted_ns() == 0) rec_.set_accepted_ns(now_ns);
  ScheduleWork(now_ns);
  step.changed = true;
  step = Progress(std::move(step), v1::OUTCOME_ACCEPTED, now_ns);
  if (rec_.pending_cancel()) return SendCancel(std::move(step), rec_.pending_cancel_reason(), now_ns);
  return step;
}

void Copy::ScheduleWork(int64_t now_ns) {
  rec_.set_next_read_ns(now_ns + ctx_.execution.followup_ms * kNsPerMs);
  if (rec_.marketable()) {
    rec_.set_chase_deadline_ns(rec_.accepted_ns() + ctx_.execution.chase_for_s * kNsPerS);
    rec_.set_next_chase_ns(now_ns + ctx_.execution.chase_interval_ms * kNsPerMs);
  }
}

// ---- timers ------------------------------------------------------------------

Step Copy::OnTimer(int64_t now_ns) {
  Step step;
  if (done() || rec_.await() != v1::COPY_AWAIT_NOTHING) return step;
  int64_t age_ms = 0;
  switch (rec_.phase()) {
    case v1::COPY_PHASE_PRICING: {
      if (rec_.retry_at_ns() > now_ns) return step;
      step.changed = true;
      if (Stale(now_ns, &age_ms))
        return Finish(std::move(step), v1::OUTCOME_STALE, "",
                      "no price before max_copy_delay_ms (master order " + std::to_string(age_ms) + " ms old)",
                      now_ns);
      const auto& o = rec_.instruction().order();
      rec_.set_await(v1::COPY_AWAIT_LTP);
      BrokerCommand c;
      c.kind = BrokerCommand::Kind::kGetLtp;
      c.exchange = o.exchange();
      c.tradingsymbol = o.tradingsymbol();
      c.symboltoken = o.symboltoken();
      step.commands.push_back(std::move(c));
      return step;
    }
    case v1::COPY_PHASE_RETRYING:
      if (rec_.retry_at_ns() > now_ns) return step;
      step.changed = true;
      if (Stale(now_ns, &age_ms))
        return Finish(std::move(step), v1::OUTCOME_STALE, "",
                      "not placed in time (" + rec_.broker_text() + "); the master order is now " +
                          std::to_string(age_ms) + " ms old",
                      now_ns);
      return Place(std::move(step), now_ns);
    case v1::COPY_PHASE_LOOKING_UP:
      if (rec_.retry_at_ns() > now_ns) return step;
      step.changed = true;
      return Look(std::move(step));
    case v1::COPY_PHASE_WORKING: {
      if (rec_.marketable() && rec_.chase_deadline_ns() > 0 && now_ns >= rec_.chase_deadline_ns()) {
        step.changed = true;
        const std::string why =
            rec_.at_slippage_cap()
                ? "the price ran past max_slippage_pct (" + Percent(ctx_.execution.max_slippage_pct) +
                      ") of the master's price " + Money(MasterPrice()) + "; not filled within " +
                      std::to_string(ctx_.execution.chase_for_s) + " s, the rest cancelled"
                : "not filled within chase_for_s (" + std::to_string(ctx_.execution.chase_for_s) +
                      " s), the rest cancelled";
        return SendCancel(std::move(step), why, now_ns);
      }
      if (rec_.next_read_ns() > 0 && now_ns >= rec_.next_read_ns()) {
        step.changed = true;
        return Read(std::move(step), now_ns);
      }
      if (rec_.marketable() && rec_.next_chase_ns() > 0 && now_ns >= rec_.next_chase_ns()) {
        const auto& o = rec_.instruction().order();
        rec_.set_next_chase_ns(now_ns + ctx_.execution.chase_interval_ms * kNsPerMs);
        rec_.set_await(v1::COPY_AWAIT_LTP);
        step.changed = true;
        BrokerCommand c;
        c.kind = BrokerCommand::Kind::kGetLtp;
        c.exchange = o.exchange();
        c.tradingsymbol = o.tradingsymbol();
        c.symboltoken = o.symboltoken();
        step.commands.push_back(std::move(c));
      }
      return step;
    }
    case v1::COPY_PHASE_CANCELLING:
      if (rec_.next_read_ns() > now_ns) return step;
      step.changed = true;
      if (rec_.cancel_sent_ns() == 0) return SendCancel(std::move(step), rec_.cancel_reason(), now_ns);
      return Read(std::move(step), now_ns);
    default:
      return step;
  }
}

// ---- modify / cancel -----------------------------------------------------------

smartapi::ModifyRequest Copy::ModifyRequestFor(double price) const {
  const auto& o = rec_.instruction().order();
  smartapi::ModifyRequest m;
  m.variety = rec_.variety();
  m.orderid = rec_.orderid();
  m.ordertype = rec_.ordertype();
  m.producttype = o.producttype();
  m.duration = "DAY";
  m.price = price;
  m.triggerprice = rec_.trigger_price();
  m.quantity = rec_.quantity();
  m.tradingsymbol = o.tradingsymbol();
  m.symboltoken = o.symboltoken();
  m.exchange = o.exchange();
  return m;
}

Step Copy::SendModify(Step step, const smartapi::ModifyRequest& request, int64_t /*now_ns*/) {
  step.changed = true;
  rec_.set_await(v1::COPY_AWAIT_MODIFY);
  rec_.set_modify_price(request.price);
  rec_.set_modify_trigger(request.triggerprice);
  rec_.set_modify_quantity(request.quantity);
  rec_.set_modify_ordertype(request.ordertype);
  BrokerCommand c;
  c.kind = BrokerCommand::Kind::kModify;
  c.modify = request;
  step.commands.push_back(std::move(c));
  return step;
}

Step Copy::SendCancel(Step step, const std::string& reason, int64_t now_ns) {
  step.changed = true;
  rec_.set_pending_cancel(false);
  rec_.set_phase(v1::COPY_PHASE_CANCELLING);
  if (rec_.cancel_reason().empty()) rec_.set_cancel_reason(reason);
  rec_.set_await(v1::COPY_AWAIT_CANCEL);
  rec_.set_cancel_sent_ns(now_ns);
  BrokerCommand c;
  c.kind = BrokerCommand::Kind::kCancel;
  c.variety = rec_.variety();
  c.orderid = rec_.orderid();
  step.commands.push_back(std::move(c));
  return step;
}

Step Copy::Cancel(const std::string& reason, int64_t now_ns) {
  Step step;
  if (done()) return step;
  step.changed = true;
  if (rec_.phase() == v1::COPY_PHASE_PRICING || rec_.phase() == v1::COPY_PHASE_RETRYING ||
      rec_.phase() == v1::COPY_PHASE_UNSPECIFIED) {
    // Nothing at the broker yet (the pricing call's reply is dropped).
    rec_.set_await(v1::COPY_AWAIT_NOTHING);
    return Finish(std::move(step), v1::OUTCOME_CANCELLED, "", reason + " (before it was placed)", now_ns);
  }
  if (rec_.orderid().empty() || rec_.await() != v1::COPY_AWAIT_NOTHING) {
    // Placing, looking up, or another call in flight: cancel right after.
    rec_.set_pending_cancel(true);
    rec_.set_pending_cancel_reason(reason);
    if (rec_.cancel_reason().empty()) rec_.set_cancel_reason(reason);
    return step;
  }
  return SendCancel(std::move(step), reason, now_ns);
}

// ---- mirror mode -----------------------------------------------------------------

std::string InstructionKey(const v1::CopyInstruction& ci, uint64_t seq) {
  if (!ci.ordertag().empty() && ci.ordertag() != ci.target_ordertag()) return ci.ordertag();
  return ci.target_ordertag() + (ci.action() == v1::COPY_ACTION_CANCEL ? "/c" : "/m") + std::to_string(seq);
}

Step Copy::Mirror(const v1::CopyInstruction& mi, uint64_t seq, int64_t now_ns) {
  Step step;
  if (done()) return step;
  step.changed = true;
  // Only the latest state of the master's order matters: a modify still
  // waiting is replaced, not queued.
  *rec_.mutable_pending_modify() = mi;
  rec_.set_pending_modify_seq(seq);
  rec_.set_last_instruction_seq(seq);
  step = Poll(std::move(step), now_ns);
  return step;
}

Step Copy::Poll(Step step, int64_t now_ns) {
  if (done() || rec_.await() != v1::COPY_AWAIT_NOTHING || rec_.orderid().empty()) return step;
  if (rec_.phase() != v1::COPY_PHASE_WORKING) return step;
  if (rec_.pending_cancel()) return SendCancel(std::move(step), rec_.pending_cancel_reason(), now_ns);
  if (!rec_.has_pending_modify()) return step;
  step.changed = true;
  const v1::CopyInstruction mi = rec_.pending_modify();
  const uint64_t seq = rec_.pending_modify_seq();
  rec_.clear_pending_modify();
  const auto& o = mi.order();
  const int64_t tick = ctx_.instrument.tick_paise;
  const std::string type = o.ordertype().empty() ? rec_.ordertype() : o.ordertype();
  smartapi::ModifyRequest m = ModifyRequestFor(rec_.limit_price());
  m.quantity = o.quantity() > 0 ? o.quantity() : rec_.quantity();
  if (type == "STOPLOSS_LIMIT") {
    m.ordertype = "STOPLOSS_LIMIT";
    m.price = RoundToTick(o.price(), tick);
    m.triggerprice = RoundToTick(o.triggerprice(), tick);
  } else if (type == "STOPLOSS_MARKET") {
    // As at placement: an SL-limit priced off the trigger.
    const double trigger = RoundToTick(o.triggerprice(), tick);
    m.ordertype = "STOPLOSS_LIMIT";
    m.triggerprice = trigger;
    m.price = MarketableLimit({buy(), trigger, BufferPct(ctx_.execution.limit_buffer, ctx_.instrument.segment), tick,
                               SafeBand(LppBand(o.exchange(), ctx_.instrument.segment, trigger), tick),
                               SlippageCap(buy(), trigger, ctx_.execution.max_slippage_pct)})
                  .price;
  } else if (type == "MARKET") {
    // Never MARKET from the API: a marketable LIMIT, chased from now on.
    const double reference = mi.reference_price() > 0 ? mi.reference_price() : rec_.reference_price();
    m.ordertype = "LIMIT";
    m.triggerprice = 0;
    m.price = MarketableLimit({buy(), reference, BufferPct(ctx_.execution.limit_buffer, ctx_.instrument.segment), tick,
                               SafeBand(LppBand(o.exchange(), ctx_.instrument.segment, reference), tick),
                               SlippageCap(buy(), MasterPrice(), ctx_.execution.max_slippage_pct)})
                  .price;
  } else {
    m.ordertype = "LIMIT";
    m.price = RoundToTick(o.price(), tick);
    m.triggerprice = 0;
  }
  m.variety = m.ordertype == "STOPLOSS_LIMIT" ? "STOPLOSS" : "NORMAL";
  const bool same = !DiffersByTick(m.price, rec_.limit_price(), tick) &&
                    !DiffersByTick(m.triggerprice, rec_.trigger_price(), tick) && m.quantity == rec_.quantity() &&
                    m.ordertype == rec_.ordertype();
  if (same) return step;  // nothing the follower's order does not already have
  *rec_.mutable_mirror_in_flight() = mi;
  rec_.set_mirror_seq(seq);
  return SendModify(std::move(step), m, now_ns);
}

Step Copy::Poll(int64_t now_ns) { return Poll(Step{}, now_ns); }

Step Copy::Skip(const std::string& reason, int64_t now_ns) {
  rec_.set_quantity(rec_.instruction().order().quantity());
  return Finish(Step{}, v1::OUTCOME_SKIPPED, "", reason, now_ns);
}

v1::ExecutionReport Copy::InstructionReport(const v1::CopyInstruction& mi, uint64_t seq, v1::Outcome outcome,
                                            const std::string& reason, int64_t now_ns) const {
  v1::ExecutionReport r = Report(outcome, now_ns);
  r.set_ordertag(InstructionKey(mi, seq));
  r.set_target_ordertag(ordertag());
  r.set_action(mi.action());
  r.set_instruction_seq(seq);
  r.set_final(true);
  r.set_reason(reason);
  r.set_error_text(reason);
  return r;
}

// ---- reports -------------------------------------------------------------------

v1::ExecutionReport Copy::Report(v1::Outcome outcome, int64_t now_ns) const {
  const auto& ci = rec_.instruction();
  v1::ExecutionReport r;
  r.set_follower_id(ctx_.follower_id);
  r.set_master_order_id(ci.master_order_id());
  r.set_outcome(outcome);
  r.set_broker_order_id(rec_.orderid());
  r.set_broker_unique_order_id(rec_.uniqueorderid());
  r.set_ordertag(ci.ordertag());
  auto* o = r.mutable_order();
  *o = ci.order();
  if (!rec_.ordertype().empty()) o->set_ordertype(rec_.ordertype());
  if (!rec_.variety().empty()) o->set_variety(rec_.variety());
  o->set_duration("DAY");
  o->set_price(rec_.limit_price());
  o->set_triggerprice(rec_.trigger_price());
  o->set_quantity(rec_.quantity());
  o->set_ordertag(ci.ordertag());
  o->set_orderid(rec_.orderid());
  o->set_status(rec_.broker_status());
  o->set_text(rec_.broker_text());
  o->set_filledshares(rec_.filled());
  o->set_averageprice(rec_.average_price());
  r.set_master_event_time_ns(ci.master_event_time_ns());
  r.set_instruction_time_ns(ci.routed_time_ns());
  r.set_reported_time_ns(now_ns);
  r.set_instruction_seq(rec_.instruction_seq());
  r.set_filled_quantity(rec_.filled());
  r.set_average_price(rec_.average_price());
  const double master = ci.master_average_price() > 0 ? ci.master_average_price() : ci.reference_price();
  r.set_master_price(master);
  if (rec_.filled() > 0) r.set_slippage_bps(SlippageBps(buy(), rec_.average_price(), master));
  auto* t = r.mutable_timings();
  const int64_t detected = ci.detected_time_ns();
  t->set_routed_ms(MsSince(detected, ci.routed_time_ns()));
  t->set_instruction_received_ms(MsSince(detected, rec_.received_ns()));
  t->set_request_sent_ms(MsSince(detected, rec_.sent_ns()));
  t->set_accepted_ms(MsSince(detected, rec_.accepted_ns()));
  t->set_first_fill_ms(MsSince(detected, rec_.first_fill_ns()));
  t->set_final_ms(MsSince(detected, rec_.final_ns()));
  r.set_action(ci.action() == v1::COPY_ACTION_UNSPECIFIED ? v1::COPY_ACTION_PLACE : ci.action());
  r.set_copy_id(ci.copy_id());
  r.set_leg(ci.leg());
  r.set_legs(ci.legs());
  r.set_modifications(rec_.modifications());
  r.set_limit_price(rec_.limit_price());
  r.set_master_quantity(ci.master_quantity());
  r.set_master_event_detected_ns(detected);
  return r;
}

Step Copy::Progress(Step step, v1::Outcome outcome, int64_t now_ns) {
  step.reports.push_back(Report(outcome, now_ns));
  return step;
}

Step Copy::Finish(Step step, v1::Outcome outcome, const std::string& code, const std::string& text,
                  int64_t now_ns) {
  step.changed = true;
  rec_.set_phase(v1::COPY_PHASE_DONE);
  rec_.set_await(v1::COPY_AWAIT_NOTHING);
  rec_.set_final_ns(now_ns);
  v1::ExecutionReport r = Report(outcome, now_ns);
  r.set_final(true);
  r.set_error_code(code);
  r.set_error_text(text);
  if (outcome == v1::OUTCOME_CANCELLED || outcome == v1::OUTCOME_PARTIALLY_FILLED || outcome == v1::OUTCOME_SKIPPED ||
      outcome == v1::OUTCOME_STALE)
    r.set_reason(text);
  *rec_.mutable_final_report() = r;
  step.reports.push_back(std::move(r));
  return step;
}

}  // namespace ct::executor
