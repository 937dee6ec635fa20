#include "watcher/order_tracker.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstring>
#include <ctime>

namespace ct::watcher {
namespace v1 = copytrade::v1;
namespace {

// SmartAPI's status, lower case. `orderstatus` wins: a trigger-pending order
// that was modified can show status "modified", orderstatus "trigger
// pending" (SMARTAPI.md 2.15).
std::string StatusOf(const v1::Order& o) {
  std::string s = o.orderstatus().empty() ? o.status() : o.orderstatus();
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

bool IsTriggerPending(const v1::Order& o) { return StatusOf(o) == "trigger pending"; }

// What a copy depends on; a change of any of them is a MODIFIED.
bool SameTerms(const v1::Order& a, const v1::Order& b) {
  return a.price() == b.price() && a.triggerprice() == b.triggerprice() && a.quantity() == b.quantity() &&
         a.ordertype() == b.ordertype();
}

void TakeTerms(const v1::Order& from, v1::Order& to) {
  to.set_price(from.price());
  to.set_triggerprice(from.triggerprice());
  to.set_quantity(from.quantity());
  to.set_ordertype(from.ordertype());
}

int64_t Side(const v1::Order& o) {
  if (o.transactiontype() == "BUY") return 1;
  if (o.transactiontype() == "SELL") return -1;
  return 0;
}

// The time of the latest change the view reports (its updatetime, or the
// exchange's if later); 0 when neither parses.
int64_t BrokerTime(const v1::Order& o) {
  return std::max(ParseIstTime(o.updatetime()), ParseIstTime(o.exchorderupdatetime()));
}

// 812.35 -> "812.35", 100 -> "100": prices in keys as the broker wrote them.
std::string Number(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.4f", v);
  std::string s = buf;
  while (!s.empty() && s.back() == '0') s.pop_back();
  if (!s.empty() && s.back() == '.') s.pop_back();
  return s;
}

// "ORDER_EVENT_PARTIALLY_FILLED" -> "partially_filled"
std::string ShortKind(v1::OrderEventKind kind) {
  std::string s = v1::OrderEventKind_Name(kind);
  if (s.rfind("ORDER_EVENT_", 0) == 0) s = s.substr(12);
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace

const char* SourceName(Source source) { return source == Source::kFeed ? "feed" : "poll"; }

Stage StageOf(const v1::Order& o) {
  const std::string s = StatusOf(o);
  if (s == "complete" || s == "rejected" || s == "cancelled" || s == "cancelled after market order")
    return Stage::kTerminal;
  if (s == "open" || s == "trigger pending" || s == "modified" || s == "modify pending" ||
      s == "modify validation pending" || s == "cancel pending" || s == "not modified" || s == "not cancelled")
    return Stage::kWorking;
  return Stage::kPending;  // open pending, validation pending, AMO received, unknown
}

v1::OrderEventKind KindOf(const v1::Order& o) {
  const std::string s = StatusOf(o);
  if (s == "complete") return v1::ORDER_EVENT_FILLED;
  if (s == "rejected") return v1::ORDER_EVENT_REJECTED;
  if (s == "cancelled" || s == "cancelled after market order") return v1::ORDER_EVENT_CANCELLED;
  if (s == "trigger pending") return v1::ORDER_EVENT_TRIGGER_PENDING;
  if (o.filledshares() > 0) return v1::ORDER_EVENT_PARTIALLY_FILLED;
  return v1::ORDER_EVENT_PLACED;
}

std::string PositionKey(const std::string& exchange, const std::string& symboltoken, const std::string& producttype) {
  return exchange + "|" + symboltoken + "|" + producttype;
}

std::string PositionKeyOf(const v1::Order& o) { return PositionKey(o.exchange(), o.symboltoken(), o.producttype()); }

int64_t ParseIstTime(const std::string& text) {
  static const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                  "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  int day = 0, year = 0, h = 0, m = 0, s = 0;
  char mon[4] = {};
  if (std::sscanf(text.c_str(), "%2d-%3s-%4d %2d:%2d:%2d", &day, mon, &year, &h, &m, &s) != 6) return 0;
  int month = -1;
  for (int i = 0; i < 12; ++i)
    if (std::strcmp(mon, kMonths[i]) == 0) month = i;
  if (month < 0) return 0;
  std::tm tm{};
  tm.tm_year = year - 1900;
  tm.tm_mon = month;
  tm.tm_mday = day;
  tm.tm_hour = h;
  tm.tm_min = m;
  tm.tm_sec = s;
  const int64_t utc = static_cast<int64_t>(timegm(&tm)) - (5 * 3600 + 30 * 60);  // IST = UTC+5:30
  return utc * 1'000'000'000;
}

void OrderTracker::SetBaseline(const std::vector<v1::Order>& book,
                               std::optional<std::map<std::string, int64_t>> positions) {
  for (const auto& o : book) {
    if (o.orderid().empty()) continue;
    auto& t = state_.orders[o.orderid()];
    t.baseline = true;
    t.view = o;
  }
  state_.positions_known = positions.has_value();
  state_.positions = positions ? std::move(*positions) : std::map<std::string, int64_t>{};
}

const TrackedOrder* OrderTracker::Find(const std::string& orderid) const {
  const auto it = state_.orders.find(orderid);
  return it == state_.orders.end() ? nullptr : &it->second;
}

std::optional<int64_t> OrderTracker::Position(const std::string& key) const {
  if (!state_.positions_known) return std::nullopt;
  const auto it = state_.positions.find(key);
  return it == state_.positions.end() ? 0 : it->second;
}

Applied OrderTracker::Apply(const std::vector<v1::Order>& views, const Observation& observation) {
  Applied out;
  for (const auto& v : views)
    if (!v.orderid().empty()) ApplyOne(v, observation, out);
  return out;
}

void OrderTracker::MoveFill(const v1::Order& order, int64_t delta, Applied& out) {
  if (delta <= 0 || !state_.positions_known || Side(order) == 0) return;
  const std::string key = PositionKeyOf(order);
  state_.positions[key] += Side(order) * delta;
  out.positions.insert(key);
}

void OrderTracker::ApplyOne(const v1::Order& v, const Observation& obs, Applied& out) {
  const auto [it, inserted] = state_.orders.try_emplace(v.orderid());
  TrackedOrder& t = it->second;
  if (inserted) {
    t.view = v;
    if (obs.source == Source::kFeed) t.last_push = obs.taken;
    MoveFill(v, v.filledshares(), out);
    out.orders.insert(v.orderid());
    Emit(KindOf(v), t, nullptr, obs, out);
    return;
  }

  // Judge the view against the push BEFORE this one: a push is never stale
  // by its own receive time.
  const std::optional<SteadyTime> last_push = t.last_push;
  if (obs.source == Source::kFeed) t.last_push = std::max(t.last_push.value_or(obs.taken), obs.taken);

  const v1::Order s = t.view;  // the accepted view (copied: t.view is replaced below)
  const Stage from = StageOf(s), to = StageOf(v);
  if (from == Stage::kTerminal) return;                                 // final
  if (v.filledshares() < s.filledshares() || to < from) return;         // behind: never back
  const int64_t v_time = ParseIstTime(v.updatetime()), s_time = ParseIstTime(s.updatetime());
  const bool stale = (obs.source == Source::kPoll && last_push && obs.taken < *last_push) ||
                     (v_time > 0 && s_time > 0 && v_time < s_time);
  const bool forward = v.filledshares() > s.filledshares() || to > from;
  if (stale && !forward) return;  // never sideways from an old view

  v1::Order next = v;
  if (next.uniqueorderid().empty()) next.set_uniqueorderid(s.uniqueorderid());  // the feed omits them
  if (next.exchangeorderid().empty()) next.set_exchangeorderid(s.exchangeorderid());
  if (stale) {
    TakeTerms(s, next);
    if (v_time < s_time) next.set_updatetime(s.updatetime());
  }
  const bool modified = !stale && !SameTerms(s, next);
  if (next.SerializeAsString() == s.SerializeAsString()) return;  // the same change, seen again

  MoveFill(next, next.filledshares() - s.filledshares(), out);
  t.view = next;
  out.orders.insert(v.orderid());
  if (t.baseline) return;  // never copied; its fills moved the position above

  if (modified) Emit(v1::ORDER_EVENT_MODIFIED, t, &s, obs, out);
  if (from == Stage::kPending && IsTriggerPending(next)) Emit(v1::ORDER_EVENT_TRIGGER_PENDING, t, nullptr, obs, out);
  if (to == Stage::kTerminal) {
    Emit(KindOf(next), t, nullptr, obs, out);
  } else if (next.filledshares() > s.filledshares()) {
    Emit(v1::ORDER_EVENT_PARTIALLY_FILLED, t, nullptr, obs, out);
  }
}

void OrderTracker::Emit(v1::OrderEventKind kind, TrackedOrder& t, const v1::Order* previous,
                        const Observation& obs, Applied& out) {
  const v1::Order& o = t.view;
  v1::MasterOrderEvent e;
  e.set_kind(kind);
  *e.mutable_order() = o;
  const int64_t broker_time = BrokerTime(o);
  e.set_master_event_time_ns(broker_time > 0 ? broker_time : obs.now_ns);
  e.set_detected_time_ns(obs.now_ns);
  e.set_change_key(o.orderid() + ":" + std::to_string(++t.events) + ":" + ShortKind(kind) + ":f" +
                   std::to_string(o.filledshares()) + ":" + o.ordertype() + ":" + std::to_string(o.quantity()) +
                   "@" + Number(o.price()) + "/" + Number(o.triggerprice()) + ":" + o.updatetime());
  e.set_source(SourceName(obs.source));
  if (const auto position = Position(PositionKeyOf(o))) {
    e.set_master_position_before(*position - Side(o) * o.filledshares());
    e.set_master_position_known(true);
  }
  if (previous != nullptr) *e.mutable_previous() = *previous;
  out.events.push_back(std::move(e));
}

}  // namespace ct::watcher
