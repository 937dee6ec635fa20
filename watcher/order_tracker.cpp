#include "watcher/order_tracker.h"

#include <cstdio>
#include <cstring>
#include <ctime>

namespace ct::watcher {
namespace v1 = copytrade::v1;

v1::OrderEventKind KindOf(const v1::Order& o) {
  const std::string& s = o.orderstatus().empty() ? o.status() : o.orderstatus();
  if (s == "complete") return v1::ORDER_EVENT_FILLED;
  if (s == "rejected") return v1::ORDER_EVENT_REJECTED;
  if (s == "cancelled" || s == "cancelled after market order") return v1::ORDER_EVENT_CANCELLED;
  if (s == "trigger pending") return v1::ORDER_EVENT_TRIGGER_PENDING;
  if (s == "modified" || s == "modify pending" || s == "modify after market order req received")
    return v1::ORDER_EVENT_MODIFIED;
  if (o.filledshares() > 0) return v1::ORDER_EVENT_PARTIALLY_FILLED;
  return v1::ORDER_EVENT_PLACED;  // open, open pending, AMO, ...
}

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

void OrderTracker::SetBaseline(const std::vector<v1::Order>& book) {
  for (const auto& o : book) {
    auto& t = orders_[o.orderid()];
    t.baseline = true;
    t.last_kind = KindOf(o);
    t.last_filled = o.filledshares();
  }
}

std::vector<v1::MasterOrderEvent> OrderTracker::Update(const std::vector<v1::Order>& book, int64_t now_ns) {
  std::vector<v1::MasterOrderEvent> events;
  for (const auto& o : book) {
    if (o.orderid().empty()) continue;
    auto [it, inserted] = orders_.try_emplace(o.orderid());
    TrackedOrder& t = it->second;
    if (t.baseline) continue;
    const auto kind = KindOf(o);
    const bool changed = inserted || kind != t.last_kind ||
                         (kind == v1::ORDER_EVENT_PARTIALLY_FILLED && o.filledshares() != t.last_filled);
    if (!changed) continue;
    t.last_kind = kind;
    t.last_filled = o.filledshares();
    v1::MasterOrderEvent e;
    e.set_kind(kind);
    *e.mutable_order() = o;
    const int64_t broker_time = ParseIstTime(o.exchorderupdatetime().empty() ? o.updatetime() : o.exchorderupdatetime());
    e.set_master_event_time_ns(broker_time > 0 ? broker_time : now_ns);
    e.set_detected_time_ns(now_ns);
    events.push_back(std::move(e));
  }
  return events;
}

}  // namespace ct::watcher
