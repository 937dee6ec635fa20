#include "sim/request_log.h"

namespace ct::sim {

uint64_t RequestLog::Record(OrderWrite write) {
  write.seq = next_seq_++;
  entries_.push_back(std::move(write));
  while (entries_.size() > capacity_) entries_.pop_front();
  return entries_.back().seq;
}

void RequestLog::SetOrderId(uint64_t seq, const std::string& orderid) {
  // Seqs are consecutive in the ring, so the entry's place is arithmetic.
  if (entries_.empty() || seq < entries_.front().seq || seq > entries_.back().seq) return;
  entries_[seq - entries_.front().seq].orderid = orderid;
}

}  // namespace ct::sim
