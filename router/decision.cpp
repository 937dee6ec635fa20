#include "router/decision.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "common/time/ist.h"
#include "router/rules.h"

namespace ct::router {
namespace v1 = copytrade::v1;
namespace {

using Verdict = Decision::Verdict;

bool Ended(v1::OrderEventKind k) {
  return k == v1::ORDER_EVENT_FILLED || k == v1::ORDER_EVENT_CANCELLED || k == v1::ORDER_EVENT_REJECTED;
}

bool IsStop(const std::string& ordertype) { return ordertype == "STOPLOSS_LIMIT" || ordertype == "STOPLOSS_MARKET"; }

std::string Opposite(const std::string& side) {
  if (side == "BUY") return "SELL";
  if (side == "SELL") return "BUY";
  return side;
}

std::string Rupees(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", v);
  return buf;
}

std::string Minutes(int m) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%02d:%02d", m / 60, m % 60);
  return buf;
}

// What the instrument data says about the order's instrument.
struct InstrumentFacts {
  const instruments::Instrument* instrument = nullptr;
  int64_t lot = 1;
  int64_t max_leg = 0;  // 0: no freeze quantity (nothing sliced)
};

InstrumentFacts FactsOf(const InstrumentData& data, const v1::Order& o, int64_t now_ns) {
  InstrumentFacts f;
  if (data.master) {
    f.instrument = data.master->Find(o.exchange(), o.symboltoken());
    if (!f.instrument) f.instrument = data.master->FindBySymbol(o.exchange(), o.tradingsymbol());
  }
  if (f.instrument && f.instrument->lot_size > 0) f.lot = f.instrument->lot_size;
  else if (o.lotsize() > 0) f.lot = o.lotsize();
  if (f.instrument && data.freeze) {
    if (const auto freeze = data.freeze->FreezeQuantity(*f.instrument, ist::DayOf(now_ns))) {
      // Each leg is whole lots: the largest multiple of the lot within the freeze.
      f.max_leg = (*freeze / f.lot) * f.lot;
      if (f.max_leg <= 0) f.max_leg = f.lot;
    }
  }
  return f;
}

// Leg quantities for `total`: as many full legs as fit, then the rest.
std::vector<int64_t> Slice(int64_t total, int64_t max_leg) {
  std::vector<int64_t> legs;
  if (max_leg <= 0 || total <= max_leg) return {total};
  while (total > 0) {
    const int64_t q = std::min(total, max_leg);
    legs.push_back(q);
    total -= q;
  }
  return legs;
}

// How a copy is executed and priced, from the master's view of its order.
struct Shape {
  v1::Execution execution = v1::EXECUTION_MARKETABLE;
  double reference_price = 0;  // 0: unknown (the executor asks for the LTP)
  int64_t master_quantity = 0; // what the follower's rule sizes from
  bool at_market = false;      // copy of a fill: ordertype MARKET, no trigger
};

Shape ShapeOf(const v1::MasterOrderEvent& ev) {
  const auto& o = ev.order();
  Shape s;
  if (Ended(ev.kind())) {
    // A fill (or the filled part of an ended order) is copied at the market.
    s.execution = v1::EXECUTION_MARKETABLE;
    s.reference_price = o.averageprice() > 0 ? o.averageprice() : o.price();
    s.master_quantity = o.filledshares() > 0 ? o.filledshares()
                        : ev.kind() == v1::ORDER_EVENT_FILLED ? o.quantity() : 0;
    s.at_market = true;
    return s;
  }
  s.master_quantity = o.quantity();
  if (o.ordertype() == "MARKET") {
    s.execution = v1::EXECUTION_MARKETABLE;
    s.reference_price = o.averageprice() > 0 ? o.averageprice() : o.price();
  } else {
    s.execution = v1::EXECUTION_RESTING;
    s.reference_price = o.ordertype() == "STOPLOSS_MARKET" ? o.triggerprice() : o.price();
  }
  return s;
}

// Whether the order reduces the master's position, and by how much.
struct ExitFacts {
  bool exit = false;
  int64_t reduced = 0;  // master units that reduce the position
  int64_t excess = 0;   // master units beyond flat (a flip): an entry
  double fraction = 0;
  bool flatten = false;
};

ExitFacts ExitOf(const v1::MasterOrderEvent& ev, int64_t master_quantity) {
  ExitFacts x;
  if (!ev.master_position_known() || master_quantity <= 0) return x;
  const int64_t before = ev.master_position_before();
  const std::string& side = ev.order().transactiontype();
  if (!((before > 0 && side == "SELL") || (before < 0 && side == "BUY"))) return x;
  const int64_t held = std::llabs(before);
  x.exit = true;
  x.reduced = std::min(master_quantity, held);
  x.excess = master_quantity - x.reduced;
  x.fraction = static_cast<double>(x.reduced) / static_cast<double>(held);
  x.flatten = master_quantity >= held;
  return x;
}

class Decider {
 public:
  explicit Decider(const DecisionInput& in)
      : in_(in),
        ev_(*in.event),
        o_(in.event->order()),
        f_(*in.follower),
        rules_(in.follower->rules),
        day_(*in.day),
        facts_(FactsOf(in.instruments, in.event->order(), in.now_ns)) {}

  Decision Run() {
    const bool mirror = f_.copy_mode == config::CopyMode::kMirror;
    if (!in_.made) return Arrival(mirror);
    const CopyMade& made = *in_.made;
    // complete mode: one decision per master order.
    if (!mirror) return {};
    const auto kind = ev_.kind();
    switch (made.state) {
      case CopyMade::State::kHeld:
        if (kind == v1::ORDER_EVENT_CANCELLED || kind == v1::ORDER_EVENT_REJECTED)
          return Skip(std::string("the master order was ") +
                      (kind == v1::ORDER_EVENT_CANCELLED ? "cancelled" : "rejected") + " before approval");
        if (kind == v1::ORDER_EVENT_MODIFIED) return Arrival(true);  // the held copy follows the change
        return {};
      case CopyMade::State::kSkipped:
        // A modification may make a skipped copy placeable (a larger
        // quantity reaching one lot); anything else stays skipped.
        if (kind == v1::ORDER_EVENT_MODIFIED) return Arrival(true);
        return {};
      case CopyMade::State::kPlaced:
        if (kind == v1::ORDER_EVENT_MODIFIED) return Modify(made);
        if (kind == v1::ORDER_EVENT_CANCELLED || kind == v1::ORDER_EVENT_REJECTED)
          return CancelLegs(made, kind == v1::ORDER_EVENT_CANCELLED ? "the master cancelled its order"
                                                                    : "the master's order was rejected");
        return {};  // fills: the follower's resting copy fills on its own
      case CopyMade::State::kEnded:
        return {};
    }
    return {};
  }

 private:
  Decision Skip(std::string reason, bool alert = false) {
    Decision d;
    d.verdict = Verdict::kSkip;
    d.reason = std::move(reason);
    d.alert = alert;
    d.loss_limit_hit = LossLimitHit();
    return d;
  }

  bool LossLimitBreachedNow() const {
    return rules_.daily_loss_limit > 0 && day_.day_pnl_known && day_.day_pnl <= -rules_.daily_loss_limit;
  }
  bool LossLimitHit() const { return day_.loss_limit_hit || LossLimitBreachedNow(); }

  std::optional<std::string> OutsideWindow() const {
    if (!rules_.window) return std::nullopt;
    const int m = ist::MinutesSinceMidnight(in_.now_ns);
    if (m >= rules_.window->from_minute && m <= rules_.window->to_minute) return std::nullopt;
    return "outside the trading window " + Minutes(rules_.window->from_minute) + "-" +
           Minutes(rules_.window->to_minute) + " IST (now " + Minutes(m) + " IST)";
  }

  struct Sized {
    int64_t quantity = 0;
    std::string reason;  // set: not copied
    bool alert = false;
  };

  // The caps on one copy's whole quantity.
  std::optional<std::string> OverCaps(int64_t quantity, double reference_price) const {
    if (rules_.max_quantity > 0 && quantity > rules_.max_quantity)
      return "quantity " + std::to_string(quantity) + " is over max_quantity " + std::to_string(rules_.max_quantity);
    if (rules_.max_order_value > 0 && reference_price > 0) {
      const double value = static_cast<double>(quantity) * reference_price;
      if (value > rules_.max_order_value)
        return "order value " + Rupees(value) + " (" + std::to_string(quantity) + " x " + Rupees(reference_price) +
               ") is over max_order_value " + Rupees(rules_.max_order_value);
    }
    return std::nullopt;
  }

  // An entry of `master_quantity` master units: every rule.
  Sized Entry(int64_t master_quantity, double reference_price) const {
    if (auto r = FilterOut(rules_, o_, facts_.instrument)) return {0, *r};
    if (auto r = OutsideWindow()) return {0, *r};
    const Sizing size = SizeQuantity(f_.rule, master_quantity, facts_.lot);
    if (size.quantity <= 0) return {0, size.skipped_reason};
    if (auto r = OverCaps(size.quantity, reference_price)) return {0, *r};
    if (rules_.max_orders_per_day > 0 && day_.orders_today >= rules_.max_orders_per_day)
      return {0, "max_orders_per_day " + std::to_string(rules_.max_orders_per_day) + " reached (" +
                     std::to_string(day_.orders_today) + " copies today)"};
    if (day_.paused) return {0, "paused"};
    if (LossLimitHit()) {
      std::string reason = "daily loss limit reached: ";
      reason += day_.day_pnl_known ? "day P&L " + Rupees(day_.day_pnl) : std::string("hit earlier today");
      reason += " against daily_loss_limit " + Rupees(rules_.daily_loss_limit) + "; new entries are not copied";
      return {0, reason, true};
    }
    return {size.quantity, ""};
  }

  // An exit reducing the master's position by `x`.
  Sized Exit(const ExitFacts& x, double reference_price, const std::string& copy_side) const {
    if (day_.paused && rules_.pause_exits) return {0, "paused (pause_exits: exits are not copied either)"};
    if (f_.exit_sizing == config::ExitSizingMode::kRule) {
      if (auto r = FilterOut(rules_, o_, facts_.instrument)) return {0, *r};
      if (auto r = OutsideWindow()) return {0, *r};
      const Sizing size = SizeQuantity(f_.rule, x.reduced, facts_.lot);
      if (size.quantity <= 0) return {0, size.skipped_reason};
      if (auto r = OverCaps(size.quantity, reference_price)) return {0, *r};
      return {size.quantity, ""};
    }
    // Proportional: the router's estimate; the executor sizes it from what
    // the follower holds.
    int64_t estimate = 0;
    const auto it = day_.positions.find(PositionKey(o_));
    if (day_.positions_known && it != day_.positions.end()) {
      const int64_t pos = it->second;
      const bool reduces = (copy_side == "SELL" && pos > 0) || (copy_side == "BUY" && pos < 0);
      if (reduces) {
        const int64_t held = std::llabs(pos);
        estimate = x.flatten ? held
                             : static_cast<int64_t>(std::floor(static_cast<double>(held) * x.fraction + 1e-9)) /
                                   facts_.lot * facts_.lot;
      }
    }
    if (estimate <= 0) estimate = SizeQuantity(f_.rule, x.reduced, facts_.lot).quantity;
    if (estimate <= 0) estimate = facts_.lot;
    return {estimate, ""};
  }

  v1::CopyInstruction Base(const Shape& shape, const std::string& side) const {
    v1::CopyInstruction ci;
    ci.set_follower_id(f_.id);
    auto* o = ci.mutable_order();
    o->set_tradingsymbol(o_.tradingsymbol());
    o->set_symboltoken(o_.symboltoken());
    o->set_transactiontype(side);
    o->set_exchange(o_.exchange());
    o->set_producttype(o_.producttype());
    o->set_duration(o_.duration().empty() ? "DAY" : o_.duration());
    o->set_lotsize(facts_.lot);
    if (shape.at_market) {
      // Never a stop with an already crossed trigger: the fill is copied
      // at the market (a marketable LIMIT off reference_price).
      o->set_variety("NORMAL");
      o->set_ordertype(IsStop(o_.ordertype()) ? "MARKET" : o_.ordertype());
      o->set_price(shape.reference_price);
      o->set_triggerprice(0);
    } else {
      o->set_variety(o_.variety().empty() ? (IsStop(o_.ordertype()) ? "STOPLOSS" : "NORMAL") : o_.variety());
      o->set_ordertype(o_.ordertype());
      o->set_price(o_.price());
      o->set_triggerprice(o_.triggerprice());
    }
    ci.set_master_order_id(o_.orderid());
    auto* rule = ci.mutable_rule();
    rule->set_kind(ToProto(f_.rule.mode));
    rule->set_multiplier(f_.rule.multiplier);
    rule->set_fixed_quantity(f_.rule.mode == config::QuantityMode::kFixedLots ? f_.rule.fixed_lots * facts_.lot
                                                                              : f_.rule.fixed_quantity);
    rule->set_source(f_.rule.source);
    ci.set_master_event_time_ns(ev_.master_event_time_ns());
    ci.set_detected_time_ns(ev_.detected_time_ns());
    ci.set_routed_time_ns(in_.now_ns);
    ci.set_master_quantity(o_.quantity());
    ci.set_master_event_kind(ev_.kind());
    ci.set_execution(shape.execution);
    ci.set_reference_price(shape.reference_price);
    ci.set_master_average_price(o_.averageprice());
    ci.set_master_filled_quantity(o_.filledshares());
    return ci;
  }

  struct Part {
    int64_t quantity = 0;
    bool exit = false;
    ExitFacts x;
  };

  // PLACE instructions for new legs: the parts' slices, numbered from `first_leg`.
  std::vector<v1::CopyInstruction> Legs(const Shape& shape, const std::string& side, const std::vector<Part>& parts,
                                        int first_leg, const std::string& copy_id) const {
    std::vector<v1::CopyInstruction> out;
    for (const auto& p : parts) {
      for (int64_t q : Slice(p.quantity, facts_.max_leg)) {
        v1::CopyInstruction ci = Base(shape, side);
        const int leg = first_leg + static_cast<int>(out.size());
        ci.set_action(v1::COPY_ACTION_PLACE);
        ci.set_ordertag(OrderTag(o_.orderid(), f_.id, leg));
        ci.mutable_order()->set_ordertag(ci.ordertag());
        ci.mutable_order()->set_quantity(q);
        ci.set_leg(leg);
        if (p.exit && f_.exit_sizing == config::ExitSizingMode::kProportional) {
          ci.mutable_exit()->set_fraction(p.x.fraction);
          ci.mutable_exit()->set_flatten(p.x.flatten);
        }
        out.push_back(std::move(ci));
      }
    }
    for (auto& ci : out) {
      ci.set_legs(static_cast<int32_t>(out.size()));
      ci.set_copy_id(copy_id.empty() ? out.front().ordertag() : copy_id);
    }
    return out;
  }

  // The parts to place for this view of the order, or a skip.
  struct Plan {
    std::vector<Part> parts;
    Sized blocked;  // the reason when nothing is placed
    std::string partial_reason;
    bool exit = false;
  };

  Plan PlanFor(const Shape& shape, const std::string& copy_side) const {
    Plan plan;
    const ExitFacts x = ExitOf(ev_, shape.master_quantity);
    if (x.exit) {
      plan.exit = true;
      const Sized out = Exit(x, shape.reference_price, copy_side);
      if (!out.reason.empty()) {
        plan.blocked = out;
        return plan;
      }
      plan.parts.push_back({out.quantity, true, x});
      if (x.excess > 0) {
        const Sized in = Entry(x.excess, shape.reference_price);
        if (in.reason.empty()) plan.parts.push_back({in.quantity, false, {}});
        else plan.partial_reason = "the part beyond flat is not copied: " + in.reason;
      }
      return plan;
    }
    const Sized in = Entry(shape.master_quantity, shape.reference_price);
    if (!in.reason.empty()) plan.blocked = in;
    else plan.parts.push_back({in.quantity, false, {}});
    return plan;
  }

  Decision Arrival(bool mirror) {
    const auto kind = ev_.kind();
    const int64_t filled = o_.filledshares();
    if (kind == v1::ORDER_EVENT_REJECTED && filled <= 0)
      return Skip("master order rejected by the broker" + (o_.text().empty() ? "" : ": " + o_.text()));
    if (kind == v1::ORDER_EVENT_CANCELLED && filled <= 0) return {};  // nothing to copy
    if (!mirror && !Ended(kind)) return {};  // complete mode waits for the end
    const Shape shape = ShapeOf(ev_);
    if (shape.master_quantity <= 0) return {};
    const std::string side = rules_.reverse ? Opposite(o_.transactiontype()) : o_.transactiontype();
    Plan plan = PlanFor(shape, side);
    if (plan.parts.empty()) {
      Decision d = Skip(plan.blocked.reason, plan.blocked.alert);
      d.exit = plan.exit;
      return d;
    }
    Decision d;
    d.verdict = Verdict::kSend;
    d.instructions = Legs(shape, side, plan.parts, 0, "");
    d.exit = plan.exit;
    d.new_copy = true;
    d.partial_reason = plan.partial_reason;
    d.loss_limit_hit = LossLimitHit();
    if (rules_.require_approval) {
      d.verdict = Verdict::kHold;
      d.reason = "awaiting approval (require_approval)";
      const int64_t t = ev_.master_event_time_ns() > 0 ? ev_.master_event_time_ns() : ev_.detected_time_ns();
      d.expires_ns = (t > 0 ? t : in_.now_ns) + f_.max_copy_delay_ms * 1'000'000;
    }
    return d;
  }

  Decision Modify(const CopyMade& made) {
    std::vector<const LegMade*> live;
    int max_leg = -1;
    for (const auto& l : made.legs) {
      max_leg = std::max(max_leg, l.leg);
      if (l.live) live.push_back(&l);
    }
    if (live.empty()) return {};
    std::sort(live.begin(), live.end(), [](const LegMade* a, const LegMade* b) { return a->leg < b->leg; });
    const Shape shape = ShapeOf(ev_);
    const std::string side = rules_.reverse ? Opposite(o_.transactiontype()) : o_.transactiontype();
    // Re-sized as if placed now; only the quantity caps apply (the copy is
    // already at the broker: filters, pause and loss limit do not undo it).
    const ExitFacts x = ExitOf(ev_, shape.master_quantity);
    int64_t total = 0;
    if (x.exit) {
      total = Exit(x, shape.reference_price, side).quantity;
    } else {
      const Sizing size = SizeQuantity(f_.rule, shape.master_quantity, facts_.lot);
      if (size.quantity <= 0) return Skip("modification not copied: " + size.skipped_reason);
      total = size.quantity;
    }
    if (total <= 0) return {};
    if (!x.exit) {
      if (auto r = OverCaps(total, shape.reference_price)) return Skip("modification not copied: " + *r);
    }
    const std::vector<int64_t> slices = Slice(total, facts_.max_leg);
    Decision d;
    d.verdict = Verdict::kSend;
    d.exit = x.exit;
    const int32_t legs = static_cast<int32_t>(slices.size());
    for (size_t i = 0; i < slices.size() && i < live.size(); ++i) {
      v1::CopyInstruction ci = Base(shape, side);
      ci.set_action(v1::COPY_ACTION_MODIFY);
      ci.set_target_ordertag(live[i]->ordertag);
      ci.set_ordertag(live[i]->ordertag);
      ci.mutable_order()->set_ordertag(live[i]->ordertag);
      ci.mutable_order()->set_quantity(slices[i]);
      ci.set_leg(live[i]->leg);
      ci.set_legs(legs);
      ci.set_copy_id(made.copy_id);
      if (x.exit && f_.exit_sizing == config::ExitSizingMode::kProportional) {
        ci.mutable_exit()->set_fraction(x.fraction);
        ci.mutable_exit()->set_flatten(x.flatten);
      }
      d.instructions.push_back(std::move(ci));
    }
    if (slices.size() > live.size()) {
      // More legs needed: new ones, numbered after every leg ever made (a
      // cancelled leg's ordertag is never reused).
      std::vector<Part> extra;
      for (size_t i = live.size(); i < slices.size(); ++i) extra.push_back({slices[i], x.exit, x});
      Shape resting = shape;
      for (auto& ci : Legs(resting, side, extra, max_leg + 1, made.copy_id)) {
        ci.set_legs(legs);
        d.instructions.push_back(std::move(ci));
      }
    }
    for (size_t i = slices.size(); i < live.size(); ++i)
      d.instructions.push_back(Cancel(*live[i], made.copy_id, "the master reduced its order's quantity"));
    return d;
  }

  v1::CopyInstruction Cancel(const LegMade& leg, const std::string& copy_id, const std::string& why) const {
    v1::CopyInstruction ci;
    ci.set_follower_id(f_.id);
    ci.set_action(v1::COPY_ACTION_CANCEL);
    ci.set_master_order_id(o_.orderid());
    ci.set_target_ordertag(leg.ordertag);
    ci.set_ordertag(leg.ordertag);
    ci.set_copy_id(copy_id);
    ci.set_leg(leg.leg);
    ci.set_master_event_time_ns(ev_.master_event_time_ns());
    ci.set_detected_time_ns(ev_.detected_time_ns());
    ci.set_routed_time_ns(in_.now_ns);
    ci.set_master_event_kind(ev_.kind());
    ci.mutable_order()->set_tradingsymbol(o_.tradingsymbol());
    ci.mutable_order()->set_exchange(o_.exchange());
    ci.mutable_order()->set_symboltoken(o_.symboltoken());
    ci.mutable_order()->set_ordertag(leg.ordertag);
    ci.mutable_order()->set_text(why);
    return ci;
  }

  Decision CancelLegs(const CopyMade& made, const std::string& why) {
    Decision d;
    for (const auto& l : made.legs)
      if (l.live) d.instructions.push_back(Cancel(l, made.copy_id, why));
    if (d.instructions.empty()) return d;
    d.verdict = Verdict::kSend;
    d.reason = why;
    return d;
  }

  const DecisionInput& in_;
  const v1::MasterOrderEvent& ev_;
  const v1::Order& o_;
  const config::FollowerSettings& f_;
  const config::CopyRules& rules_;
  const FollowerDay& day_;
  const InstrumentFacts facts_;
};

}  // namespace

std::string PositionKey(const v1::Order& order) {
  return order.exchange() + "|" + order.symboltoken() + "|" + order.producttype();
}

Decision Decide(const DecisionInput& input) { return Decider(input).Run(); }

const char* ToString(Decision::Verdict verdict) {
  switch (verdict) {
    case Verdict::kNothing: return "nothing";
    case Verdict::kSend: return "send";
    case Verdict::kSkip: return "skip";
    case Verdict::kHold: return "hold";
  }
  return "?";
}

}  // namespace ct::router
