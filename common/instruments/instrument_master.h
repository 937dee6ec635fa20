// InstrumentMaster: Angel One's instrument master (OpenAPIScripMaster.json,
// SMARTAPI.md §7) loaded into compact, read-only rows, looked up by
// (exchange, token) and (exchange, tradingsymbol).
//
// Loading streams the file through a SAX parser: no JSON document is built,
// the real file (~35 MB, ~150k rows) becomes ~150k fixed-size rows whose
// strings live in one arena, with names, exchanges and instrument types
// interned. Parsing is lenient per row and strict per file:
//   - a row that cannot be used (not an object, no token/symbol/exch_seg,
//     a lot size that is not a positive integer, an unreadable expiry,
//     strike or tick, a repeated (exchange, token)) is skipped and counted;
//     unknown keys are ignored; numbers are accepted where strings are
//     documented (SMARTAPI.md §9.2);
//   - a file that cannot be read, is not JSON, is not an array, or holds
//     no usable row is an error naming the file.
//
// After load the master is immutable: share it (std::shared_ptr<const>)
// across threads freely. Instrument pointers and views stay valid for the
// master's lifetime, including after it is moved.
#pragma once

#include <cstdint>
#include <deque>
#include <istream>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/core/result.h"
#include "common/instruments/instrument.h"

namespace ct::instruments {

struct LoadStats {
  size_t rows = 0;                         // usable rows kept
  size_t skipped = 0;                      // rows skipped as unusable
  std::vector<std::string> skip_examples;  // the first few reasons, "row 17: ..."
};

class InstrumentMaster {
 public:
  static Result<InstrumentMaster, std::string> LoadFile(const std::string& path);
  // `source` names the input in errors (a path, "<test>").
  static Result<InstrumentMaster, std::string> Parse(std::istream& in, const std::string& source);

  InstrumentMaster(InstrumentMaster&&) = default;
  InstrumentMaster& operator=(InstrumentMaster&&) = default;
  InstrumentMaster(const InstrumentMaster&) = delete;
  InstrumentMaster& operator=(const InstrumentMaster&) = delete;

  // nullptr when absent. Exchange and symbol compare exactly (as in the
  // file and on the broker's wire: "NFO", "NIFTY01DEC2626000CE").
  const Instrument* Find(std::string_view exchange, std::string_view token) const;
  const Instrument* FindBySymbol(std::string_view exchange, std::string_view symbol) const;

  size_t size() const { return by_token_.size(); }
  const LoadStats& stats() const { return stats_; }

 private:
  friend class MasterBuilder;
  InstrumentMaster();

  // Character storage for every view in rows_: fixed blocks that never
  // move, so views survive growth and moves of the master.
  std::vector<std::unique_ptr<char[]>> blocks_;
  std::deque<Instrument> rows_;      // a deque: no reallocation peak while loading
  std::vector<uint32_t> by_token_;   // row indices sorted by (exchange, token)
  std::vector<uint32_t> by_symbol_;  // row indices sorted by (exchange, symbol)
  LoadStats stats_;
};

}  // namespace ct::instruments
