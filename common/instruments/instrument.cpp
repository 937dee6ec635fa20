#include "common/instruments/instrument.h"

namespace ct::instruments {

const char* ToString(Segment segment) {
  switch (segment) {
    case Segment::kEquity:
      return "equity";
    case Segment::kIndexFutures:
      return "index futures";
    case Segment::kStockFutures:
      return "stock futures";
    case Segment::kIndexOptions:
      return "index options";
    case Segment::kStockOptions:
      return "stock options";
    case Segment::kCommodity:
      return "commodity";
    case Segment::kCurrency:
      return "currency";
    case Segment::kIndex:
      return "index";
    case Segment::kUnknown:
      return "unknown";
  }
  return "unknown";
}

const char* ToString(Venue venue) {
  switch (venue) {
    case Venue::kNse:
      return "NSE";
    case Venue::kBse:
      return "BSE";
    case Venue::kMcx:
      return "MCX";
    case Venue::kOther:
      return "other";
  }
  return "other";
}

Classification Classify(std::string_view exchange, std::string_view type) {
  Classification c;
  if (exchange == "NSE" || exchange == "NFO" || exchange == "CDS") {
    c.venue = Venue::kNse;
  } else if (exchange == "BSE" || exchange == "BFO" || exchange == "BCD") {
    c.venue = Venue::kBse;
  } else if (exchange == "MCX") {
    c.venue = Venue::kMcx;
  }
  // Index rows (AMXIDX) appear on cash and commodity exchanges alike.
  if (type == "AMXIDX") {
    c.segment = Segment::kIndex;
  } else if (exchange == "NSE" || exchange == "BSE") {
    if (type.empty()) c.segment = Segment::kEquity;
  } else if (exchange == "NFO" || exchange == "BFO") {
    if (type == "FUTIDX") c.segment = Segment::kIndexFutures;
    if (type == "FUTSTK") c.segment = Segment::kStockFutures;
    if (type == "OPTIDX") c.segment = Segment::kIndexOptions;
    if (type == "OPTSTK") c.segment = Segment::kStockOptions;
  } else if (exchange == "MCX" || exchange == "NCDEX" || exchange == "NCO") {
    // Every MCX contract is a commodity one for the execution policy, even
    // its index futures (FUTIDX on MCX are commodity indices).
    c.segment = Segment::kCommodity;
  } else if (exchange == "CDS" || exchange == "BCD") {
    c.segment = Segment::kCurrency;
  }
  return c;
}

}  // namespace ct::instruments
