#include "common/instruments/freeze_quantities.h"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <sstream>
#include <tuple>

namespace ct::instruments {
namespace {

constexpr std::string_view kHeader = "underlying,exchange,freeze_quantity,effective_from";

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

std::vector<std::string_view> SplitCommas(std::string_view line) {
  std::vector<std::string_view> cells;
  size_t start = 0;
  while (true) {
    const size_t comma = line.find(',', start);
    cells.push_back(Trim(line.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start)));
    if (comma == std::string_view::npos) return cells;
    start = comma + 1;
  }
}

bool IsName(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '&' || c == '-' || c == '_')) return false;
  return true;
}

}  // namespace

Result<FreezeTable, std::string> FreezeTable::Parse(std::string_view text, const std::string& source) {
  FreezeTable table;
  bool header_seen = false;
  size_t line_number = 0;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view line = Trim(text.substr(start, end - start));
    start = end + 1;
    ++line_number;
    if (line.empty() || line.front() == '#') continue;
    const auto at = [&](const std::string& problem) {
      return source + ":" + std::to_string(line_number) + ": " + problem;
    };
    if (!header_seen) {
      if (line != kHeader) return at("expected the header \"" + std::string(kHeader) + "\"");
      header_seen = true;
      continue;
    }
    const auto cells = SplitCommas(line);
    if (cells.size() != 4) return at("expected 4 comma-separated fields, found " + std::to_string(cells.size()));
    Row row;
    row.line = line_number;
    if (!IsName(cells[0])) return at("underlying \"" + std::string(cells[0]) + "\" is not an upper-case name");
    if (!IsName(cells[1])) return at("exchange \"" + std::string(cells[1]) + "\" is not an upper-case name");
    row.underlying = cells[0];
    row.exchange = cells[1];
    const std::string_view q = cells[2];
    const auto [ptr, ec] = std::from_chars(q.data(), q.data() + q.size(), row.quantity);
    if (q.empty() || ec != std::errc() || ptr != q.data() + q.size() || row.quantity <= 0)
      return at("freeze_quantity \"" + std::string(q) + "\" is not a positive integer");
    const auto day = ist::ParseDate(cells[3]);
    if (!day) return at("effective_from \"" + std::string(cells[3]) + "\" is not a date YYYY-MM-DD");
    row.effective_from = *day;
    table.rows_.push_back(std::move(row));
  }
  if (!header_seen) return source + ": no header line \"" + std::string(kHeader) + "\"";
  if (table.rows_.empty()) return source + ": no freeze quantities after the header";

  auto key = [](const Row& r) { return std::tie(r.underlying, r.exchange, r.effective_from); };
  std::stable_sort(table.rows_.begin(), table.rows_.end(), [&](const Row& a, const Row& b) { return key(a) < key(b); });
  for (size_t i = 1; i < table.rows_.size(); ++i) {
    const Row& a = table.rows_[i - 1];
    const Row& b = table.rows_[i];
    if (key(a) == key(b))
      return source + ":" + std::to_string(std::max(a.line, b.line)) + ": " + b.underlying + " on " + b.exchange +
             " from " + ist::DateString(b.effective_from) + " is already given on line " +
             std::to_string(std::min(a.line, b.line));
  }
  return table;
}

Result<FreezeTable, std::string> FreezeTable::LoadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return path + ": cannot open: " + std::strerror(errno);
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return path + ": cannot read: " + std::strerror(errno);
  return Parse(text.str(), path);
}

std::optional<int64_t> FreezeTable::Lookup(std::string_view underlying, std::string_view exchange, ist::Day day) const {
  // The last row of (underlying, exchange) whose effective_from is <= day.
  const auto key = std::make_tuple(underlying, exchange, day);
  const auto after = std::upper_bound(rows_.begin(), rows_.end(), key, [](const auto& k, const Row& r) {
    return k < std::make_tuple(std::string_view(r.underlying), std::string_view(r.exchange), r.effective_from);
  });
  if (after == rows_.begin()) return std::nullopt;
  const Row& row = *std::prev(after);
  if (row.underlying != underlying || row.exchange != exchange) return std::nullopt;
  return row.quantity;
}

std::string DefaultFreezeFile() { return CT_DEFAULT_FREEZE_FILE; }

}  // namespace ct::instruments
