// Journal: a process's durable state in one SQLite file (WAL,
// synchronous=FULL), so that a message's effect and the stream cursors it
// advances commit in ONE transaction.
//
//   outbox(stream, seq, topic, payload, time_ns)  what this process published
//   cursor(stream, last_applied_seq)             what it has applied upstream
//
// Processes add their own tables through Exec()/db() (e.g. the executor's
// intents). Owned and used by one thread (the process loop).
//
// Commit latency is the bus's latency (each hop is two fsync'd commits), so
// nothing else waits on the owning thread's commits:
//  - checkpoints (copying the WAL back into the database, two more fsyncs)
//    run on a background thread with its own connection once the WAL holds
//    kCheckpointFrames pages, not inside a commit; only a writer that never
//    pauses long enough for them to finish checkpoints itself, past
//    kWalLimitFrames, so the WAL stays bounded;
//  - the WAL file is kept across checkpoints and restarts (PERSIST_WAL), so
//    commits overwrite blocks the file already has instead of growing it,
//    which would make every fsync also commit the file system's journal.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/core/result.h"

namespace ct::bus {

struct JournalEntry {
  std::string stream;
  uint64_t seq = 0;
  std::string topic;
  std::string payload;  // serialized Envelope
  int64_t time_ns = 0;
};

// A prepared statement bound and stepped in one call.
class Statement {
 public:
  Statement(sqlite3* db, const std::string& sql);
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  Statement& Bind(int index, int64_t v);
  Statement& Bind(int index, const std::string& v);
  Statement& BindBlob(int index, const std::string& v);
  bool Step();  // true while a row is available; aborts on error
  // Steps once and returns the row's first column (`none` without a row),
  // then resets: a statement left on a row keeps its read transaction open,
  // and the WAL cannot start over while any read transaction is open.
  int64_t SingleInt(int64_t none);
  void Reset();
  int64_t Int(int col) const;
  std::string Text(int col) const;
  std::string Blob(int col) const;

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
};

class Journal {
 public:
  // Opens (creating) the file and its tables. Errors name the path.
  static Result<std::unique_ptr<Journal>, std::string> Open(const std::string& path);
  ~Journal();
  Journal(const Journal&) = delete;
  Journal& operator=(const Journal&) = delete;

  // Runs `body` inside BEGIN IMMEDIATE ... COMMIT. A failed commit is a
  // disk failure the process cannot work around: it aborts (supervisord
  // restarts it, and the journal is still consistent).
  //
  // Nested calls join the outermost transaction: only the outermost one
  // commits. This is what lets a subscriber group-commit a burst of
  // messages (StreamSubscriber with SubscriberOptions::group_commit) while
  // each message's Apply still reads as "one transaction per message".
  // A body that throws is rolled back (and its AfterCommit work dropped)
  // and the exception passes on.
  void Transaction(const std::function<void()>& body);
  bool in_transaction() const { return depth_ > 0; }
  // Runs `cb` once the outermost transaction has committed (at once when
  // none is open): how an effect that leaves the process (a message sent
  // on the bus, a broker call) waits until what it rests on is durable,
  // even when a group commit joins many messages into one transaction.
  void AfterCommit(std::function<void()> cb);

  void Append(const JournalEntry& entry);
  uint64_t LastSeq(const std::string& stream);
  std::vector<JournalEntry> Read(const std::string& stream, uint64_t from_seq, size_t max_count);
  std::vector<std::string> Streams();

  uint64_t Cursor(const std::string& stream);
  void SetCursor(const std::string& stream, uint64_t seq);

  // Deletes outbox entries older than `before_ns`, keeping each stream's
  // last entry so sequence numbers never restart. Returns how many.
  int64_t Prune(int64_t before_ns);
  // Oldest seq still held for `stream` (0 when it has none).
  uint64_t FirstSeq(const std::string& stream);

  void Exec(const std::string& sql);
  sqlite3* db() { return db_; }
  const std::string& path() const { return path_; }

  // Called on the owning thread right after each commit that wrote pages
  // (for measurements: bench-bus times its commits with it).
  void OnCommit(std::function<void()> observer) { on_commit_ = std::move(observer); }
  // Checkpoints the background thread has completed.
  uint64_t checkpoints() const;

  static constexpr int kCheckpointFrames = 1000;  // SQLite's own default
  static constexpr int kWalLimitFrames = 4 * kCheckpointFrames;

 private:
  class Checkpointer;
  Journal(sqlite3* db, std::string path, std::unique_ptr<Checkpointer> checkpointer);
  static int OnWalCommit(void* self, sqlite3* db, const char* name, int frames);

  sqlite3* db_;
  std::string path_;
  int depth_ = 0;
  std::vector<std::function<void()>> after_commit_;
  std::function<void()> on_commit_;
  std::unique_ptr<Checkpointer> checkpointer_;
  std::unique_ptr<Statement> begin_, commit_, append_, last_seq_, first_seq_, read_, cursor_get_, cursor_set_;
};

}  // namespace ct::bus
