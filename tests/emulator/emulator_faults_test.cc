// Copyright 2026 The tracktry-grpc Authors.
//
// Fault injection of the emulator over real sockets: every fault kind, the
// rule filters, times/probability, and the client-gave-up counter.
#include <chrono>
#include <string>
#include <thread>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "emulator/emulator.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/testing/emulator_harness.h"

namespace tracktry {
namespace {

using testing::EmulatorHarness;
using ::testing::HasSubstr;
using testing::HttpResult;
using testing::RawHttpExchange;
using testing::RawResult;
using Json = nlohmann::json;
using Clock = std::chrono::steady_clock;

int64_t ElapsedMs(Clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() -
                                                               start)
      .count();
}

// Splits a raw response into head and body.
std::pair<std::string, std::string> SplitResponse(const std::string& data) {
  const size_t end = data.find("\r\n\r\n");
  if (end == std::string::npos) return {data, ""};
  return {data.substr(0, end), data.substr(end + 4)};
}

size_t ContentLength(const std::string& head) {
  const std::string lower = absl::AsciiStrToLower(head);
  const size_t pos = lower.find("content-length:");
  if (pos == std::string::npos) return 0;
  size_t value = 0;
  const size_t end = lower.find("\r\n", pos);
  (void)absl::SimpleAtoi(
      absl::StripAsciiWhitespace(lower.substr(pos + 15, end - pos - 15)),
      &value);
  return value;
}

class EmulatorFaultsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(harness_.Start().ok());
    // One tracking so that GET has a real body to reshape.
    ASSERT_EQ(
        harness_
            .Api(
                "POST", "/trackings/post",
                R"({"tracking_number":"RN123456789CN","carrier_code":"china-post"})")
            .MetaCode(),
        200);
  }

  void SetFaults(const std::string& rules) {
    const HttpResult r = harness_.Admin("PUT", "/faults", rules);
    ASSERT_EQ(r.status, 200) << r.body;
  }

  std::string RawGet(const std::string& path) {
    return absl::StrCat("GET /v1", path, " HTTP/1.1\r\nHost: 127.0.0.1\r\n",
                        "Tracktry-Api-Key: ", EmulatorHarness::kApiKey,
                        "\r\n\r\n");
  }

  // Waits up to 3 s for connections_closed_by_client_before_response to
  // reach `want`.
  int64_t WaitForClientCloses(int64_t want) {
    int64_t seen = 0;
    for (int i = 0; i < 300; ++i) {
      seen = harness_.emulator()
                 .stats()
                 .connections_closed_by_client_before_response;
      if (seen >= want) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return seen;
  }

  const std::string kGetPath = "/trackings/china-post/RN123456789CN";
  EmulatorHarness harness_;
};

TEST_F(EmulatorFaultsTest, LatencyRuleDelaysOnlyMatchingRoute) {
  SetFaults(R"({"rules":[{"route":"get","kind":"latency","latency_ms":300}]})");
  auto start = Clock::now();
  EXPECT_EQ(harness_.Api("GET", kGetPath).MetaCode(), 200);
  EXPECT_GE(ElapsedMs(start), 300);
  start = Clock::now();
  EXPECT_EQ(harness_.Api("GET", "/carriers").MetaCode(), 200);
  EXPECT_LT(ElapsedMs(start), 250);
  EXPECT_EQ(harness_.emulator().stats().faults_by_kind.at("latency"), 1);
}

TEST_F(EmulatorFaultsTest, HttpErrorServesHtmlPage) {
  SetFaults(
      R"({"rules":[{"route":"*","kind":"http_error","http_status":503,"retry_after_s":30}]})");
  const HttpResult r = harness_.Api("GET", kGetPath);
  EXPECT_EQ(r.status, 503);
  EXPECT_THAT(r.Header("Content-Type"), HasSubstr("text/html"));
  EXPECT_THAT(r.body, HasSubstr("503"));
  EXPECT_THAT(r.body, HasSubstr("nginx"));
  EXPECT_EQ(r.Header("Retry-After"), "30");
  EXPECT_EQ(r.MetaCode(), -1);
  EXPECT_EQ(harness_.emulator().stats().responses_by_http_status.at(503), 1);
}

TEST_F(EmulatorFaultsTest, MetaErrorUsesEnvelopeAndOptionalHttpStatus) {
  SetFaults(
      R"({"rules":[{"route":"get","kind":"meta_error","meta_code":4019,"times":1},
                        {"route":"get","kind":"meta_error","meta_code":429,"http_status":429,"retry_after_s":120}]})");
  HttpResult r = harness_.Api("GET", kGetPath);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.MetaCode(), 4019);
  EXPECT_EQ(r.Json()["meta"]["type"], "Bad Request");
  r = harness_.Api("GET", kGetPath);
  EXPECT_EQ(r.status, 429);
  EXPECT_EQ(r.MetaCode(), 429);
  EXPECT_EQ(r.Header("Retry-After"), "120");
  EXPECT_EQ(
      r.Json()["meta"]["message"],
      "Exceeded API limits. Pause requests, wait two minute, and try again.");
  const emulator::StatsSnapshot stats = harness_.emulator().stats();
  EXPECT_EQ(stats.rate_limited_total, 1);
  EXPECT_EQ(stats.responses_by_meta_code.at(4019), 1);
  EXPECT_EQ(stats.responses_by_meta_code.at(429), 1);
}

TEST_F(EmulatorFaultsTest, MalformedJsonIsNotJson) {
  SetFaults(R"({"rules":[{"route":"get","kind":"malformed_json"}]})");
  const HttpResult r = harness_.Api("GET", kGetPath);
  EXPECT_EQ(r.status, 200);
  EXPECT_FALSE(r.body.empty());
  EXPECT_TRUE(r.Json().is_discarded());
}

TEST_F(EmulatorFaultsTest, TruncatedJsonCutsRealBodyInHalf) {
  const std::string full = harness_.Api("GET", kGetPath).body;
  SetFaults(R"({"rules":[{"route":"get","kind":"truncated_json"}]})");
  const RawResult raw =
      RawHttpExchange(harness_.port(), RawGet(kGetPath), 3000);
  ASSERT_TRUE(raw.complete);
  const auto [head, body] = SplitResponse(raw.data);
  EXPECT_THAT(head, HasSubstr("HTTP/1.1 200"));
  EXPECT_EQ(ContentLength(head), body.size());
  EXPECT_EQ(body.size(), full.size() / 2);
  EXPECT_TRUE(Json::parse(body, nullptr, false).is_discarded());
  EXPECT_EQ(full.substr(0, body.size()), body);
}

TEST_F(EmulatorFaultsTest, WrongShapeIsValidJsonOfWrongShape) {
  SetFaults(R"({"rules":[{"route":"get","kind":"wrong_shape","times":1},
                        {"route":"get","kind":"wrong_shape","shape":"meta_missing"}]})");
  Json json = harness_.Api("GET", kGetPath).Json();
  ASSERT_FALSE(json.is_discarded());
  EXPECT_TRUE(json["data"].is_number());
  json = harness_.Api("GET", kGetPath).Json();
  ASSERT_FALSE(json.is_discarded());
  EXPECT_FALSE(json.contains("meta"));
}

TEST_F(EmulatorFaultsTest, OversizeBodyHasRequestedSize) {
  SetFaults(
      R"({"rules":[{"route":"list","kind":"oversize","oversize_bytes":1048576}]})");
  const HttpResult r = harness_.Api("GET", "/trackings/get");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.body.size(), 1048576u);
  EXPECT_EQ(r.MetaCode(), 200);
}

TEST_F(EmulatorFaultsTest, DropClosesWithoutResponse) {
  SetFaults(R"({"rules":[{"route":"get","kind":"drop"}]})");
  const RawResult raw =
      RawHttpExchange(harness_.port(), RawGet(kGetPath), 3000);
  EXPECT_TRUE(raw.eof || raw.reset);
  EXPECT_FALSE(raw.timed_out);
  EXPECT_TRUE(raw.data.empty());
  EXPECT_EQ(harness_.Api("GET", kGetPath).status, 0);
}

TEST_F(EmulatorFaultsTest, ResetMidBodySendsPartOfBodyThenResets) {
  SetFaults(R"({"rules":[{"route":"get","kind":"reset_mid_body"}]})");
  const RawResult raw =
      RawHttpExchange(harness_.port(), RawGet(kGetPath), 3000);
  EXPECT_FALSE(raw.complete);
  EXPECT_FALSE(raw.timed_out);
  EXPECT_TRUE(raw.reset || raw.eof);
  const auto [head, body] = SplitResponse(raw.data);
  if (!raw.data.empty()) {
    EXPECT_THAT(head, HasSubstr("HTTP/1.1 200"));
    EXPECT_LT(body.size(), ContentLength(head));
  }
  EXPECT_EQ(harness_.Api("GET", kGetPath).status, 0);
}

TEST_F(EmulatorFaultsTest, HangNeverAnswersAndCountsClientGivingUp) {
  SetFaults(R"({"rules":[{"route":"get","kind":"hang"}]})");
  const auto start = Clock::now();
  const RawResult raw = RawHttpExchange(harness_.port(), RawGet(kGetPath), 300);
  EXPECT_TRUE(raw.timed_out);
  EXPECT_TRUE(raw.data.empty());
  EXPECT_GE(ElapsedMs(start), 290);
  EXPECT_EQ(WaitForClientCloses(1), 1);
  const HttpResult r = harness_.Request(
      "GET", "/v1" + kGetPath, "",
      {{"Tracktry-Api-Key", EmulatorHarness::kApiKey}}, /*timeout_ms=*/200);
  EXPECT_EQ(r.status, 0);
  EXPECT_EQ(WaitForClientCloses(2), 2);
  const emulator::StatsSnapshot stats = harness_.emulator().stats();
  EXPECT_EQ(stats.in_flight, 0);
  EXPECT_EQ(stats.faults_by_kind.at("hang"), 2);
}

TEST_F(EmulatorFaultsTest, ClientTimeoutDuringLatencyIsCounted) {
  ASSERT_TRUE(harness_.emulator().SetLatencyMs(2000).ok());
  const auto start = Clock::now();
  const HttpResult r = harness_.Request(
      "GET", "/v1" + kGetPath, "",
      {{"Tracktry-Api-Key", EmulatorHarness::kApiKey}}, /*timeout_ms=*/200);
  EXPECT_EQ(r.status, 0);
  EXPECT_LT(ElapsedMs(start), 1500);
  EXPECT_EQ(WaitForClientCloses(1), 1);
  EXPECT_EQ(harness_.emulator().stats().in_flight, 0);
}

TEST_F(EmulatorFaultsTest, TrickleSendsBodySlowly) {
  const std::string full = harness_.Api("GET", kGetPath).body;
  ASSERT_GT(full.size(), 500u);
  SetFaults(
      R"({"rules":[{"route":"get","kind":"trickle","trickle_bytes":100,"trickle_interval_ms":20}]})");
  const auto start = Clock::now();
  const HttpResult r = harness_.Api("GET", kGetPath);
  const int64_t chunks = static_cast<int64_t>((full.size() + 99) / 100);
  EXPECT_GE(ElapsedMs(start), (chunks - 1) * 20 - 5);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, full);
}

TEST_F(EmulatorFaultsTest, TimesLimitsApplications) {
  SetFaults(
      R"({"rules":[{"route":"get","kind":"http_error","http_status":500,"times":2}]})");
  EXPECT_EQ(harness_.Api("GET", kGetPath).status, 500);
  EXPECT_EQ(harness_.Api("GET", kGetPath).status, 500);
  EXPECT_EQ(harness_.Api("GET", kGetPath).status, 200);
  const Json rules = harness_.Admin("GET", "/faults").Json()["rules"];
  ASSERT_EQ(rules.size(), 1u);
  EXPECT_EQ(rules[0]["applied"], 2);
  EXPECT_EQ(rules[0]["remaining"], 0);
}

TEST_F(EmulatorFaultsTest, ProbabilityIsDeterministicAfterReset) {
  auto run = [&]() {
    std::string pattern;
    for (int i = 0; i < 40; ++i) {
      pattern += harness_.Api("GET", "/carriers").status == 502 ? 'x' : '.';
    }
    return pattern;
  };
  const std::string rules =
      R"({"rules":[{"route":"carriers","kind":"http_error","probability":0.5}]})";
  SetFaults(rules);
  const std::string first = run();
  EXPECT_NE(first.find('x'), std::string::npos);
  EXPECT_NE(first.find('.'), std::string::npos);
  ASSERT_EQ(harness_.Admin("POST", "/reset").status, 200);
  SetFaults(rules);
  EXPECT_EQ(run(), first);
}

TEST_F(EmulatorFaultsTest, MethodAndPathFiltersSelectRequests) {
  SetFaults(
      R"({"rules":[{"method":"DELETE","kind":"http_error","http_status":502},
                        {"path":"/v1/carriers","kind":"http_error","http_status":504}]})");
  EXPECT_EQ(harness_.Api("GET", kGetPath).status, 200);
  EXPECT_EQ(harness_.Api("DELETE", kGetPath).status, 502);
  EXPECT_EQ(harness_.Api("GET", "/carriers").status, 504);
  EXPECT_EQ(harness_
                .Request("GET", "/v2/carriers", "",
                         {{"Tracktry-Api-Key", EmulatorHarness::kApiKey}})
                .status,
            200);
}

TEST_F(EmulatorFaultsTest, ReplacingFaultsSkipHandlerPassThroughFaultsRunIt) {
  SetFaults(R"({"rules":[{"route":"create","kind":"http_error","times":1},
                        {"route":"create","kind":"truncated_json","times":1}]})");
  const std::string body =
      R"({"tracking_number":"RN000000001CN","carrier_code":"china-post"})";
  EXPECT_EQ(harness_.Api("POST", "/trackings/post", body).status, 502);
  EXPECT_EQ(harness_.emulator().tracking_count(), 1u);
  EXPECT_EQ(harness_.Api("POST", "/trackings/post", body).status, 200);
  EXPECT_EQ(harness_.emulator().tracking_count(), 2u);
  EXPECT_EQ(harness_.Api("POST", "/trackings/post", body).MetaCode(), 4016);
}

TEST_F(EmulatorFaultsTest, FaultsCanBeSetFromCppAndCleared) {
  emulator::FaultRule rule;
  rule.route = "carriers";
  rule.kind = emulator::FaultKind::kHttpError;
  rule.http_status = 500;
  harness_.emulator().SetFaults({rule});
  EXPECT_EQ(harness_.Api("GET", "/carriers").status, 500);
  EXPECT_EQ(harness_.emulator().faults()[0].applied, 1);
  ASSERT_EQ(harness_.Admin("DELETE", "/faults").status, 200);
  EXPECT_EQ(harness_.Api("GET", "/carriers").status, 200);
  EXPECT_FALSE(
      harness_.emulator().SetFaultsJson(R"({"rules":[{"kind":"nope"}]})").ok());
  EXPECT_TRUE(harness_.emulator().faults().empty());
}

}  // namespace
}  // namespace tracktry
