// Router: turns each MasterOrderEvent into CopyInstructions per enabled
// follower through Decide() (router/decision.h), and collects
// ExecutionReports into the session records (from each executor's reports
// stream). Every skip, hold, approval, rejection by the user and expiry is
// recorded with its reason and published as an ExecutionReport on the
// "decisions" stream (outcome SKIPPED / HELD / APPROVED / STALE). Paused
// flags, held copies, what was made per master order, copies per day and
// the loss-limit latch live in RouterStore, so they survive a restart.
// Control() answers the control socket's requests (router/control_server.h).
//
// Exactly-once: the instructions for a master event and the "master" stream
// cursor commit in one journal transaction, so a crash either routed the
// event completely or not at all. Reports are stored by (follower,
// instruction seq), so a report that arrives twice is counted once.
//
// Lives on the process loop's thread.
#pragma once

#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/alerts/alerts.h"
#include "common/bus/journal.h"
#include "common/bus/stream.h"
#include "common/config/env_file.h"
#include "common/config/settings.h"
#include "common/time/clock.h"
#include "copytrade.pb.h"
#include "router/decision.h"
#include "router/router_store.h"

namespace ct::router {

// The stream the router publishes its decisions on.
inline constexpr const char* kDecisionsStream = "decisions";

struct FollowerTarget {
  config::FollowerSettings settings;
  std::string client_id;  // shown in records
};

class SessionRecords {
 public:
  // `file` is logs/copy_trading_YYYYMMDD_HHMMSS.json for this session.
  SessionRecords(bus::Journal& journal, std::string file, const std::vector<FollowerTarget>& followers);
  // Returns false for a report already recorded.
  bool Add(const copytrade::v1::ExecutionReport& report);
  void AddSkipped(const copytrade::v1::MasterOrderEvent& event, const FollowerTarget& follower,
                  const std::string& reason);
  // A decision report (SKIPPED / HELD / APPROVED / STALE) made by the router.
  void AddDecision(const copytrade::v1::ExecutionReport& report) { Add(report); }
  void Write();  // atomically replaces the file
  // Writes only if a record changed since the last write. The router's loop
  // calls it on a short timer, so a burst of reports costs one rewrite.
  void Flush() {
    if (dirty_) Write();
  }
  const std::string& file() const { return file_; }

 private:
  bus::Journal& journal_;
  std::string file_;
  std::map<std::string, std::string> client_ids_;
  bool dirty_ = false;
};

class Router {
 public:
  Router(const config::Settings& settings, std::vector<FollowerTarget> followers, bus::Journal& journal,
         bus::StreamPublisher& publisher, SessionRecords& records, RouterStore& store, const Clock& clock,
         InstrumentData instruments = {}, alerts::AlertSender* alerts = nullptr);

  // StreamSubscriber::Apply for the "master" stream.
  bool ApplyMasterEvent(const bus::Envelope& envelope);
  // StreamSubscriber::Apply for each executor's "reports/<follower>" stream.
  bool ApplyReport(const bus::Envelope& envelope);
  const std::map<std::string, copytrade::v1::FollowerState>& follower_states() const { return follower_states_; }

  // Held copies past their expiry turn STALE (the loop calls it on a timer).
  void ExpireHeld();
  // One control request ("state", "pending", "approve", "reject", "pause",
  // "resume", "stop-all"); unknown commands and targets are errors.
  copytrade::v1::ControlReply Control(const copytrade::v1::ControlRequest& request);
  // For the status file: followers{id:{paused, loss_limit_hit, orders_today}} and held.
  nlohmann::json StatusFollowers();
  nlohmann::json StatusHeld();

 private:
  using Staged = std::vector<bus::StreamPublisher::Staged>;
  FollowerDay DayOf(const FollowerTarget& f, const std::string& day);
  void Route(const copytrade::v1::MasterOrderEvent& event, const FollowerTarget& f, Staged& out);
  copytrade::v1::ExecutionReport DecisionReport(const copytrade::v1::CopyInstruction* ci,
                                                const copytrade::v1::MasterOrderEvent* event,
                                                const std::string& follower, copytrade::v1::Outcome outcome,
                                                const std::string& reason);
  void Decided(copytrade::v1::ExecutionReport report, Staged& out);
  void SendPlace(const std::vector<copytrade::v1::CopyInstruction>& instructions, CopyMade& made, Staged& out);
  void CheckLossLimit(const copytrade::v1::FollowerState& state, Staged& out);
  void SendAfterCommit(Staged out);
  const FollowerTarget* Find(const std::string& follower) const;
  std::string Today() const;
  // Approve / reject one held copy (inside a transaction).
  void Approve(const HeldEntry& held, const std::string& origin, Staged& out);
  void Reject(const HeldEntry& held, const std::string& reason, copytrade::v1::Outcome outcome, Staged& out);

  const config::Settings& settings_;
  std::vector<FollowerTarget> followers_;
  bus::Journal& journal_;
  bus::StreamPublisher& publisher_;
  SessionRecords& records_;
  RouterStore& store_;
  const Clock& clock_;
  InstrumentData instruments_;
  alerts::AlertSender* alerts_;
  std::map<std::string, copytrade::v1::FollowerState> follower_states_;
};

// "logs/copy_trading_20261125_171502.json" for the given wall time (local).
std::string RecordsFileName(const std::string& dir, int64_t wall_ns);

}  // namespace ct::router
