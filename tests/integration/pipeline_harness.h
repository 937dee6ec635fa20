// A whole copytrade deployment on loopback for integration tests: the
// SmartAPI emulator, watcher, router and one executor per follower, as
// real processes in a temporary directory, talking over ipc:// sockets.
// The master trades by hand in the broker's app (the emulator's
// /sim/v1/app/ calls: MARKET allowed, no static IP), as a real master does;
// followers' orders and every book are placed and read through SmartAPI
// with the `copytrade` CLI, exactly as a user would.
#pragma once

#include <nlohmann/json.hpp>

#include <memory>
#include <string>
#include <vector>

#include "tests/support/process.h"

namespace ct::testing {

struct PipelineOptions {
  bool dry_run = false;
  int followers = 2;
  std::string extra_toml;  // appended to copytrade.toml
  std::vector<std::string> sim_args;  // extra copytrade-sim flags, e.g. {"--static-ip", "F101=127.0.0.11"}
};

class Pipeline {
 public:
  explicit Pipeline(PipelineOptions options);
  ~Pipeline();

  void StartSim();
  void StartRouter();
  void StartExecutor(int n, const std::string& config_path = "");
  void StartWatcher();
  void StartAll();  // sim, router, executors, watcher; waits until each is ready
  // Appends to copytrade.toml (after StartSim, which writes it).
  void AppendConfig(const std::string& toml);

  // Places an order in `account` (MARKET, or LIMIT when `limit` > 0); returns
  // the order id. The master's goes through the broker's app, a follower's
  // through SmartAPI (`copytrade place`).
  std::string Place(const std::string& account, const std::string& side, const std::string& symbol,
                    const std::string& token, long quantity, double limit = 0, const std::string& exchange = "NSE");
  // The master modifies / cancels one of its orders in the app; the reply
  // envelope ({"status":true,...,"data":{"orderid",...}} or the error).
  nlohmann::json AppModify(const std::string& orderid, double price, long quantity,
                           const std::string& ordertype = "LIMIT");
  nlohmann::json AppCancel(const std::string& orderid);
  // The account's order book at the broker (rows from `copytrade orders --json`).
  nlohmann::json Book(const std::string& account);
  // Rows of `account`'s book that are copies (ordertag "ct...").
  std::vector<nlohmann::json> Copies(const std::string& account);

  // Every account's order book as the emulator holds it (GET /sim/v1/orders:
  // no login, no rate limit), by client code.
  nlohmann::json SimBooks();
  // The session records file the router writes (the newest one).
  nlohmann::json Records();
  // Records of `follower_id` ("follower-1").
  std::vector<nlohmann::json> RecordsOf(const std::string& follower_id);
  // The row of `orderid` in `account`'s book (null when absent).
  nlohmann::json Row(const std::string& account, const std::string& orderid);
  // POST /sim/v1/price.
  void SetPrice(const std::string& symbol, double price, const std::string& exchange = "NSE");

  std::string Run(const std::vector<std::string>& args, int* exit_code = nullptr);
  // POSTs `body` to the emulator's admin API (/sim/v1/<path>); returns the reply.
  std::string SimAdmin(const std::string& path, const std::string& body);
  const TempDir& dir() const { return dir_; }
  std::string config() const { return dir_ / "copytrade.toml"; }
  std::string env() const { return dir_ / ".env"; }
  int sim_port() const { return port_; }

  std::unique_ptr<ChildProcess> sim, watcher, router;
  std::vector<std::unique_ptr<ChildProcess>> executors;  // index n-1

  // GET /sim/v1/<path> (e.g. "requests": the order writes received); the parsed reply.
  nlohmann::json SimGet(const std::string& path);

  // copytrade-dashboard on `listen` (port 0: any; appends a [dashboard]
  // table, with `token` when given); waits until it listens and sets
  // dashboard_port. After StartSim.
  void StartDashboard(const std::string& listen = "127.0.0.1:0", const std::string& token = "");
  std::unique_ptr<ChildProcess> dashboard;
  int dashboard_port = 0;

 private:
  void WriteConfig();
  std::string SimRequest(const std::string& path, const std::string* body);
  // POST /sim/v1/app/<op> as the master; the reply envelope.
  nlohmann::json App(const std::string& op, nlohmann::json body);
  PipelineOptions options_;
  TempDir dir_;
  int port_ = 0;
  int runs_ = 0;

  // ---- the order lifecycle (issue 9) ----
 public:
  // The master places any order in the app, with SmartAPI's placeOrder
  // fields (variety, ordertype, price, triggerprice, ...; product and
  // duration default to INTRADAY/CARRYFORWARD and DAY); returns its id.
  std::string AppPlace(nlohmann::json fields);
  // The master modifies one of its orders in the app with any fields
  // (variety, ordertype, price, triggerprice, quantity); the reply envelope.
  nlohmann::json AppModifyWith(const std::string& orderid, nlohmann::json fields);
  // POST /sim/v1/fill: `quantity` (0 = all that is left) of a working
  // order fills at the current price.
  void SimFill(const std::string& orderid, long quantity);
  // `clientcode`'s rows in the emulator's books (no login, no rate limit).
  std::vector<nlohmann::json> SimBook(const std::string& clientcode);
  // Its rows that are copies (ordertag "ct...").
  std::vector<nlohmann::json> SimCopies(const std::string& clientcode);
  // `copytrade <command> --config ... [args]` (pending, approve, pause, ...):
  // its output; the exit code in `exit_code`.
  std::string Control(const std::string& command, const std::vector<std::string>& args = {},
                      int* exit_code = nullptr);
  // Its net filled quantity of `symbol` at the emulator (+ bought, - sold).
  long NetAtSim(const std::string& clientcode, const std::string& symbol);
};

}  // namespace ct::testing
