#include "common/bus/journal.h"

#include <cstdio>
#include <cstdlib>

#include "common/log/log.h"

namespace ct::bus {
namespace {
[[noreturn]] void Die(sqlite3* db, const std::string& what) {
  log::Get("journal")->critical("{}: {}", what, db ? sqlite3_errmsg(db) : "no database");
  std::abort();
}
}  // namespace

Statement::Statement(sqlite3* db, const std::string& sql) : db_(db) {
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt_, nullptr) != SQLITE_OK) Die(db, "prepare " + sql);
}
Statement::~Statement() { sqlite3_finalize(stmt_); }
Statement& Statement::Bind(int index, int64_t v) {
  sqlite3_bind_int64(stmt_, index, v);
  return *this;
}
Statement& Statement::Bind(int index, const std::string& v) {
  sqlite3_bind_text(stmt_, index, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
  return *this;
}
Statement& Statement::BindBlob(int index, const std::string& v) {
  sqlite3_bind_blob(stmt_, index, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
  return *this;
}
bool Statement::Step() {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  Die(db_, "step");
}
void Statement::Reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}
int64_t Statement::Int(int col) const { return sqlite3_column_int64(stmt_, col); }
std::string Statement::Text(int col) const {
  auto* p = sqlite3_column_text(stmt_, col);
  return p ? std::string(reinterpret_cast<const char*>(p), static_cast<size_t>(sqlite3_column_bytes(stmt_, col))) : "";
}
std::string Statement::Blob(int col) const {
  auto* p = sqlite3_column_blob(stmt_, col);
  return p ? std::string(static_cast<const char*>(p), static_cast<size_t>(sqlite3_column_bytes(stmt_, col))) : "";
}

Result<std::unique_ptr<Journal>, std::string> Journal::Open(const std::string& path) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                      nullptr) != SQLITE_OK) {
    std::string err = "cannot open journal " + path + ": " + (db ? sqlite3_errmsg(db) : "out of memory");
    sqlite3_close(db);
    return err;
  }
  sqlite3_busy_timeout(db, 5000);
  const char* schema =
      "PRAGMA journal_mode=WAL;"
      "PRAGMA synchronous=FULL;"
      "CREATE TABLE IF NOT EXISTS outbox(stream TEXT NOT NULL, seq INTEGER NOT NULL, topic TEXT NOT NULL,"
      " payload BLOB NOT NULL, time_ns INTEGER NOT NULL, PRIMARY KEY(stream, seq)) WITHOUT ROWID;"
      "CREATE TABLE IF NOT EXISTS cursor(stream TEXT PRIMARY KEY, last_applied_seq INTEGER NOT NULL);";
  char* err = nullptr;
  if (sqlite3_exec(db, schema, nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = "cannot initialise journal " + path + ": " + (err ? err : "?");
    sqlite3_free(err);
    sqlite3_close(db);
    return msg;
  }
  return std::unique_ptr<Journal>(new Journal(db, path));
}

Journal::Journal(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {
  append_ = std::make_unique<Statement>(
      db_, "INSERT INTO outbox(stream, seq, topic, payload, time_ns) VALUES(?,?,?,?,?)");
  last_seq_ = std::make_unique<Statement>(db_, "SELECT COALESCE(MAX(seq),0) FROM outbox WHERE stream=?");
  first_seq_ = std::make_unique<Statement>(db_, "SELECT COALESCE(MIN(seq),0) FROM outbox WHERE stream=?");
  read_ = std::make_unique<Statement>(
      db_, "SELECT seq, topic, payload, time_ns FROM outbox WHERE stream=? AND seq>=? ORDER BY seq LIMIT ?");
  cursor_get_ = std::make_unique<Statement>(db_, "SELECT last_applied_seq FROM cursor WHERE stream=?");
  cursor_set_ = std::make_unique<Statement>(
      db_, "INSERT INTO cursor(stream, last_applied_seq) VALUES(?,?) "
           "ON CONFLICT(stream) DO UPDATE SET last_applied_seq=excluded.last_applied_seq");
}

Journal::~Journal() {
  append_.reset();
  last_seq_.reset();
  first_seq_.reset();
  read_.reset();
  cursor_get_.reset();
  cursor_set_.reset();
  sqlite3_close(db_);
}

void Journal::Exec(const std::string& sql) {
  char* err = nullptr;
  if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err ? err : "?";
    sqlite3_free(err);
    Die(db_, "exec " + sql + ": " + msg);
  }
}

void Journal::Transaction(const std::function<void()>& body) {
  if (depth_ > 0) {
    ++depth_;
    body();
    --depth_;
    return;
  }
  Exec("BEGIN IMMEDIATE");
  depth_ = 1;
  body();
  depth_ = 0;
  Exec("COMMIT");
}

void Journal::Append(const JournalEntry& e) {
  append_->Reset();
  append_->Bind(1, e.stream).Bind(2, static_cast<int64_t>(e.seq)).Bind(3, e.topic).BindBlob(4, e.payload).Bind(5, e.time_ns);
  append_->Step();
}

uint64_t Journal::LastSeq(const std::string& stream) {
  last_seq_->Reset();
  last_seq_->Bind(1, stream);
  last_seq_->Step();
  return static_cast<uint64_t>(last_seq_->Int(0));
}

uint64_t Journal::FirstSeq(const std::string& stream) {
  first_seq_->Reset();
  first_seq_->Bind(1, stream);
  first_seq_->Step();
  return static_cast<uint64_t>(first_seq_->Int(0));
}

std::vector<JournalEntry> Journal::Read(const std::string& stream, uint64_t from_seq, size_t max_count) {
  std::vector<JournalEntry> out;
  read_->Reset();
  read_->Bind(1, stream).Bind(2, static_cast<int64_t>(from_seq)).Bind(3, static_cast<int64_t>(max_count));
  while (read_->Step())
    out.push_back({stream, static_cast<uint64_t>(read_->Int(0)), read_->Text(1), read_->Blob(2), read_->Int(3)});
  return out;
}

std::vector<std::string> Journal::Streams() {
  Statement s(db_, "SELECT DISTINCT stream FROM outbox");
  std::vector<std::string> out;
  while (s.Step()) out.push_back(s.Text(0));
  return out;
}

uint64_t Journal::Cursor(const std::string& stream) {
  cursor_get_->Reset();
  cursor_get_->Bind(1, stream);
  return cursor_get_->Step() ? static_cast<uint64_t>(cursor_get_->Int(0)) : 0;
}

void Journal::SetCursor(const std::string& stream, uint64_t seq) {
  cursor_set_->Reset();
  cursor_set_->Bind(1, stream).Bind(2, static_cast<int64_t>(seq));
  cursor_set_->Step();
}

int64_t Journal::Prune(int64_t before_ns) {
  Statement s(db_,
              "DELETE FROM outbox WHERE time_ns < ? AND seq < "
              "(SELECT MAX(seq) FROM outbox o WHERE o.stream = outbox.stream)");
  s.Bind(1, before_ns);
  s.Step();
  return sqlite3_changes(db_);
}

}  // namespace ct::bus
