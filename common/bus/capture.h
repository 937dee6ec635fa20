// Capture files: what `copytrade capture` writes and `copytrade replay`
// reads (docs/capture-format.md). A file is a sequence of records, each a
// base-128 varint byte length followed by a serialized
// copytrade.v1.CapturedEnvelope{receive_time_ns, topic, envelope} — the
// framing of protobuf's writeDelimitedTo/parseDelimitedFrom, so any protobuf
// library reads it. No header; an empty file is an empty capture. A file cut
// short by a crash ends in a truncated record, which the reader reports as
// such after returning every complete record before it.
//
// Not thread-safe; one writer per file.
#pragma once

#include <cstdio>
#include <memory>
#include <string>

#include "common/core/result.h"
#include "copytrade.pb.h"

namespace ct::bus {

using copytrade::v1::CapturedEnvelope;

class CaptureWriter {
 public:
  // Creates or truncates `path`.
  static Result<std::unique_ptr<CaptureWriter>, std::string> Open(const std::string& path);
  ~CaptureWriter();
  CaptureWriter(const CaptureWriter&) = delete;
  CaptureWriter& operator=(const CaptureWriter&) = delete;

  // Appends one record and flushes it to the OS (a killed capture keeps
  // every record written before). False on an I/O error.
  bool Write(const CapturedEnvelope& record);
  uint64_t records() const { return records_; }

 private:
  explicit CaptureWriter(std::FILE* file) : file_(file) {}
  std::FILE* file_;
  uint64_t records_ = 0;
};

class CaptureReader {
 public:
  enum class Next { kRecord, kEnd, kCorrupt };

  static Result<std::unique_ptr<CaptureReader>, std::string> Open(const std::string& path);
  ~CaptureReader();
  CaptureReader(const CaptureReader&) = delete;
  CaptureReader& operator=(const CaptureReader&) = delete;

  // kCorrupt: a truncated or undecodable record at offset(); nothing after
  // it is read.
  Next Read(CapturedEnvelope& record);
  uint64_t offset() const { return offset_; }

 private:
  explicit CaptureReader(std::FILE* file) : file_(file) {}
  std::FILE* file_;
  uint64_t offset_ = 0;
};

}  // namespace ct::bus
