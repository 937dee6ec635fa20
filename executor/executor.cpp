#include "executor/executor.h"

#include <thread>

#include "common/log/log.h"

namespace ct::executor {
namespace v1 = copytrade::v1;
namespace {
constexpr int kMaxAttempts = 3;

std::string Describe(const v1::Order& o) {
  return o.transactiontype() + " " + o.tradingsymbol() + " " + o.ordertype() + " x" + std::to_string(o.quantity()) +
         (o.ordertype() == "MARKET" ? "" : " @ " + std::to_string(o.price()));
}
}  // namespace

Executor::Executor(ExecutorOptions options, bus::Journal& journal, FollowerBroker& broker, const Clock& clock,
                   ReportSink report)
    : options_(std::move(options)), journal_(journal), broker_(broker), clock_(clock), report_(std::move(report)) {
  journal_.Exec(
      "CREATE TABLE IF NOT EXISTS intents(ordertag TEXT PRIMARY KEY, seq INTEGER NOT NULL,"
      " instruction BLOB NOT NULL, state TEXT NOT NULL, report BLOB, updated_ns INTEGER NOT NULL)");
}

smartapi::OrderRequest Executor::ToRequest(const v1::Order& o) {
  smartapi::OrderRequest r;
  r.variety = o.variety().empty() ? "NORMAL" : o.variety();
  r.tradingsymbol = o.tradingsymbol();
  r.symboltoken = o.symboltoken();
  r.transactiontype = o.transactiontype();
  r.exchange = o.exchange();
  r.ordertype = o.ordertype();
  r.producttype = o.producttype();
  r.duration = o.duration().empty() ? "DAY" : o.duration();
  r.price = o.ordertype() == "MARKET" || o.ordertype() == "STOPLOSS_MARKET" ? 0.0 : o.price();
  r.triggerprice = o.triggerprice();
  r.quantity = o.quantity();
  r.ordertag = o.ordertag();
  return r;
}

bool Executor::Apply(const v1::Envelope& envelope) {
  if (!envelope.has_copy_instruction() || envelope.copy_instruction().follower_id() != options_.follower_id) {
    journal_.Transaction([&] { journal_.SetCursor(envelope.stream_id(), envelope.seq()); });
    return true;
  }
  const auto& ci = envelope.copy_instruction();
  bool fresh = false;
  journal_.Transaction([&] {
    journal_.SetCursor(envelope.stream_id(), envelope.seq());
    bus::Statement ins(journal_.db(),
                       "INSERT OR IGNORE INTO intents(ordertag, seq, instruction, state, updated_ns)"
                       " VALUES(?,?,?,'pending',?)");
    ins.Bind(1, ci.ordertag()).Bind(2, static_cast<int64_t>(envelope.seq())).BindBlob(3, ci.SerializeAsString())
        .Bind(4, clock_.wall_ns());
    ins.Step();
    fresh = sqlite3_changes(journal_.db()) > 0;
  });
  if (!fresh) {
    log::Get("executor")->warn("instruction for ordertag {} seen before; not placing again", ci.ordertag());
    return true;
  }
  Execute(ci, envelope.seq());
  return true;
}

std::optional<std::optional<smartapi::Order>> Executor::FindByTag(const std::string& ordertag, int lookups) {
  // A broker's book can lag an order it has just accepted, so "absent" is
  // believed only after `lookups` reads (the client's rate limiter spaces
  // them at the broker's 1/s).
  bool read_any = false;
  for (int i = 0; i < lookups; ++i) {
    auto book = broker_.GetOrderBook();
    if (!book.ok()) {
      log::Get("executor")->warn("order book lookup for {} failed: {}", ordertag, book.error().ToString());
      continue;
    }
    read_any = true;
    for (const auto& o : *book)
      if (o.ordertag() == ordertag) return std::optional<smartapi::Order>(o);
  }
  if (!read_any) return std::nullopt;
  return std::optional<smartapi::Order>();
}

void Executor::Execute(const v1::CopyInstruction& ci, uint64_t seq) {
  auto lg = log::Get("executor");
  v1::ExecutionReport report;
  const int64_t now = clock_.wall_ns();
  const int64_t age_ms = (now - ci.master_event_time_ns()) / 1'000'000;
  if (ci.master_event_time_ns() > 0 && age_ms > options_.max_copy_delay_ms) {
    report.set_outcome(v1::OUTCOME_STALE);
    report.set_error_text("master order is " + std::to_string(age_ms) + " ms old, over max_copy_delay_ms " +
                          std::to_string(options_.max_copy_delay_ms));
    lg->warn("not copying master order {}: {}", ci.master_order_id(), report.error_text());
    return Finish(ci, seq, std::move(report));
  }
  if (options_.dry_run) {
    report.set_outcome(v1::OUTCOME_DRY_RUN);
    lg->info("[DRY RUN] would place {} for {} (master order {}, ordertag {})", Describe(ci.order()),
             options_.follower_id, ci.master_order_id(), ci.ordertag());
    return Finish(ci, seq, std::move(report));
  }

  const smartapi::OrderRequest request = ToRequest(ci.order());
  for (int attempt = 1; attempt <= kMaxAttempts; ++attempt) {
    auto placed = broker_.PlaceOrder(request);
    if (placed.ok()) {
      report.set_outcome(v1::OUTCOME_ACCEPTED);
      report.set_broker_order_id(placed->orderid);
      report.set_broker_unique_order_id(placed->uniqueorderid);
      return Finish(ci, seq, std::move(report));
    }
    const auto& err = placed.error();
    switch (err.kind) {
      case smartapi::ErrorKind::kRejected:
        report.set_outcome(v1::OUTCOME_REJECTED);
        report.set_error_code(err.code);
        report.set_error_text(err.message);
        return Finish(ci, seq, std::move(report));
      case smartapi::ErrorKind::kUnknownOutcome:
      case smartapi::ErrorKind::kBadResponse: {
        lg->warn("placeOrder for {} outcome unknown ({}); checking the order book", ci.ordertag(), err.ToString());
        auto found = FindByTag(ci.ordertag());
        if (!found) {
          // Cannot tell: leave the intent pending; a restart resolves it.
          lg->error("ordertag {} unresolved; will resolve at restart", ci.ordertag());
          report.set_outcome(v1::OUTCOME_FAILED);
          report.set_error_code("UNKNOWN_OUTCOME");
          report.set_error_text(err.ToString());
          report_(report);
          return;
        }
        if (*found) return FinishFoundInBook(ci, seq, **found);
        continue;  // absent: safe to place again
      }
      case smartapi::ErrorKind::kThrottled:
      case smartapi::ErrorKind::kTransport:
        lg->warn("placeOrder for {} attempt {} failed: {}", ci.ordertag(), attempt, err.ToString());
        // Brief back-off before retrying; the request was not processed.
        std::this_thread::sleep_for(std::chrono::milliseconds(200 * attempt));
        continue;
      case smartapi::ErrorKind::kAuthExpired:
        break;
    }
    report.set_outcome(v1::OUTCOME_FAILED);
    report.set_error_code(err.code);
    report.set_error_text(err.ToString());
    return Finish(ci, seq, std::move(report));
  }
  report.set_outcome(v1::OUTCOME_FAILED);
  report.set_error_text("gave up after " + std::to_string(kMaxAttempts) + " attempts");
  Finish(ci, seq, std::move(report));
}

void Executor::Finish(const v1::CopyInstruction& ci, uint64_t seq, v1::ExecutionReport report) {
  report.set_follower_id(options_.follower_id);
  report.set_master_order_id(ci.master_order_id());
  report.set_ordertag(ci.ordertag());
  *report.mutable_order() = ci.order();
  report.set_master_event_time_ns(ci.master_event_time_ns());
  report.set_instruction_time_ns(ci.routed_time_ns());
  report.set_reported_time_ns(clock_.wall_ns());
  report.set_instruction_seq(seq);
  journal_.Transaction([&] {
    bus::Statement up(journal_.db(), "UPDATE intents SET state='done', report=?, updated_ns=? WHERE ordertag=?");
    up.BindBlob(1, report.SerializeAsString()).Bind(2, report.reported_time_ns()).Bind(3, ci.ordertag());
    up.Step();
  });
  if (report.outcome() == v1::OUTCOME_ACCEPTED)
    log::Get("executor")->info("placed {} for {}: broker order {}", Describe(ci.order()), options_.follower_id,
                               report.broker_order_id());
  else if (report.outcome() != v1::OUTCOME_DRY_RUN)
    log::Get("executor")->warn("copy of master order {} for {}: outcome {} {} {}", ci.master_order_id(),
                               options_.follower_id, v1::Outcome_Name(report.outcome()), report.error_code(),
                               report.error_text());
  report_(report);
}

void Executor::FinishFoundInBook(const v1::CopyInstruction& ci, uint64_t seq, const smartapi::Order& order) {
  v1::ExecutionReport report;
  report.set_outcome(v1::OUTCOME_ACCEPTED);
  report.set_broker_order_id(order.orderid());
  report.set_broker_unique_order_id(order.uniqueorderid());
  Finish(ci, seq, std::move(report));
}

void Executor::ResolvePending() {
  struct Pending {
    v1::CopyInstruction ci;
    uint64_t seq;
  };
  std::vector<Pending> pending;
  {
    bus::Statement q(journal_.db(), "SELECT instruction, seq FROM intents WHERE state='pending' ORDER BY seq");
    while (q.Step()) {
      Pending p;
      p.ci.ParseFromString(q.Blob(0));
      p.seq = static_cast<uint64_t>(q.Int(1));
      pending.push_back(std::move(p));
    }
  }
  auto lg = log::Get("executor");
  for (auto& p : pending) {
    lg->info("resolving unfinished copy {} (master order {})", p.ci.ordertag(), p.ci.master_order_id());
    if (options_.dry_run) {
      Execute(p.ci, p.seq);
      continue;
    }
    auto found = FindByTag(p.ci.ordertag());
    if (!found) continue;  // broker unreachable: try at the next start
    if (*found) {
      FinishFoundInBook(p.ci, p.seq, **found);
    } else {
      Execute(p.ci, p.seq);
    }
  }
}

}  // namespace ct::executor
