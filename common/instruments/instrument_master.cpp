#include "common/instruments/instrument_master.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <tuple>
#include <unordered_set>

namespace ct::instruments {
namespace {

constexpr size_t kBlockSize = size_t{64} * 1024;
constexpr size_t kMaxSkipExamples = 5;

enum Field { kToken, kSymbol, kName, kExpiry, kStrike, kLotSize, kInstrumentType, kExchSeg, kTickSize, kFieldCount };
constexpr std::array<std::string_view, kFieldCount> kFieldNames = {
    "token", "symbol", "name", "expiry", "strike", "lotsize", "instrumenttype", "exch_seg", "tick_size"};

int FieldOf(std::string_view key) {
  for (int i = 0; i < kFieldCount; ++i)
    if (kFieldNames[i] == key) return i;
  return -1;
}

std::optional<double> Decimal(std::string_view s) {
  double v = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || !std::isfinite(v)) return std::nullopt;
  return v;
}

// "28OCT2025" (SMARTAPI.md §7). Upper case, as the file writes it.
std::optional<std::chrono::year_month_day> Expiry(std::string_view s) {
  static constexpr std::array<std::string_view, 12> kMonths = {"JAN", "FEB", "MAR", "APR", "MAY", "JUN",
                                                               "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"};
  if (s.size() != 9) return std::nullopt;
  int day = 0, year = 0;
  if (std::from_chars(s.data(), s.data() + 2, day).ptr != s.data() + 2) return std::nullopt;
  if (std::from_chars(s.data() + 5, s.data() + 9, year).ptr != s.data() + 9) return std::nullopt;
  const auto month = std::find(kMonths.begin(), kMonths.end(), s.substr(2, 3));
  if (month == kMonths.end()) return std::nullopt;
  const std::chrono::year_month_day ymd{std::chrono::year{year},
                                        std::chrono::month{static_cast<unsigned>(month - kMonths.begin() + 1)},
                                        std::chrono::day{static_cast<unsigned>(day)}};
  if (!ymd.ok()) return std::nullopt;
  return ymd;
}

}  // namespace

InstrumentMaster::InstrumentMaster() = default;

// Receives the SAX events of one file and fills an InstrumentMaster. Depth
// 1 is the top-level array, depth 2 a row object; anything deeper belongs
// to a value that is not a scalar.
class MasterBuilder final : public nlohmann::json_sax<nlohmann::json> {
 public:
  explicit MasterBuilder(std::string source) : source_(std::move(source)) {}

  bool null() override { return Scalar(nullptr); }
  bool boolean(bool) override { return Scalar(nullptr); }
  bool number_integer(number_integer_t v) override {
    number_text_ = std::to_string(v);
    return Scalar(&number_text_);
  }
  bool number_unsigned(number_unsigned_t v) override {
    number_text_ = std::to_string(v);
    return Scalar(&number_text_);
  }
  bool number_float(number_float_t, const string_t& text) override {
    number_text_ = text;
    return Scalar(&number_text_);
  }
  bool string(string_t& v) override { return Scalar(&v); }
  bool binary(binary_t&) override { return Scalar(nullptr); }

  bool start_object(std::size_t) override {
    if (depth_ == 0) return NotAnArray();
    if (depth_ == 1) BeginRow();
    if (depth_ == 2) Nested();
    ++depth_;
    return true;
  }
  bool end_object() override {
    --depth_;
    if (depth_ == 1 && in_row_) EndRow();
    return true;
  }
  bool start_array(std::size_t) override {
    if (depth_ == 0) seen_array_ = true;
    if (depth_ == 1) Skip("not an object");
    if (depth_ == 2) Nested();
    ++depth_;
    return true;
  }
  bool end_array() override {
    --depth_;
    return true;
  }
  bool key(string_t& k) override {
    if (depth_ == 2 && in_row_) field_ = FieldOf(k);
    return true;
  }
  bool parse_error(std::size_t position, const std::string&, const nlohmann::detail::exception& e) override {
    if (error_.empty()) error_ = source_ + ": not valid JSON at byte " + std::to_string(position) + ": " + e.what();
    return false;
  }

  const std::string& error() const { return error_; }
  bool seen_array() const { return seen_array_; }
  Result<InstrumentMaster, std::string> Finish();

 private:
  bool NotAnArray() {
    error_ = source_ + ": not a JSON array of instrument objects";
    return false;
  }

  // A value that is not an object or array; `text` is null for null,
  // booleans and binary values.
  bool Scalar(const std::string* text) {
    if (depth_ == 0) return NotAnArray();
    if (depth_ == 1) {
      Skip("not an object");
    } else if (depth_ == 2 && in_row_ && field_ >= 0) {
      if (text) {
        values_[field_].assign(*text);
        present_[field_] = true;
      } else {
        Bad(std::string(kFieldNames[field_]) + " is not a string");
      }
    }
    return true;
  }

  void Nested() {
    if (in_row_ && field_ >= 0) Bad(std::string(kFieldNames[field_]) + " is not a string");
  }

  void BeginRow() {
    ++row_number_;
    in_row_ = true;
    field_ = -1;
    bad_reason_.clear();
    present_.fill(false);
  }

  void Bad(std::string reason) {
    if (bad_reason_.empty()) bad_reason_ = std::move(reason);
  }

  // An element of the top-level array that is not an object.
  void Skip(std::string_view reason) {
    ++row_number_;
    CountSkipped(reason);
  }

  void CountSkipped(std::string_view reason) {
    ++master_.stats_.skipped;
    if (master_.stats_.skip_examples.size() < kMaxSkipExamples)
      master_.stats_.skip_examples.push_back("row " + std::to_string(row_number_) + ": " + std::string(reason));
  }

  void EndRow();
  std::optional<std::string> Fill(Instrument& row);
  std::string_view Store(std::string_view s);
  std::string_view Intern(std::string_view s);

  std::string source_;
  InstrumentMaster master_;
  int depth_ = 0;
  bool seen_array_ = false;
  bool in_row_ = false;
  int field_ = -1;
  size_t row_number_ = 0;  // 1-based position in the array
  std::array<std::string, kFieldCount> values_;
  std::array<bool, kFieldCount> present_{};
  std::string bad_reason_;
  std::string number_text_;
  std::string error_;

  char* block_ = nullptr;
  size_t block_left_ = 0;
  std::unordered_set<std::string_view> interned_;
};

std::string_view MasterBuilder::Store(std::string_view s) {
  if (s.empty()) return {};
  if (s.size() > block_left_) {
    const size_t size = std::max(kBlockSize, s.size());
    master_.blocks_.push_back(std::make_unique<char[]>(size));
    block_ = master_.blocks_.back().get();
    block_left_ = size;
  }
  std::memcpy(block_, s.data(), s.size());
  const std::string_view stored(block_, s.size());
  block_ += s.size();
  block_left_ -= s.size();
  return stored;
}

// Underlying names, exchanges and instrument types repeat across rows:
// one copy each.
std::string_view MasterBuilder::Intern(std::string_view s) {
  if (auto it = interned_.find(s); it != interned_.end()) return *it;
  const std::string_view stored = Store(s);
  interned_.insert(stored);
  return stored;
}

std::optional<std::string> MasterBuilder::Fill(Instrument& row) {
  for (int f : {kToken, kSymbol, kExchSeg})
    if (!present_[f] || values_[f].empty()) return "no " + std::string(kFieldNames[f]);

  const auto lot = Decimal(values_[kLotSize]);
  if (!present_[kLotSize] || !lot || *lot < 1 || *lot != std::floor(*lot) || *lot > 1e9)
    return "lotsize \"" + values_[kLotSize] + "\" is not a positive integer";
  row.lot_size = static_cast<int32_t>(*lot);

  // Ticks are in paise: "5.000000" = ₹0.05.
  const auto tick = present_[kTickSize] ? Decimal(values_[kTickSize]) : std::optional<double>(0.0);
  if (!tick || *tick < 0 || *tick > 1e9) return "tick_size \"" + values_[kTickSize] + "\" is not a tick in paise";
  row.tick_rupees = *tick / 100.0;
  const double whole = std::round(*tick);
  row.tick_paise = std::fabs(*tick - whole) < 1e-6 ? static_cast<int32_t>(whole) : 0;

  const std::string_view type = present_[kInstrumentType] ? std::string_view(values_[kInstrumentType]) : "";
  // Strikes are rupees x 100 ("2440000.000000" = 24400); "-1.000000" (or
  // 0) when not an option. Currency options use a further x 100000 scale
  // (SMARTAPI.md §7, from the open-source parsers; unconfirmed).
  const auto strike = present_[kStrike] ? Decimal(values_[kStrike]) : std::optional<double>(-1.0);
  if (!strike) return "strike \"" + values_[kStrike] + "\" is not a number";
  row.strike = *strike > 0 ? *strike / 100.0 : 0.0;
  if (type == "OPTCUR" || type == "OPTIRC") row.strike /= 100000.0;

  if (present_[kExpiry] && !values_[kExpiry].empty()) {
    row.expiry = Expiry(values_[kExpiry]);
    if (!row.expiry) return "expiry \"" + values_[kExpiry] + "\" is not DDMMMYYYY";
  }

  row.token = Store(values_[kToken]);
  row.symbol = Store(values_[kSymbol]);
  row.name = present_[kName] ? Intern(values_[kName]) : std::string_view();
  row.exchange = Intern(values_[kExchSeg]);
  row.instrument_type = Intern(type);
  const Classification c = Classify(row.exchange, row.instrument_type);
  row.segment = c.segment;
  row.venue = c.venue;
  return std::nullopt;
}

void MasterBuilder::EndRow() {
  in_row_ = false;
  field_ = -1;
  if (!bad_reason_.empty()) return CountSkipped(bad_reason_);
  Instrument row;
  if (auto reason = Fill(row)) return CountSkipped(*reason);
  master_.rows_.push_back(row);
}

Result<InstrumentMaster, std::string> MasterBuilder::Finish() {
  auto& m = master_;
  const auto& rows = m.rows_;
  m.by_token_.resize(rows.size());
  for (uint32_t i = 0; i < m.by_token_.size(); ++i) m.by_token_[i] = i;
  // Stable: of rows repeating an (exchange, token), the first in the file is kept.
  // Exchanges are interned: the same exchange is the same pointer.
  auto exchange_less = [&](uint32_t a, uint32_t b) {
    return rows[a].exchange.data() != rows[b].exchange.data() && rows[a].exchange < rows[b].exchange;
  };
  auto same_exchange = [&](uint32_t a, uint32_t b) { return rows[a].exchange.data() == rows[b].exchange.data(); };
  std::stable_sort(m.by_token_.begin(), m.by_token_.end(), [&](uint32_t a, uint32_t b) {
    if (!same_exchange(a, b)) return exchange_less(a, b);
    return rows[a].token < rows[b].token;
  });
  std::vector<uint32_t> kept;
  kept.reserve(m.by_token_.size());
  for (uint32_t i : m.by_token_) {
    if (!kept.empty() && same_exchange(kept.back(), i) && rows[kept.back()].token == rows[i].token) {
      ++m.stats_.skipped;
      if (m.stats_.skip_examples.size() < kMaxSkipExamples)
        m.stats_.skip_examples.push_back("token " + std::string(rows[i].token) + " on " +
                                         std::string(rows[i].exchange) + " repeats (" + std::string(rows[i].symbol) +
                                         " skipped)");
      continue;
    }
    kept.push_back(i);
  }
  m.by_token_ = std::move(kept);
  m.by_token_.shrink_to_fit();

  m.by_symbol_ = m.by_token_;
  // Of rows sharing a symbol, the first in the file is found.
  std::sort(m.by_symbol_.begin(), m.by_symbol_.end(), [&](uint32_t a, uint32_t b) {
    if (!same_exchange(a, b)) return exchange_less(a, b);
    if (rows[a].symbol != rows[b].symbol) return rows[a].symbol < rows[b].symbol;
    return a < b;  // row indices follow the file
  });
  m.stats_.rows = m.by_token_.size();
  if (m.stats_.rows == 0) {
    std::string error = source_ + ": no usable instrument rows";
    if (m.stats_.skipped > 0) error += " (" + std::to_string(m.stats_.skipped) + " skipped";
    if (!m.stats_.skip_examples.empty()) error += "; " + m.stats_.skip_examples.front();
    if (m.stats_.skipped > 0) error += ")";
    return error;
  }
  return std::move(master_);
}

Result<InstrumentMaster, std::string> InstrumentMaster::Parse(std::istream& in, const std::string& source) {
  MasterBuilder builder(source);
  const bool ok = nlohmann::json::sax_parse(in, &builder);
  if (!ok || !builder.error().empty()) {
    if (!builder.error().empty()) return builder.error();
    return source + ": not valid JSON";
  }
  if (!builder.seen_array()) return source + ": not a JSON array of instrument objects";
  return builder.Finish();
}

Result<InstrumentMaster, std::string> InstrumentMaster::LoadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return path + ": cannot open: " + std::strerror(errno);
  return Parse(in, path);
}

namespace {
template <typename Member>
const Instrument* Lookup(const std::deque<Instrument>& rows, const std::vector<uint32_t>& index, Member member,
                         std::string_view exchange, std::string_view key) {
  const auto it = std::lower_bound(index.begin(), index.end(), std::tie(exchange, key),
                                   [&](uint32_t i, const std::tuple<std::string_view&, std::string_view&>& k) {
                                     return std::tie(rows[i].exchange, rows[i].*member) < k;
                                   });
  if (it == index.end() || rows[*it].exchange != exchange || rows[*it].*member != key) return nullptr;
  return &rows[*it];
}
}  // namespace

const Instrument* InstrumentMaster::Find(std::string_view exchange, std::string_view token) const {
  return Lookup(rows_, by_token_, &Instrument::token, exchange, token);
}

const Instrument* InstrumentMaster::FindBySymbol(std::string_view exchange, std::string_view symbol) const {
  return Lookup(rows_, by_symbol_, &Instrument::symbol, exchange, symbol);
}

}  // namespace ct::instruments
