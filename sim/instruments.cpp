#include "sim/instruments.h"

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>

#include "sim/format.h"

namespace ct::sim {
namespace {

std::string Key(std::string_view a, std::string_view b) {
  std::string k(a);
  k += '|';
  k += b;
  return k;
}

uint32_t Fnv1a(std::string_view s) {
  uint32_t h = 2166136261u;
  for (const char c : s) {
    h ^= static_cast<uint8_t>(c);
    h *= 16777619u;
  }
  return h;
}

}  // namespace

std::string Instrument::OptionType() const {
  if (!IsOption() || symbol.size() < 2) return "";
  return symbol.substr(symbol.size() - 2);
}

Result<InstrumentTable, std::string> InstrumentTable::Load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::string("cannot open instruments file " + path);
  std::stringstream text;
  text << in.rdbuf();
  auto table = Parse(text.str());
  if (!table.ok()) return path + ": " + table.error();
  return table;
}

Result<InstrumentTable, std::string> InstrumentTable::Parse(std::string_view json_text) {
  const auto doc = nlohmann::json::parse(json_text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_array()) return std::string("not a JSON array");
  InstrumentTable table;
  size_t index = 0;
  for (const auto& row : doc) {
    const std::string where = "row " + std::to_string(index++);
    if (!row.is_object()) return where + ": not an object";
    auto text = [&](const char* key) -> std::optional<std::string> {
      const auto it = row.find(key);
      if (it == row.end() || !it->is_string()) return std::nullopt;
      return it->get<std::string>();
    };
    Instrument in;
    auto token = text("token");
    auto symbol = text("symbol");
    auto exch = text("exch_seg");
    if (!token || !symbol || !exch || token->empty() || symbol->empty())
      return where + ": token, symbol and exch_seg are required strings";
    in.token = *token;
    in.symbol = *symbol;
    in.exchange = *exch;
    in.name = text("name").value_or("");
    in.expiry = text("expiry").value_or("");
    in.instrumenttype = text("instrumenttype").value_or("");
    const auto lot = IntegerField(row.value("lotsize", nlohmann::json("1")));
    if (!lot || *lot <= 0) return where + ": lotsize must be a positive integer";
    in.lot_size = *lot;
    const auto tick = NumberField(row.value("tick_size", nlohmann::json("5.000000")));
    if (!tick || *tick < 0) return where + ": tick_size must be a number";
    in.tick_paise = std::llround(*tick);
    const auto strike = NumberField(row.value("strike", nlohmann::json("-1.000000")));
    if (!strike) return where + ": strike must be a number";
    in.strike = in.IsOption() ? *strike / 100.0 : -1.0;
    const size_t pos = table.rows_.size();
    table.by_token_.emplace(Key(in.exchange, in.token), pos);
    table.by_symbol_.emplace(Key(in.exchange, in.symbol), pos);
    table.rows_.push_back(std::move(in));
  }
  return table;
}

const Instrument* InstrumentTable::Find(std::string_view exchange, std::string_view symbol,
                                        std::string_view token) const {
  const auto it = by_token_.find(Key(exchange, token));
  if (it == by_token_.end()) return nullptr;
  const Instrument& in = rows_[it->second];
  return in.symbol == symbol ? &in : nullptr;
}

const Instrument* InstrumentTable::FindBySymbol(std::string_view exchange, std::string_view symbol) const {
  const auto it = by_symbol_.find(Key(exchange, symbol));
  return it == by_symbol_.end() ? nullptr : &rows_[it->second];
}

double SnapToTick(double price, int64_t tick_paise) {
  if (tick_paise <= 0) return RoundPaise(price);
  const int64_t paise = std::llround(std::floor(price * 100.0 + 1e-6));
  return static_cast<double>(paise - paise % tick_paise) / 100.0;
}

bool IsTickMultiple(double price, int64_t tick_paise) {
  if (tick_paise <= 0) return true;
  const double paise = price * 100.0;
  const int64_t whole = std::llround(paise);
  return std::fabs(paise - static_cast<double>(whole)) < 1e-6 && whole % tick_paise == 0;
}

double DefaultPrice(const Instrument& instrument) {
  const uint32_t h = Fnv1a(instrument.symbol);
  const double raw = instrument.IsOption() ? 50.0 + static_cast<double>(h % 45000) / 100.0
                                           : 100.0 + static_cast<double>(h % 90000) / 100.0;
  const double snapped = SnapToTick(raw, instrument.tick_paise);
  return snapped > 0 ? snapped : raw;
}

}  // namespace ct::sim
