#include "executor/copy_store.h"

namespace ct::executor {
namespace v1 = copytrade::v1;

CopyStore::CopyStore(bus::Journal& journal) : journal_(journal) {
  journal_.Exec(
      "CREATE TABLE IF NOT EXISTS copies(ordertag TEXT PRIMARY KEY, seq INTEGER NOT NULL, done INTEGER NOT NULL,"
      " record BLOB NOT NULL, updated_ns INTEGER NOT NULL)");
  journal_.Exec("CREATE INDEX IF NOT EXISTS copies_open ON copies(done, seq)");
  journal_.Exec(
      "CREATE TABLE IF NOT EXISTS copy_masters(ordertag TEXT PRIMARY KEY, master_order_id TEXT NOT NULL)");
  journal_.Exec("CREATE INDEX IF NOT EXISTS copy_masters_by_master ON copy_masters(master_order_id)");
  save_master_ = std::make_unique<bus::Statement>(
      journal_.db(), "INSERT OR IGNORE INTO copy_masters(ordertag, master_order_id) VALUES(?,?)");
  exists_ = std::make_unique<bus::Statement>(journal_.db(), "SELECT COUNT(*) FROM copies WHERE ordertag=?");
  load_ = std::make_unique<bus::Statement>(journal_.db(), "SELECT record FROM copies WHERE ordertag=?");
  save_ = std::make_unique<bus::Statement>(
      journal_.db(), "INSERT OR REPLACE INTO copies(ordertag, seq, done, record, updated_ns) VALUES(?,?,?,?,?)");
}

bool CopyStore::Exists(const std::string& ordertag) {
  exists_->Bind(1, ordertag);
  return exists_->SingleInt(0) > 0;
}

std::optional<v1::CopyRecord> CopyStore::Load(const std::string& ordertag) {
  load_->Bind(1, ordertag);
  std::optional<v1::CopyRecord> out;
  if (load_->Step()) {
    v1::CopyRecord r;
    if (r.ParseFromString(load_->Blob(0))) out = std::move(r);
  }
  load_->Reset();
  return out;
}

void CopyStore::Save(const v1::CopyRecord& record, int64_t now_ns) {
  save_->Bind(1, record.instruction().ordertag())
      .Bind(2, static_cast<int64_t>(record.instruction_seq()))
      .Bind(3, int64_t{record.phase() == v1::COPY_PHASE_DONE ? 1 : 0})
      .BindBlob(4, record.SerializeAsString())
      .Bind(5, now_ns);
  save_->Step();
  save_->Reset();
  save_master_->Bind(1, record.instruction().ordertag()).Bind(2, record.instruction().master_order_id());
  save_master_->Step();
  save_master_->Reset();
}

std::vector<std::string> CopyStore::OfMaster(const std::string& master_order_id) {
  std::vector<std::string> out;
  bus::Statement q(journal_.db(), "SELECT ordertag FROM copy_masters WHERE master_order_id=? ORDER BY ordertag");
  q.Bind(1, master_order_id);
  while (q.Step()) out.push_back(q.Text(0));
  return out;
}

std::map<std::string, int64_t> CopyStore::FinalCountsSince(int64_t since_ns) {
  std::map<std::string, int64_t> out;
  bus::Statement q(journal_.db(), "SELECT record FROM copies WHERE done=1 AND updated_ns>=?");
  q.Bind(1, since_ns);
  while (q.Step()) {
    v1::CopyRecord r;
    if (!r.ParseFromString(q.Blob(0))) continue;
    std::string name = v1::Outcome_Name(r.final_report().outcome());
    if (name.rfind("OUTCOME_", 0) == 0) name = name.substr(8);
    ++out[name];
  }
  return out;
}

std::vector<v1::CopyRecord> CopyStore::Unfinished() {
  std::vector<v1::CopyRecord> out;
  bus::Statement q(journal_.db(), "SELECT record FROM copies WHERE done=0 ORDER BY seq");
  while (q.Step()) {
    v1::CopyRecord r;
    if (r.ParseFromString(q.Blob(0))) out.push_back(std::move(r));
  }
  return out;
}

}  // namespace ct::executor
