// The operator's tools against real processes on loopback: `copytrade
// validate` against copytrade-sim (each test breaks exactly one check and
// asserts its line and the exit code), `copytrade deploy supervisord` and
// `copytrade alert-listener` under a real supervisord, and a PIN of 0000
// through the whole pipeline.
#include <curl/curl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <ctime>
#include <filesystem>
#include <regex>
#include <set>
#include <sstream>

#include "common/totp/totp.h"
#include "router/records_reader.h"
#include "tests/integration/pipeline_harness.h"
#include "tests/support/http_server.h"
#include "tests/support/process.h"

namespace ct::testing {
namespace {

const char* kSupervisord = "/usr/bin/supervisord";
const char* kSupervisorctl = "/usr/bin/supervisorctl";

void Replace(const std::string& path, const std::string& pattern, const std::string& replacement) {
  const std::string before = ReadFile(path);
  const std::string after = std::regex_replace(before, std::regex(pattern), replacement);
  ASSERT_NE(before, after) << pattern << " not found in " << path;
  WriteFile(path, after);
}

// The values of the .env's secrets (everything but client ids).
std::vector<std::string> Secrets(const std::string& env_path) {
  std::vector<std::string> out;
  std::istringstream in(ReadFile(env_path));
  std::string line;
  while (std::getline(in, line)) {
    const auto eq = line.find('=');
    if (eq == std::string::npos || line.find("CLIENT_ID") != std::string::npos) continue;
    out.push_back(line.substr(eq + 1));
  }
  return out;
}

std::string HttpDate(time_t t) {
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  return buf;
}

// Forwards every request to the emulator and answers with its reply, with
// a Date header of this host's clock shifted by `offset_s`.
HttpResponse Forward(const std::string& upstream, const HttpRequest& req, int offset_s) {
  CURL* curl = curl_easy_init();
  HttpResponse resp;
  std::string content_type;
  curl_slist* headers = nullptr;
  for (const auto& [k, v] : req.headers)
    if (k != "host" && k != "content-length" && k != "connection" && k != "expect")
      headers = curl_slist_append(headers, (k + ": " + v).c_str());
  const std::string url = upstream + req.target;
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, req.method.c_str());
  if (!req.body.empty() || req.method == "POST") {
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, req.body.c_str());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, static_cast<long>(req.body.size()));
  }
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, +[](char* p, size_t n, size_t m, void* out) {
    static_cast<std::string*>(out)->append(p, n * m);
    return n * m;
  });
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &resp.body);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, +[](char* p, size_t n, size_t m, void* out) {
    const std::string line(p, n * m);
    if (strncasecmp(line.c_str(), "content-type:", 13) == 0) {
      std::string v = line.substr(13);
      v.erase(0, v.find_first_not_of(' '));
      while (!v.empty() && (v.back() == '\r' || v.back() == '\n')) v.pop_back();
      *static_cast<std::string*>(out) = v;
    }
    return n * m;
  });
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &content_type);
  const CURLcode rc = curl_easy_perform(curl);
  long status = 502;
  if (rc == CURLE_OK) curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  curl_slist_free_all(headers);
  curl_easy_cleanup(curl);
  resp.status = static_cast<int>(status);
  if (!content_type.empty()) resp.headers.push_back({"Content-Type", content_type});
  resp.headers.push_back({"Date", HttpDate(std::time(nullptr) + offset_s)});
  return resp;
}

class Validate : public ::testing::Test {
 protected:
  void SetUp() override {
    pipeline_.StartSim();
    chmod(pipeline_.env().c_str(), 0600);
    // The instrument master the emulator ships (nothing is downloaded here).
    if (ReadFile(pipeline_.config()).find("[instruments]") == std::string::npos)
      pipeline_.AppendConfig("[instruments]\nfile = \"" CT_SOURCE_DIR "/sim/data/OpenAPIScripMaster.json\"\n");
  }

  std::string Run(std::vector<std::string> extra = {}) {
    std::vector<std::string> args{"validate", "--config", pipeline_.config(), "--env", pipeline_.env()};
    args.insert(args.end(), extra.begin(), extra.end());
    const std::string out = pipeline_.Run(args, &exit_code_);
    for (const auto& secret : Secrets(pipeline_.env())) {
      if (secret.size() >= 8) {
        EXPECT_EQ(out.find(secret), std::string::npos) << "a secret in the output:\n" << out;
      }
    }
    return out;
  }
  static bool HasLine(const std::string& out, const std::string& prefix) {
    return out.find("\n" + prefix) != std::string::npos || out.rfind(prefix, 0) == 0;
  }
  void PointBrokerAt(const std::string& url) {
    Replace(pipeline_.config(), "rest_url = \"[^\"]*\"", "rest_url = \"" + url + "\"");
  }
  std::string SimUrl() const { return "http://127.0.0.1:" + std::to_string(pipeline_.sim_port()); }

  Pipeline pipeline_{[] { PipelineOptions o; o.dry_run = true; return o; }()};
  int exit_code_ = -1;
};

TEST_F(Validate, EveryCheckPassesAgainstTheEmulator) {
  const std::string out = Run();
  EXPECT_EQ(exit_code_, 0) << out;
  for (const char* line : {"✅ config: ", "✅ env: ", "✅ credentials: ", "✅ env permissions: ", "✅ totp secrets: 3 ",
                           "✅ login master: M100 logged in", "✅ login follower-1: F101 logged in",
                           "✅ login follower-2: F102 logged in", "✅ source addresses: ", "✅ bus watcher_publish: ",
                           "✅ bus router_publish: ", "✅ bus router_control: ", "✅ bus executor_publish (follower-2): ",
                           "✅ instruments: "})
    EXPECT_TRUE(HasLine(out, line)) << line << "\n" << out;
  EXPECT_EQ(out.find("❌"), std::string::npos) << out;
}

TEST_F(Validate, AConfigThatDoesNotParseExits2) {
  WriteFile(pipeline_.config(), "dryrun = true\n" + ReadFile(pipeline_.config()));
  const std::string out = Run();
  EXPECT_EQ(exit_code_, 2) << out;
  EXPECT_TRUE(HasLine(out, "❌ config: " + pipeline_.config() + ": dryrun: unknown setting")) << out;
}

TEST_F(Validate, AnEnvThatDoesNotParseExits2) {
  WriteFile(pipeline_.env(), ReadFile(pipeline_.env()) + "this is not an assignment\n");
  const std::string out = Run();
  EXPECT_EQ(exit_code_, 2) << out;
  EXPECT_TRUE(std::regex_search(out, std::regex("❌ env: .*: line [0-9]+: expected KEY=VALUE"))) << out;
}

TEST_F(Validate, AFollowerMissingACredentialFails) {
  Replace(pipeline_.env(), "FOLLOWER_2_PASSWORD=[^\n]*\n", "");
  const std::string out = Run();
  EXPECT_EQ(exit_code_, 1) << out;
  EXPECT_TRUE(HasLine(out, "❌ credentials: FOLLOWER_2_PASSWORD missing")) << out;
  EXPECT_TRUE(HasLine(out, "⚠ login follower-2: not tried")) << out;
  EXPECT_TRUE(HasLine(out, "✅ login follower-1: ")) << out;
}

TEST_F(Validate, AnEnvReadableByOthersIsAWarning) {
  chmod(pipeline_.env().c_str(), 0644);
  const std::string out = Run();
  EXPECT_EQ(exit_code_, 0) << out;
  EXPECT_TRUE(HasLine(out, "⚠ env permissions: " + pipeline_.env() + " is mode 0644")) << out;
}

TEST_F(Validate, ATotpSecretThatIsNotBase32Fails) {
  Replace(pipeline_.env(), "FOLLOWER_1_TOTP_SECRET=[^\n]*\n", "FOLLOWER_1_TOTP_SECRET=not-base32-0189!\n");
  const std::string out = Run();
  EXPECT_EQ(exit_code_, 1) << out;
  EXPECT_TRUE(HasLine(out, "❌ totp secrets: FOLLOWER_1_TOTP_SECRET not a base32 TOTP secret")) << out;
  EXPECT_EQ(out.find("not-base32-0189!"), std::string::npos) << out;
  EXPECT_TRUE(HasLine(out, "✅ credentials: ")) << out;
}

TEST_F(Validate, AWrongTotpSecretFailsTheLogin) {
  // Valid base32, but not the account's: only a real login can tell.
  Replace(pipeline_.env(), "FOLLOWER_2_TOTP_SECRET=[^\n]*\n", "FOLLOWER_2_TOTP_SECRET=" + totp::NewSecret() + "\n");
  const std::string out = Run();
  EXPECT_EQ(exit_code_, 1) << out;
  EXPECT_TRUE(std::regex_search(out, std::regex("\n❌ login follower-2: F102: .*AB1050"))) << out;
  EXPECT_TRUE(HasLine(out, "✅ totp secrets: ")) << out;
  EXPECT_TRUE(HasLine(out, "✅ login follower-1: ")) << out;
}

TEST_F(Validate, OfflineSkipsTheNetworkChecks) {
  Replace(pipeline_.env(), "FOLLOWER_2_TOTP_SECRET=[^\n]*\n", "FOLLOWER_2_TOTP_SECRET=" + totp::NewSecret() + "\n");
  const std::string out = Run({"--offline"});
  EXPECT_EQ(exit_code_, 0) << out;
  EXPECT_EQ(out.find("login"), std::string::npos) << out;
  EXPECT_EQ(out.find("clock"), std::string::npos) << out;
  EXPECT_TRUE(HasLine(out, "✅ bus router_publish: ")) << out;
}

TEST_F(Validate, AClockBehindTheBrokersDateFails) {
  LoopbackHttpServer proxy([url = SimUrl()](const HttpRequest& r) { return Forward(url, r, 3); });
  PointBrokerAt(proxy.url(""));
  const std::string out = Run();
  EXPECT_EQ(exit_code_, 1) << out;
  EXPECT_TRUE(std::regex_search(out, std::regex("\n❌ clock: this host is [23]\\.[0-9]+ s behind the broker's clock")))
      << out;
  EXPECT_TRUE(HasLine(out, "✅ login master: ")) << out;
}

TEST_F(Validate, AClockInStepWithTheBrokersDatePasses) {
  LoopbackHttpServer proxy([url = SimUrl()](const HttpRequest& r) { return Forward(url, r, 0); });
  PointBrokerAt(proxy.url(""));
  const std::string out = Run();
  EXPECT_EQ(exit_code_, 0) << out;
  EXPECT_TRUE(std::regex_search(out, std::regex("\n✅ clock: this host is 0\\.[0-9]+ s (ahead of|behind) the broker's clock")))
      << out;
}

TEST_F(Validate, ClockAgainstTheEmulatorsOwnDateHeader) {
  const std::string out = Run();
  EXPECT_TRUE(HasLine(out, "✅ clock: this host is 0.")) << out;
}

TEST_F(Validate, ASourceAddressThatIsNotOnThisHostFails) {
  pipeline_.AppendConfig("[followers.1]\nsource_address = \"203.0.113.77\"\n");
  const std::string out = Run();
  EXPECT_EQ(exit_code_, 1) << out;
  EXPECT_TRUE(HasLine(out, "❌ source_address follower-1: 203.0.113.77 is not an address of this host")) << out;
}

TEST_F(Validate, ASourceAddressOfThisHostPasses) {
  pipeline_.AppendConfig("[followers.1]\nsource_address = \"127.0.0.1\"\n");
  const std::string out = Run();
  EXPECT_EQ(exit_code_, 0) << out;
  EXPECT_TRUE(HasLine(out, "✅ source_address follower-1: 127.0.0.1 is an address of this host (lo)")) << out;
}

TEST_F(Validate, InstrumentDataThatDoesNotLoadFails) {
  Replace(pipeline_.config(), "file = \"[^\"]*OpenAPIScripMaster.json\"", "file = \"" + pipeline_.dir() / "none.json\"");
  const std::string out = Run();
  EXPECT_EQ(exit_code_, 1) << out;
  EXPECT_TRUE(std::regex_search(out, std::regex("\n❌ instruments: .*none\\.json"))) << out;
}

TEST_F(Validate, ABusEndpointThatCannotBeBoundFails) {
  Replace(pipeline_.config(), "router_publish = \"[^\"]*\"", "router_publish = \"tcp://203.0.113.9:5999\"");
  const std::string out = Run();
  EXPECT_EQ(exit_code_, 1) << out;
  EXPECT_TRUE(HasLine(out, "❌ bus router_publish: tcp://203.0.113.9:5999: 203.0.113.9 is not an address of this host"))
      << out;
}

TEST_F(Validate, EndpointsOfARunningRouterAreInUse) {
  pipeline_.StartRouter();
  const std::string out = Run();
  EXPECT_EQ(exit_code_, 0) << out;
  EXPECT_TRUE(std::regex_search(out, std::regex("\n✅ bus router_publish: .* in use \\(running\\)"))) << out;
  EXPECT_TRUE(pipeline_.router->running());  // the probe took nothing away from it
}

TEST_F(Validate, AnEndpointOnAnotherHostThatDoesNotAnswerFails) {
  // The watcher on another host, publishing on a port nobody serves.
  pipeline_.AppendConfig("[deploy]\ndefault_host = \"here\"\nwatcher_host = \"there\"\n");
  Replace(pipeline_.config(), "\\[bus\\]\n", "[bus]\nwatcher_publish_connect = \"tcp://127.0.0.1:1\"\n");
  const std::string out = Run({"--host", "here"});
  EXPECT_EQ(exit_code_, 1) << out;
  EXPECT_TRUE(HasLine(out, "❌ bus watcher_publish_connect: tcp://127.0.0.1:1: Connection refused (watcher runs on there)"))
      << out;
  EXPECT_EQ(out.find("login master"), std::string::npos) << out;  // the master logs in on the watcher's host
}

// supervisord, stopped by supervisorctl when the test ends however it ends.
class Supervisor {
 public:
  Supervisor(const std::string& conf, const std::string& log) : conf_(conf) {
    process_ = std::make_unique<ChildProcess>(std::vector<std::string>{kSupervisord, "-n", "-c", conf}, log);
  }
  ~Supervisor() {
    if (!process_->running()) return;
    Ctl({"shutdown"});
    process_->Wait(std::chrono::seconds(30));
  }
  std::string Ctl(const std::vector<std::string>& args, int* rc = nullptr) {
    static int n = 0;
    const std::string out = conf_ + ".ctl-" + std::to_string(++n);
    std::vector<std::string> argv{kSupervisorctl, "-c", conf_};
    argv.insert(argv.end(), args.begin(), args.end());
    ChildProcess p(argv, out);
    const int code = p.Wait(std::chrono::seconds(20));
    if (rc) *rc = code;
    return ReadFile(out);
  }
  ChildProcess& process() { return *process_; }

 private:
  std::string conf_;
  std::unique_ptr<ChildProcess> process_;
};

bool AllRunning(const std::string& status, const std::vector<std::string>& names) {
  for (const auto& n : names)
    if (!std::regex_search(status, std::regex("(^|\n)" + n + " +RUNNING"))) return false;
  return true;
}

TEST(DeploySupervisord, TheGeneratedConfigurationRunsEveryProgram) {
  ASSERT_TRUE(std::filesystem::exists(kSupervisord)) << "supervisor is a dependency (make deps)";
  LoopbackHttpServer receiver;
  Pipeline p([] { PipelineOptions o; o.dry_run = true; o.followers = 1; return o; }());
  // Followers 1 and 3: the .env numbers them with a gap.
  WriteFile(p.env(), ReadFile(p.env()) + "FOLLOWER_3_API_KEY=follower-api-key-3\nFOLLOWER_3_CLIENT_ID=F103\n"
                                         "FOLLOWER_3_PASSWORD=2222\nFOLLOWER_3_TOTP_SECRET=" + totp::NewSecret() + "\n");
  p.StartSim();
  const std::string d = p.dir().path();
  p.AppendConfig("[alerts]\nwebhook_url = \"" + receiver.url("/hook") + "\"\n"
                 "[dashboard]\nlisten = \"127.0.0.1:0\"\n");  // runs with the router; any free port
  const std::string conf = p.dir() / "supervisord.conf";
  int rc = -1;
  const std::string out = p.Run({"deploy", "supervisord", "--config", p.config(), "--env", p.env(), "--out", conf}, &rc);
  ASSERT_EQ(rc, 0) << out;

  Supervisor supervisor(conf, p.dir() / "supervisord.out");
  const std::vector<std::string> programs{"alerts", "router", "executor-1", "executor-3", "watcher"};
  std::string status;
  EXPECT_TRUE(Eventually([&] { return AllRunning(status = supervisor.Ctl({"status"}), programs); },
                         std::chrono::seconds(40)))
      << status << ReadFile(p.dir() / "supervisord.out");
  // Each process has its own log file, and each came up.
  EXPECT_TRUE(Eventually([&] { return ReadFile(d + "/logs/router.log").find("router up") != std::string::npos; }));
  EXPECT_TRUE(Eventually([&] { return ReadFile(d + "/logs/executor-3.log").find("executor up") != std::string::npos; }));
  EXPECT_TRUE(Eventually([&] { return ReadFile(d + "/logs/watcher.log").find("watching master") != std::string::npos; }));
  EXPECT_TRUE(Eventually([&] { return ReadFile(d + "/logs/alerts.log").find("alert listener up") != std::string::npos; }));

  supervisor.Ctl({"shutdown"}, &rc);
  EXPECT_EQ(supervisor.process().Wait(std::chrono::seconds(40)), 0);
  for (const auto& r : receiver.requests()) ADD_FAILURE() << "nothing should go FATAL: " << r.body;
}

TEST(AlertListener, AProcessGoingFatalUnderSupervisordIsAlerted) {
  ASSERT_TRUE(std::filesystem::exists(kSupervisord)) << "supervisor is a dependency (make deps)";
  LoopbackHttpServer receiver;
  TempDir dir;
  std::filesystem::create_directories(dir / "logs");
  WriteFile(dir / ".env", "API_KEY=master-api-key-1\nCLIENT_ID=M100\nPASSWORD=1111\nTOTP_SECRET=" + totp::NewSecret() + "\n");
  WriteFile(dir / "copytrade.toml", "[alerts]\nwebhook_url = \"" + receiver.url("/hook") + "\"\n");
  // The listener section as `copytrade deploy supervisord` writes it, and a
  // program that exits at once: supervisord gives up on it (FATAL).
  const std::string d = dir.path();
  WriteFile(dir / "supervisord.conf",
            "[unix_http_server]\nfile=" + d + "/supervisor.sock\n"
            "[supervisord]\nlogfile=" + d + "/logs/supervisord.log\npidfile=" + d + "/supervisord.pid\n"
            "childlogdir=" + d + "/logs\n"
            "[rpcinterface:supervisor]\nsupervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface\n"
            "[supervisorctl]\nserverurl=unix://" + d + "/supervisor.sock\n"
            "[eventlistener:alerts]\ncommand=" + BinPath("copytrade") + " alert-listener --config " + d +
            "/copytrade.toml --env " + d + "/.env\nevents=PROCESS_STATE_FATAL\npriority=1\n"
            "stderr_logfile=" + d + "/logs/alerts.log\n"
            "[program:crasher]\ncommand=/bin/false\npriority=10\nstartsecs=5\nstartretries=0\n");
  Supervisor supervisor(dir / "supervisord.conf", dir / "supervisord.out");
  ASSERT_TRUE(Eventually([&] { return !receiver.requests().empty(); }, std::chrono::seconds(30)))
      << supervisor.Ctl({"status"}) << ReadFile(dir / "logs/alerts.log");
  const auto body = nlohmann::json::parse(receiver.requests().front().body);
  EXPECT_EQ(body["kind"], "process_fatal");
  EXPECT_EQ(body["process"], "crasher");
  EXPECT_NE(body["text"].get<std::string>().find("crasher"), std::string::npos);
  EXPECT_NE(body["text"].get<std::string>().find("FATAL"), std::string::npos);
  EXPECT_TRUE(std::regex_search(supervisor.Ctl({"status"}), std::regex("crasher +FATAL")));
}

// The issue's case: every PIN 0000, and the sim's order ids are full of
// zeros. Ids, quantities and prices come out intact in the records and the
// logs, and no secret appears anywhere.
TEST(Masking, APinOf0000LeavesEveryIdIntactInRecordsAndLogs) {
  Pipeline p([] { PipelineOptions o; o.followers = 1; return o; }());
  Replace(p.env(), "PASSWORD=[0-9]+", "PASSWORD=0000");
  p.StartAll();
  const std::string master_id = p.Place("master", "BUY", "SBIN-EQ", "3045", 10);
  ASSERT_NE(master_id.find("0000"), std::string::npos) << "the test needs an id holding the PIN: " << master_id;
  std::vector<nlohmann::json> copies;
  ASSERT_TRUE(Eventually([&] { return !(copies = p.Copies("follower-1")).empty(); }, std::chrono::seconds(20)));
  const std::string copy_id = copies.front()["orderid"];

  nlohmann::json record;
  ASSERT_TRUE(Eventually(
      [&] {
        std::error_code ec;
        for (const auto& f : std::filesystem::directory_iterator(p.dir() / "records", ec)) {
          auto doc = nlohmann::json::parse(ReadFile(f.path().string()), nullptr, false);
          if (!doc.is_object()) continue;
          for (const auto& r : doc.value("records", nlohmann::json::array()))
            if (r.value("follower_order_id", "") == copy_id) record = r;
        }
        return record.is_object();
      },
      std::chrono::seconds(20)));
  EXPECT_EQ(record["master_order_id"], master_id);
  EXPECT_EQ(record["quantity"], 10);

  std::string logs;
  for (const char* name : {"watcher.log", "router.log", "executor-1.log"}) logs += ReadFile(p.dir() / name);
  EXPECT_NE(logs.find(master_id), std::string::npos) << logs;
  EXPECT_NE(logs.find(copy_id), std::string::npos) << logs;
  EXPECT_EQ(logs.find("****"), std::string::npos) << "something was masked that is not a secret:\n" << logs;
  const std::string records = [&] {
    std::string all;
    for (const auto& f : std::filesystem::directory_iterator(p.dir() / "records")) all += ReadFile(f.path().string());
    return all;
  }();
  EXPECT_EQ(records.find("****"), std::string::npos) << records;
  for (const auto& secret : Secrets(p.env())) {
    if (secret == "0000") continue;  // inside every id; checked as a field below
    EXPECT_EQ(logs.find(secret), std::string::npos) << secret;
    EXPECT_EQ(records.find(secret), std::string::npos) << secret;
  }
  EXPECT_EQ(logs.find("\"password\":\"0000\""), std::string::npos);
}

// The figures block of a summary: from "Total copies:" to the closing rule
// (the titles differ: the router's names the session, the report the day).
std::string Figures(const std::string& text) {
  const auto from = text.rfind("Total copies:");
  if (from == std::string::npos) return "";
  const auto to = text.find("=====", from);
  return text.substr(from, to == std::string::npos ? std::string::npos : to - from);
}

// RFC 4180 lines into fields (quoted fields may hold commas and "").
std::vector<std::vector<std::string>> ParseCsv(const std::string& text) {
  std::vector<std::vector<std::string>> rows(1);
  std::string field;
  bool quoted = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') field += '"', ++i;
      else if (c == '"') quoted = false;
      else field += c;
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      rows.back().push_back(field), field.clear();
    } else if (c == '\n') {
      rows.back().push_back(field), field.clear();
      rows.emplace_back();
    } else if (c != '\r') {
      field += c;
    }
  }
  if (rows.back().empty()) rows.pop_back();
  return rows;
}

TEST(Report, TheRoutersSummaryOnSigintIsWhatReportRebuildsFromTheJournal) {
  Pipeline p([] {
    PipelineOptions o;
    o.followers = 2;
    o.extra_toml = "[copy]\nsymbols_block = [\"INFY-EQ\"]\n";
    return o;
  }());
  p.StartAll();
  p.Place("master", "BUY", "SBIN-EQ", "3045", 10);
  p.Place("master", "BUY", "INFY-EQ", "1594", 5);
  // Both followers' SBIN copies filled at the emulator, the INFY order skipped for both.
  ASSERT_TRUE(Eventually([&] { return p.Copies("follower-1").size() == 1 && p.Copies("follower-2").size() == 1; },
                         std::chrono::seconds(20)));
  auto states = [&] {
    std::multiset<std::string> s;
    const auto doc = p.Records();
    if (doc.is_object())
      for (const auto& r : doc["records"]) s.insert(r.value("state", ""));
    return s;
  };
  ASSERT_TRUE(Eventually([&] { return states() == std::multiset<std::string>{"FILLED", "FILLED", "SKIPPED", "SKIPPED"}; },
                         std::chrono::seconds(20)))
      << p.Records().dump(2);

  p.router->Signal(SIGINT);
  ASSERT_EQ(p.router->Wait(std::chrono::seconds(15)), 0) << p.router->Log();
  const std::string log = p.router->Log();
  ASSERT_NE(log.find("COPY TRADING SESSION SUMMARY"), std::string::npos) << log;
  const std::string figures = Figures(log);
  for (const char* figure : {"Total copies: +2\n", "Successful: +2\n", "Failed: +0\n", "Skipped: +2\n",
                             "Success rate: +100\\.0%\n", "follower-2 +F102 +copies 1, successful 1"})
    EXPECT_TRUE(std::regex_search(figures, std::regex(figure))) << figure << "\n" << figures;
  std::smatch m;
  ASSERT_TRUE(std::regex_search(log, m, std::regex("Records saved to: (\\S+)"))) << log;
  const auto file = nlohmann::json::parse(ReadFile(m[1].str()), nullptr, false);
  ASSERT_TRUE(file.is_object()) << m[1].str();
  EXPECT_EQ(file["statistics"]["total_copies"], 2);
  EXPECT_EQ(file["statistics"]["successful"], 2);
  EXPECT_EQ(file["statistics"]["skipped"], 2);

  int rc = -1;
  const std::string report = p.Run({"report", "--config", p.config()}, &rc);
  EXPECT_EQ(rc, 0) << report;
  EXPECT_EQ(Figures(report), figures) << report;

  const std::string one = p.Run({"report", "--config", p.config(), "--follower", "2", "--json"}, &rc);
  EXPECT_EQ(rc, 0) << one;
  const auto doc = nlohmann::json::parse(one, nullptr, false);
  ASSERT_TRUE(doc.is_object()) << one;
  EXPECT_EQ(doc["statistics"]["total_copies"], 1);
  EXPECT_EQ(doc["statistics"]["successful"], 1);
  EXPECT_EQ(doc["statistics"]["skipped"], 1);
  for (const auto& r : doc["records"]) EXPECT_EQ(r["follower_id"], "follower-2");

  const auto rows = ParseCsv(p.Run({"report", "--config", p.config(), "--csv"}, &rc));
  EXPECT_EQ(rc, 0);
  ASSERT_EQ(rows.size(), 5u);  // header + 4 records
  const auto& header = rows[0];
  for (const auto& row : rows) EXPECT_EQ(row.size(), header.size());
  const auto col = [&](const std::string& name) {
    return static_cast<size_t>(std::find(header.begin(), header.end(), name) - header.begin());
  };
  ASSERT_LT(col("follower_order_id"), header.size());
  std::set<std::string> filled_ids;
  for (size_t i = 1; i < rows.size(); ++i)
    if (rows[i][col("state")] == "FILLED") filled_ids.insert(rows[i][col("follower_order_id")]);
  std::set<std::string> book_ids;
  for (const char* f : {"follower-1", "follower-2"})
    for (const auto& c : p.Copies(f)) book_ids.insert(c["orderid"].get<std::string>());
  EXPECT_EQ(filled_ids, book_ids);
}

// placeOrder requests the emulator received from `clientcode` (its
// order-write log, GET /sim/v1/requests).
int PlaceOrdersReceived(Pipeline& p, const std::string& clientcode) {
  const auto doc = p.SimGet("requests");
  const auto& rows = doc.is_object() && doc.contains("data") ? doc["data"] : doc;
  int n = 0;
  if (rows.is_array())
    for (const auto& r : rows)
      if (r.value("clientcode", "") == clientcode && r.value("endpoint", "") == "placeOrder" &&
          r.value("source", "") == "api")
        ++n;
  return n;
}

TEST(GracefulStop, SigtermDuringABrokerCallFinishesItJournalsItAndExits0) {
  Pipeline p([] { PipelineOptions o; o.followers = 1; return o; }());
  p.StartAll();
  // Follower 1's placeOrder waits 2 s at the broker before it is processed.
  p.SimAdmin("fault", R"({"clientcode":"F101","endpoint":"placeOrder","kind":"hold","latency_ms":2000})");
  p.Place("master", "BUY", "SBIN-EQ", "3045", 10);
  ASSERT_TRUE(Eventually([&] { return PlaceOrdersReceived(p, "F101") == 1; }, std::chrono::seconds(10)))
      << p.executors[0]->Log();
  EXPECT_TRUE(p.Copies("follower-1").empty()) << "the call is still held at the broker";
  p.executors[0]->Signal(SIGTERM);
  EXPECT_EQ(p.executors[0]->Wait(std::chrono::seconds(15)), 0) << p.executors[0]->Log();
  // The call finished: the order is in the follower's book.
  std::vector<nlohmann::json> copies;
  ASSERT_TRUE(Eventually([&] { return (copies = p.Copies("follower-1")).size() == 1; }, std::chrono::seconds(5)))
      << p.Book("follower-1").dump();
  const std::string orderid = copies[0]["orderid"];

  // Restarted, the executor knows the order (journaled) and follows it to
  // its fill instead of placing it again.
  p.SimAdmin("fault/clear", "{}");
  p.StartExecutor(1);
  nlohmann::json record;
  ASSERT_TRUE(Eventually(
      [&] {
        for (const auto& r : p.RecordsOf("follower-1"))
          if (r.value("state", "") == "FILLED") record = r;
        return record.is_object();
      },
      std::chrono::seconds(20)))
      << p.Records().dump(2) << p.executors[0]->Log();
  EXPECT_EQ(record["follower_order_id"], orderid);
  EXPECT_EQ(p.Copies("follower-1").size(), 1u);
  EXPECT_EQ(PlaceOrdersReceived(p, "F101"), 1);
}

// A TCP port free on `address` now (bound, read back, released).
int FreePort(const char* address) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  inet_pton(AF_INET, address, &addr.sin_addr);
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) return close(fd), -1;
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  return ntohs(addr.sin_port);
}

TEST(TwoHosts, RouterAndWatcherOnOneHostExecutorsOnAnother) {
  ASSERT_TRUE(std::filesystem::exists(kSupervisord)) << "supervisor is a dependency (make deps)";
  // Follower 1's order writes are accepted only from the executors' host.
  Pipeline p([] { PipelineOptions o; o.followers = 1; o.sim_args = {"--static-ip", "F101=127.0.0.3"}; return o; }());
  p.StartSim();
  const std::string hub = p.dir() / "hub", execs = p.dir() / "execs";
  int rc = -1;
  // Keys as deploy/two-host/README.md makes them.
  for (const auto& d : {p.dir() / "keys", hub + "/keys", execs + "/keys"}) std::filesystem::create_directories(d);
  for (const std::string k : {"watcher", "router", "executor"}) {
    const std::string out = p.Run({"keygen", p.dir() / ("keys/" + k)}, &rc);
    ASSERT_EQ(rc, 0) << out;
  }
  for (const auto& h : {hub, execs}) ASSERT_EQ((p.Run({"keygen", h + "/keys/client"}, &rc), rc), 0);
  const std::string allowed = ReadFile(hub + "/keys/client.pub") + ReadFile(execs + "/keys/client.pub");
  auto copy = [](const std::string& from, const std::string& to) {
    std::filesystem::copy_file(from, to, std::filesystem::copy_options::overwrite_existing);
  };
  for (const auto& h : {hub, execs}) {
    WriteFile(h + "/keys/allowed_clients", allowed);
    for (const std::string k : {"watcher", "router", "executor"})
      copy(p.dir() / ("keys/" + k + ".pub"), h + "/keys/" + k + ".pub");
    copy(p.env(), h + "/.env");
    chmod((h + "/.env").c_str(), 0600);
  }
  copy(p.dir() / "keys/watcher.key", hub + "/keys/watcher.key");
  copy(p.dir() / "keys/router.key", hub + "/keys/router.key");
  copy(p.dir() / "keys/executor.key", execs + "/keys/executor.key");

  // The documented file, on loopback addresses and free ports, against the emulator.
  std::string toml = ReadFile(CT_SOURCE_DIR "/deploy/two-host/copytrade.toml");
  ASSERT_FALSE(toml.empty());
  toml = std::regex_replace(toml, std::regex("10\\.0\\.0\\.1"), "127.0.0.2");
  toml = std::regex_replace(toml, std::regex("10\\.0\\.0\\.2"), "127.0.0.3");
  for (const char* port : {"7101", "7102", "7103", "7104", "7105"})
    toml = std::regex_replace(toml, std::regex(port), std::to_string(FreePort("127.0.0.2")));
  toml = std::regex_replace(toml, std::regex("72\\{n\\}"), std::to_string(30 + getpid() % 30) + "{n}");
  toml = std::regex_replace(toml, std::regex("dry_run = true"), "dry_run = false");
  toml = std::regex_replace(toml, std::regex("https://apiconnect\\.angelone\\.in"),
                            "http://127.0.0.1:" + std::to_string(p.sim_port()));
  toml = std::regex_replace(toml, std::regex("wss://tns\\.angelone\\.in"), "ws://127.0.0.1:" + std::to_string(p.sim_port()));
  toml += "\n[instruments]\nfile = \"" CT_SOURCE_DIR "/sim/data/OpenAPIScripMaster.json\"\n";
  toml += "[dashboard]\nlisten = \"127.0.0.2:0\"\n";  // runs with the router, on any free port
  std::vector<std::unique_ptr<Supervisor>> hosts;
  for (const auto& [h, name] : {std::pair{hub, "hub"}, std::pair{execs, "execs"}}) {
    WriteFile(h + "/copytrade.toml", toml);
    const std::string out = p.Run({"deploy", "supervisord", "--config", h + "/copytrade.toml", "--env", h + "/.env",
                                   "--host", name, "--out", h + "/supervisord.conf"},
                                  &rc);
    ASSERT_EQ(rc, 0) << out;
    hosts.push_back(std::make_unique<Supervisor>(h + "/supervisord.conf", h + "/supervisord.out"));
  }
  const std::string hub_conf = ReadFile(hub + "/supervisord.conf"), execs_conf = ReadFile(execs + "/supervisord.conf");
  EXPECT_NE(hub_conf.find("[program:router]"), std::string::npos);
  EXPECT_NE(hub_conf.find("[program:watcher]"), std::string::npos);
  EXPECT_EQ(hub_conf.find("[program:executor-1]"), std::string::npos);
  EXPECT_NE(execs_conf.find("[program:executor-1]"), std::string::npos);
  EXPECT_EQ(execs_conf.find("[program:router]"), std::string::npos);
  std::string status;
  EXPECT_TRUE(Eventually([&] { return AllRunning(status = hosts[0]->Ctl({"status"}), {"router", "watcher"}); },
                         std::chrono::seconds(40)))
      << status;
  EXPECT_TRUE(Eventually([&] { return AllRunning(status = hosts[1]->Ctl({"status"}), {"executor-1"}); },
                         std::chrono::seconds(40)))
      << status;
  ASSERT_TRUE(Eventually([&] { return ReadFile(hub + "/logs/watcher.log").find("watching master") != std::string::npos; },
                         std::chrono::seconds(20)))
      << ReadFile(hub + "/logs/watcher.log");
  ASSERT_TRUE(Eventually([&] { return ReadFile(execs + "/logs/executor-1.log").find("executor up") != std::string::npos; },
                         std::chrono::seconds(20)))
      << ReadFile(execs + "/logs/executor-1.log");

  p.Place("master", "BUY", "SBIN-EQ", "3045", 10);
  std::vector<nlohmann::json> copies;
  ASSERT_TRUE(Eventually(
      [&] {
        copies = p.Copies("follower-1");
        return copies.size() == 1 && copies[0].value("status", "") == "complete";
      },
      std::chrono::seconds(30)))
      << p.Book("follower-1").dump() << ReadFile(execs + "/logs/executor-1.log") << ReadFile(hub + "/logs/router.log");
  EXPECT_EQ(copies[0]["quantity"], 10);
  // The copy's report crossed back to the hub: the router recorded it filled.
  EXPECT_TRUE(Eventually(
      [&] {
        std::error_code ec;
        for (const auto& f : std::filesystem::directory_iterator(hub + "/logs", ec)) {
          if (f.path().filename().string().rfind("copy_trading_", 0) != 0) continue;
          for (const auto& r : router::ReadRecordsFile(f.path().string()))
            if (r.value("state", "") == "FILLED") return true;
        }
        return false;
      },
      std::chrono::seconds(20)));
  for (auto& h : hosts) {
    h->Ctl({"shutdown"}, &rc);
    EXPECT_EQ(h->process().Wait(std::chrono::seconds(40)), 0);
  }
}

TEST(Alerts, AFollowersFailedLoginIsAlertedOnceWithNoSecretInIt) {
  LoopbackHttpServer receiver;
  Pipeline p([] { PipelineOptions o; o.followers = 1; return o; }());
  p.StartSim();  // knows the account's real secret
  // The .env now has a valid base32 secret, but not the account's: the TOTP code is wrong.
  Replace(p.env(), "FOLLOWER_1_TOTP_SECRET=[A-Z2-7=]+", "FOLLOWER_1_TOTP_SECRET=" + totp::NewSecret());
  p.AppendConfig("[alerts]\nwebhook_url = \"" + receiver.url("/hook") + "\"\nmin_interval_s = 600\n");
  const std::vector<std::string> argv{BinPath("copytrade-executor"), "--config", p.config(), "--env", p.env(),
                                      "--follower", "1"};
  ChildProcess executor(argv, p.dir() / "executor-1.log");
  EXPECT_EQ(executor.Wait(std::chrono::seconds(20)), 1) << executor.Log();
  // Delivered before the process exited.
  ASSERT_EQ(receiver.requests().size(), 1u) << executor.Log();
  const std::string raw = receiver.requests().front().body;
  const auto body = nlohmann::json::parse(raw);
  EXPECT_EQ(body["kind"], "login_failed");
  EXPECT_EQ(body["process"], "executor-1");
  const std::string text = body["text"];
  EXPECT_NE(text.find("follower-1 (F101)"), std::string::npos) << text;
  for (const auto& secret : Secrets(p.env())) EXPECT_EQ(raw.find(secret), std::string::npos) << secret << " in " << raw;

  // supervisord restarts it and it fails again: no second alert within min_interval_s.
  ChildProcess again(argv, p.dir() / "executor-1.again.log");
  EXPECT_EQ(again.Wait(std::chrono::seconds(20)), 1) << again.Log();
  EXPECT_EQ(receiver.requests().size(), 1u);
  EXPECT_NE(again.Log().find("login_failed alert suppressed"), std::string::npos) << again.Log();
}

TEST(Alerts, TheWatchersOrderFeedDownLongerThanFeedDownAlertSIsAlertedAndShownInStatus) {
  LoopbackHttpServer receiver;
  Pipeline p([] { PipelineOptions o; o.followers = 1; return o; }());
  p.StartSim();
  // The order-update WebSocket answers nowhere; the order book poll works.
  Replace(p.config(), "ws_url = \"ws://127.0.0.1:[0-9]+/", "ws_url = \"ws://127.0.0.1:1/");
  p.AppendConfig("[alerts]\nwebhook_url = \"" + receiver.url("/hook") + "\"\nfeed_down_alert_s = 2\n");
  p.StartRouter();
  p.StartExecutor(1);
  p.StartWatcher();
  // The executor's own feed is down too; its alerts are the executor's business.
  auto watchers = [&] {
    std::vector<nlohmann::json> out;
    for (const auto& r : receiver.requests()) {
      auto body = nlohmann::json::parse(r.body, nullptr, false);
      if (body.is_object() && body.value("process", "") == "watcher") out.push_back(body);
    }
    return out;
  };
  ASSERT_TRUE(Eventually([&] { return !watchers().empty(); }, std::chrono::seconds(15))) << p.watcher->Log();
  const auto body = watchers().front();
  EXPECT_EQ(body["kind"], "feed_down");
  EXPECT_NE(body["text"].get<std::string>().find("order feed down"), std::string::npos) << body.dump();
  // Status shows it, and that the poll goes on.
  int rc = -1;
  std::string out;
  EXPECT_TRUE(Eventually(
      [&] {
        out = p.Run({"status", "--config", p.config()}, &rc);
        return std::regex_search(out, std::regex("WATCHER +running, master M100, order feed DISCONNECTED, last poll [0-9.]+ s ago"));
      },
      std::chrono::seconds(10)))
      << out;
  // Once per outage.
  EXPECT_EQ(watchers().size(), 1u);
}

TEST(StatusCli, ShowsEachFollowerAndTheWatcherFromTheRunningProcesses) {
  Pipeline p([] { PipelineOptions o; o.dry_run = false; o.followers = 2; return o; }());
  p.StartAll();
  p.Place("master", "BUY", "SBIN-EQ", "3045", 10);
  ASSERT_TRUE(Eventually([&] { return p.Copies("follower-1").size() == 1 && p.Copies("follower-2").size() == 1; },
                         std::chrono::seconds(20)));
  int rc = -1;
  nlohmann::json doc;
  // Status files are rewritten every second: wait until they show the copy applied.
  ASSERT_TRUE(Eventually(
      [&] {
        const std::string out = p.Run({"status", "--config", p.config(), "--json"}, &rc);
        doc = nlohmann::json::parse(out, nullptr, false);
        if (!doc.is_object() || doc["followers"].size() != 2) return false;
        for (const auto& f : doc["followers"])
          if (!f["applied_seq"].is_number() || f["applied_seq"].get<int>() < 1 || f["lag"] != 0) return false;
        // last_poll_age_ms stays null until the watcher's first poll has answered.
        return doc["watcher"].is_object() && doc["watcher"]["feed_connected"] == true &&
               doc["watcher"]["last_poll_age_ms"].is_number();
      },
      std::chrono::seconds(10)))
      << doc.dump(2);
  EXPECT_EQ(rc, 0);
  EXPECT_EQ(doc["healthy"], true);
  const auto& f1 = doc["followers"][0];
  EXPECT_EQ(f1["follower_id"], "follower-1");
  EXPECT_EQ(f1["client_id"], "F101");
  EXPECT_EQ(f1["executor"], "running");
  EXPECT_EQ(f1["feed_connected"], true);
  EXPECT_EQ(f1["applied_seq"], f1["published_seq"]);
  EXPECT_EQ(doc["followers"][1]["follower_id"], "follower-2");
  ASSERT_TRUE(doc["watcher"]["last_poll_age_ms"].is_number()) << doc.dump(2);
  EXPECT_LT(doc["watcher"]["last_poll_age_ms"].get<int64_t>(), 5000);
  EXPECT_EQ(doc["watcher"]["master"], "M100");

  const std::string text = p.Run({"status", "--config", p.config()}, &rc);
  EXPECT_TRUE(std::regex_search(text, std::regex("follower-1 +F101 +running ")));
  EXPECT_TRUE(std::regex_search(text, std::regex("follower-2 +F102 +running ")));
  EXPECT_TRUE(std::regex_search(text, std::regex("WATCHER +running, master M100, order feed connected, last poll [0-9.]+ s ago")))
      << text;

  // --watch prints again and again until interrupted.
  ChildProcess watch({BinPath("copytrade"), "status", "--config", p.config(), "--watch", "0.3"}, p.dir() / "watch.out");
  EXPECT_TRUE(watch.WaitForLog("WATCHER", std::chrono::seconds(10), 3)) << watch.Log();
  watch.Signal(SIGINT);
  EXPECT_EQ(watch.Wait(std::chrono::seconds(5)), 0) << watch.Log();
}

}  // namespace
}  // namespace ct::testing
