// Unit tests of ct_instruments: the master's parser (the emulator's real
// file, bad rows, bad files, a 150k-row file), segments, underlying
// matching, freeze quantities, the daily download (fake downloader, and
// libcurl against a real HTTP server on loopback) and its lock.
#include <gtest/gtest.h>
#include <malloc.h>
#include <spdlog/sinks/ringbuffer_sink.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>
#include <iostream>
#include <regex>
#include <sstream>
#include <thread>

#include "common/instruments/daily_copy.h"
#include "common/instruments/freeze_quantities.h"
#include "common/instruments/instrument_master.h"
#include "common/instruments/load.h"
#include "common/instruments/symbol_match.h"
#include "common/time/ist.h"
#include "tests/support/process.h"

namespace ct::instruments {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using ct::testing::ReadFile;
using ct::testing::TempDir;
using ct::testing::WriteFile;

const std::string kSimMaster = CT_SOURCE_DIR "/sim/data/OpenAPIScripMaster.json";
constexpr size_t kSimMasterRows = 24;  // the rows of that file
const std::string kShippedFreeze = CT_SOURCE_DIR "/data/freeze_quantities.csv";

ist::Day D(int y, unsigned m, unsigned d) {
  return ist::Day{std::chrono::year{y}, std::chrono::month{m}, std::chrono::day{d}};
}

std::string Row(const std::string& token, const std::string& symbol, const std::string& name, const std::string& expiry,
                const std::string& strike, const std::string& lot, const std::string& type, const std::string& exch,
                const std::string& tick) {
  return R"({"token":")" + token + R"(","symbol":")" + symbol + R"(","name":")" + name + R"(","expiry":")" + expiry +
         R"(","strike":")" + strike + R"(","lotsize":")" + lot + R"(","instrumenttype":")" + type +
         R"(","exch_seg":")" + exch + R"(","tick_size":")" + tick + R"("})";
}

Result<InstrumentMaster, std::string> ParseText(const std::string& text) {
  std::istringstream in(text);
  return InstrumentMaster::Parse(in, "test.json");
}

bool Contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

// ---------------------------------------------------------------- IST days

TEST(Ist, DayChangesAtMidnightIstNotUtc) {
  // 2026-02-01 00:00 IST is 2026-01-31 18:30 UTC.
  const int64_t midnight = ist::StartOfDayNs(D(2026, 2, 1));
  EXPECT_EQ(midnight, int64_t{1769884200} * 1'000'000'000);
  EXPECT_EQ(ist::DateString(midnight), "2026-02-01");
  EXPECT_EQ(ist::DateString(midnight - 1), "2026-01-31");
  EXPECT_EQ(ist::CompactDateString(midnight), "20260201");
  EXPECT_EQ(ist::MinutesSinceMidnight(midnight), 0);
  EXPECT_EQ(ist::MinutesSinceMidnight(midnight - 1), 1439);
  EXPECT_EQ(ist::MinutesSinceMidnight(midnight + (9 * 60 + 15) * 60 * 1'000'000'000LL), 555);  // 09:15
  EXPECT_EQ(ist::NextMidnightNs(midnight), midnight + 86'400'000'000'000LL);
  EXPECT_EQ(ist::NextMidnightNs(midnight - 1), midnight);
  EXPECT_EQ(ist::DateString(ist::AddDays(D(2026, 3, 1), -1)), "2026-02-28");
  EXPECT_EQ(ist::DateString(int64_t{-1}), "1970-01-01");  // 05:29:59.999 IST
}

TEST(Ist, ParsesOnlyRealDates) {
  EXPECT_EQ(ist::ParseDate("2026-02-01"), D(2026, 2, 1));
  EXPECT_EQ(ist::ParseCompactDate("20251001"), D(2025, 10, 1));
  EXPECT_FALSE(ist::ParseDate("2026-02-30"));
  EXPECT_FALSE(ist::ParseDate("2026-2-01"));
  EXPECT_FALSE(ist::ParseDate("01-02-2026"));
  EXPECT_FALSE(ist::ParseCompactDate("2026021"));
  EXPECT_FALSE(ist::ParseCompactDate("2026O201"));
}

// ------------------------------------------------------ the master's parser

TEST(InstrumentMaster, ReadsTheEmulatorsFile) {
  auto master = InstrumentMaster::LoadFile(kSimMaster);
  ASSERT_TRUE(master.ok()) << master.error();
  EXPECT_EQ(master->size(), kSimMasterRows);
  EXPECT_EQ(master->stats().skipped, 0u);

  const Instrument* call = master->Find("NFO", "47101");
  ASSERT_NE(call, nullptr);
  EXPECT_EQ(call->symbol, "NIFTY01DEC2626000CE");
  EXPECT_EQ(call->name, "NIFTY");
  EXPECT_EQ(call->lot_size, 75);
  EXPECT_EQ(call->tick_paise, 5);
  EXPECT_DOUBLE_EQ(call->tick_rupees, 0.05);
  EXPECT_DOUBLE_EQ(call->strike, 26000);
  EXPECT_EQ(call->expiry, D(2026, 12, 1));
  EXPECT_EQ(call->instrument_type, "OPTIDX");
  EXPECT_EQ(call->segment, Segment::kIndexOptions);
  EXPECT_EQ(call->venue, Venue::kNse);
  EXPECT_EQ(master->FindBySymbol("NFO", "NIFTY01DEC2626000CE"), call);

  const Instrument* bank_future = master->FindBySymbol("NFO", "BANKNIFTY29DEC26FUT");
  ASSERT_NE(bank_future, nullptr);
  EXPECT_EQ(bank_future->token, "52201");
  EXPECT_EQ(bank_future->lot_size, 35);
  EXPECT_EQ(bank_future->tick_paise, 20);
  EXPECT_DOUBLE_EQ(bank_future->tick_rupees, 0.20);
  EXPECT_DOUBLE_EQ(bank_future->strike, 0);
  EXPECT_EQ(bank_future->segment, Segment::kIndexFutures);
  EXPECT_EQ(master->FindBySymbol("NFO", "BANKNIFTY29DEC2659000PE")->lot_size, 35);

  const Instrument* sbin = master->FindBySymbol("NSE", "SBIN-EQ");
  ASSERT_NE(sbin, nullptr);
  EXPECT_EQ(sbin->token, "3045");
  EXPECT_EQ(sbin->lot_size, 1);
  EXPECT_EQ(sbin->segment, Segment::kEquity);
  EXPECT_FALSE(sbin->expiry);
  EXPECT_EQ(master->Find("NSE", "2885")->tick_paise, 10);  // RELIANCE: ₹0.10

  const Instrument* bse_sbin = master->Find("BSE", "500112");
  ASSERT_NE(bse_sbin, nullptr);
  EXPECT_EQ(bse_sbin->venue, Venue::kBse);
  EXPECT_EQ(bse_sbin->segment, Segment::kEquity);

  const Instrument* nifty_index = master->Find("NSE", "99926000");
  ASSERT_NE(nifty_index, nullptr);
  EXPECT_EQ(nifty_index->segment, Segment::kIndex);
  EXPECT_FALSE(IsTradable(nifty_index->segment));
  EXPECT_EQ(nifty_index->tick_paise, 0);

  // Lookups are per exchange and exact.
  EXPECT_EQ(master->Find("NSE", "47101"), nullptr);
  EXPECT_EQ(master->Find("NFO", "4710"), nullptr);
  EXPECT_EQ(master->FindBySymbol("NSE", "SBIN"), nullptr);
  EXPECT_EQ(master->FindBySymbol("BSE", "SBIN"), bse_sbin);
}

TEST(InstrumentMaster, ViewsSurviveMovingTheMaster) {
  auto loaded = InstrumentMaster::LoadFile(kSimMaster);
  ASSERT_TRUE(loaded.ok());
  const Instrument* before = loaded->Find("NFO", "48211");
  auto shared = std::make_shared<const InstrumentMaster>(std::move(*loaded));
  EXPECT_EQ(shared->Find("NFO", "48211"), before);
  EXPECT_EQ(before->symbol, "BANKNIFTY29DEC2659000CE");
}

TEST(InstrumentMaster, SkipsAndCountsUnusableRows) {
  const std::string text =
      "[" + Row("1", "GOOD-EQ", "GOOD", "", "-1.000000", "1", "", "NSE", "5.000000") + ",\n" +
      "42,\n\"text\",\n[1,2],\n" +  // not objects
      R"({"symbol":"NOTOKEN-EQ","name":"X","lotsize":"1","exch_seg":"NSE","tick_size":"5.0"},)" + "\n" +
      Row("3", "BADLOT-EQ", "X", "", "-1", "abc", "", "NSE", "5.000000") + ",\n" +
      Row("4", "ZEROLOT-EQ", "X", "", "-1", "0", "", "NSE", "5.000000") + ",\n" +
      Row("5", "X26FOO26FUT", "X", "26FOO2026", "-1", "50", "FUTSTK", "NFO", "5.000000") + ",\n" +
      Row("6", "NEGTICK-EQ", "X", "", "-1", "1", "", "NSE", "-5") + ",\n" +
      R"({"token":"7","symbol":"NESTED-EQ","name":{"a":1},"lotsize":"1","exch_seg":"NSE","tick_size":"1"},)" + "\n" +
      R"({"token":"8","symbol":"NULL-EQ","name":"X","lotsize":null,"exch_seg":"NSE","tick_size":"1"},)" + "\n" +
      Row("1", "DUPLICATE-EQ", "X", "", "-1", "1", "", "NSE", "5.000000") + ",\n" +
      // Same token on another exchange is another instrument; numbers are
      // accepted where strings are documented; unknown keys are ignored.
      R"({"token":"1","symbol":"GOOD","name":"GOOD","expiry":"","strike":-1,"lotsize":1,"instrumenttype":"",)"
      R"("exch_seg":"BSE","tick_size":5.0,"isin":"INE000000000","extra":{"nested":[1]}})" +
      "]";
  auto master = ParseText(text);
  ASSERT_TRUE(master.ok()) << master.error();
  EXPECT_EQ(master->size(), 2u);
  EXPECT_EQ(master->stats().rows, 2u);
  EXPECT_EQ(master->stats().skipped, 11u);
  EXPECT_EQ(master->Find("NSE", "1")->symbol, "GOOD-EQ");  // the first of a repeated token is kept
  const Instrument* bse = master->Find("BSE", "1");
  ASSERT_NE(bse, nullptr);
  EXPECT_EQ(bse->lot_size, 1);
  EXPECT_EQ(bse->tick_paise, 5);
  EXPECT_EQ(master->FindBySymbol("NSE", "BADLOT-EQ"), nullptr);
  EXPECT_EQ(master->FindBySymbol("NSE", "DUPLICATE-EQ"), nullptr);

  const auto& examples = master->stats().skip_examples;
  ASSERT_EQ(examples.size(), 5u);
  EXPECT_EQ(examples[0], "row 2: not an object");
  EXPECT_EQ(examples[2], "row 4: not an object");
  EXPECT_EQ(examples[3], "row 5: no token");
  EXPECT_EQ(examples[4], "row 6: lotsize \"abc\" is not a positive integer");
}

TEST(InstrumentMaster, ReasonsNameTheRowAndTheValue) {
  auto master = ParseText("[" + Row("1", "OK-EQ", "OK", "", "-1", "1", "", "NSE", "5") + "," +
                          Row("2", "BAD", "X", "31FEB2026", "-1", "1", "", "NFO", "5") + "," +
                          Row("3", "BAD2", "X", "", "-1", "2.5", "", "NSE", "5") + "," +
                          Row("4", "BAD3", "X", "", "x1", "1", "", "NSE", "5") + "]");
  ASSERT_TRUE(master.ok()) << master.error();
  const auto& examples = master->stats().skip_examples;
  ASSERT_EQ(examples.size(), 3u);
  EXPECT_EQ(examples[0], "row 2: expiry \"31FEB2026\" is not DDMMMYYYY");
  EXPECT_EQ(examples[1], "row 3: lotsize \"2.5\" is not a positive integer");
  EXPECT_EQ(examples[2], "row 4: strike \"x1\" is not a number");
}

TEST(InstrumentMaster, SubPaiseTicksAndCurrencyStrikes) {
  auto master = ParseText(
      "[" +
      Row("9", "USDINR26DEC2683.25CE", "USDINR", "29DEC2026", "832500000.000000", "1", "OPTCUR", "CDS", "0.250000") +
      "]");
  ASSERT_TRUE(master.ok()) << master.error();
  const Instrument* usd = master->Find("CDS", "9");
  ASSERT_NE(usd, nullptr);
  EXPECT_EQ(usd->tick_paise, 0);  // not a whole number of paise
  EXPECT_DOUBLE_EQ(usd->tick_rupees, 0.0025);
  EXPECT_DOUBLE_EQ(usd->strike, 83.25);
  EXPECT_EQ(usd->segment, Segment::kCurrency);
}

TEST(InstrumentMaster, AFileThatIsNotAnArrayOfObjectsIsAnErrorNamingIt) {
  for (const std::string& text : {std::string(R"({"token":"1"})"), std::string("42"), std::string(""),
                                  std::string("[{\"token\":\"1\","), std::string("[]"), std::string("[1,2,3]"),
                                  std::string("<html>502 Bad Gateway</html>"), std::string("[{}] trailing")}) {
    auto master = ParseText(text);
    ASSERT_FALSE(master.ok()) << text;
    EXPECT_TRUE(master.error().starts_with("test.json: ")) << master.error();
  }
  EXPECT_TRUE(Contains(ParseText(R"({"a":1})").error(), "not a JSON array"));
  EXPECT_TRUE(Contains(ParseText("[1,2]").error(), "no usable instrument rows (2 skipped; row 1: not an object)"));
  EXPECT_TRUE(Contains(ParseText("[{\"token\":").error(), "not valid JSON"));

  auto missing = InstrumentMaster::LoadFile("/nonexistent/OpenAPIScripMaster.json");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error(), "/nonexistent/OpenAPIScripMaster.json: cannot open: No such file or directory");
}

// A synthetic file the size of the real one (~150k rows, ~35 MB): no DOM,
// so the loaded master costs a small fraction of the file. Prints the load
// time and memory; asserts only the memory bound (speed goes in bench/).
TEST(InstrumentMaster, A150kRowFileLoadsIntoCompactRows) {
  TempDir tmp;
  const std::string path = tmp / "OpenAPIScripMaster.json";
  constexpr int kRows = 150'000;
  {
    std::ofstream out(path);
    out << "[\n";
    static const char* kMonths[] = {"JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"};
    for (int i = 0; i < kRows; ++i) {
      // (name, strike) is unique per row, so every symbol is.
      const std::string name = "UNDERLYING" + std::to_string(i % 1000);
      const std::string month = kMonths[i % 12];
      const int strike = 10000 + (i / 1000) * 50;
      const std::string side = i % 2 ? "CE" : "PE";
      if (i % 10 == 0) {
        out << Row(std::to_string(100000 + i), name + "-EQ", name, "", "-1.000000", "1", "", "NSE", "5.000000");
      } else {
        out << Row(std::to_string(100000 + i), name + "26" + month + "26" + std::to_string(strike) + side, name,
                   "26" + month + "2026", std::to_string(strike * 100) + ".000000", std::to_string(25 + i % 50),
                   "OPTSTK", "NFO", "5.000000");
      }
      out << (i + 1 < kRows ? ",\n" : "\n");
    }
    out << "]\n";
  }
  const auto file_bytes = fs::file_size(path);

  malloc_trim(0);
  const size_t heap_before = mallinfo2().uordblks + mallinfo2().hblkhd;
  const auto started = std::chrono::steady_clock::now();
  auto master = InstrumentMaster::LoadFile(path);
  const auto elapsed_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count();
  const size_t heap_after = mallinfo2().uordblks + mallinfo2().hblkhd;
  ASSERT_TRUE(master.ok()) << master.error();
  const double heap_mb = static_cast<double>(heap_after - heap_before) / (1 << 20);
  std::cout << "[ instruments ] " << kRows << " rows, file " << file_bytes / (1 << 20) << " MB: loaded in "
            << elapsed_ms << " ms, " << heap_mb << " MB of heap (" << (heap_after - heap_before) / kRows
            << " bytes/row)" << std::endl;
  RecordProperty("load_ms", std::to_string(elapsed_ms));
  RecordProperty("heap_mb", std::to_string(heap_mb));

  EXPECT_EQ(master->size(), static_cast<size_t>(kRows));
  EXPECT_EQ(master->stats().skipped, 0u);
  EXPECT_GT(file_bytes, 25u << 20);
  // A DOM of this file takes several times its size; the rows take less
  // than its size.
  EXPECT_LT(heap_after - heap_before, file_bytes);
  const Instrument* last = master->Find("NFO", std::to_string(100000 + kRows - 1));
  ASSERT_NE(last, nullptr);
  EXPECT_EQ(master->FindBySymbol("NFO", last->symbol), last);
  EXPECT_EQ(last->lot_size, 25 + (kRows - 1) % 50);
}

// ------------------------------------------------------------- segments

TEST(Segments, ClassifyByExchangeAndInstrumentType) {
  struct Case {
    const char* exchange;
    const char* type;
    Segment segment;
    Venue venue;
  };
  const Case cases[] = {
      {"NSE", "", Segment::kEquity, Venue::kNse},
      {"BSE", "", Segment::kEquity, Venue::kBse},
      {"NFO", "FUTIDX", Segment::kIndexFutures, Venue::kNse},
      {"NFO", "FUTSTK", Segment::kStockFutures, Venue::kNse},
      {"NFO", "OPTIDX", Segment::kIndexOptions, Venue::kNse},
      {"NFO", "OPTSTK", Segment::kStockOptions, Venue::kNse},
      {"BFO", "OPTIDX", Segment::kIndexOptions, Venue::kBse},
      {"BFO", "FUTIDX", Segment::kIndexFutures, Venue::kBse},
      {"BFO", "OPTSTK", Segment::kStockOptions, Venue::kBse},
      {"MCX", "FUTCOM", Segment::kCommodity, Venue::kMcx},
      {"MCX", "OPTFUT", Segment::kCommodity, Venue::kMcx},
      {"MCX", "FUTIDX", Segment::kCommodity, Venue::kMcx},
      {"CDS", "FUTCUR", Segment::kCurrency, Venue::kNse},
      {"CDS", "OPTCUR", Segment::kCurrency, Venue::kNse},
      {"CDS", "FUTIRC", Segment::kCurrency, Venue::kNse},
      {"NSE", "AMXIDX", Segment::kIndex, Venue::kNse},
      {"BSE", "AMXIDX", Segment::kIndex, Venue::kBse},
      {"MCX", "AMXIDX", Segment::kIndex, Venue::kMcx},
      {"NFO", "FUTXYZ", Segment::kUnknown, Venue::kNse},
      {"NSE", "EQUITY?", Segment::kUnknown, Venue::kNse},
      {"NCDEX", "FUTCOM", Segment::kCommodity, Venue::kOther},
      {"XYZ", "", Segment::kUnknown, Venue::kOther},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(Classify(c.exchange, c.type), (Classification{c.segment, c.venue})) << c.exchange << " " << c.type;
  }
  EXPECT_TRUE(IsOptions(Segment::kStockOptions));
  EXPECT_FALSE(IsOptions(Segment::kIndexFutures));
  EXPECT_TRUE(IsFutures(Segment::kIndexFutures));
  EXPECT_FALSE(IsTradable(Segment::kIndex));
  EXPECT_FALSE(IsTradable(Segment::kUnknown));
  EXPECT_TRUE(IsTradable(Segment::kEquity));
  EXPECT_STREQ(ToString(Segment::kIndexOptions), "index options");
  EXPECT_STREQ(ToString(Venue::kBse), "BSE");
}

// --------------------------------------------------- underlying matching

class SymbolMatching : public ::testing::Test {
 protected:
  void SetUp() override {
    auto loaded = ParseText(
        "[" + Row("1", "NIFTY30DEC2624000CE", "NIFTY", "30DEC2026", "2400000.000000", "75", "OPTIDX", "NFO", "5") +
        "," + Row("2", "NIFTY30DEC26FUT", "NIFTY", "30DEC2026", "-1", "75", "FUTIDX", "NFO", "10") + "," +
        Row("3", "BANKNIFTY30DEC2659000PE", "BANKNIFTY", "30DEC2026", "5900000.000000", "35", "OPTIDX", "NFO", "5") +
        "," + Row("4", "FINNIFTY30DEC26FUT", "FINNIFTY", "30DEC2026", "-1", "65", "FUTIDX", "NFO", "10") + "," +
        Row("5", "NIFTYBEES-EQ", "NIFTYBEES", "", "-1", "1", "", "NSE", "1") + "," +
        Row("6", "SBIN-EQ", "SBIN", "", "-1", "1", "", "NSE", "5") + "," +
        Row("7", "SBIN30DEC26FUT", "SBIN", "30DEC2026", "-1", "750", "FUTSTK", "NFO", "5") + "]");
    ASSERT_TRUE(loaded.ok()) << loaded.error();
    master_ = std::make_unique<InstrumentMaster>(std::move(*loaded));
  }
  bool Matches(const std::string& exchange, const std::string& symbol, const std::string& entry) const {
    return MatchesSymbolEntry(master_->FindBySymbol(exchange, symbol), symbol, entry);
  }
  std::unique_ptr<InstrumentMaster> master_;
};

TEST_F(SymbolMatching, AnUnderlyingMatchesItsOptionsAndFuturesOnly) {
  EXPECT_TRUE(Matches("NFO", "NIFTY30DEC2624000CE", "NIFTY"));
  EXPECT_TRUE(Matches("NFO", "NIFTY30DEC26FUT", "NIFTY"));
  EXPECT_FALSE(Matches("NFO", "BANKNIFTY30DEC2659000PE", "NIFTY"));
  EXPECT_FALSE(Matches("NFO", "FINNIFTY30DEC26FUT", "NIFTY"));
  EXPECT_FALSE(Matches("NSE", "NIFTYBEES-EQ", "NIFTY"));
  EXPECT_TRUE(Matches("NFO", "BANKNIFTY30DEC2659000PE", "BANKNIFTY"));
  EXPECT_FALSE(Matches("NFO", "NIFTY30DEC26FUT", "BANKNIFTY"));
  EXPECT_TRUE(Matches("NFO", "FINNIFTY30DEC26FUT", "FINNIFTY"));
  // A stock's underlying covers its cash symbol and its derivatives.
  EXPECT_TRUE(Matches("NSE", "SBIN-EQ", "SBIN"));
  EXPECT_TRUE(Matches("NFO", "SBIN30DEC26FUT", "SBIN"));
  EXPECT_TRUE(Matches("NFO", "NIFTY30DEC26FUT", "nifty"));
}

TEST_F(SymbolMatching, AnExactSymbolMatchesOnlyItself) {
  EXPECT_TRUE(Matches("NFO", "NIFTY30DEC2624000CE", "NIFTY30DEC2624000CE"));
  EXPECT_FALSE(Matches("NFO", "NIFTY30DEC26FUT", "NIFTY30DEC2624000CE"));
  EXPECT_TRUE(Matches("NSE", "SBIN-EQ", "SBIN-EQ"));
  EXPECT_FALSE(Matches("NFO", "SBIN30DEC26FUT", "SBIN-EQ"));
  EXPECT_FALSE(Matches("NSE", "SBIN-EQ", ""));
  EXPECT_FALSE(Matches("NSE", "SBIN-EQ", "SBI"));
}

TEST_F(SymbolMatching, SymbolsMissingFromTheMasterGetTheirUnderlyingFromTheSymbol) {
  EXPECT_EQ(UnderlyingOf(nullptr, "SBIN-EQ"), "SBIN");
  EXPECT_EQ(UnderlyingOf(nullptr, "BAJAJ-AUTO-EQ"), "BAJAJ-AUTO");
  EXPECT_EQ(UnderlyingOf(nullptr, "BAJAJ-AUTO"), "BAJAJ-AUTO");
  EXPECT_EQ(UnderlyingOf(nullptr, "SBIN"), "SBIN");
  EXPECT_EQ(UnderlyingOf(nullptr, "BANKNIFTY27JAN27FUT"), "BANKNIFTY");
  EXPECT_EQ(UnderlyingOf(nullptr, "NIFTY27JAN2724500CE"), "NIFTY");
  EXPECT_EQ(UnderlyingOf(nullptr, "NIFTYNXT5027JAN27FUT"), "NIFTYNXT50");
  EXPECT_EQ(UnderlyingOf(nullptr, "M&M27JAN273200PE"), "M&M");
  EXPECT_EQ(UnderlyingOf(nullptr, "NIFTY2612326000CE"), "NIFTY");  // weekly: YY M DD
  EXPECT_EQ(UnderlyingOf(nullptr, "NIFTY26D2926000PE"), "NIFTY");
  EXPECT_FALSE(MatchesSymbolEntry(nullptr, "BANKNIFTY27JAN27FUT", "NIFTY"));
  EXPECT_TRUE(MatchesSymbolEntry(nullptr, "NIFTY27JAN2724500CE", "NIFTY"));
  EXPECT_TRUE(MatchesSymbolEntry(nullptr, "SBIN-EQ", "SBIN"));
  EXPECT_FALSE(MatchesSymbolEntry(nullptr, "FINNIFTY27JAN27FUT", "NIFTY"));
  // In the master, its name wins over what the symbol suggests.
  EXPECT_EQ(UnderlyingOf(master_->Find("NSE", "5"), "NIFTYBEES-EQ"), "NIFTYBEES");
}

// ------------------------------------------------------ freeze quantities

TEST(FreezeQuantities, TheShippedFileGivesTheValuesInForceOnEachDay) {
  auto table = FreezeTable::LoadFile(DefaultFreezeFile());
  ASSERT_TRUE(table.ok()) << table.error();
  EXPECT_EQ(DefaultFreezeFile(), kShippedFreeze);
  EXPECT_EQ(table->size(), 6u);
  EXPECT_EQ(table->Lookup("NIFTY", "NFO", D(2026, 2, 1)), 1800);
  EXPECT_EQ(table->Lookup("NIFTY", "NFO", D(2026, 12, 1)), 1800);
  EXPECT_EQ(table->Lookup("FINNIFTY", "NFO", D(2026, 4, 1)), 1800);
  EXPECT_EQ(table->Lookup("MIDCPNIFTY", "NFO", D(2026, 4, 1)), 2800);
  EXPECT_EQ(table->Lookup("NIFTYNXT50", "NFO", D(2026, 4, 1)), 600);
  // BANKNIFTY: 900 from 2025-10-01, 600 from 2026-02-01.
  EXPECT_EQ(table->Lookup("BANKNIFTY", "NFO", D(2025, 9, 30)), std::nullopt);
  EXPECT_EQ(table->Lookup("BANKNIFTY", "NFO", D(2025, 10, 1)), 900);
  EXPECT_EQ(table->Lookup("BANKNIFTY", "NFO", D(2026, 1, 31)), 900);
  EXPECT_EQ(table->Lookup("BANKNIFTY", "NFO", D(2026, 2, 1)), 600);
  EXPECT_EQ(table->Lookup("BANKNIFTY", "NFO", D(2027, 1, 1)), 600);
  // Before the first row in force, for another exchange, or unknown: none.
  EXPECT_EQ(table->Lookup("NIFTY", "NFO", D(2026, 1, 31)), std::nullopt);
  EXPECT_EQ(table->Lookup("NIFTY", "BFO", D(2026, 4, 1)), std::nullopt);
  EXPECT_EQ(table->Lookup("SBIN", "NFO", D(2026, 4, 1)), std::nullopt);
  EXPECT_EQ(table->Lookup("NIFT", "NFO", D(2026, 4, 1)), std::nullopt);
  EXPECT_EQ(table->Lookup("NIFTYZ", "NFO", D(2026, 4, 1)), std::nullopt);
}

TEST(FreezeQuantities, InstrumentsOfTheEmulatorsMaster) {
  auto master = InstrumentMaster::LoadFile(kSimMaster);
  auto table = FreezeTable::LoadFile(DefaultFreezeFile());
  ASSERT_TRUE(master.ok() && table.ok());
  EXPECT_EQ(table->FreezeQuantity(*master->FindBySymbol("NFO", "BANKNIFTY29DEC2659000CE"), D(2026, 12, 1)), 600);
  EXPECT_EQ(table->FreezeQuantity(*master->FindBySymbol("NFO", "BANKNIFTY29DEC2659000CE"), D(2026, 1, 5)), 900);
  EXPECT_EQ(table->FreezeQuantity(*master->FindBySymbol("NFO", "NIFTY29DEC26FUT"), D(2026, 12, 1)), 1800);
  EXPECT_EQ(table->FreezeQuantity(*master->FindBySymbol("NSE", "SBIN-EQ"), D(2026, 12, 1)), std::nullopt);
  EXPECT_EQ(table->FreezeQuantity(*master->Find("NSE", "99926000"), D(2026, 12, 1)), std::nullopt);  // the index
}

TEST(FreezeQuantities, CommentsBlankLinesAndCrlfAreFine) {
  auto table = FreezeTable::Parse(
      "\r\n# a comment\r\nunderlying,exchange,freeze_quantity,effective_from\r\n\r\n"
      "# the next one\r\nSENSEX,BFO,1000,2026-03-01\r\n NIFTY , NFO , 1800 , 2026-02-01 \r\n",
      "f.csv");
  ASSERT_TRUE(table.ok()) << table.error();
  EXPECT_EQ(table->Lookup("SENSEX", "BFO", D(2026, 3, 1)), 1000);
  EXPECT_EQ(table->Lookup("NIFTY", "NFO", D(2026, 3, 1)), 1800);
}

TEST(FreezeQuantities, ErrorsNameFileAndLine) {
  const std::string header = "underlying,exchange,freeze_quantity,effective_from\n";
  const std::pair<std::string, std::string> cases[] = {
      {"# only a comment\n", "f.csv: no header line"},
      {"underlying,exchange,qty,effective_from\nNIFTY,NFO,1800,2026-02-01\n", "f.csv:1: expected the header"},
      {header, "f.csv: no freeze quantities after the header"},
      {"# c\n" + header + "NIFTY,NFO,abc,2026-02-01\n", "f.csv:3: freeze_quantity \"abc\" is not a positive integer"},
      {header + "NIFTY,NFO,0,2026-02-01\n", "f.csv:2: freeze_quantity \"0\" is not a positive integer"},
      {header + "NIFTY,NFO,-5,2026-02-01\n", "f.csv:2: freeze_quantity \"-5\""},
      {header + "NIFTY,NFO,1800,2026-02-30\n", "f.csv:2: effective_from \"2026-02-30\" is not a date YYYY-MM-DD"},
      {header + "NIFTY,NFO,1800,01/02/2026\n", "f.csv:2: effective_from \"01/02/2026\""},
      {header + "NIFTY,NFO,1800\n", "f.csv:2: expected 4 comma-separated fields, found 3"},
      {header + "NIFTY,NFO,1800,2026-02-01,x\n", "f.csv:2: expected 4 comma-separated fields, found 5"},
      {header + ",NFO,1800,2026-02-01\n", "f.csv:2: underlying \"\" is not an upper-case name"},
      {header + "NIFTY,nfo,1800,2026-02-01\n", "f.csv:2: exchange \"nfo\" is not an upper-case name"},
      {header + "NIFTY,NFO,1800,2026-02-01\nBANKNIFTY,NFO,600,2026-02-01\nNIFTY,NFO,1700,2026-02-01\n",
       "f.csv:4: NIFTY on NFO from 2026-02-01 is already given on line 2"},
  };
  for (const auto& [text, expected] : cases) {
    auto table = FreezeTable::Parse(text, "f.csv");
    ASSERT_FALSE(table.ok()) << text;
    EXPECT_TRUE(table.error().starts_with(expected)) << table.error();
  }
  auto missing = FreezeTable::LoadFile("/nonexistent/freeze.csv");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error(), "/nonexistent/freeze.csv: cannot open: No such file or directory");
}

// ------------------------------------------------------- the daily copy

// Writes a fixed body (or fails) instead of an HTTP GET.
class FakeDownloader final : public Downloader {
 public:
  explicit FakeDownloader(std::string body = ReadFile(kSimMaster)) : body_(std::move(body)) {}
  Result<Ok, std::string> Download(const std::string& url, const std::string& path,
                                   std::chrono::milliseconds) override {
    ++calls;
    last_url = url;
    if (!error.empty()) return error;
    WriteFile(path, body_);
    return Ok{};
  }
  std::atomic<int> calls{0};
  std::string last_url;
  std::string error;

 private:
  std::string body_;
};

class DailyCopyTest : public ::testing::Test {
 protected:
  DailyCopyTest() {
    options_.dir = tmp_ / "state/instruments";
    options_.url = "https://example.invalid/OpenAPIScripMaster.json";
  }
  std::string CopyPath(ist::Day day) const { return options_.dir + "/" + DailyCopyName(day); }
  void PutCopy(ist::Day day, const std::string& body) {
    fs::create_directories(options_.dir);
    WriteFile(CopyPath(day), body);
  }
  std::vector<std::string> Files() const {
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(options_.dir)) names.push_back(e.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
  }

  TempDir tmp_;
  DailyCopyOptions options_;
  const ist::Day today_ = D(2026, 4, 6);
  const std::string sim_text_ = ReadFile(kSimMaster);
  // A master with only one row, to tell copies apart.
  const std::string one_row_ = "[" + Row("1", "OLD-EQ", "OLD", "", "-1", "1", "", "NSE", "5") + "]";
};

TEST_F(DailyCopyTest, TodaysCopyIsUsedWithoutADownload) {
  PutCopy(today_, sim_text_);
  FakeDownloader downloader;
  auto copy = LoadDailyCopy(options_, today_, downloader);
  ASSERT_TRUE(copy.ok()) << copy.error();
  EXPECT_EQ(downloader.calls, 0);
  EXPECT_FALSE(copy->downloaded);
  EXPECT_EQ(copy->path, options_.dir + "/OpenAPIScripMaster-20260406.json");
  EXPECT_EQ(copy->master.size(), kSimMasterRows);
  EXPECT_TRUE(copy->warnings.empty());
}

TEST_F(DailyCopyTest, AMissingCopyIsDownloadedAndKeptForTheDay) {
  PutCopy(ist::AddDays(today_, -1), one_row_);
  FakeDownloader downloader;
  auto copy = LoadDailyCopy(options_, today_, downloader);
  ASSERT_TRUE(copy.ok()) << copy.error();
  EXPECT_EQ(downloader.calls, 1);
  EXPECT_EQ(downloader.last_url, options_.url);
  EXPECT_TRUE(copy->downloaded);
  EXPECT_EQ(copy->path, CopyPath(today_));
  EXPECT_EQ(copy->master.size(), kSimMasterRows);
  EXPECT_TRUE(copy->warnings.empty());
  EXPECT_EQ(ReadFile(CopyPath(today_)), sim_text_);
  // No temporary file is left; the lock file stays for the next process.
  EXPECT_EQ(Files(), (std::vector<std::string>{".download.lock", "OpenAPIScripMaster-20260405.json",
                                               "OpenAPIScripMaster-20260406.json"}));

  // The second process of the day reads it.
  auto again = LoadDailyCopy(options_, today_, downloader);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(downloader.calls, 1);
  EXPECT_FALSE(again->downloaded);
}

TEST_F(DailyCopyTest, AFailedDownloadFallsBackToTheNewestEarlierCopyWithAWarning) {
  PutCopy(ist::AddDays(today_, -3), sim_text_);
  PutCopy(ist::AddDays(today_, -1), one_row_);
  PutCopy(ist::AddDays(today_, 1), sim_text_);  // a copy from the future (clock moved back) is not "earlier"
  FakeDownloader downloader;
  downloader.error = "Could not resolve host: example.invalid";
  auto copy = LoadDailyCopy(options_, today_, downloader);
  ASSERT_TRUE(copy.ok()) << copy.error();
  EXPECT_EQ(downloader.calls, 1);
  EXPECT_FALSE(copy->downloaded);
  EXPECT_EQ(copy->path, CopyPath(ist::AddDays(today_, -1)));
  EXPECT_EQ(copy->master.size(), 1u);
  ASSERT_EQ(copy->warnings.size(), 1u);
  EXPECT_EQ(copy->warnings[0], "download of " + options_.url +
                                   " failed: Could not resolve host: example.invalid; using the copy of 2026-04-05 (" +
                                   CopyPath(ist::AddDays(today_, -1)) + ")");
  EXPECT_FALSE(fs::exists(CopyPath(today_)));
}

TEST_F(DailyCopyTest, NoCopyAtAllIsAnError) {
  FakeDownloader downloader;
  downloader.error = "Connection refused";
  auto copy = LoadDailyCopy(options_, today_, downloader);
  ASSERT_FALSE(copy.ok());
  EXPECT_EQ(copy.error(), "no instrument master: download of " + options_.url + " failed: Connection refused; and " +
                              options_.dir + " holds no earlier usable copy");
}

TEST_F(DailyCopyTest, ACorruptDownloadDoesNotReplaceAGoodCopy) {
  PutCopy(ist::AddDays(today_, -1), sim_text_);
  FakeDownloader downloader("<html><body>502 Bad Gateway</body></html>");
  auto copy = LoadDailyCopy(options_, today_, downloader);
  ASSERT_TRUE(copy.ok()) << copy.error();
  EXPECT_EQ(copy->path, CopyPath(ist::AddDays(today_, -1)));
  EXPECT_EQ(copy->master.size(), kSimMasterRows);
  ASSERT_EQ(copy->warnings.size(), 1u);
  EXPECT_TRUE(copy->warnings[0].starts_with("download of " + options_.url + " is not a usable instrument master: "))
      << copy->warnings[0];
  EXPECT_TRUE(Contains(copy->warnings[0], "not valid JSON")) << copy->warnings[0];
  EXPECT_EQ(ReadFile(CopyPath(ist::AddDays(today_, -1))), sim_text_);
  EXPECT_EQ(Files(), (std::vector<std::string>{".download.lock", "OpenAPIScripMaster-20260405.json"}));

  // A truncated download (valid start, cut off) is just as corrupt.
  FakeDownloader truncated(sim_text_.substr(0, sim_text_.size() / 2));
  auto again = LoadDailyCopy(options_, today_, truncated);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->path, CopyPath(ist::AddDays(today_, -1)));
  EXPECT_FALSE(fs::exists(CopyPath(today_)));
}

TEST_F(DailyCopyTest, AnUnreadableCopyOfTodayIsDownloadedAgain) {
  PutCopy(today_, sim_text_.substr(0, 100));
  FakeDownloader downloader;
  auto copy = LoadDailyCopy(options_, today_, downloader);
  ASSERT_TRUE(copy.ok()) << copy.error();
  EXPECT_EQ(downloader.calls, 1);
  EXPECT_TRUE(copy->downloaded);
  EXPECT_EQ(copy->master.size(), kSimMasterRows);
  ASSERT_EQ(copy->warnings.size(), 1u);
  EXPECT_TRUE(copy->warnings[0].starts_with("today's instrument master is unreadable (" + CopyPath(today_)))
      << copy->warnings[0];
  EXPECT_EQ(ReadFile(CopyPath(today_)), sim_text_);
}

TEST_F(DailyCopyTest, ADownloadPrunesCopiesOlderThanAWeek) {
  for (int age : {30, 8, 7, 1}) PutCopy(ist::AddDays(today_, -age), one_row_);
  WriteFile(options_.dir + "/notes.txt", "not a copy");
  FakeDownloader downloader;
  auto copy = LoadDailyCopy(options_, today_, downloader);
  ASSERT_TRUE(copy.ok()) << copy.error();
  EXPECT_EQ(Files(), (std::vector<std::string>{".download.lock", "OpenAPIScripMaster-20260330.json",
                                               "OpenAPIScripMaster-20260405.json", "OpenAPIScripMaster-20260406.json",
                                               "notes.txt"}));
}

TEST_F(DailyCopyTest, AFailedDownloadPrunesNothing) {
  for (int age : {30, 8}) PutCopy(ist::AddDays(today_, -age), one_row_);
  FakeDownloader downloader;
  downloader.error = "timeout";
  auto copy = LoadDailyCopy(options_, today_, downloader);
  ASSERT_TRUE(copy.ok()) << copy.error();
  EXPECT_EQ(copy->path, CopyPath(ist::AddDays(today_, -8)));
  EXPECT_EQ(Files().size(), 3u);
}

// The router and the executors start together: one downloads, the others
// wait on the lock and read the copy it wrote. Two threads stand in for
// two processes (flock excludes separate opens of the file either way).
TEST_F(DailyCopyTest, ConcurrentLoadsDownloadOnce) {
  std::promise<void> first_downloading, second_waiting;
  std::atomic<bool> released{false};
  auto release = [&] {
    if (!released.exchange(true)) second_waiting.set_value();
  };

  // The first load's download holds the lock until the second load is
  // known to be waiting for it.
  class HeldDownloader final : public Downloader {
   public:
    HeldDownloader(std::promise<void>& started, std::shared_future<void> go, std::string body)
        : started_(started), go_(std::move(go)), body_(std::move(body)) {}
    Result<Ok, std::string> Download(const std::string&, const std::string& path, std::chrono::milliseconds) override {
      ++calls;
      started_.set_value();
      go_.wait();
      WriteFile(path, body_);
      return Ok{};
    }
    std::atomic<int> calls{0};

   private:
    std::promise<void>& started_;
    std::shared_future<void> go_;
    std::string body_;
  };
  HeldDownloader held(first_downloading, second_waiting.get_future().share(), sim_text_);

  // Without the lock the second load would download too: count it, and
  // release the first so the test fails instead of hanging.
  class CountingDownloader final : public Downloader {
   public:
    explicit CountingDownloader(std::function<void()> on_call) : on_call_(std::move(on_call)) {}
    Result<Ok, std::string> Download(const std::string&, const std::string& path, std::chrono::milliseconds) override {
      ++calls;
      on_call_();
      WriteFile(path, "[]");
      return Ok{};
    }
    std::atomic<int> calls{0};

   private:
    std::function<void()> on_call_;
  };
  CountingDownloader counting(release);

  auto first = std::async(std::launch::async, [&] { return LoadDailyCopy(options_, today_, held); });
  first_downloading.get_future().wait();
  DailyCopyOptions second_options = options_;
  std::atomic<int> lock_waits{0};
  second_options.on_lock_wait = [&] {
    ++lock_waits;
    release();
  };
  auto second = LoadDailyCopy(second_options, today_, counting);
  auto first_result = first.get();

  ASSERT_TRUE(first_result.ok()) << first_result.error();
  ASSERT_TRUE(second.ok()) << second.error();
  EXPECT_EQ(held.calls, 1);
  EXPECT_EQ(counting.calls, 0);
  EXPECT_EQ(lock_waits, 1);
  EXPECT_TRUE(first_result->downloaded);
  EXPECT_FALSE(second->downloaded);
  EXPECT_EQ(second->path, CopyPath(today_));
  EXPECT_EQ(second->master.size(), kSimMasterRows);
  EXPECT_TRUE(second->warnings.empty());
}

// --------------------------------------------- LoadInstruments, real curl

// Python's http.server on an ephemeral loopback port, serving `dir`.
class HttpServer {
 public:
  HttpServer(const std::string& dir, const std::string& log)
      : process_({"/usr/bin/env", "python3", "-u", "-m", "http.server", "0", "--bind", "127.0.0.1", "--directory", dir},
                 log) {}
  // The base URL once the server listens, empty if it did not start.
  std::string Start() {
    if (!process_.WaitForLog("Serving HTTP on", std::chrono::seconds(15))) return {};
    std::smatch m;
    const std::string text = process_.Log();
    if (!std::regex_search(text, m, std::regex(R"(Serving HTTP on 127\.0\.0\.1 port (\d+))"))) return {};
    return "http://127.0.0.1:" + m[1].str();
  }

 private:
  ct::testing::ChildProcess process_;
};

config::Settings SettingsIn(const TempDir& tmp) {
  config::Settings settings;
  settings.state_dir = tmp / "state";
  settings.instruments.url = "http://127.0.0.1:9/OpenAPIScripMaster.json";
  settings.instruments.download_timeout_ms = 10'000;
  return settings;
}

struct CapturedLog {
  CapturedLog()
      : sink(std::make_shared<spdlog::sinks::ringbuffer_sink_mt>(100)),
        logger(std::make_shared<spdlog::logger>("instruments-test", sink)) {}
  std::string Text() const {
    std::string all;
    for (const auto& line : sink->last_formatted()) all += line;
    return all;
  }
  std::shared_ptr<spdlog::sinks::ringbuffer_sink_mt> sink;
  std::shared_ptr<spdlog::logger> logger;
};

FakeClock ClockAt(ist::Day day) { return FakeClock(ist::StartOfDayNs(day) + int64_t{9} * 3600 * 1'000'000'000); }

TEST(LoadInstruments, DownloadsOverHttpWithLibcurl) {
  TempDir tmp;
  fs::create_directories(tmp / "www/OpenAPI_File/files");
  fs::copy_file(kSimMaster, tmp / "www/OpenAPI_File/files/OpenAPIScripMaster.json");
  HttpServer server(tmp / "www", tmp / "http.log");
  const std::string base = server.Start();
  ASSERT_FALSE(base.empty()) << ReadFile(tmp / "http.log");

  config::Settings settings = SettingsIn(tmp);
  settings.instruments.url = base + "/OpenAPI_File/files/OpenAPIScripMaster.json";
  CapturedLog log;
  const FakeClock clock = ClockAt(D(2026, 4, 6));
  auto loaded = LoadInstruments(settings, clock, log.logger);
  ASSERT_TRUE(loaded.ok()) << loaded.error();
  const std::string copy = tmp / "state/instruments/OpenAPIScripMaster-20260406.json";
  EXPECT_EQ(loaded->master_path, copy);
  EXPECT_EQ(ReadFile(copy), ReadFile(kSimMaster));
  EXPECT_EQ(loaded->master->size(), kSimMasterRows);
  EXPECT_EQ(loaded->master->FindBySymbol("NFO", "NIFTY01DEC2626100PE")->lot_size, 75);
  EXPECT_EQ(loaded->freeze_path, kShippedFreeze);
  EXPECT_EQ(loaded->freeze->Lookup("NIFTY", "NFO", D(2026, 4, 6)), 1800);
  EXPECT_TRUE(loaded->warnings.empty());
  EXPECT_TRUE(Contains(log.Text(), "downloaded the instrument master from " + settings.instruments.url)) << log.Text();

  // A 404 is a failed download: with today's copy gone and no earlier one,
  // an error that names the URL and the status.
  fs::remove(copy);
  settings.instruments.url = base + "/missing.json";
  auto missing = LoadInstruments(settings, clock, log.logger);
  ASSERT_FALSE(missing.ok());
  EXPECT_TRUE(
      Contains(missing.error(), "download of " + settings.instruments.url + " failed: GET " + settings.instruments.url))
      << missing.error();
  EXPECT_TRUE(Contains(missing.error(), "404")) << missing.error();
}

TEST(LoadInstruments, CurlDownloaderStreamsTheBodyToTheFile) {
  TempDir tmp;
  fs::create_directories(tmp / "www");
  fs::copy_file(kSimMaster, tmp / "www/master.json");
  HttpServer server(tmp / "www", tmp / "http.log");
  const std::string base = server.Start();
  ASSERT_FALSE(base.empty()) << ReadFile(tmp / "http.log");
  auto downloader = MakeCurlDownloader();
  ASSERT_TRUE(downloader->Download(base + "/master.json", tmp / "got.json", 10s).ok());
  EXPECT_EQ(ReadFile(tmp / "got.json"), ReadFile(kSimMaster));
  auto not_found = downloader->Download(base + "/nothing.json", tmp / "none.json", 10s);
  ASSERT_FALSE(not_found.ok());
  EXPECT_TRUE(Contains(not_found.error(), "404")) << not_found.error();
  auto unwritable = downloader->Download(base + "/master.json", tmp / "no/such/dir/got.json", 10s);
  ASSERT_FALSE(unwritable.ok());
  EXPECT_TRUE(Contains(unwritable.error(), "cannot create")) << unwritable.error();
}

TEST(LoadInstruments, AFailedDownloadUsesYesterdaysCopyAndLogsIt) {
  TempDir tmp;
  config::Settings settings = SettingsIn(tmp);
  fs::create_directories(tmp / "state/instruments");
  fs::copy_file(kSimMaster, tmp / "state/instruments/OpenAPIScripMaster-20260405.json");
  FakeDownloader downloader;
  downloader.error = "Connection refused";
  CapturedLog log;
  auto loaded = LoadInstruments(settings, ClockAt(D(2026, 4, 6)), downloader, log.logger);
  ASSERT_TRUE(loaded.ok()) << loaded.error();
  EXPECT_EQ(loaded->master_path, tmp / "state/instruments/OpenAPIScripMaster-20260405.json");
  ASSERT_EQ(loaded->warnings.size(), 1u);
  EXPECT_TRUE(Contains(loaded->warnings[0], "using the copy of 2026-04-05")) << loaded->warnings[0];
  EXPECT_TRUE(Contains(log.Text(), "using the copy of 2026-04-05")) << log.Text();
}

TEST(LoadInstruments, AConfiguredFileIsUsedAsIsAndTheFreezeFileOverrides) {
  TempDir tmp;
  config::Settings settings = SettingsIn(tmp);
  settings.instruments.file = kSimMaster;
  WriteFile(tmp / "freeze.csv", "underlying,exchange,freeze_quantity,effective_from\nNIFTY,NFO,1200,2026-04-01\n");
  settings.instruments.freeze_file = tmp / "freeze.csv";
  FakeDownloader downloader;
  CapturedLog log;
  auto loaded = LoadInstruments(settings, ClockAt(D(2026, 4, 6)), downloader, log.logger);
  ASSERT_TRUE(loaded.ok()) << loaded.error();
  EXPECT_EQ(downloader.calls, 0);
  EXPECT_FALSE(fs::exists(tmp / "state/instruments"));
  EXPECT_EQ(loaded->master_path, kSimMaster);
  EXPECT_EQ(loaded->master->size(), kSimMasterRows);
  const Instrument* future = loaded->master->FindBySymbol("NFO", "NIFTY29DEC26FUT");
  EXPECT_EQ(loaded->freeze->FreezeQuantity(*future, D(2026, 4, 6)), 1200);
  EXPECT_EQ(loaded->freeze->FreezeQuantity(*future, D(2026, 3, 31)), std::nullopt);
  EXPECT_TRUE(Contains(log.Text(), std::to_string(kSimMasterRows) + " rows from " + kSimMaster)) << log.Text();
}

TEST(LoadInstruments, ErrorsNameTheFile) {
  TempDir tmp;
  config::Settings settings = SettingsIn(tmp);
  FakeDownloader downloader;
  CapturedLog log;
  const FakeClock clock = ClockAt(D(2026, 4, 6));

  settings.instruments.file = tmp / "absent.json";
  auto no_master = LoadInstruments(settings, clock, downloader, log.logger);
  ASSERT_FALSE(no_master.ok());
  EXPECT_EQ(no_master.error(), tmp / "absent.json" + ": cannot open: No such file or directory");

  WriteFile(tmp / "bad.json", R"({"not":"an array"})");
  settings.instruments.file = tmp / "bad.json";
  auto bad_master = LoadInstruments(settings, clock, downloader, log.logger);
  ASSERT_FALSE(bad_master.ok());
  EXPECT_EQ(bad_master.error(), tmp / "bad.json" + ": not a JSON array of instrument objects");

  settings.instruments.file = kSimMaster;
  WriteFile(tmp / "freeze.csv", "underlying,exchange,freeze_quantity,effective_from\nNIFTY,NFO,lots,2026-04-01\n");
  settings.instruments.freeze_file = tmp / "freeze.csv";
  auto bad_freeze = LoadInstruments(settings, clock, downloader, log.logger);
  ASSERT_FALSE(bad_freeze.ok());
  EXPECT_EQ(bad_freeze.error(), tmp / "freeze.csv" + ":2: freeze_quantity \"lots\" is not a positive integer");
}

TEST(LoadInstruments, SkippedRowsAreAWarning) {
  TempDir tmp;
  config::Settings settings = SettingsIn(tmp);
  WriteFile(tmp / "m.json", "[" + Row("1", "A-EQ", "A", "", "-1", "1", "", "NSE", "5") + ",42]");
  settings.instruments.file = tmp / "m.json";
  FakeDownloader downloader;
  CapturedLog log;
  auto loaded = LoadInstruments(settings, ClockAt(D(2026, 4, 6)), downloader, log.logger);
  ASSERT_TRUE(loaded.ok()) << loaded.error();
  ASSERT_EQ(loaded->warnings.size(), 1u);
  EXPECT_EQ(loaded->warnings[0], "1 unusable rows of " + tmp / "m.json" + " skipped (row 2: not an object)");
}

}  // namespace
}  // namespace ct::instruments
