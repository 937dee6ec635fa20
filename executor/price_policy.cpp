#include "executor/price_policy.h"

#include <algorithm>
#include <cmath>

namespace ct::executor {
namespace {

bool EndsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

double Paise(double rupees) { return rupees * 100.0; }

}  // namespace

const char* ToString(Segment segment) {
  switch (segment) {
    case Segment::kEquity: return "equity";
    case Segment::kFutures: return "futures";
    case Segment::kOptions: return "options";
    case Segment::kCommodity: return "commodity";
    case Segment::kCurrency: return "currency";
  }
  return "?";
}

Segment SegmentOf(const std::string& exchange, const std::string& instrumenttype, const std::string& symbol) {
  if (exchange == "MCX") return Segment::kCommodity;
  if (exchange == "CDS") return Segment::kCurrency;
  if (instrumenttype.rfind("OPT", 0) == 0) return Segment::kOptions;
  if (instrumenttype.rfind("FUT", 0) == 0) return Segment::kFutures;
  if (exchange == "NFO" || exchange == "BFO") {
    if (EndsWith(symbol, "CE") || EndsWith(symbol, "PE")) return Segment::kOptions;
    return Segment::kFutures;
  }
  return Segment::kEquity;
}

double BufferPct(const config::LimitBuffers& b, Segment segment) {
  switch (segment) {
    case Segment::kEquity: return b.equity_pct;
    case Segment::kFutures: return b.futures_pct;
    case Segment::kOptions: return b.options_pct;
    case Segment::kCommodity: return b.commodity_pct;
    case Segment::kCurrency: return b.currency_pct;
  }
  return b.equity_pct;
}

std::optional<Band> LppBand(const std::string& exchange, Segment segment, double reference) {
  if (reference <= 0) return std::nullopt;
  double half = 0;
  if (exchange == "NFO") {
    if (segment == Segment::kOptions) half = reference <= 50.0 ? 20.0 : 0.40 * reference;
    else if (segment == Segment::kFutures) half = 0.03 * reference;
    else return std::nullopt;
  } else if (exchange == "BFO") {
    if (segment == Segment::kOptions) half = std::max(0.60 * reference, 30.0);
    else if (segment == Segment::kFutures) half = std::max(0.03 * reference, 1.50);
    else return std::nullopt;
  } else {
    return std::nullopt;
  }
  return Band{std::max(0.0, reference - half), reference + half};
}

std::optional<Band> SafeBand(const std::optional<Band>& band, int64_t tick_paise) {
  if (!band) return std::nullopt;
  const double tick = static_cast<double>(std::max<int64_t>(tick_paise, 1)) / 100.0;
  const double margin = 0.02 * (band->high - band->low) / 2.0 + tick;
  return Band{band->low + margin, band->high - margin};
}

double SlippageCap(bool buy, double master_price, double max_slippage_pct) {
  if (master_price <= 0) return 0;
  return buy ? master_price * (1.0 + max_slippage_pct / 100.0) : master_price * (1.0 - max_slippage_pct / 100.0);
}

LimitPrice MarketableLimit(const LimitInputs& in) {
  const double tick = static_cast<double>(std::max<int64_t>(in.tick_paise, 1));
  LimitPrice out;
  double want = Paise(in.reference) * (in.buy ? 1.0 + in.buffer_pct / 100.0 : 1.0 - in.buffer_pct / 100.0);
  const double cap = Paise(in.cap);
  if (in.cap > 0 && (in.buy ? want > cap : want < cap)) {
    want = cap;
    out.capped = true;
  }
  if (in.band) {
    want = in.buy ? std::min(want, Paise(in.band->high)) : std::max(want, Paise(in.band->low));
  }
  // Toward the reference, so the cap and the band still hold after rounding.
  double ticks = in.buy ? std::floor(want / tick + 1e-6) : std::ceil(want / tick - 1e-6);
  ticks = std::max(ticks, 1.0);
  out.price = std::round(ticks * tick) / 100.0;
  return out;
}

double RoundToTick(double price, int64_t tick_paise) {
  const double tick = static_cast<double>(std::max<int64_t>(tick_paise, 1));
  return std::round(std::round(Paise(price) / tick) * tick) / 100.0;
}

bool DiffersByTick(double a, double b, int64_t tick_paise) {
  const double tick = static_cast<double>(std::max<int64_t>(tick_paise, 1));
  return std::fabs(Paise(a) - Paise(b)) >= tick - 1e-6;
}

double SlippageBps(bool buy, double follower_price, double master_price) {
  if (master_price <= 0 || follower_price <= 0) return 0;
  const double bps = (follower_price - master_price) / master_price * 10'000.0;
  return buy ? bps : -bps;
}

}  // namespace ct::executor
