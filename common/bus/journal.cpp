#include "common/bus/journal.h"

#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <thread>

#include "common/log/log.h"

namespace ct::bus {
namespace {
[[noreturn]] void Die(sqlite3* db, const std::string& what) {
  log::Get("journal")->critical("{}: {}", what, db ? sqlite3_errmsg(db) : "no database");
  std::abort();
}

// Opens `path` with the settings every connection to a journal shares.
Result<sqlite3*, std::string> Connect(const std::string& path) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                      nullptr) != SQLITE_OK) {
    std::string err = "cannot open journal " + path + ": " + (db ? sqlite3_errmsg(db) : "out of memory");
    sqlite3_close(db);
    return err;
  }
  sqlite3_busy_timeout(db, 5000);
  int persist_wal = 1;
  sqlite3_file_control(db, "main", SQLITE_FCNTL_PERSIST_WAL, &persist_wal);
  return db;
}

// Grows a new journal's WAL to the size it keeps between checkpoints, once
// (PERSIST_WAL keeps it afterwards): a scratch table of kCheckpointFrames
// pages is written and dropped again, then checkpointed. The database file
// keeps those pages as free space that the outbox fills later.
void PresizeWal(sqlite3* db, const std::string& path) {
  constexpr int64_t kPageBytes = 4096, kFrameHeaderBytes = 24;
  std::error_code ec;
  const auto size = std::filesystem::file_size(path + "-wal", ec);
  if (!ec && static_cast<int64_t>(size) >= Journal::kCheckpointFrames * (kPageBytes + kFrameHeaderBytes)) return;
  const std::string sql = "CREATE TABLE wal_presize(b BLOB);"
                          "INSERT INTO wal_presize VALUES(zeroblob(" +
                          std::to_string(Journal::kCheckpointFrames * kPageBytes) +
                          "));"
                          "DROP TABLE wal_presize;";
  char* err = nullptr;
  if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    // Only speed is lost: commits grow the WAL until it has this size.
    log::Get("journal")->warn("cannot presize the WAL of {}: {}", path, err ? err : "?");
    sqlite3_free(err);
    return;
  }
  sqlite3_wal_checkpoint_v2(db, nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
}
}  // namespace

// Runs PASSIVE checkpoints on its own thread and connection when the owner's
// commits have filled the WAL past kCheckpointFrames. A passive checkpoint
// never blocks the writer: the next commit after a complete one starts the
// WAL over from its beginning.
class Journal::Checkpointer {
 public:
  explicit Checkpointer(sqlite3* db) : db_(db), thread_([this] { Run(); }) {}
  ~Checkpointer() {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    wake_.notify_one();
    thread_.join();
    sqlite3_close(db_);
  }
  void WalHolds(int frames) {
    if (frames < kCheckpointFrames) return;
    {
      std::lock_guard lock(mu_);
      due_ = true;
    }
    wake_.notify_one();
  }
  uint64_t done() const {
    std::lock_guard lock(mu_);
    return done_;
  }
  // On the owner's thread and connection: waits for a background checkpoint
  // that is running, then checkpoints everything the WAL holds.
  void CatchUp(sqlite3* owner) {
    std::lock_guard one_at_a_time(checkpointing_);
    Checkpoint(owner);
  }

 private:
  void Run() {
    std::unique_lock lock(mu_);
    while (true) {
      wake_.wait(lock, [this] { return due_ || stop_; });
      if (stop_) return;
      due_ = false;
      lock.unlock();
      {
        std::lock_guard one_at_a_time(checkpointing_);
        Checkpoint(db_);
      }
      lock.lock();
      ++done_;
    }
  }
  // Called with checkpointing_ held. A failure is logged once until a
  // checkpoint succeeds again (the owner retries on every commit).
  void Checkpoint(sqlite3* db) {
    const int rc = sqlite3_wal_checkpoint_v2(db, nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
    if (rc == SQLITE_OK || rc == SQLITE_BUSY) {
      failing_ = false;
    } else if (!failing_) {
      failing_ = true;
      log::Get("journal")->warn("checkpoint failed (the WAL grows until one succeeds): {}", sqlite3_errmsg(db));
    }
  }

  sqlite3* db_;
  std::mutex checkpointing_;
  bool failing_ = false;  // guarded by checkpointing_
  mutable std::mutex mu_;
  std::condition_variable wake_;
  bool due_ = false, stop_ = false;
  uint64_t done_ = 0;
  std::thread thread_;  // last: starts after the members it uses exist
};

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
int64_t Statement::SingleInt(int64_t none) {
  const int64_t v = Step() ? Int(0) : none;
  Reset();
  return v;
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
  auto connected = Connect(path);
  if (!connected.ok()) return connected.error();
  sqlite3* db = *connected;
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
  PresizeWal(db, path);
  auto checkpoint_connection = Connect(path);
  if (!checkpoint_connection.ok()) {
    sqlite3_close(db);
    return checkpoint_connection.error();
  }
  // The checkpoint's own fsyncs follow this setting of its connection.
  sqlite3_exec(*checkpoint_connection, "PRAGMA synchronous=FULL", nullptr, nullptr, nullptr);
  return std::unique_ptr<Journal>(
      new Journal(db, path, std::make_unique<Checkpointer>(*checkpoint_connection)));
}

Journal::Journal(sqlite3* db, std::string path, std::unique_ptr<Checkpointer> checkpointer)
    : db_(db), path_(std::move(path)), checkpointer_(std::move(checkpointer)) {
  // Replaces SQLite's automatic checkpoint, which would run inside the
  // commit that crosses its threshold.
  sqlite3_wal_hook(db_, &Journal::OnWalCommit, this);
  begin_ = std::make_unique<Statement>(db_, "BEGIN IMMEDIATE");
  commit_ = std::make_unique<Statement>(db_, "COMMIT");
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
  begin_.reset();
  commit_.reset();
  append_.reset();
  last_seq_.reset();
  first_seq_.reset();
  read_.reset();
  cursor_get_.reset();
  cursor_set_.reset();
  checkpointer_.reset();
  sqlite3_close(db_);
}

int Journal::OnWalCommit(void* self, sqlite3* db, const char*, int frames) {
  auto* journal = static_cast<Journal*>(self);
  if (journal->on_commit_) journal->on_commit_();
  journal->checkpointer_->WalHolds(frames);
  // The WAL starts over only when a transaction begins with everything in
  // it checkpointed. Commits that never pause would keep the background
  // checkpoint from ever catching up; past the limit, this thread does it.
  if (frames >= kWalLimitFrames) journal->checkpointer_->CatchUp(db);
  return SQLITE_OK;
}

uint64_t Journal::checkpoints() const { return checkpointer_->done(); }

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
    struct Leave {
      int& depth;
      ~Leave() { --depth; }
    } leave{depth_};
    body();
    return;
  }
  begin_->Reset();
  begin_->Step();
  depth_ = 1;
  try {
    body();
  } catch (...) {
    // Nothing of a body that did not finish is kept: not its writes, not
    // what it meant to do after the commit.
    depth_ = 0;
    after_commit_.clear();
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    throw;
  }
  depth_ = 0;
  commit_->Reset();
  commit_->Step();
  std::vector<std::function<void()>> after;
  after.swap(after_commit_);
  for (auto& cb : after) cb();
}

void Journal::AfterCommit(std::function<void()> cb) {
  if (depth_ == 0) {
    cb();
    return;
  }
  after_commit_.push_back(std::move(cb));
}

void Journal::Append(const JournalEntry& e) {
  append_->Reset();
  append_->Bind(1, e.stream).Bind(2, static_cast<int64_t>(e.seq)).Bind(3, e.topic).BindBlob(4, e.payload).Bind(5, e.time_ns);
  append_->Step();
}

uint64_t Journal::LastSeq(const std::string& stream) {
  last_seq_->Reset();
  last_seq_->Bind(1, stream);
  return static_cast<uint64_t>(last_seq_->SingleInt(0));
}

uint64_t Journal::FirstSeq(const std::string& stream) {
  first_seq_->Reset();
  first_seq_->Bind(1, stream);
  return static_cast<uint64_t>(first_seq_->SingleInt(0));
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
  return static_cast<uint64_t>(cursor_get_->SingleInt(0));
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
