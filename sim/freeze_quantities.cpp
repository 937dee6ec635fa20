#include "sim/freeze_quantities.h"

#include <cctype>
#include <fstream>
#include <sstream>
#include <vector>

namespace ct::sim {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

std::vector<std::string_view> Split(std::string_view line) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (true) {
    const size_t comma = line.find(',', start);
    out.push_back(Trim(line.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start)));
    if (comma == std::string_view::npos) return out;
    start = comma + 1;
  }
}

bool IsLeap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

// "YYYY-MM-DD", a real calendar day.
bool IsIsoDate(std::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
  for (size_t i : {0, 1, 2, 3, 5, 6, 8, 9})
    if (!std::isdigit(static_cast<unsigned char>(s[i]))) return false;
  const int y = std::stoi(std::string(s.substr(0, 4)));
  const int m = std::stoi(std::string(s.substr(5, 2)));
  const int d = std::stoi(std::string(s.substr(8, 2)));
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (m < 1 || m > 12 || d < 1) return false;
  return d <= kDays[m - 1] + (m == 2 && IsLeap(y) ? 1 : 0);
}

bool IsName(std::string_view s) {
  if (s.empty()) return false;
  for (const char c : s)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '&') return false;
  return true;
}

}  // namespace

Result<FreezeQuantities, std::string> FreezeQuantities::Load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return path + ": cannot open the freeze quantity file";
  std::stringstream text;
  text << in.rdbuf();
  auto table = Parse(text.str());
  if (!table.ok()) return path + ": " + table.error();
  return table;
}

Result<FreezeQuantities, std::string> FreezeQuantities::Parse(std::string_view text) {
  FreezeQuantities table;
  bool header_seen = false;
  size_t number = 0;
  size_t start = 0;
  while (start < text.size()) {
    const size_t eol = text.find('\n', start);
    const std::string_view raw = text.substr(start, eol == std::string_view::npos ? std::string_view::npos : eol - start);
    start = eol == std::string_view::npos ? text.size() : eol + 1;
    ++number;
    const std::string_view line = Trim(raw);
    if (line.empty() || line.front() == '#') continue;
    const std::string where = "line " + std::to_string(number) + ": ";
    if (!header_seen) {
      std::string compact;
      for (const auto field : Split(line)) compact += std::string(field) + ",";
      compact.pop_back();
      if (compact != kHeader) return where + "expected the header \"" + std::string(kHeader) + "\"";
      header_seen = true;
      continue;
    }
    const auto fields = Split(line);
    if (fields.size() != 4)
      return where + "expected 4 fields (" + std::string(kHeader) + "), found " + std::to_string(fields.size());
    const std::string underlying(fields[0]);
    const std::string exchange(fields[1]);
    if (!IsName(underlying)) return where + "underlying must be a name like NIFTY";
    if (exchange != "NFO" && exchange != "BFO" && exchange != "NSE" && exchange != "BSE" && exchange != "MCX" &&
        exchange != "CDS")
      return where + "exchange must be one of NFO, BFO, NSE, BSE, MCX, CDS";
    const std::string_view qty = fields[2];
    if (qty.empty() || qty.size() > 9) return where + "freeze_quantity must be a positive whole number";
    for (const char c : qty)
      if (!std::isdigit(static_cast<unsigned char>(c))) return where + "freeze_quantity must be a positive whole number";
    const int64_t quantity = std::stoll(std::string(qty));
    if (quantity <= 0) return where + "freeze_quantity must be a positive whole number";
    if (!IsIsoDate(fields[3])) return where + "effective_from must be a date YYYY-MM-DD";
    auto& rows = table.table_[{underlying, exchange}];
    if (!rows.emplace(std::string(fields[3]), quantity).second)
      return where + "a second row for " + underlying + " " + exchange + " effective " + std::string(fields[3]);
    ++table.rows_;
  }
  if (!header_seen)
    return "line " + std::to_string(number == 0 ? 1 : number) + ": no header \"" + std::string(kHeader) + "\"";
  // An empty table would silently lift every cap: a mistake, not a setting.
  if (table.rows_ == 0) return "line " + std::to_string(number) + ": no rows after the header";
  return table;
}

std::optional<int64_t> FreezeQuantities::For(std::string_view underlying, std::string_view exchange,
                                             std::string_view iso_day) const {
  const auto it = table_.find(std::make_pair(std::string(underlying), std::string(exchange)));
  if (it == table_.end()) return std::nullopt;
  // The latest effective_from <= iso_day (ISO dates sort as strings).
  auto row = it->second.upper_bound(std::string(iso_day));
  if (row == it->second.begin()) return std::nullopt;
  return std::prev(row)->second;
}

}  // namespace ct::sim
