// Copyright 2026 The tracktry-grpc Authors.
//
// Fault injection of the emulator over real sockets: every fault kind, the
// rule filters, times/probability, and the client-gave-up counter.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
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

// One client connection kept alive across requests (HTTP/1.1), for the
// faults that act only on a reused connection.
class KeepAliveConnection {
 public:
  explicit KeepAliveConnection(int port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address = {};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<uint16_t>(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&address),
                  sizeof(address)) != 0) {
      ::close(fd_);
      fd_ = -1;
    }
  }
  ~KeepAliveConnection() {
    if (fd_ >= 0) ::close(fd_);
  }
  KeepAliveConnection(const KeepAliveConnection&) = delete;
  KeepAliveConnection& operator=(const KeepAliveConnection&) = delete;

  bool connected() const { return fd_ >= 0; }

  // Sends `request_text` and reads one response (headers + Content-Length
  // bytes), or until the server closes or resets, or 3 s pass.
  RawResult Exchange(const std::string& request_text) {
    RawResult result;
    if (::send(fd_, request_text.data(), request_text.size(), MSG_NOSIGNAL) !=
        static_cast<ssize_t>(request_text.size())) {
      result.reset = true;
      return result;
    }
    const auto deadline = Clock::now() + std::chrono::seconds(3);
    char buffer[65536];
    while (true) {
      const auto [head, body] = SplitResponse(result.data);
      if (result.data.find("\r\n\r\n") != std::string::npos &&
          body.size() >= ContentLength(head)) {
        result.complete = true;
        return result;
      }
      const int64_t left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline -
                                                                Clock::now())
              .count();
      pollfd pfd = {fd_, POLLIN, 0};
      if (left <= 0 || ::poll(&pfd, 1, static_cast<int>(left)) <= 0) {
        result.timed_out = true;
        return result;
      }
      const ssize_t n = ::recv(fd_, buffer, sizeof(buffer), 0);
      if (n == 0) {
        result.eof = true;
        return result;
      }
      if (n < 0) {
        if (errno == EINTR || errno == EAGAIN) continue;
        result.reset = errno == ECONNRESET;
        return result;
      }
      result.data.append(buffer, static_cast<size_t>(n));
    }
  }

 private:
  int fd_ = -1;
};

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

  std::string RawPost(const std::string& path, const std::string& body) {
    return absl::StrCat("POST /v1", path, " HTTP/1.1\r\nHost: 127.0.0.1\r\n",
                        "Tracktry-Api-Key: ", EmulatorHarness::kApiKey,
                        "\r\nContent-Type: application/json\r\n",
                        "Content-Length: ", body.size(), "\r\n\r\n", body);
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

TEST_F(EmulatorFaultsTest, DropAfterRequestDropsOnlyReusedConnections) {
  SetFaults(R"({"rules":[{"route":"get","kind":"drop_after_request"}]})");
  // A first request on a fresh connection is answered.
  EXPECT_EQ(harness_.Api("GET", kGetPath).MetaCode(), 200);

  KeepAliveConnection connection(harness_.port());
  ASSERT_TRUE(connection.connected());
  const RawResult first = connection.Exchange(RawGet(kGetPath));
  ASSERT_TRUE(first.complete) << first.data;
  EXPECT_THAT(first.data, HasSubstr("Connection: keep-alive"));
  // The next request on the same connection is read, then the connection
  // closes without a byte of answer.
  const RawResult second = connection.Exchange(RawGet(kGetPath));
  EXPECT_TRUE(second.eof || second.reset);
  EXPECT_FALSE(second.timed_out);
  EXPECT_TRUE(second.data.empty());

  const emulator::StatsSnapshot stats = harness_.emulator().stats();
  EXPECT_EQ(stats.requests_by_route.at("get"), 3);
  EXPECT_EQ(stats.faults_by_kind.at("drop_after_request"), 1);
  // Only answers that were sent count as responses (the setup's create and
  // two GETs).
  EXPECT_EQ(stats.responses_by_http_status.at(200), 3);
  EXPECT_EQ(harness_.emulator().faults()[0].applied, 1);
}

TEST_F(EmulatorFaultsTest, DropAfterRequestCountsAgainstTheRateLimit) {
  // Two requests back to back are allowed; the dropped one is the second,
  // so a re-send right after it (what libcurl would do on a new connection)
  // is rate-limited, as by the real upstream.
  emulator::RateLimitConfig rate_limit;
  rate_limit.rps = 0.2;
  rate_limit.burst = 2;
  ASSERT_TRUE(harness_.emulator().SetRateLimit(rate_limit).ok());
  SetFaults(R"({"rules":[{"route":"get","kind":"drop_after_request"}]})");
  KeepAliveConnection connection(harness_.port());
  ASSERT_TRUE(connection.connected());
  const RawResult first = connection.Exchange(RawGet(kGetPath));
  ASSERT_TRUE(first.complete);
  const RawResult dropped = connection.Exchange(RawGet(kGetPath));
  EXPECT_TRUE(dropped.data.empty());
  EXPECT_TRUE(dropped.eof || dropped.reset);

  EXPECT_EQ(harness_.Api("GET", kGetPath).MetaCode(), 429);
  const emulator::StatsSnapshot stats = harness_.emulator().stats();
  EXPECT_EQ(stats.rate_limited_total, 1);
  EXPECT_EQ(stats.requests_by_route.at("get"), 3);
}

TEST_F(EmulatorFaultsTest, StoreThenDropAppliesTheWriteThenCloses) {
  SetFaults(
      R"({"rules":[{"route":"create","kind":"store_then_drop","times":1}]})");
  const std::string create =
      R"({"tracking_number":"RN000000002CN","carrier_code":"china-post"})";
  ASSERT_EQ(harness_.emulator().tracking_count(), 1u);

  KeepAliveConnection connection(harness_.port());
  ASSERT_TRUE(connection.connected());
  ASSERT_TRUE(connection.Exchange(RawGet("/carriers")).complete);
  const RawResult dropped =
      connection.Exchange(RawPost("/trackings/post", create));
  EXPECT_TRUE(dropped.eof || dropped.reset);
  EXPECT_FALSE(dropped.timed_out);
  EXPECT_TRUE(dropped.data.empty());

  // The create was applied although no answer came back: a second send is
  // a duplicate.
  EXPECT_EQ(harness_.emulator().tracking_count(), 2u);
  EXPECT_EQ(harness_.Api("POST", "/trackings/post", create).MetaCode(), 4016);
  EXPECT_EQ(
      harness_.Api("GET", "/trackings/china-post/RN000000002CN").MetaCode(),
      200);
  const emulator::StatsSnapshot stats = harness_.emulator().stats();
  EXPECT_EQ(stats.requests_by_route.at("create"), 3);  // setup, dropped, 4016
  EXPECT_EQ(stats.faults_by_kind.at("store_then_drop"), 1);
  EXPECT_EQ(stats.responses_by_meta_code.at(4016), 1);
  EXPECT_EQ(stats.responses_by_meta_code.at(200), 3);  // setup, carriers, get
}

TEST_F(EmulatorFaultsTest, StoreThenDropLeavesFirstRequestsAlone) {
  SetFaults(R"({"rules":[{"route":"create","kind":"store_then_drop"}]})");
  // Every harness call uses a fresh connection: never faulted.
  for (int i = 0; i < 3; ++i) {
    const std::string body =
        absl::StrCat(R"({"tracking_number":"RN00000001)", i,
                     R"(CN","carrier_code":"china-post"})");
    EXPECT_EQ(harness_.Api("POST", "/trackings/post", body).MetaCode(), 200);
  }
  EXPECT_EQ(harness_.emulator().faults()[0].applied, 0);
  EXPECT_EQ(harness_.emulator().stats().faults_by_kind.count("store_then_drop"),
            0u);
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
