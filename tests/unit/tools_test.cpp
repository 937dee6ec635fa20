#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <set>
#include <sstream>

#include "common/config/env_file.h"
#include "common/config/settings.h"
#include "common/startup/process.h"
#include "tests/support/process.h"
#include "tools/alert_listener.h"
#include "tools/deploy.h"
#include "tools/probes.h"

namespace ct::tools {
namespace {

const char* kTotp = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";

config::EnvFile Env(std::initializer_list<int> followers) {
  std::string text = std::string("API_KEY=mk00000001\nCLIENT_ID=M1\nPASSWORD=1111\nTOTP_SECRET=") + kTotp + "\n";
  for (int n : followers) {
    const std::string p = "FOLLOWER_" + std::to_string(n) + "_";
    text += p + "API_KEY=fk0000000" + std::to_string(n) + "\n" + p + "CLIENT_ID=F" + std::to_string(n) + "\n" + p +
            "PASSWORD=2222\n" + p + "TOTP_SECRET=" + kTotp + "\n";
  }
  auto env = config::ParseEnv("/srv/ct/.env", text);
  EXPECT_TRUE(env.ok());
  return std::move(env).value();
}

config::Settings Settings(const std::string& toml) {
  auto s = config::ParseSettings("/srv/ct/copytrade.toml", toml);
  EXPECT_TRUE(s.ok()) << s.error().ToString();
  return std::move(s).value();
}

// A supervisord file as section -> key -> value.
using Ini = std::map<std::string, std::map<std::string, std::string>>;
Ini ParseIni(const std::string& text) {
  Ini ini;
  std::istringstream in(text);
  std::string line, section;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == ';') continue;
    if (line[0] == '[') {
      section = line.substr(1, line.find(']') - 1);
      ini[section];
      continue;
    }
    const auto eq = line.find('=');
    EXPECT_NE(eq, std::string::npos) << line;
    if (eq == std::string::npos) continue;
    std::string key = line.substr(0, eq), value = line.substr(eq + 1);
    while (!key.empty() && key.back() == ' ') key.pop_back();
    value.erase(0, value.find_first_not_of(' '));
    ini[section][key] = value;
  }
  return ini;
}

const SupervisordLayout kLayout{"/opt/ct/bin", "/srv/ct", "/srv/ct/copytrade.toml", "/srv/ct/.env"};

Ini Render(const config::Settings& s, const config::EnvFile& env, const std::string& host = "", bool alerts = false) {
  auto processes = ProcessesOnHost(s, env, host);
  EXPECT_TRUE(processes.ok()) << processes.error().ToString();
  return ParseIni(RenderSupervisord(s, *processes, kLayout, alerts));
}

std::vector<std::string> Programs(const Ini& ini) {
  std::vector<std::string> out;
  for (const auto& [section, _] : ini)
    if (section.rfind("program:", 0) == 0) out.push_back(section.substr(8));
  return out;
}

TEST(DeploySupervisord, OneExecutorPerFollowerNumberedAsTheEnvNumbersThem) {
  const auto ini = Render(Settings(""), Env({1, 3, 7}));
  EXPECT_EQ(Programs(ini), (std::vector<std::string>{"dashboard", "executor-1", "executor-3", "executor-7", "router", "watcher"}));
  EXPECT_EQ(ini.at("program:executor-7").at("command"),
            "/opt/ct/bin/copytrade-executor --config /srv/ct/copytrade.toml --env /srv/ct/.env --follower 7");
  EXPECT_EQ(ini.count("program:executor-2"), 0u);
  for (const auto& [section, keys] : ini) EXPECT_EQ(keys.count("numprocs"), 0u) << section;
}

TEST(DeploySupervisord, HostOnlyGetsTheProcessesPlacedOnIt) {
  const auto s = Settings("[deploy]\ndefault_host = \"alpha\"\nwatcher_host = \"beta\"\n[followers.3]\nhost = \"beta\"\n");
  const auto env = Env({1, 3});
  EXPECT_EQ(Programs(Render(s, env, "alpha")), (std::vector<std::string>{"dashboard", "executor-1", "router"}));
  EXPECT_EQ(Programs(Render(s, env, "beta")), (std::vector<std::string>{"executor-3", "watcher"}));
  EXPECT_EQ(Programs(Render(s, env)).size(), 5u);  // no --host: everything here (the dashboard with the router)
}

TEST(DeploySupervisord, HostErrorsNameTheSettingToFix) {
  const auto env = Env({1, 2});
  auto unplaced = ProcessesOnHost(Settings("[followers.2]\nhost = \"beta\"\n"), env, "beta");
  ASSERT_FALSE(unplaced.ok());
  EXPECT_EQ(unplaced.error().key, "deploy.router_host");
  EXPECT_NE(unplaced.error().problem.find("default_host"), std::string::npos);
  auto nobody = ProcessesOnHost(Settings("[deploy]\ndefault_host = \"alpha\"\n"), env, "gamma");
  ASSERT_FALSE(nobody.ok());
  EXPECT_NE(nobody.error().problem.find("no process is placed on host 'gamma' (hosts: alpha)"), std::string::npos);
}

TEST(DeploySupervisord, StartOrderByPriorityRouterExecutorsWatcher) {
  const auto ini = Render(Settings("[alerts]\ncommand = \"true\"\n"), Env({1, 2}), "", true);
  auto priority = [&](const std::string& s) { return std::stoi(ini.at(s).at("priority")); };
  EXPECT_LT(priority("eventlistener:alerts"), priority("program:router"));
  EXPECT_LT(priority("program:router"), priority("program:executor-1"));
  EXPECT_EQ(priority("program:executor-1"), priority("program:executor-2"));
  EXPECT_LT(priority("program:executor-2"), priority("program:watcher"));
}

TEST(DeploySupervisord, StopWaitIsLongerThanABrokerCallAndItsRetry) {
  for (int64_t timeout_ms : {100, 7000, 7001, 60'000}) {
    const auto ini = Render(Settings("[broker]\ntimeout_ms = " + std::to_string(timeout_ms) + "\n"), Env({1}));
    for (const auto& name : Programs(ini)) {
      const int stopwait = std::stoi(ini.at("program:" + name).at("stopwaitsecs"));
      EXPECT_GT(stopwait * 1000, 2 * timeout_ms) << name << " with timeout_ms " << timeout_ms;
    }
  }
}

TEST(DeploySupervisord, FailClosedAndConfigErrorsAreNeverRestarted) {
  const auto ini = Render(Settings(""), Env({1}));
  const std::string codes = "0," + std::to_string(config::kConfigErrorExitCode) + "," +
                            std::to_string(startup::kFailClosedExitCode);
  for (const auto& name : Programs(ini)) {
    EXPECT_EQ(ini.at("program:" + name).at("autorestart"), "unexpected") << name;
    EXPECT_EQ(ini.at("program:" + name).at("exitcodes"), codes) << name;
  }
}

TEST(DeploySupervisord, OneLogFilePerProcess) {
  const auto ini = Render(Settings(""), Env({1, 2}));
  std::set<std::string> logs;
  for (const auto& name : Programs(ini)) {
    EXPECT_EQ(ini.at("program:" + name).at("redirect_stderr"), "true");
    logs.insert(ini.at("program:" + name).at("stdout_logfile"));
  }
  EXPECT_EQ(logs, (std::set<std::string>{"/srv/ct/logs/dashboard.log", "/srv/ct/logs/executor-1.log", "/srv/ct/logs/executor-2.log",
                                         "/srv/ct/logs/router.log", "/srv/ct/logs/watcher.log"}));
}

TEST(DeploySupervisord, AlertListenerHearsFatalProcesses) {
  const auto with = Render(Settings(""), Env({1}), "", true);
  const auto& l = with.at("eventlistener:alerts");
  EXPECT_EQ(l.at("events"), "PROCESS_STATE_FATAL");
  EXPECT_EQ(l.at("command"), "/opt/ct/bin/copytrade alert-listener --config /srv/ct/copytrade.toml --env /srv/ct/.env");
  EXPECT_EQ(l.count("stdout_logfile"), 0u);  // its stdout is the protocol
  EXPECT_EQ(Render(Settings(""), Env({1})).count("eventlistener:alerts"), 0u);
}

TEST(DeploySupervisord, PathsWithSpacesAndPercentSignsSurviveSupervisordParsing) {
  auto processes = PlaceProcesses(Settings(""), Env({1}));
  const SupervisordLayout layout{"/opt/c t/bin", "/srv/100%", "/srv/100%/copytrade.toml", "/srv/100%/.env"};
  const auto ini = ParseIni(RenderSupervisord(Settings(""), processes, layout, false));
  EXPECT_EQ(ini.at("program:router").at("command"),
            "\"/opt/c t/bin/copytrade-router\" --config /srv/100%%/copytrade.toml --env /srv/100%%/.env");
  EXPECT_EQ(ini.at("program:router").at("directory"), "/srv/100%%");
}

TEST(EventListener, SpeaksSupervisordsProtocol) {
  const std::string payload1 = "processname:executor-2 groupname:executor-2 from_state:BACKOFF";
  const std::string payload2 = "processname:router groupname:router from_state:STARTING pid:7";
  std::istringstream in("ver:3.0 server:supervisor serial:21 pool:alerts poolserial:10 eventname:PROCESS_STATE_FATAL len:" +
                        std::to_string(payload1.size()) + "\n" + payload1 +
                        "ver:3.0 server:supervisor serial:22 pool:alerts poolserial:11 eventname:PROCESS_STATE_RUNNING "
                        "len:" + std::to_string(payload2.size()) + "\n" + payload2);
  std::ostringstream out;
  std::vector<SupervisorEvent> events;
  EXPECT_EQ(RunEventListener(in, out, [&](const SupervisorEvent& e) { events.push_back(e); }), 2);
  EXPECT_EQ(out.str(), "READY\nRESULT 2\nOKREADY\nRESULT 2\nOKREADY\n");
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].name(), "PROCESS_STATE_FATAL");
  EXPECT_EQ(events[0].payload.at("processname"), "executor-2");
  EXPECT_EQ(events[1].payload.at("pid"), "7");
  EXPECT_NE(FatalAlertText(events[0]).find("supervisorctl start executor-2"), std::string::npos);
}

TEST(EventListener, GarbledHeaderIsRefusedNotFatal) {
  std::istringstream in("this is not a header\n");
  std::ostringstream out;
  EXPECT_EQ(RunEventListener(in, out, [](const SupervisorEvent&) { FAIL(); }), 0);
  EXPECT_EQ(out.str(), "READY\nRESULT 4\nFAILREADY\n");
}

TEST(ClockProbe, ParsesHttpDates) {
  EXPECT_EQ(ParseHttpDate("Tue, 01 Dec 2026 10:00:00 GMT"), 1796119200);
  EXPECT_EQ(ParseHttpDate("Sun, 06 Nov 1994 08:49:37 GMT"), 784111777);
  EXPECT_FALSE(ParseHttpDate("yesterday").has_value());
}

TEST(ClockProbe, TheBrokersSecondTickPinsTheSkewToTheRoundTrip) {
  const int64_t s = 1'796'119'200, ns = 1'000'000'000;
  // This host 0.3 s ahead: the broker's second s+1 starts at local s+1.3.
  std::vector<DateSample> samples = {{(s + 1) * ns + 200'000'000, (s + 1) * ns + 220'000'000, s},
                                     {(s + 1) * ns + 320'000'000, (s + 1) * ns + 340'000'000, s + 1}};
  auto skew = EstimateSkew(samples);
  ASSERT_TRUE(skew.has_value());
  EXPECT_NEAR(skew->skew_s, 0.27, 0.01);
  EXPECT_LE(skew->uncertainty_s, 0.071);
  auto behind = EstimateSkew({{s * ns, s * ns + 20'000'000, s + 3}});
  EXPECT_NEAR(behind->skew_s, -3.5, 0.02);  // one sample: the whole second is unknown
  EXPECT_NEAR(behind->uncertainty_s, 0.51, 0.02);
  EXPECT_FALSE(EstimateSkew({}).has_value());
}

TEST(AddressProbe, LoopbackIsHereAndADocumentationAddressIsNot) {
  const auto lo = FindLocalAddress("127.0.0.1");
  EXPECT_TRUE(lo.exists);
  EXPECT_EQ(lo.interface_name, "lo");
  const auto elsewhere = FindLocalAddress("203.0.113.77");
  EXPECT_FALSE(elsewhere.exists);
  EXPECT_NE(elsewhere.problem.find("not an address of this host"), std::string::npos);
  EXPECT_FALSE(FindLocalAddress("300.1.1.1").exists);
}

TEST(EndpointProbe, IpcPathsCanBeBoundAndAHeldOneIsInUse) {
  ct::testing::TempDir dir;
  EXPECT_EQ(ProbeBind("ipc://" + dir / "free.sock").state, EndpointState::kBindable);
  EXPECT_EQ(ProbeBind("ipc://" + dir / "new/folder/x.sock").state, EndpointState::kBindable);
  EXPECT_EQ(ProbeBind("ipc://" + dir.path() + "/" + std::string(120, 'x')).state, EndpointState::kFailed);

  const std::string held = dir / "held.sock";
  int fd = socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", held.c_str());
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(listen(fd, 1), 0);
  const auto probe = ProbeBind("ipc://" + held);
  EXPECT_EQ(probe.state, EndpointState::kInUseRunning);
  EXPECT_NE(probe.detail.find("in use (running)"), std::string::npos);
  EXPECT_TRUE(std::filesystem::exists(held));  // the probe never takes the endpoint away
  close(fd);
  // Its owner gone, the file is stale: binding replaces it.
  EXPECT_EQ(ProbeBind("ipc://" + held).state, EndpointState::kBindable);
}

TEST(EndpointProbe, RelativeIpcPathsAreTheProcessesWorkingDirectorys) {
  ct::testing::TempDir dir;
  const auto probe = ProbeBind("ipc://run/router.pub", dir.path());
  EXPECT_EQ(probe.state, EndpointState::kBindable);
  EXPECT_EQ(probe.detail, dir.path() + "/run/router.pub can be bound (its folder will be created)");
}

TEST(EndpointProbe, TcpPortsHeldOrForeign) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  ASSERT_EQ(listen(fd, 4), 0);
  socklen_t len = sizeof a;
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  const std::string ep = "tcp://127.0.0.1:" + std::to_string(ntohs(a.sin_port));
  EXPECT_EQ(ProbeBind(ep).state, EndpointState::kInUseRunning);
  EXPECT_EQ(ProbeConnect(ep, std::chrono::milliseconds(1000)).state, EndpointState::kInUseRunning);
  close(fd);
  EXPECT_EQ(ProbeBind(ep).state, EndpointState::kBindable);
  EXPECT_EQ(ProbeConnect(ep, std::chrono::milliseconds(1000)).state, EndpointState::kFailed);
  const auto foreign = ProbeBind("tcp://203.0.113.9:5550");
  EXPECT_EQ(foreign.state, EndpointState::kFailed);
  EXPECT_NE(foreign.detail.find("not an address of this host"), std::string::npos);
  EXPECT_EQ(ProbeBind("tcp://*:0").state, EndpointState::kBindable);
  EXPECT_EQ(ProbeBind("inproc://x").state, EndpointState::kBindable);
}

}  // namespace
}  // namespace ct::tools
