#include "router/router.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <ctime>
#include <filesystem>
#include <fstream>

#include "common/log/log.h"
#include "common/time/ist.h"
#include "router/rules.h"
#include "router/summary.h"

namespace ct::router {
namespace v1 = copytrade::v1;
namespace {

const char* OutcomeName(v1::Outcome o) {
  switch (o) {
    case v1::OUTCOME_ACCEPTED: return "ACCEPTED";
    case v1::OUTCOME_REJECTED: return "REJECTED";
    case v1::OUTCOME_SKIPPED: return "SKIPPED";
    case v1::OUTCOME_FAILED: return "FAILED";
    case v1::OUTCOME_DRY_RUN: return "DRY_RUN";
    case v1::OUTCOME_STALE: return "STALE";
    case v1::OUTCOME_FILLED: return "FILLED";
    case v1::OUTCOME_PARTIALLY_FILLED: return "PARTIALLY_FILLED";
    case v1::OUTCOME_CANCELLED: return "CANCELLED";
    case v1::OUTCOME_HELD: return "HELD";
    case v1::OUTCOME_MODIFIED: return "MODIFIED";
    case v1::OUTCOME_APPROVED: return "APPROVED";
    default: return "UNSPECIFIED";
  }
}

double Round2(double v) { return std::round(v * 100.0) / 100.0; }

std::string IsoTime(int64_t ns) {
  if (ns <= 0) return "";
  const std::time_t t = static_cast<std::time_t>(ns / 1'000'000'000);
  std::tm tm{};
  localtime_r(&t, &tm);
  char buf[40];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  char ms[8];
  std::snprintf(ms, sizeof ms, ".%03d", static_cast<int>((ns / 1'000'000) % 1000));
  return std::string(buf) + ms;
}

}  // namespace

std::string RecordsFileName(const std::string& dir, int64_t wall_ns) {
  const std::time_t t = static_cast<std::time_t>(wall_ns / 1'000'000'000);
  std::tm tm{};
  localtime_r(&t, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "copy_trading_%Y%m%d_%H%M%S.json", &tm);
  return (std::filesystem::path(dir) / buf).string();
}

// ---- SessionRecords --------------------------------------------------------

SessionRecords::SessionRecords(bus::Journal& journal, std::string file,
                               const std::vector<FollowerTarget>& followers)
    : journal_(journal), file_(std::move(file)) {
  for (const auto& f : followers) client_ids_[f.settings.id] = f.client_id;
  journal_.Exec(
      "CREATE TABLE IF NOT EXISTS records(ordertag TEXT PRIMARY KEY, session TEXT NOT NULL,"
      " outcome TEXT NOT NULL, record TEXT NOT NULL, time_ns INTEGER NOT NULL)");
}

bool SessionRecords::Add(const v1::ExecutionReport& r) {
  const auto& o = r.order();
  // A copy succeeded only when it filled: accepted is not done, and an
  // accepted order can still be rejected.
  const bool filled = r.outcome() == v1::OUTCOME_FILLED;
  const bool has_fill = r.filled_quantity() > 0;
  const auto& t = r.timings();
  nlohmann::json rec = {
      // The seed's fields.
      {"timestamp", IsoTime(r.reported_time_ns())},
      {"master_order_id", r.master_order_id()},
      {"symbol", o.tradingsymbol()},
      {"transaction_type", o.transactiontype()},
      {"quantity", o.quantity()},
      {"price", Round2(has_fill ? r.average_price() : o.price())},
      {"follower", client_ids_.count(r.follower_id()) ? client_ids_[r.follower_id()] : r.follower_id()},
      {"success", filled},
      {"follower_order_id", r.broker_order_id()},
      {"error", r.error_code().empty() ? r.error_text() : r.error_code() + ": " + r.error_text()},
      // copytrade's own.
      {"follower_id", r.follower_id()},
      {"exchange", o.exchange()},
      {"side", o.transactiontype()},
      {"order_type", o.ordertype()},
      {"state", OutcomeName(r.outcome())},
      {"outcome", OutcomeName(r.outcome())},
      {"final", r.final()},
      {"filled_quantity", r.filled_quantity()},
      {"fill_price", Round2(r.average_price())},
      {"limit_price", Round2(r.limit_price())},
      {"master_price", Round2(r.master_price())},
      {"slippage_bps", has_fill ? std::round(r.slippage_bps() * 10.0) / 10.0 + 0.0 : 0.0},  // + 0.0: never -0.0
      {"modifications", r.modifications()},
      {"reason", r.reason()},
      {"ordertag", r.ordertag()},
      {"copy_id", r.copy_id()},
      {"leg", r.leg()},
      {"legs", r.legs()},
      {"follower_unique_order_id", r.broker_unique_order_id()},
      {"master_time", IsoTime(r.master_event_time_ns())},
      {"reported_time", IsoTime(r.reported_time_ns())},
      // Milliseconds from the watcher's detection of the master's change.
      {"timings_ms",
       {{"routed", t.routed_ms()},
        {"instruction_received", t.instruction_received_ms()},
        {"request_sent", t.request_sent_ms()},
        {"accepted", t.accepted_ms()},
        {"first_fill", t.first_fill_ms()},
        {"final", t.final_ms()}}},
      {"copy_latency_ms", t.accepted_ms()},
      {"master_detected_ns", r.master_event_detected_ns()},
  };
  // One record per copy (ordertag). A repeated report changes nothing; a
  // later, different outcome (an unknown outcome resolved) replaces it.
  bus::Statement prev(journal_.db(), "SELECT outcome FROM records WHERE ordertag=?");
  prev.Bind(1, r.ordertag());
  if (prev.Step() && prev.Text(0) == OutcomeName(r.outcome())) return false;
  bus::Statement ins(journal_.db(),
                     "INSERT OR REPLACE INTO records(ordertag, session, outcome, record, time_ns) VALUES(?,?,?,?,?)");
  ins.Bind(1, r.ordertag()).Bind(2, file_).Bind(3, std::string(OutcomeName(r.outcome())))
      .Bind(4, rec.dump()).Bind(5, r.reported_time_ns());
  ins.Step();
  dirty_ = true;
  return true;
}

void SessionRecords::AddSkipped(const v1::MasterOrderEvent& event, const FollowerTarget& follower,
                                const std::string& reason) {
  v1::ExecutionReport r;
  r.set_follower_id(follower.settings.id);
  r.set_master_order_id(event.order().orderid());
  r.set_outcome(v1::OUTCOME_SKIPPED);
  r.set_error_text(reason);
  r.set_ordertag(OrderTag(event.order().orderid(), follower.settings.id, 0));
  *r.mutable_order() = event.order();
  r.set_master_event_time_ns(event.master_event_time_ns());
  r.set_reported_time_ns(event.detected_time_ns());
  r.set_final(true);
  r.set_reason(reason);
  r.set_master_quantity(event.order().quantity());
  r.set_master_event_detected_ns(event.detected_time_ns());
  Add(r);
}

void SessionRecords::Write() {
  dirty_ = false;
  nlohmann::json records = nlohmann::json::array();
  Statistics statistics;
  bus::Statement q(journal_.db(), "SELECT outcome, record FROM records WHERE session=? ORDER BY time_ns");
  q.Bind(1, file_);
  while (q.Step()) {
    Count(statistics, q.Text(0));
    records.push_back(nlohmann::json::parse(q.Text(1)));
  }
  const nlohmann::json doc = {{"records", records}, {"statistics", StatisticsJson(statistics)}};
  std::filesystem::path path(file_);
  if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path());
  const std::string tmp = file_ + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << doc.dump(2) << "\n";
  }
  std::filesystem::rename(tmp, path);
}

// ---- Router ----------------------------------------------------------------

Router::Router(const config::Settings& settings, std::vector<FollowerTarget> followers, bus::Journal& journal,
               bus::StreamPublisher& publisher, SessionRecords& records, RouterStore& store, const Clock& clock,
               InstrumentData instruments, alerts::AlertSender* alerts)
    : settings_(settings),
      followers_(std::move(followers)),
      journal_(journal),
      publisher_(publisher),
      records_(records),
      store_(store),
      clock_(clock),
      instruments_(instruments),
      alerts_(alerts) {
  for (const auto& f : followers_) publisher_.DeclareStream(f.settings.id);
  publisher_.DeclareStream(kDecisionsStream);
}

std::string Router::Today() const { return ist::DateString(clock_.wall_ns()); }

const FollowerTarget* Router::Find(const std::string& follower) const {
  for (const auto& f : followers_)
    if (f.settings.id == follower) return &f;
  return nullptr;
}

FollowerDay Router::DayOf(const FollowerTarget& f, const std::string& day) {
  FollowerDay d;
  const std::string& id = f.settings.id;
  d.paused = store_.Paused(id);
  d.loss_limit_hit = store_.LossLimitHit(id, day);
  d.orders_today = store_.OrdersToday(id, day);
  const auto it = follower_states_.find(id);
  // Yesterday's P&L says nothing about today.
  if (it != follower_states_.end() && ist::DateString(it->second.time_ns()) == day) {
    const auto& s = it->second;
    d.day_pnl_known = s.day_pnl_known();
    d.day_pnl = s.day_pnl();
    d.positions_known = s.broker_ok();
    for (const auto& p : s.positions())
      d.positions[p.exchange() + "|" + p.symboltoken() + "|" + p.producttype()] = p.net_quantity();
  }
  return d;
}

v1::ExecutionReport Router::DecisionReport(const v1::CopyInstruction* ci, const v1::MasterOrderEvent* event,
                                           const std::string& follower, v1::Outcome outcome,
                                           const std::string& reason) {
  v1::ExecutionReport r;
  r.set_follower_id(follower);
  r.set_outcome(outcome);
  r.set_reason(reason);
  r.set_error_text(reason);
  r.set_reported_time_ns(clock_.wall_ns());
  r.set_final(outcome == v1::OUTCOME_SKIPPED || outcome == v1::OUTCOME_STALE);
  if (ci) {
    r.set_master_order_id(ci->master_order_id());
    r.set_ordertag(ci->ordertag());
    *r.mutable_order() = ci->order();
    r.set_copy_id(ci->copy_id());
    r.set_leg(ci->leg());
    r.set_legs(ci->legs());
    r.set_action(ci->action());
    r.set_master_event_time_ns(ci->master_event_time_ns());
    r.set_master_event_detected_ns(ci->detected_time_ns());
    r.set_master_quantity(ci->master_quantity());
    r.set_master_price(ci->master_average_price());
  }
  if (event) {
    const auto& o = event->order();
    r.set_master_order_id(o.orderid());
    if (!ci) {
      r.set_ordertag(OrderTag(o.orderid(), follower, 0));
      r.set_copy_id(r.ordertag());
      *r.mutable_order() = o;
    }
    r.set_master_event_time_ns(event->master_event_time_ns());
    r.set_master_event_detected_ns(event->detected_time_ns());
    r.set_master_quantity(o.quantity());
  }
  return r;
}

void Router::Decided(v1::ExecutionReport report, Staged& out) {
  auto lg = log::Get("router");
  lg->info("{} {} of master order {} for {}: {}", OutcomeName(report.outcome()),
           report.copy_id().empty() ? report.ordertag() : report.copy_id(), report.master_order_id(),
           report.follower_id(), report.reason());
  records_.AddDecision(report);
  bus::Envelope env;
  *env.mutable_execution_report() = std::move(report);
  out.push_back(publisher_.Stage(kDecisionsStream, std::move(env)));
}

void Router::SendPlace(const std::vector<v1::CopyInstruction>& instructions, CopyMade& made, Staged& out) {
  for (const auto& ci : instructions) {
    bus::Envelope env;
    *env.mutable_copy_instruction() = ci;
    env.mutable_copy_instruction()->set_routed_time_ns(clock_.wall_ns());
    switch (ci.action()) {
      case v1::COPY_ACTION_MODIFY:
        for (auto& l : made.legs)
          if (l.ordertag == ci.target_ordertag()) l.quantity = ci.order().quantity();
        break;
      case v1::COPY_ACTION_CANCEL:
        for (auto& l : made.legs)
          if (l.ordertag == ci.target_ordertag()) l.live = false;
        break;
      default:
        made.legs.push_back({ci.leg(), ci.ordertag(), ci.order().quantity(), true});
    }
    out.push_back(publisher_.Stage(ci.follower_id(), std::move(env)));
  }
  bool live = false;
  for (const auto& l : made.legs) live = live || l.live;
  made.state = live ? CopyMade::State::kPlaced : CopyMade::State::kEnded;
}

void Router::Route(const v1::MasterOrderEvent& event, const FollowerTarget& f, Staged& out) {
  const std::string& id = f.settings.id;
  const std::string& orderid = event.order().orderid();
  const std::string day = Today();
  const FollowerDay d = DayOf(f, day);
  const auto made = store_.Copy(orderid, id);
  DecisionInput in;
  in.event = &event;
  in.follower = &f.settings;
  in.instruments = instruments_;
  in.day = &d;
  in.made = made ? &*made : nullptr;
  in.now_ns = clock_.wall_ns();
  Decision dec = Decide(in);
  if (dec.loss_limit_hit && !d.loss_limit_hit) {
    store_.SetLossLimitHit(id, day);
    if (alerts_)
      alerts_->Send(alerts::kind::kLossLimit, id + ": daily loss limit " + std::to_string(f.settings.rules.daily_loss_limit) +
                                                  " reached; new entries are not copied, exits still are");
  }
  switch (dec.verdict) {
    case Decision::Verdict::kNothing:
      return;
    case Decision::Verdict::kSkip: {
      auto report = DecisionReport(nullptr, &event, id, v1::OUTCOME_SKIPPED, dec.reason);
      report.set_alert(dec.alert);
      if (made && made->state != CopyMade::State::kHeld && made->state != CopyMade::State::kSkipped) {
        // A modification not copied: its own record, the copy's stays.
        report.set_ordertag(report.ordertag() + "/" + event.change_key());
      } else {
        CopyMade c;
        c.state = CopyMade::State::kSkipped;
        c.copy_id = report.copy_id();
        store_.SaveCopy(orderid, id, c);
      }
      Decided(std::move(report), out);
      return;
    }
    case Decision::Verdict::kHold: {
      CopyMade c;
      c.state = CopyMade::State::kHeld;
      c.copy_id = dec.instructions.front().copy_id();
      c.held = dec.instructions;
      store_.SaveCopy(orderid, id, c, in.now_ns, dec.expires_ns);
      auto report = DecisionReport(&dec.instructions.front(), &event, id, v1::OUTCOME_HELD, dec.reason);
      int64_t total = 0;
      for (const auto& ci : dec.instructions) total += ci.order().quantity();
      report.mutable_order()->set_quantity(total);
      Decided(std::move(report), out);
      return;
    }
    case Decision::Verdict::kSend: {
      CopyMade c;
      if (made && (made->state == CopyMade::State::kPlaced || made->state == CopyMade::State::kEnded)) {
        c = *made;
      } else {
        c.copy_id = dec.instructions.front().copy_id();
      }
      SendPlace(dec.instructions, c, out);
      if (dec.new_copy) store_.AddOrder(id, day);
      store_.SaveCopy(orderid, id, c);
      if (!dec.partial_reason.empty()) {
        auto report = DecisionReport(nullptr, &event, id, v1::OUTCOME_SKIPPED, dec.partial_reason);
        report.set_ordertag(report.ordertag() + "/beyond-flat");
        Decided(std::move(report), out);
      }
      return;
    }
  }
}

namespace {
const char* ActionVerb(v1::CopyAction action) {
  switch (action) {
    case v1::COPY_ACTION_MODIFY: return "modifying";
    case v1::COPY_ACTION_CANCEL: return "cancelling";
    case v1::COPY_ACTION_CANCEL_ALL: return "cancelling every open copy:";
    default: return "copying";
  }
}
}  // namespace

void Router::SendAfterCommit(Staged out) {
  if (out.empty()) return;
  // Sent once the instructions are durable: with the subscriber's group
  // commit that is when the whole burst of master events commits.
  journal_.AfterCommit([this, out = std::move(out)] {
    auto lg = log::Get("router");
    for (const auto& staged : out) {
      if (staged.envelope.has_copy_instruction()) {
        const auto& ci = staged.envelope.copy_instruction();
        lg->info("{} {} {} {} x{} (master order {}) to {} as x{} [leg {}/{}, rule {}]", ActionVerb(ci.action()), ci.order().transactiontype(), ci.order().tradingsymbol(),
                 ci.order().ordertype(), ci.master_quantity(), ci.master_order_id(), ci.follower_id(),
                 ci.order().quantity(), ci.leg() + 1, std::max(ci.legs(), 1), ci.rule().source());
      }
      publisher_.Send(staged);
    }
  });
}

bool Router::ApplyMasterEvent(const bus::Envelope& envelope) {
  Staged out;
  journal_.Transaction([&] {
    journal_.SetCursor(envelope.stream_id(), envelope.seq());
    // Another payload kind (a future one) is consumed so the stream moves on.
    if (!envelope.has_master_order_event()) return;
    for (const auto& f : followers_) {
      if (!f.settings.enabled) continue;
      Route(envelope.master_order_event(), f, out);
    }
  });
  SendAfterCommit(std::move(out));
  return true;
}

void Router::CheckLossLimit(const v1::FollowerState& state, Staged& out) {
  const FollowerTarget* f = Find(state.follower_id());
  if (!f) return;
  const double limit = f->settings.rules.daily_loss_limit;
  if (limit <= 0 || !state.day_pnl_known() || state.day_pnl() > -limit) return;
  const std::string day = Today();
  if (ist::DateString(state.time_ns()) != day || store_.LossLimitHit(f->settings.id, day)) return;
  store_.SetLossLimitHit(f->settings.id, day);
  char text[200];
  std::snprintf(text, sizeof text,
                "daily loss limit reached: day P&L %.2f against daily_loss_limit %.2f; new entries are not copied, "
                "exits still are",
                state.day_pnl(), limit);
  log::Get("router")->warn("{}: {}", f->settings.id, text);
  if (alerts_) alerts_->Send(alerts::kind::kLossLimit, f->settings.id + ": " + text);
  auto report = DecisionReport(nullptr, nullptr, f->settings.id, v1::OUTCOME_SKIPPED, text);
  report.set_alert(true);
  report.set_ordertag("loss-limit/" + f->settings.id + "/" + day);
  report.mutable_order()->set_tradingsymbol("");
  Decided(std::move(report), out);
}

bool Router::ApplyReport(const bus::Envelope& envelope) {
  bool added = false;
  Staged out;
  journal_.Transaction([&] {
    journal_.SetCursor(envelope.stream_id(), envelope.seq());
    if (envelope.has_execution_report()) added = records_.Add(envelope.execution_report());
    if (envelope.has_follower_state()) {
      follower_states_[envelope.follower_state().follower_id()] = envelope.follower_state();
      CheckLossLimit(envelope.follower_state(), out);
    }
  });
  SendAfterCommit(std::move(out));
  if (!added) return true;
  const auto& report = envelope.execution_report();
  auto lg = log::Get("router");
  const auto& o = report.order();
  switch (report.outcome()) {
    case v1::OUTCOME_ACCEPTED:
      lg->info("accepted for {}: follower order {} ({} {} x{} @ {:.2f})", report.follower_id(),
               report.broker_order_id(), o.transactiontype(), o.tradingsymbol(), o.quantity(), report.limit_price());
      break;
    case v1::OUTCOME_MODIFIED:
      break;  // chase steps: the executor logs them
    case v1::OUTCOME_FILLED:
      lg->info("copied to {}: follower order {} filled ({} {} x{} @ {:.2f}, slippage {:.1f} bp)", report.follower_id(),
               report.broker_order_id(), o.transactiontype(), o.tradingsymbol(), report.filled_quantity(),
               report.average_price(), report.slippage_bps());
      break;
    case v1::OUTCOME_DRY_RUN:
      lg->info("dry run for {}: would place {} {} x{}", report.follower_id(), o.transactiontype(), o.tradingsymbol(),
               o.quantity());
      break;
    default:
      lg->warn("copy to {} of master order {}: {} {} {}", report.follower_id(), report.master_order_id(),
               OutcomeName(report.outcome()), report.error_code(), report.error_text());
  }
  return true;
}

// ---- approval, pause, stop-all ---------------------------------------------

void Router::Approve(const HeldEntry& held, const std::string& origin, Staged& out) {
  CopyMade c;
  c.copy_id = held.copy.copy_id;
  SendPlace(held.copy.held, c, out);
  store_.AddOrder(held.follower_id, Today());
  store_.SaveCopy(held.master_order_id, held.follower_id, c);
  auto report = DecisionReport(&held.copy.held.front(), nullptr, held.follower_id, v1::OUTCOME_APPROVED,
                               "approved by " + (origin.empty() ? std::string("the user") : origin));
  Decided(std::move(report), out);
}

void Router::Reject(const HeldEntry& held, const std::string& reason, v1::Outcome outcome, Staged& out) {
  CopyMade c;
  c.state = CopyMade::State::kEnded;
  c.copy_id = held.copy.copy_id;
  store_.SaveCopy(held.master_order_id, held.follower_id, c);
  auto report = DecisionReport(&held.copy.held.front(), nullptr, held.follower_id, outcome, reason);
  int64_t total = 0;
  for (const auto& ci : held.copy.held) total += ci.order().quantity();
  report.mutable_order()->set_quantity(total);
  Decided(std::move(report), out);
}

void Router::ExpireHeld() {
  const int64_t now = clock_.wall_ns();
  std::vector<HeldEntry> due;
  for (auto& h : store_.AllHeld())
    if (h.expires_ns <= now) due.push_back(std::move(h));
  if (due.empty()) return;
  Staged out;
  journal_.Transaction([&] {
    for (const auto& h : due) {
      const FollowerTarget* f = Find(h.follower_id);
      const int64_t max_ms = f ? f->settings.max_copy_delay_ms : settings_.max_copy_delay_ms;
      Reject(h, "not approved within max_copy_delay_ms (" + std::to_string(max_ms) + " ms): not copied",
             v1::OUTCOME_STALE, out);
    }
  });
  SendAfterCommit(std::move(out));
}

nlohmann::json Router::StatusFollowers() {
  nlohmann::json j = nlohmann::json::object();
  const std::string day = Today();
  for (const auto& f : followers_) {
    const auto& id = f.settings.id;
    j[id] = {{"paused", store_.Paused(id)},
             {"loss_limit_hit", store_.LossLimitHit(id, day)},
             {"orders_today", store_.OrdersToday(id, day)}};
  }
  return j;
}

nlohmann::json Router::StatusHeld() { return static_cast<int64_t>(store_.AllHeld().size()); }

v1::ControlReply Router::Control(const v1::ControlRequest& request) {
  v1::ControlReply reply;
  const std::string& cmd = request.command();
  const std::string& target = request.target();
  const std::string origin = request.origin().empty() ? "control" : request.origin();
  const int64_t now = clock_.wall_ns();
  auto lg = log::Get("router");
  auto fail = [&](std::string error) {
    reply.set_ok(false);
    reply.set_error(std::move(error));
  };
  auto plural = [](size_t n, const char* one, const char* many) { return std::to_string(n) + " " + (n == 1 ? one : many); };
  Staged out;
  if (cmd == "state" || cmd == "pending") {
    reply.set_ok(true);
  } else if (cmd == "approve" || cmd == "reject") {
    if (target.empty()) {
      fail("name a held copy's id, or 'all' (copytrade pending lists them)");
    } else {
      std::vector<HeldEntry> chosen;
      if (target == "all") {
        chosen = store_.AllHeld();
      } else if (auto h = store_.Held(target)) {
        chosen.push_back(std::move(*h));
      } else {
        fail("no held copy '" + target + "' (copytrade pending lists them)");
      }
      if (reply.error().empty()) {
        size_t done = 0, expired = 0;
        journal_.Transaction([&] {
          for (const auto& h : chosen) {
            if (h.expires_ns <= now) {
              // Past its time: expired, whatever was asked.
              Reject(h, "not approved within max_copy_delay_ms: not copied", v1::OUTCOME_STALE, out);
              ++expired;
              continue;
            }
            if (cmd == "approve") Approve(h, origin, out);
            else Reject(h, "rejected by " + origin, v1::OUTCOME_SKIPPED, out);
            ++done;
          }
        });
        std::string msg = (cmd == "approve" ? "approved " : "rejected ") + plural(done, "copy", "copies");
        if (expired) msg += "; " + plural(expired, "copy had", "copies had") + " already expired";
        lg->info("{} ({})", msg, origin);
        if (target != "all" && done == 0) fail("held copy '" + target + "' had already expired");
        else reply.set_ok(true);
        reply.set_message(msg);
      }
    }
  } else if (cmd == "pause" || cmd == "resume") {
    const bool pause = cmd == "pause";
    std::vector<std::string> ids;
    if (target.empty() || target == "all") {
      for (const auto& f : followers_) ids.push_back(f.settings.id);
    } else if (Find(target)) {
      ids.push_back(target);
    } else {
      std::string known;
      for (const auto& f : followers_) known += (known.empty() ? "" : ", ") + f.settings.id;
      fail("unknown follower '" + target + "' (followers: " + known + ")");
    }
    if (!ids.empty()) {
      journal_.Transaction([&] {
        for (const auto& id : ids) store_.SetPaused(id, pause);
      });
      std::string names;
      for (const auto& id : ids) names += (names.empty() ? "" : ", ") + id;
      reply.set_ok(true);
      reply.set_message((pause ? "paused " : "resumed ") + names);
      lg->warn("{} ({})", reply.message(), origin);
    }
  } else if (cmd == "stop-all") {
    size_t held = 0;
    journal_.Transaction([&] {
      for (const auto& f : followers_) store_.SetPaused(f.settings.id, true);
      for (const auto& h : store_.AllHeld()) {
        Reject(h, "stop-all by " + origin, v1::OUTCOME_SKIPPED, out);
        ++held;
      }
      for (const auto& f : followers_) {
        bus::Envelope env;
        auto* ci = env.mutable_copy_instruction();
        ci->set_follower_id(f.settings.id);
        ci->set_action(v1::COPY_ACTION_CANCEL_ALL);
        ci->set_ordertag("stop-all");
        ci->set_routed_time_ns(now);
        out.push_back(publisher_.Stage(f.settings.id, std::move(env)));
      }
    });
    reply.set_ok(true);
    reply.set_stopped_all(true);
    reply.set_message("stop-all: paused " + plural(followers_.size(), "follower", "followers") +
                      ", asked each executor to cancel its open copies" +
                      (held ? ", dropped " + plural(held, "held copy", "held copies") : std::string()));
    lg->warn("{} ({})", reply.message(), origin);
  } else {
    fail("unknown command '" + cmd + "' (state, pending, approve, reject, pause, resume, stop-all)");
  }
  SendAfterCommit(std::move(out));
  // Every reply carries the state after the command.
  const std::string day = Today();
  for (const auto& h : store_.AllHeld()) {
    auto* hc = reply.add_held();
    hc->set_id(h.copy.copy_id);
    hc->set_follower_id(h.follower_id);
    *hc->mutable_instruction() = h.copy.held.front();
    int64_t total = 0;
    for (const auto& ci : h.copy.held) total += ci.order().quantity();
    hc->mutable_instruction()->mutable_order()->set_quantity(total);
    hc->set_held_time_ns(h.held_ns);
    hc->set_expires_time_ns(h.expires_ns);
  }
  for (const auto& f : followers_) {
    const FollowerDay d = DayOf(f, day);
    auto* fc = reply.add_followers();
    fc->set_follower_id(f.settings.id);
    fc->set_client_id(f.client_id);
    fc->set_paused(d.paused);
    fc->set_loss_limit_hit(d.loss_limit_hit);
    fc->set_day_pnl_known(d.day_pnl_known);
    fc->set_day_pnl(d.day_pnl);
    fc->set_orders_today(d.orders_today);
  }
  return reply;
}

}  // namespace ct::router
