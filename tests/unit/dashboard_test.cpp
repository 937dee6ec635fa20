// The dashboard's logic without processes: what the page shows for a
// sequence of bus messages (DashboardModel), what /metrics renders, and who
// may use it (web_security.h).
#include <gtest/gtest.h>

#include <zmq.hpp>

#include "common/bus/loop.h"
#include "common/time/clock.h"
#include "dashboard/control_client.h"
#include "dashboard/metrics.h"
#include "dashboard/model.h"
#include "dashboard/web_security.h"

namespace ct::dashboard {
namespace {

constexpr int64_t kMs = 1'000'000;

class ModelTest : public ::testing::Test {
 protected:
  // 2026-12-08 10:00 IST.
  int64_t now = 1'796'704'200'000'000'000;
  DashboardModel model{{"follower-1", "follower-2"}};

  v1::MasterOrderEvent Master(const std::string& id, v1::OrderEventKind kind, int64_t filled = 0) {
    v1::MasterOrderEvent e;
    e.set_kind(kind);
    e.set_detected_time_ns(now);
    auto* o = e.mutable_order();
    o->set_orderid(id);
    o->set_tradingsymbol("SBIN-EQ");
    o->set_exchange("NSE");
    o->set_transactiontype("BUY");
    o->set_ordertype("MARKET");
    o->set_quantity(10);
    o->set_filledshares(filled);
    o->set_averageprice(filled ? 812.5 : 0);
    return e;
  }
  v1::CopyInstruction Instruction(const std::string& id, const std::string& follower, const std::string& tag,
                                  int64_t qty) {
    v1::CopyInstruction c;
    c.set_follower_id(follower);
    c.set_master_order_id(id);
    c.set_ordertag(tag);
    c.set_detected_time_ns(now);
    c.set_action(v1::COPY_ACTION_PLACE);
    c.mutable_order()->set_quantity(qty);
    c.mutable_order()->set_tradingsymbol("SBIN-EQ");
    return c;
  }
  v1::ExecutionReport Report(const std::string& id, const std::string& follower, const std::string& tag,
                             v1::Outcome outcome, bool final) {
    v1::ExecutionReport r;
    r.set_follower_id(follower);
    r.set_master_order_id(id);
    r.set_ordertag(tag);
    r.set_outcome(outcome);
    r.set_final(final);
    r.set_master_event_detected_ns(now);
    r.mutable_order()->set_quantity(10);
    return r;
  }
  nlohmann::json Row(const std::string& id) {
    const auto snapshot = model.Snapshot();
    for (const auto& o : snapshot["orders"])
      if (o["id"] == id) return o;
    return nullptr;
  }
};

TEST_F(ModelTest, AMasterOrderAppearsThenEachCopyMovesToItsFill) {
  auto u = model.ApplyMasterEvent(Master("M1", v1::ORDER_EVENT_PLACED), now + 5 * kMs);
  ASSERT_EQ(u.size(), 1u);
  EXPECT_EQ(u[0]["type"], "order");
  EXPECT_TRUE(u[0].value("new", false)) << "a fresh master order is news: the page beeps if asked to";
  EXPECT_EQ(u[0]["row"]["symbol"], "SBIN-EQ");
  EXPECT_TRUE(u[0]["row"]["copies"].empty());

  model.ApplyMasterEvent(Master("M1", v1::ORDER_EVENT_FILLED, 10), now);
  EXPECT_EQ(Row("M1")["event"], "filled");
  EXPECT_EQ(Row("M1")["filled"], 10);

  model.ApplyInstruction(Instruction("M1", "follower-1", "t1", 10), now);
  EXPECT_EQ(Row("M1")["copies"]["follower-1"]["state"], "routed");
  EXPECT_EQ(Row("M1")["copies"]["follower-1"]["quantity"], 10);

  auto accepted = Report("M1", "follower-1", "t1", v1::OUTCOME_ACCEPTED, false);
  accepted.mutable_timings()->set_accepted_ms(42);
  accepted.set_limit_price(815.0);
  model.ApplyReport(accepted, now);
  EXPECT_EQ(Row("M1")["copies"]["follower-1"]["state"], "placed");
  EXPECT_EQ(Row("M1")["copies"]["follower-1"]["latency_ms"], 42.0);

  auto modified = Report("M1", "follower-1", "t1", v1::OUTCOME_MODIFIED, false);
  modified.set_modifications(1);
  model.ApplyReport(modified, now);
  EXPECT_EQ(Row("M1")["copies"]["follower-1"]["state"], "chasing");

  auto filled = Report("M1", "follower-1", "t1", v1::OUTCOME_FILLED, true);
  filled.set_filled_quantity(10);
  filled.set_average_price(813.0);
  filled.set_master_price(812.5);
  filled.set_slippage_bps(6.15);
  filled.mutable_timings()->set_accepted_ms(42);
  filled.mutable_timings()->set_final_ms(120);
  auto fu = model.ApplyReport(filled, now);
  const auto cell = Row("M1")["copies"]["follower-1"];
  EXPECT_EQ(cell["state"], "filled");
  EXPECT_TRUE(cell["final"]);
  EXPECT_EQ(cell["filled"], 10);
  EXPECT_DOUBLE_EQ(cell["fill_price"].get<double>(), 813.0);
  EXPECT_DOUBLE_EQ(cell["slippage_bps"].get<double>(), 6.15);
  // The follower's panel counts it.
  const auto followers = model.Snapshot()["followers"];
  EXPECT_EQ(followers[0]["id"], "follower-1");
  EXPECT_EQ(followers[0]["copies_today"]["FILLED"], 1);
  // Latency observed once (accepted and filled both carry accepted_ms).
  EXPECT_EQ(model.Snapshot()["latency"]["count"], 1);
  EXPECT_EQ(model.copies_final().at({"follower-1", "FILLED"}), 1u);
}

TEST_F(ModelTest, SkippedHeldAndRejectedShowTheirReason) {
  model.ApplyMasterEvent(Master("M2", v1::ORDER_EVENT_FILLED, 10), now);
  auto skipped = Report("M2", "follower-2", "", v1::OUTCOME_SKIPPED, true);
  skipped.set_reason("paused");
  skipped.set_copy_id("c2");
  model.ApplyReport(skipped, now);
  EXPECT_EQ(Row("M2")["copies"]["follower-2"]["state"], "skipped");
  EXPECT_EQ(Row("M2")["copies"]["follower-2"]["reason"], "paused");

  auto held = Report("M2", "follower-1", "t1", v1::OUTCOME_HELD, false);
  held.set_reason("require_approval");
  model.ApplyReport(held, now);
  EXPECT_EQ(Row("M2")["copies"]["follower-1"]["state"], "held");
  EXPECT_FALSE(Row("M2")["copies"]["follower-1"]["final"]);

  auto rejected = Report("M2", "follower-1", "t1", v1::OUTCOME_REJECTED, true);
  rejected.set_error_text("insufficient margin");
  rejected.set_error_code("AB4036");
  model.ApplyReport(rejected, now);
  EXPECT_EQ(Row("M2")["copies"]["follower-1"]["state"], "rejected");
  EXPECT_EQ(Row("M2")["copies"]["follower-1"]["reason"], "insufficient margin");
  EXPECT_EQ(model.broker_errors().at({"follower-1", "AB4036"}), 1u);
}

TEST_F(ModelTest, RepeatedAndLateReportsNeitherCountTwiceNorGoBack) {
  model.ApplyMasterEvent(Master("M3", v1::ORDER_EVENT_FILLED, 10), now);
  auto filled = Report("M3", "follower-1", "t1", v1::OUTCOME_FILLED, true);
  model.ApplyReport(filled, now);
  model.ApplyReport(filled, now);  // at-least-once delivery
  model.ApplyReport(Report("M3", "follower-1", "t1", v1::OUTCOME_MODIFIED, false), now);  // late progress
  EXPECT_EQ(Row("M3")["copies"]["follower-1"]["state"], "filled");
  EXPECT_EQ(model.copies_final().at({"follower-1", "FILLED"}), 1u);
}

TEST_F(ModelTest, ACopySkippedThenPlacedShowsAndCountsItsFill) {
  model.ApplyMasterEvent(Master("M8", v1::ORDER_EVENT_FILLED, 10), now);
  auto skipped = Report("M8", "follower-1", "t8", v1::OUTCOME_SKIPPED, true);
  skipped.set_reason("partially filled: waiting for the rest");
  model.ApplyReport(skipped, now);
  EXPECT_EQ(Row("M8")["copies"]["follower-1"]["state"], "skipped");
  EXPECT_EQ(model.copies_final().at({"follower-1", "SKIPPED"}), 1u);
  model.ApplyInstruction(Instruction("M8", "follower-1", "t8", 10), now);
  EXPECT_EQ(Row("M8")["copies"]["follower-1"]["state"], "routed");
  model.ApplyReport(Report("M8", "follower-1", "t8", v1::OUTCOME_FILLED, true), now);
  EXPECT_EQ(Row("M8")["copies"]["follower-1"]["state"], "filled");
  // As the records keep one record per copy: now FILLED, no longer SKIPPED.
  EXPECT_EQ(model.copies_final().at({"follower-1", "FILLED"}), 1u);
  EXPECT_EQ(model.copies_final().at({"follower-1", "SKIPPED"}), 0u);
  EXPECT_FALSE(model.Snapshot()["followers"][0]["copies_today"].contains("SKIPPED"));
}

TEST_F(ModelTest, LegsOfOneCopyShowAsOneCell) {
  model.ApplyMasterEvent(Master("M4", v1::ORDER_EVENT_FILLED, 10), now);
  model.ApplyInstruction(Instruction("M4", "follower-1", "a", 1800), now);
  model.ApplyInstruction(Instruction("M4", "follower-1", "b", 200), now);
  auto a = Report("M4", "follower-1", "a", v1::OUTCOME_FILLED, true);
  a.set_filled_quantity(1800);
  a.set_average_price(100);
  a.mutable_order()->set_quantity(1800);
  model.ApplyReport(a, now);
  EXPECT_EQ(Row("M4")["copies"]["follower-1"]["state"], "routed") << "one leg still moving";
  auto b = Report("M4", "follower-1", "b", v1::OUTCOME_FILLED, true);
  b.set_filled_quantity(200);
  b.set_average_price(110);
  b.mutable_order()->set_quantity(200);
  model.ApplyReport(b, now);
  const auto cell = Row("M4")["copies"]["follower-1"];
  EXPECT_EQ(cell["state"], "filled");
  EXPECT_EQ(cell["quantity"], 2000);
  EXPECT_EQ(cell["filled"], 2000);
  EXPECT_DOUBLE_EQ(cell["fill_price"].get<double>(), 101.0);
  EXPECT_EQ(cell["legs"], 2);
}

TEST_F(ModelTest, OlderDaysFromAReplayAreLeftOutAndOldOrdersAreNotNews) {
  model.ApplyMasterEvent(Master("M5", v1::ORDER_EVENT_FILLED, 10), now + 2 * 86'400'000 * kMs);
  EXPECT_TRUE(model.Snapshot()["orders"].empty());
  auto u = model.ApplyMasterEvent(Master("M6", v1::ORDER_EVENT_PLACED), now + 60'000 * kMs);
  ASSERT_EQ(u.size(), 1u);
  EXPECT_FALSE(u[0].value("new", false)) << "replayed a minute later: no beep";
}

TEST_F(ModelTest, FollowerStateAndRouterControlFillThePanel) {
  v1::FollowerState s;
  s.set_follower_id("follower-2");
  s.set_broker_ok(true);
  s.set_order_feed_connected(true);
  s.set_day_pnl_known(true);
  s.set_day_pnl(-120.5);
  s.set_last_error("AB1004: something");
  model.ApplyStreamState("reports/follower-2", true);
  model.ApplyFollowerState(s, now);
  v1::ControlReply reply;
  reply.set_ok(true);
  auto* fc = reply.add_followers();
  fc->set_follower_id("follower-2");
  fc->set_paused(true);
  auto* h = reply.add_held();
  h->set_id("H1");
  h->set_follower_id("follower-1");
  h->mutable_instruction()->set_master_order_id("M7");
  auto u = model.ApplyControlState(&reply, true);
  ASSERT_GE(u.size(), 2u);
  const auto snap = model.Snapshot();
  const auto& f2 = snap["followers"][1];
  EXPECT_EQ(f2["id"], "follower-2");
  EXPECT_TRUE(f2["connected"]);
  EXPECT_TRUE(f2["paused"]);
  EXPECT_DOUBLE_EQ(f2["day_pnl"].get<double>(), -120.5);
  EXPECT_EQ(f2["last_error"], "AB1004: something");
  EXPECT_FALSE(snap["followers"][0].contains("day_pnl")) << "unknown P&L is not shown as 0";
  EXPECT_EQ(snap["held"][0]["id"], "H1");
  EXPECT_TRUE(snap["bus"]["router_control"]);
  // The same reply again changes nothing on the page.
  EXPECT_TRUE(model.ApplyControlState(&reply, true).empty());
  // The router stops answering.
  auto down = model.ApplyControlState(nullptr, false);
  ASSERT_EQ(down.size(), 1u);
  EXPECT_FALSE(down[0]["bus"]["router_control"]);
}

TEST_F(ModelTest, MetricsRenderCountsHistogramsLagAndFeed) {
  model.ApplyMasterEvent(Master("M1", v1::ORDER_EVENT_FILLED, 10), now);
  auto filled = Report("M1", "follower-1", "t1", v1::OUTCOME_FILLED, true);
  filled.mutable_timings()->set_accepted_ms(30);
  filled.mutable_timings()->set_final_ms(80);
  model.ApplyReport(filled, now);
  auto rejected = Report("M1", "follower-2", "t2", v1::OUTCOME_REJECTED, true);
  model.ApplyReport(rejected, now);
  std::map<std::string, nlohmann::json> statuses;
  statuses["watcher"] = {{"time_ns", now}, {"feed_connected", true}, {"last_poll_ns", now - 400 * kMs},
                         {"publishes", {{"master", {{"last_seq", 12}}}}}};
  statuses["router"] = {{"time_ns", now - 10'000 * kMs},  // stale: not running
                        {"subscribes", {{"master", {{"applied_seq", 9}, {"publisher_up", true}}}}}};
  const std::string text = RenderMetrics(model, statuses, {{"master", {12, true}}}, now);
  auto has = [&](const std::string& line) { return text.find(line + "\n") != std::string::npos; };
  EXPECT_TRUE(has("copytrade_up{process=\"dashboard\"} 1")) << text;
  EXPECT_TRUE(has("copytrade_up{process=\"watcher\"} 1"));
  EXPECT_TRUE(has("copytrade_up{process=\"router\"} 0"));
  EXPECT_TRUE(has("copytrade_copies_total{follower=\"follower-1\",state=\"FILLED\"} 1"));
  EXPECT_TRUE(has("copytrade_copies_total{follower=\"follower-2\",state=\"REJECTED\"} 1"));
  EXPECT_TRUE(has("copytrade_copy_latency_seconds_bucket{follower=\"follower-1\",le=\"0.025\",stage=\"accepted\"} 0"));
  EXPECT_TRUE(has("copytrade_copy_latency_seconds_bucket{follower=\"follower-1\",le=\"0.05\",stage=\"accepted\"} 1"));
  EXPECT_TRUE(has("copytrade_copy_latency_seconds_bucket{follower=\"follower-1\",le=\"+Inf\",stage=\"final\"} 1"));
  EXPECT_TRUE(has("copytrade_copy_latency_seconds_count{follower=\"follower-1\",stage=\"accepted\"} 1"));
  EXPECT_TRUE(has("copytrade_stream_lag_messages{stream=\"master\",subscriber=\"router\"} 3"));
  EXPECT_TRUE(has("copytrade_stream_lag_messages{stream=\"master\",subscriber=\"dashboard\"} 0"));
  EXPECT_TRUE(has("copytrade_stream_publisher_up{stream=\"master\",subscriber=\"router\"} 0"));
  EXPECT_TRUE(has("copytrade_feed_connected{account=\"master\"} 1"));
  EXPECT_TRUE(has("copytrade_master_last_poll_age_seconds 0.4"));
  EXPECT_TRUE(has("copytrade_broker_errors_total{follower=\"follower-2\",kind=\"rejected\"} 1"));
  EXPECT_TRUE(has("# TYPE copytrade_copy_latency_seconds histogram"));
  EXPECT_EQ(EscapeLabel("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
}

// ---- the router's control socket, from the dashboard's side ------------------

TEST(ControlClient, RequestsGoOneAtATimeAndEachGetsItsReply) {
  zmq::context_t ctx;
  bus::Loop loop;
  zmq::socket_t router(ctx, zmq::socket_type::rep);
  router.bind("inproc://control-test");
  std::vector<std::string> asked;
  loop.AddSocket(router, [&] {
    zmq::message_t m;
    if (!router.recv(m, zmq::recv_flags::dontwait)) return;
    v1::ControlRequest req;
    req.ParseFromArray(m.data(), static_cast<int>(m.size()));
    asked.push_back(req.command() + ":" + req.target() + ":" + req.origin());
    v1::ControlReply reply;
    reply.set_ok(true);
    reply.set_message(req.command() + " done");
    const std::string bytes = reply.SerializeAsString();
    router.send(zmq::buffer(bytes), zmq::send_flags::none);
  });
  ControlClient client(ctx, loop, SystemClock::instance(), "inproc://control-test", std::nullopt);
  std::vector<std::string> answers;
  for (const std::string command : {"pause", "resume", "state"}) {
    v1::ControlRequest req;
    req.set_command(command);
    req.set_target("follower-1");
    client.Send(req, [&](const v1::ControlReply* r, const std::string& error) {
      answers.push_back(r ? r->message() : "error: " + error);
      if (answers.size() == 3) loop.Stop();
    });
  }
  loop.After(std::chrono::seconds(10), [&] { loop.Stop(); });
  loop.Run();
  EXPECT_EQ(asked, (std::vector<std::string>{"pause:follower-1:dashboard", "resume:follower-1:dashboard",
                                             "state:follower-1:dashboard"}));
  EXPECT_EQ(answers, (std::vector<std::string>{"pause done", "resume done", "state done"}));
}

TEST(ControlClient, ARouterThatDoesNotAnswerFailsTheRequestAndTheNextOneStillGoes) {
  zmq::context_t ctx;
  bus::Loop loop;
  ControlClient client(ctx, loop, SystemClock::instance(), "ipc:///tmp/ct-dashboard-test-nobody.control",
                       std::nullopt, std::chrono::milliseconds(200));
  std::vector<std::string> errors;
  for (int i = 0; i < 2; ++i) {
    v1::ControlRequest req;
    req.set_command("state");
    client.Send(req, [&](const v1::ControlReply* r, const std::string& error) {
      EXPECT_EQ(r, nullptr);
      errors.push_back(error);
      if (errors.size() == 2) loop.Stop();
    });
  }
  loop.After(std::chrono::seconds(10), [&] { loop.Stop(); });
  loop.Run();
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_EQ(errors[0], "the router's control socket did not answer");
  EXPECT_EQ(client.queued(), 0u);
}

// ---- who may use it ----------------------------------------------------------

RequestFacts Get(const std::string& target, const std::string& host) {
  RequestFacts r;
  r.method = "GET";
  r.target = target;
  r.host = host;
  return r;
}

TEST(WebSecurity, LoopbackNeedsNoTokenButRefusesAForeignHostName) {
  CsrfTokens csrf;
  const AccessPolicy p{"127.0.0.1", 8321, ""};
  EXPECT_EQ(Check(p, Get("/", "127.0.0.1:8321"), csrf, false).status, 200);
  EXPECT_EQ(Check(p, Get("/", "localhost:8321"), csrf, false).status, 200);
  // DNS rebinding: evil.example resolved to 127.0.0.1.
  EXPECT_EQ(Check(p, Get("/", "evil.example:8321"), csrf, false).status, 403);
  EXPECT_EQ(Check(p, Get("/", "127.0.0.1:9999"), csrf, false).status, 403);
}

TEST(WebSecurity, ElsewhereEveryRequestNeedsTheToken) {
  CsrfTokens csrf;
  const AccessPolicy p{"0.0.0.0", 8321, "s3cret-token-0123456789"};
  EXPECT_EQ(Check(p, Get("/", "10.0.0.5:8321"), csrf, false).status, 401);
  EXPECT_EQ(Check(p, Get("/events", "10.0.0.5:8321"), csrf, false).status, 401);
  EXPECT_EQ(Check(p, Get("/metrics?token=wrong", "10.0.0.5:8321"), csrf, false).status, 401);
  auto in_query = Check(p, Get("/?token=s3cret-token-0123456789", "10.0.0.5:8321"), csrf, false);
  EXPECT_EQ(in_query.status, 200);
  EXPECT_TRUE(in_query.set_cookie) << "remembered, so the page's own requests carry it";
  auto cookie = Get("/events", "10.0.0.5:8321");
  cookie.cookie = "other=1; ct_dashboard_token=s3cret-token-0123456789";
  EXPECT_EQ(Check(p, cookie, csrf, false).status, 200);
  auto bearer = Get("/metrics", "10.0.0.5:8321");
  bearer.authorization = "Bearer s3cret-token-0123456789";
  EXPECT_EQ(Check(p, bearer, csrf, false).status, 200);
  bearer.authorization = "Bearer s3cret-token-012345678";
  EXPECT_EQ(Check(p, bearer, csrf, false).status, 401);
  // Not configured: nobody gets in (the process refuses to start so anyway).
  EXPECT_EQ(Check(AccessPolicy{"0.0.0.0", 8321, ""}, Get("/?token=", "h:8321"), csrf, false).status, 401);
}

TEST(WebSecurity, ActionsNeedPostSameOriginAndAPageToken) {
  CsrfTokens csrf;
  const AccessPolicy p{"127.0.0.1", 8321, ""};
  const std::string page_token = csrf.Issue();
  RequestFacts r = Get("/api/action", "127.0.0.1:8321");
  r.method = "POST";
  r.origin = "http://127.0.0.1:8321";
  r.csrf = page_token;
  EXPECT_EQ(Check(p, r, csrf, true).status, 200);
  auto cross = r;
  cross.origin = "http://evil.example";
  EXPECT_EQ(Check(p, cross, csrf, true).status, 403);
  auto site = r;
  site.sec_fetch_site = "cross-site";
  EXPECT_EQ(Check(p, site, csrf, true).status, 403);
  auto no_token = r;
  no_token.csrf = "";
  EXPECT_EQ(Check(p, no_token, csrf, true).status, 403);
  auto forged = r;
  forged.csrf = "0123456789abcdef0123456789abcdef";
  EXPECT_EQ(Check(p, forged, csrf, true).status, 403);
  auto get = r;
  get.method = "GET";
  EXPECT_EQ(Check(p, get, csrf, true).status, 405);
}

TEST(WebSecurity, PageTokensExpireOldestFirst) {
  CsrfTokens csrf(2);
  const auto a = csrf.Issue(), b = csrf.Issue(), c = csrf.Issue();
  EXPECT_NE(a, b);
  EXPECT_EQ(a.size(), 32u);
  EXPECT_FALSE(csrf.Valid(a));
  EXPECT_TRUE(csrf.Valid(b));
  EXPECT_TRUE(csrf.Valid(c));
  EXPECT_FALSE(csrf.Valid(""));
}

TEST(WebSecurity, QueryAndPathParsing) {
  EXPECT_EQ(PathOf("/metrics?token=x"), "/metrics");
  EXPECT_EQ(QueryParam("/?a=1&token=xyz&b=2", "token"), "xyz");
  EXPECT_EQ(QueryParam("/?a=1", "token"), "");
  EXPECT_TRUE(ConstantTimeEquals("abc", "abc"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abd"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abcd"));
  EXPECT_TRUE(IsLoopbackHost("127.0.0.1"));
  EXPECT_TRUE(IsLoopbackHost("::1"));
  EXPECT_FALSE(IsLoopbackHost("0.0.0.0"));
}

}  // namespace
}  // namespace ct::dashboard
