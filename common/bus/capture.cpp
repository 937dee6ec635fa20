#include "common/bus/capture.h"

#include <string>

namespace ct::bus {
namespace {
// A record larger than this is not something copytrade wrote.
constexpr uint64_t kMaxRecordBytes = 64 * 1024 * 1024;
}  // namespace

Result<std::unique_ptr<CaptureWriter>, std::string> CaptureWriter::Open(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) return "cannot create capture file " + path;
  return std::unique_ptr<CaptureWriter>(new CaptureWriter(f));
}

CaptureWriter::~CaptureWriter() { std::fclose(file_); }

bool CaptureWriter::Write(const CapturedEnvelope& record) {
  const std::string body = record.SerializeAsString();
  unsigned char varint[10];
  size_t n = 0;
  for (uint64_t v = body.size(); ; v >>= 7) {
    varint[n++] = static_cast<unsigned char>((v & 0x7f) | (v > 0x7f ? 0x80 : 0));
    if (v <= 0x7f) break;
  }
  if (std::fwrite(varint, 1, n, file_) != n) return false;
  if (std::fwrite(body.data(), 1, body.size(), file_) != body.size()) return false;
  if (std::fflush(file_) != 0) return false;
  ++records_;
  return true;
}

Result<std::unique_ptr<CaptureReader>, std::string> CaptureReader::Open(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) return "cannot read capture file " + path;
  return std::unique_ptr<CaptureReader>(new CaptureReader(f));
}

CaptureReader::~CaptureReader() { std::fclose(file_); }

CaptureReader::Next CaptureReader::Read(CapturedEnvelope& record) {
  uint64_t length = 0;
  int shift = 0;
  size_t used = 0;
  for (;;) {
    const int c = std::fgetc(file_);
    if (c == EOF) return used == 0 ? Next::kEnd : Next::kCorrupt;
    ++used;
    length |= static_cast<uint64_t>(c & 0x7f) << shift;
    if (!(c & 0x80)) break;
    shift += 7;
    if (shift > 63) return Next::kCorrupt;
  }
  if (length > kMaxRecordBytes) return Next::kCorrupt;
  std::string body(length, '\0');
  if (std::fread(body.data(), 1, length, file_) != length) return Next::kCorrupt;
  if (!record.ParseFromString(body)) return Next::kCorrupt;
  offset_ += used + length;
  return Next::kRecord;
}

}  // namespace ct::bus
