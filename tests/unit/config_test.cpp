#include <gtest/gtest.h>

#include "common/config/env_file.h"
#include "common/config/settings.h"
#include "common/log/log.h"

namespace ct::config {
namespace {

const char* kSecret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";

std::string ValidEnv() {
  return std::string("# master\nAPI_KEY=mkey\nCLIENT_ID=M1\nPASSWORD=1111\nTOTP_SECRET=") + kSecret +
         "\nSECRET_KEY=msecret\n"
         "export FOLLOWER_1_API_KEY='f1key'\nFOLLOWER_1_CLIENT_ID=F1\nFOLLOWER_1_PASSWORD=\"2222\"\n"
         "FOLLOWER_1_TOTP_SECRET=" + kSecret + "\n"
         "FOLLOWER_3_API_KEY=f3key\nFOLLOWER_3_CLIENT_ID=F3\nFOLLOWER_3_PASSWORD=3333\n"
         "FOLLOWER_3_TOTP_SECRET=" + kSecret + "  # inline comment\n";
}

TEST(EnvFile, ParsesMasterAndAnyNumberOfFollowers) {
  auto env = ParseEnv(".env", ValidEnv());
  ASSERT_TRUE(env.ok()) << env.error().ToString();
  ASSERT_TRUE(env->master.has_value());
  EXPECT_EQ(env->master->credentials.client_id, "M1");
  EXPECT_EQ(env->master->credentials.secret_key, "msecret");
  ASSERT_EQ(env->followers.size(), 2u);
  EXPECT_EQ(env->followers[0].id, "follower-1");
  EXPECT_EQ(env->followers[0].credentials.api_key, "f1key");
  EXPECT_EQ(env->followers[0].credentials.password, "2222");
  EXPECT_EQ(env->followers[1].number, 3);
  EXPECT_EQ(env->followers[1].credentials.totp_secret, kSecret);
  EXPECT_NE(env->Follower(3), nullptr);
  EXPECT_EQ(env->Follower(2), nullptr);
  EXPECT_EQ(env->FindAccount("follower-3")->credentials.client_id, "F3");
}

TEST(EnvFile, MalformedLineNamesFileAndLine) {
  auto env = ParseEnv("/x/.env", "API_KEY=a\nthis is not an assignment\n");
  ASSERT_FALSE(env.ok());
  EXPECT_EQ(env.error().file, "/x/.env");
  EXPECT_EQ(env.error().key, "line 2");
  EXPECT_NE(env.error().problem.find("KEY=VALUE"), std::string::npos);
}

TEST(EnvFile, MissingFollowerKeyIsNamed) {
  auto env = ParseEnv(".env", "FOLLOWER_2_API_KEY=k\nFOLLOWER_2_CLIENT_ID=c\nFOLLOWER_2_TOTP_SECRET=" +
                                  std::string(kSecret) + "\n");
  ASSERT_FALSE(env.ok());
  EXPECT_EQ(env.error().key, "FOLLOWER_2_PASSWORD");
}

TEST(EnvFile, UnknownFollowerKeyIsAnError) {
  auto env = ParseEnv(".env", "FOLLOWER_1_APIKEY=k\n");
  ASSERT_FALSE(env.ok());
  EXPECT_EQ(env.error().key, "FOLLOWER_1_APIKEY");
}

TEST(EnvFile, BadTotpSecretIsNamedButNotShown) {
  auto env = ParseEnv(".env", "API_KEY=k\nCLIENT_ID=c\nPASSWORD=p\nTOTP_SECRET=not-base32-1890!\n");
  ASSERT_FALSE(env.ok());
  EXPECT_EQ(env.error().key, "TOTP_SECRET");
  EXPECT_EQ(env.error().ToString().find("not-base32-1890!"), std::string::npos);
}

TEST(EnvFile, DuplicateKeyIsAnError) {
  auto env = ParseEnv(".env", "API_KEY=a\nAPI_KEY=b\n");
  ASSERT_FALSE(env.ok());
  EXPECT_NE(env.error().key.find("API_KEY"), std::string::npos);
}

TEST(EnvFile, MissingFileIsAnError) {
  auto env = LoadEnvFile("/nonexistent/.env");
  ASSERT_FALSE(env.ok());
  EXPECT_EQ(env.error().file, "/nonexistent/.env");
}

TEST(EnvFile, LongCredentialsAreMaskedAnywhereButClientIdsAreNot) {
  ASSERT_TRUE(ParseEnv(".env", "API_KEY=mAsTeRkEy01\nCLIENT_ID=M1\nPASSWORD=1111\nTOTP_SECRET=" + std::string(kSecret) +
                                   "\nSECRET_KEY=2c9a1e7f-3b4d-4e5f-8a9b-0c1d2e3f4a5b\n")
                  .ok());
  const std::string line = log::Mask("login M1 with mAsTeRkEy01 secret " + std::string(kSecret) +
                                     " app 2c9a1e7f-3b4d-4e5f-8a9b-0c1d2e3f4a5b");
  EXPECT_EQ(line, "login M1 with **** secret **** app ****");
}

// The issue: with a follower PIN of 0000 every order id came out as
// 261202********2. A PIN is masked as a credential field's value only.
TEST(LogMask, PinOf0000LeavesIdsQuantitiesAndPricesIntact) {
  ASSERT_TRUE(ParseEnv(".env", "API_KEY=k0k0k0k0k0\nCLIENT_ID=M1\nPASSWORD=0000\nTOTP_SECRET=" + std::string(kSecret) +
                                   "\nFOLLOWER_1_API_KEY=f1f1f1f1f1\nFOLLOWER_1_CLIENT_ID=F1\nFOLLOWER_1_PASSWORD=0000\n"
                                   "FOLLOWER_1_TOTP_SECRET=" + kSecret + "\n")
                  .ok());
  const std::string line =
      "copied 261202000000002 -> follower-1 order 261202000000017 qty 10000 price 1000.00 "
      "unique a0000b00-0000-4000-8000-000000000000 ordertag ct0000f1l0";
  EXPECT_EQ(log::Mask(line), line);
  const std::string json = R"({"orderid":"261202000000002","quantity":"10000","price":10000.0,"symboltoken":"10000"})";
  EXPECT_EQ(log::Mask(json), json);
}

TEST(LogMask, PinEqualToDigitsInsideAnOrderIdLeavesTheIdIntact) {
  ASSERT_TRUE(ParseEnv(".env", "API_KEY=k0k0k0k0k0\nCLIENT_ID=M1\nPASSWORD=2612\nTOTP_SECRET=" + std::string(kSecret) +
                                   "\nFOLLOWER_1_API_KEY=f1f1f1f1f1\nFOLLOWER_1_CLIENT_ID=F1\nFOLLOWER_1_PASSWORD=0200\n"
                                   "FOLLOWER_1_TOTP_SECRET=" + kSecret + "\n")
                  .ok());
  const std::string line = "master order 261202000000002 filled 2612 @ 2612.00; copy 261202000000003 qty 0200";
  EXPECT_EQ(log::Mask(line), line);
}

TEST(LogMask, PinInACredentialFieldIsMasked) {
  EXPECT_EQ(log::Mask(R"(POST loginByPassword {"clientcode":"F1","password":"0000","totp":"123456"})"),
            R"(POST loginByPassword {"clientcode":"F1","password":"****","totp":"****"})");
  EXPECT_EQ(log::Mask(R"({"password": "0000", "orderid": "261202000000002"})"),
            R"({"password": "****", "orderid": "261202000000002"})");
  EXPECT_EQ(log::Mask(R"(body "{"password":"0000","qty":"10000"}")"),
            R"(body "{"password":"****","qty":"10000"}")");
  EXPECT_EQ(log::Mask("FOLLOWER_1_PASSWORD=0000 PIN=0000 password=0000&orderid=261202000000002"),
            "FOLLOWER_1_PASSWORD=**** PIN=**** password=****&orderid=261202000000002");
  EXPECT_EQ(log::Mask("X-PrivateKey: k1 Authorization: Bearer abc.def X-Feed-Token: f"),
            "X-PrivateKey: **** Authorization: Bearer **** X-Feed-Token: ****");
}

TEST(LogMask, ApiKeysTotpSecretsAndTokensAreMaskedAnywhere) {
  log::RegisterSecret("Zx9KpQ2w");  // an 8-character SmartAPI key
  log::RegisterSecret("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
  EXPECT_EQ(log::Mask("key Zx9KpQ2w,GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ/xZx9KpQ2wx"), "key ****,****/x****x");
  EXPECT_EQ(log::Mask("url https://api.telegram.org/bot123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw/sendMessage"),
            "url https://api.telegram.org/bot****/sendMessage");
}

TEST(LogMask, OnlyLongSecretsWithLettersAreMaskedAsSubstrings) {
  EXPECT_FALSE(log::MaskedAsSubstring("0000"));
  EXPECT_FALSE(log::MaskedAsSubstring("12345678"));  // digits: could be inside an id
  EXPECT_FALSE(log::MaskedAsSubstring("ab12"));
  EXPECT_TRUE(log::MaskedAsSubstring("Zx9KpQ2w"));
  log::RegisterSecret("12345678");
  EXPECT_EQ(log::Mask("order 261212345678901"), "order 261212345678901");
}

TEST(LogMask, ProseAboutACredentialKeyStaysReadable) {
  const std::string line = "config error: .env: FOLLOWER_2_TOTP_SECRET: not a base32 TOTP secret";
  EXPECT_EQ(log::Mask(line), line);
}

TEST(LogMask, JwtShapedTokensAreMaskedEvenIfUnregistered) {
  const std::string line = log::Mask("token eyJhbGciOiJIUzUxMiJ9.eyJ1c2VybmFtZSI6IkExMjMifQ.abc_def-ghi end");
  EXPECT_EQ(line, "token **** end");
}

TEST(Settings, DefaultsAreDryRunMirror) {
  auto s = ParseSettings("c.toml", "");
  ASSERT_TRUE(s.ok()) << s.error().ToString();
  EXPECT_TRUE(s->dry_run);
  EXPECT_EQ(s->default_rule.mode, QuantityMode::kMirror);
  EXPECT_EQ(s->broker.rest_url, "https://apiconnect.angelone.in");
  EXPECT_EQ(s->poll_interval_ms, 1000);
}

TEST(Settings, FullFileWithFollowerOverrides) {
  auto s = ParseSettings("c.toml", R"(
dry_run = false
[broker]
rest_url = "http://127.0.0.1:9000"
timeout_ms = 2000
[copy]
quantity_rule = "multiplier"
multiplier = 0.5
symbols_allow = ["SBIN-EQ", "RELIANCE-EQ"]
symbols_block = ["IDEA-EQ"]
max_copy_delay_ms = 5000
[copy.order_types]
STOPLOSS_MARKET = false
[followers.2]
quantity_rule = "fixed"
fixed_quantity = 5
[followers.3]
enabled = false
[bus]
router_publish = "tcp://0.0.0.0:5551"
router_publish_connect = "tcp://router-host:5551"
)");
  ASSERT_TRUE(s.ok()) << s.error().ToString();
  EXPECT_FALSE(s->dry_run);
  EXPECT_EQ(s->broker.timeout_ms, 2000);
  EXPECT_EQ(s->default_rule.mode, QuantityMode::kMultiplier);
  EXPECT_DOUBLE_EQ(s->default_rule.multiplier, 0.5);
  EXPECT_EQ(s->default_rules.symbols_allow.size(), 2u);
  EXPECT_TRUE(s->default_rules.symbols_block.count("IDEA-EQ"));
  EXPECT_FALSE(s->default_rules.order_types.at("STOPLOSS_MARKET"));
  EXPECT_TRUE(s->default_rules.order_types.at("MARKET"));
  const auto f1 = s->Follower(1);
  EXPECT_EQ(f1.rule.mode, QuantityMode::kMultiplier);
  EXPECT_EQ(f1.rule.source, "default");
  const auto f2 = s->Follower(2);
  EXPECT_EQ(f2.rule.mode, QuantityMode::kFixed);
  EXPECT_EQ(f2.rule.fixed_quantity, 5);
  EXPECT_EQ(f2.rule.source, "followers.2");
  EXPECT_EQ(f2.max_copy_delay_ms, 5000);
  EXPECT_FALSE(s->Follower(3).enabled);
  EXPECT_EQ(s->Follower(3).rule.source, "default");
  EXPECT_EQ(s->bus.router_publish_connect, "tcp://router-host:5551");
  EXPECT_EQ(s->bus.watcher_publish_connect, s->bus.watcher_publish_bind);
}

struct BadSetting {
  const char* toml;
  const char* key;
  const char* problem_part;
};

class SettingsErrors : public ::testing::TestWithParam<BadSetting> {};

TEST_P(SettingsErrors, NameFileKeyAndProblem) {
  auto s = ParseSettings("/etc/copytrade.toml", GetParam().toml);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().file, "/etc/copytrade.toml");
  EXPECT_EQ(s.error().key, GetParam().key);
  EXPECT_NE(s.error().problem.find(GetParam().problem_part), std::string::npos) << s.error().ToString();
}

INSTANTIATE_TEST_SUITE_P(
    All, SettingsErrors,
    ::testing::Values(BadSetting{"dry_run = \"no\"", "dry_run", "true or false"},
                      BadSetting{"dryrun = true", "dryrun", "unknown setting"},
                      BadSetting{"[copy]\nquantity_rule = \"double\"", "copy.quantity_rule", "mirror"},
                      BadSetting{"[copy]\nmultiplier = -1.0", "copy.multiplier", "greater than"},
                      BadSetting{"[copy]\nquantity_rule = \"fixed\"", "copy.fixed_quantity", "required"},
                      BadSetting{"[copy.order_types]\nICEBERG = true", "copy.order_types.ICEBERG", "unknown"},
                      BadSetting{"[followers.x]\nenabled = true", "followers.x", "by number"},
                      BadSetting{"[followers.1]\nmultiplyer = 2.0", "followers.1.multiplyer", "unknown"},
                      BadSetting{"[bus]\nrouter_publish = \"http://x\"", "bus.router_publish", "endpoint"},
                      BadSetting{"[watcher]\npoll_interval_ms = 200", "watcher.poll_interval_ms", "between"},
                      BadSetting{"[broker]\nrest_url = \"ftp://x\"", "broker.rest_url", "http"},
                      BadSetting{"[bus.curve]\nwatcher_key = \"k\"", "bus.curve.watcher_key", "unknown"},
                      BadSetting{"[bus.curve]\nenabled = 1", "bus.curve.enabled", "true or false"},
                      BadSetting{"[copy\nx = 1", "line 1", "not valid TOML"},
                      BadSetting{"[execution]\nlimit_buffer_pct = 80", "execution.limit_buffer_pct", "between 0 and 50"},
                      BadSetting{"[execution]\nlimit_buffer_pct = { option = 5 }",
                                 "execution.limit_buffer_pct.option", "unknown"},
                      BadSetting{"[execution]\nchase_interval_ms = 10", "execution.chase_interval_ms", "between"},
                      BadSetting{"[followers.1]\nsource_address = \"10.0.0\"", "followers.1.source_address",
                                 "IPv4"},
                      BadSetting{"[followers.1]\ncopy_mode = \"copy\"", "followers.1.copy_mode", "mirror"},
                      BadSetting{"[bus]\nexecutor_publish = \"ipc://run/executor.pub\"", "bus.executor_publish",
                                 "{n}"},
                      BadSetting{"[instruments]\nurl = \"file:///x\"", "instruments.url", "http"},
                      BadSetting{"[deploy]\nwatcher_host = \"a b\"", "deploy.watcher_host", "host name"},
                      BadSetting{"[deploy]\nhosts = []", "deploy.hosts", "unknown"},
                      BadSetting{"[followers.1]\nhost = 7", "followers.1.host", "string"},
                      BadSetting{"[alerts]\nwebhook = \"x\"", "alerts.webhook", "unknown"},
                      BadSetting{"[alerts]\nmin_interval_s = -1", "alerts.min_interval_s", "between"}));

TEST(Settings, DeployPlacementAndAlerts) {
  auto s = ParseSettings("c.toml",
                         "[deploy]\ndefault_host = \"alpha\"\nrouter_host = \"beta\"\n"
                         "[followers.3]\nhost = \"gamma\"\n"
                         "[alerts]\nwebhook_url = \"http://127.0.0.1:9/hook\"\nchat_id = \"42\"\n"
                         "command = \"logger -t copytrade\"\nmin_interval_s = 120\nfeed_down_alert_s = 30\n");
  ASSERT_TRUE(s.ok()) << s.error().ToString();
  EXPECT_EQ(s->deploy.default_host, "alpha");
  EXPECT_EQ(s->deploy.router_host, "beta");
  EXPECT_EQ(s->deploy.watcher_host, "");
  EXPECT_EQ(s->Follower(3).host, "gamma");
  EXPECT_EQ(s->alerts.chat_id, "42");
  EXPECT_EQ(s->alerts.min_interval_s, 120);
  EXPECT_EQ(s->alerts.feed_down_alert_s, 30);
  EXPECT_EQ(s->alerts.command, "logger -t copytrade");
}

TEST(Settings, AlertWebhookUrlIsASecret) {
  const std::string url = "https://api.telegram.org/bot999999999:AAAAbbbbCCCCddddEEEEffffGGGGhhhhIII/sendMessage";
  auto s = ParseSettings("c.toml", "[alerts]\nwebhook_url = \"" + url + "\"\n");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(log::Mask("alert to " + url), "alert to ****");
  auto bad = ParseSettings("c.toml", "[alerts]\nwebhook_url = \"ftp://secret-token-xyz\"\n");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().ToString().find("secret-token-xyz"), std::string::npos);
}

TEST(Settings, CopyRulesDefaultsAndPerFollowerOverrides) {
  auto s = ParseSettings("c.toml",
                         "[copy]\nsymbols_allow = [\"NIFTY\"]\nwindow = \"09:20-15:10\"\nmax_quantity = 3600\n"
                         "quantity_rule = \"fixed_lots\"\nfixed_lots = 2\n"
                         "[copy.order_types]\nSTOPLOSS_MARKET = false\n"
                         "[followers.2]\nreverse = true\nexchanges = [\"NFO\"]\ndaily_loss_limit = 5000\n"
                         "require_approval = true\nmin_one_lot = true\n"
                         "[followers.2.order_types]\nLIMIT = false\n"
                         "[dashboard]\nlisten = \"0.0.0.0:8321\"\n");
  ASSERT_TRUE(s.ok()) << s.error().ToString();
  const auto f1 = s->Follower(1);
  EXPECT_TRUE(f1.rules.symbols_allow.count("NIFTY"));
  ASSERT_TRUE(f1.rules.window.has_value());
  EXPECT_EQ(f1.rules.window->from_minute, 9 * 60 + 20);
  EXPECT_EQ(f1.rules.window->to_minute, 15 * 60 + 10);
  EXPECT_EQ(f1.rules.max_quantity, 3600);
  EXPECT_FALSE(f1.rules.order_types.at("STOPLOSS_MARKET"));
  EXPECT_FALSE(f1.rules.reverse);
  EXPECT_EQ(f1.rule.mode, QuantityMode::kFixedLots);
  EXPECT_EQ(f1.rule.fixed_lots, 2);
  const auto f2 = s->Follower(2);
  EXPECT_TRUE(f2.rules.reverse);
  EXPECT_EQ(f2.rules.exchanges, std::set<std::string>{"NFO"});
  EXPECT_DOUBLE_EQ(f2.rules.daily_loss_limit, 5000.0);
  EXPECT_TRUE(f2.rules.require_approval);
  EXPECT_TRUE(f2.rule.min_one_lot);
  EXPECT_EQ(f2.rule.source, "followers.2");
  EXPECT_FALSE(f2.rules.order_types.at("LIMIT"));
  EXPECT_FALSE(f2.rules.order_types.at("STOPLOSS_MARKET"));  // from [copy]
  EXPECT_EQ(f2.rules.max_quantity, 3600);                      // from [copy]
  EXPECT_EQ(s->dashboard.listen, "0.0.0.0:8321");
}

TEST(Settings, ExecutionPolicyDefaultsAndPerFollowerOverrides) {
  auto s = ParseSettings("c.toml",
                         "[execution]\nlimit_buffer_pct = { options = 5.0 }\nchase_for_s = 10\n"
                         "[followers.2]\nlimit_buffer_pct = 2.0\nmax_slippage_pct = 1.5\n"
                         "source_address = \"127.0.0.12\"\ncopy_mode = \"mirror\"\n");
  ASSERT_TRUE(s.ok()) << s.error().ToString();
  const auto f1 = s->Follower(1);
  EXPECT_DOUBLE_EQ(f1.execution.limit_buffer.options_pct, 5.0);
  EXPECT_DOUBLE_EQ(f1.execution.limit_buffer.equity_pct, 1.0);  // default
  EXPECT_EQ(f1.execution.chase_for_s, 10);
  EXPECT_DOUBLE_EQ(f1.execution.max_slippage_pct, 3.0);
  EXPECT_EQ(f1.copy_mode, CopyMode::kComplete);
  EXPECT_TRUE(f1.source_address.empty());
  const auto f2 = s->Follower(2);
  EXPECT_DOUBLE_EQ(f2.execution.limit_buffer.options_pct, 2.0);  // one number: every segment
  EXPECT_DOUBLE_EQ(f2.execution.limit_buffer.equity_pct, 2.0);
  EXPECT_DOUBLE_EQ(f2.execution.max_slippage_pct, 1.5);
  EXPECT_EQ(f2.execution.chase_for_s, 10);  // inherited from [execution]
  EXPECT_EQ(f2.source_address, "127.0.0.12");
  EXPECT_EQ(f2.copy_mode, CopyMode::kMirror);
  EXPECT_EQ(ExecutorEndpoint(s->bus.executor_publish_bind, 12), "ipc://run/executor-12.pub");
}

TEST(Settings, CrossCheckNamesFollowerWithoutCredentials) {
  auto env = ParseEnv(".env", ValidEnv());
  ASSERT_TRUE(env.ok());
  auto s = ParseSettings("c.toml", "[followers.2]\nenabled = true\n");
  ASSERT_TRUE(s.ok());
  auto err = CrossCheck(*s, *env);
  ASSERT_TRUE(err.has_value());
  EXPECT_EQ(err->key, "followers.2");
}

}  // namespace
}  // namespace ct::config

namespace ct::config {
namespace {

TEST(Settings, ShippedExamplesAreValidAndDryRun) {
  auto settings = LoadSettings(CT_SOURCE_DIR "/deploy/copytrade.example.toml");
  ASSERT_TRUE(settings.ok()) << settings.error().ToString();
  auto env = LoadEnvFile(CT_SOURCE_DIR "/deploy/example.env");
  ASSERT_TRUE(env.ok()) << env.error().ToString();
  EXPECT_FALSE(CrossCheck(*settings, *env).has_value());
  EXPECT_TRUE(settings->dry_run);
  EXPECT_EQ(env->followers.size(), 2u);
}

}  // namespace
}  // namespace ct::config
