// Copyright 2026 The tracktry-grpc Authors.
//
// The emulator's admin API (/_emulator/...), rate limiting, global latency,
// exact stats and keep-alive connection reuse.
#include <chrono>
#include <string>

#include "absl/strings/str_cat.h"
#include "boost/asio/connect.hpp"
#include "boost/asio/read.hpp"
#include "boost/asio/write.hpp"
#include "boost/asio/io_context.hpp"
#include "boost/asio/ip/tcp.hpp"
#include "boost/beast/core/flat_buffer.hpp"
#include "boost/beast/http.hpp"
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
using ::testing::Not;
using Json = nlohmann::json;
using Clock = std::chrono::steady_clock;

class EmulatorAdminTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(harness_.Start().ok()); }

  HttpResult Create(int i) {
    return harness_.Api("POST", "/trackings/post",
                        absl::StrCat(R"({"tracking_number":"RN00000000)", i,
                                     R"(CN","carrier_code":"china-post"})"));
  }

  EmulatorHarness harness_;
};

TEST_F(EmulatorAdminTest, StatsCountExactly) {
  for (int i = 0; i < 3; ++i) ASSERT_EQ(Create(i).MetaCode(), 200);
  ASSERT_EQ(Create(0).MetaCode(), 4016);
  ASSERT_EQ(harness_.Api("GET", "/trackings/get").MetaCode(), 200);
  ASSERT_EQ(harness_.Api("GET", "/nothing").status, 404);
  ASSERT_EQ(harness_.Request("GET", "/v1/carriers", "", {}).MetaCode(), 4001);

  const HttpResult r = harness_.Admin("GET", "/stats");
  ASSERT_EQ(r.status, 200);
  const Json stats = r.Json();
  EXPECT_EQ(stats["requests_total"], 7);
  EXPECT_EQ(stats["requests_by_route"],
            Json::parse(R"({"carriers":1,"create":4,"list":1,"unknown":1})"));
  EXPECT_EQ(stats["responses_by_meta_code"],
            Json::parse(R"({"200":4,"404":1,"4001":1,"4016":1})"));
  EXPECT_EQ(stats["rate_limited_total"], 0);
  EXPECT_EQ(stats["trackings"], 3);
  // Admin requests are not API requests; every harness call is a new
  // connection (the stats call itself included).
  EXPECT_EQ(stats["connections_accepted"], 8);
  EXPECT_GE(stats["connections_open"].get<int>(), 1);
  EXPECT_EQ(stats["connections_closed_by_client_before_response"], 0);
  EXPECT_EQ(stats["max_in_flight"], 1);
  EXPECT_EQ(stats["in_flight"], 0);
}

TEST_F(EmulatorAdminTest, ResetClearsStateButKeepsConfig) {
  ASSERT_EQ(Create(1).MetaCode(), 200);
  ASSERT_EQ(harness_
                .Admin("PUT", "/faults",
                       R"({"rules":[{"route":"list","kind":"drop"}]})")
                .status,
            200);
  ASSERT_EQ(
      harness_.Admin("POST", "/clock", R"({"advance_seconds":3600})").status,
      200);
  ASSERT_EQ(harness_.Admin("PUT", "/config", R"({"latency_ms":1})").status,
            200);
  const HttpResult reset = harness_.Admin("POST", "/reset");
  ASSERT_EQ(reset.status, 200);
  EXPECT_EQ(reset.Json()["ok"], true);
  EXPECT_EQ(harness_.emulator().tracking_count(), 0u);
  EXPECT_TRUE(harness_.emulator().faults().empty());
  EXPECT_EQ(harness_.emulator().stats().requests_total, 0);
  EXPECT_EQ(harness_.Admin("GET", "/clock").Json()["offset_seconds"], 0);
  EXPECT_EQ(harness_.emulator().config().latency_ms, 1);
  EXPECT_EQ(harness_.Api("GET", "/trackings/get").MetaCode(), 4031);
}

TEST_F(EmulatorAdminTest, FaultsEndpointValidatesAndRoundTrips) {
  HttpResult r =
      harness_.Admin("PUT", "/faults", R"({"rules":[{"kind":"boom"}]})");
  EXPECT_EQ(r.status, 400);
  EXPECT_THAT(r.Json()["error"].get<std::string>(), HasSubstr("boom"));
  EXPECT_EQ(harness_.Admin("PUT", "/faults", "nope").status, 400);
  r = harness_.Admin(
      "PUT", "/faults",
      R"({"rules":[{"route":"get","kind":"latency","latency_ms":5,"times":3}]})");
  ASSERT_EQ(r.status, 200);
  const Json rule = harness_.Admin("GET", "/faults").Json()["rules"][0];
  EXPECT_EQ(rule["route"], "get");
  EXPECT_EQ(rule["kind"], "latency");
  EXPECT_EQ(rule["latency_ms"], 5);
  EXPECT_EQ(rule["times"], 3);
  EXPECT_EQ(rule["remaining"], 3);
  EXPECT_EQ(harness_.Admin("DELETE", "/faults").Json()["rules"], Json::array());
  EXPECT_EQ(harness_.Admin("POST", "/faults", "{}").status, 405);
  EXPECT_EQ(harness_.Admin("GET", "/nothing").status, 404);
}

TEST_F(EmulatorAdminTest, ConfigHidesKeyAndAppliesChanges) {
  HttpResult r = harness_.Admin("GET", "/config");
  ASSERT_EQ(r.status, 200);
  Json config = r.Json();
  EXPECT_EQ(config["api_key_set"], true);
  EXPECT_FALSE(config.contains("api_key"));
  EXPECT_THAT(r.body, Not(HasSubstr(EmulatorHarness::kApiKey)));
  EXPECT_EQ(config["api_key_header"], "Tracktry-Api-Key");
  EXPECT_EQ(config["quirks"], true);

  r = harness_.Admin(
      "PUT", "/config",
      R"({"api_key":"other","api_key_header":"X-Key","quirks":false,"time_scale":2.5})");
  ASSERT_EQ(r.status, 200) << r.body;
  config = r.Json();
  EXPECT_EQ(config["api_key_header"], "X-Key");
  EXPECT_EQ(config["quirks"], false);
  EXPECT_EQ(config["time_scale"], 2.5);
  EXPECT_THAT(r.body, Not(HasSubstr("other")));
  EXPECT_EQ(harness_.Request("GET", "/v1/carriers", "", {{"X-Key", "other"}})
                .MetaCode(),
            200);
  EXPECT_EQ(harness_
                .Request("GET", "/v1/carriers", "",
                         {{"Tracktry-Api-Key", EmulatorHarness::kApiKey}})
                .MetaCode(),
            4001);
  EXPECT_EQ(harness_.Admin("PUT", "/config", R"({"time_scale":0})").status,
            400);
  EXPECT_EQ(harness_.Admin("PUT", "/config", R"({"latency_ms":"1"})").status,
            400);
  EXPECT_EQ(
      harness_.Admin("PUT", "/config", R"({"rate_limit":{"http_status":500}})")
          .status,
      400);
  EXPECT_EQ(harness_.emulator().config().time_scale, 2.5);
}

TEST_F(EmulatorAdminTest, ClockAdvances) {
  const int64_t before = harness_.Admin("GET", "/clock").Json()["now_unix"];
  const HttpResult r =
      harness_.Admin("POST", "/clock", R"({"advance_seconds":86400})");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.Json()["offset_seconds"], 86400);
  EXPECT_GE(r.Json()["now_unix"].get<int64_t>(), before + 86400);
  EXPECT_LT(r.Json()["now_unix"].get<int64_t>(), before + 86400 + 5);
  EXPECT_EQ(harness_.Admin("POST", "/clock", R"({"advance":1})").status, 400);
  harness_.emulator().AdvanceClock(10);
  EXPECT_EQ(harness_.Admin("GET", "/clock").Json()["offset_seconds"], 86410);
}

TEST_F(EmulatorAdminTest, RateLimitAnswersMeta429AndCounts) {
  ASSERT_EQ(
      harness_
          .Admin("PUT", "/config", R"({"rate_limit":{"rps":0.01,"burst":2}})")
          .status,
      200);
  int ok = 0, limited = 0;
  for (int i = 0; i < 5; ++i) {
    const HttpResult r = harness_.Api("GET", "/carriers");
    EXPECT_EQ(r.status, 200);
    if (r.MetaCode() == 200) ++ok;
    if (r.MetaCode() == 429) {
      ++limited;
      EXPECT_EQ(r.Json()["meta"]["type"], "Too Many Requests");
      EXPECT_EQ(r.Header("Retry-After"), "");
    }
  }
  EXPECT_EQ(ok, 2);
  EXPECT_EQ(limited, 3);
  EXPECT_EQ(harness_.emulator().stats().rate_limited_total, 3);
  // Admin calls are never limited.
  EXPECT_EQ(harness_.Admin("GET", "/stats").status, 200);

  emulator::RateLimitConfig limit;
  limit.rps = 0.01;
  limit.burst = 1;
  limit.http_status = 429;
  limit.retry_after_s = 7;
  ASSERT_TRUE(harness_.emulator().SetRateLimit(limit).ok());
  EXPECT_EQ(harness_.Api("GET", "/carriers").status, 200);
  const HttpResult r = harness_.Api("GET", "/carriers");
  EXPECT_EQ(r.status, 429);
  EXPECT_EQ(r.MetaCode(), 429);
  EXPECT_EQ(r.Header("Retry-After"), "7");
  EXPECT_EQ(harness_.emulator().stats().rate_limited_total, 4);
  EXPECT_EQ(harness_.emulator().stats().responses_by_meta_code.at(429), 4);
}

TEST_F(EmulatorAdminTest, GlobalLatencyDelaysApiButNotAdmin) {
  ASSERT_TRUE(harness_.emulator().SetLatencyMs(200).ok());
  auto start = Clock::now();
  EXPECT_EQ(harness_.Api("GET", "/carriers").MetaCode(), 200);
  EXPECT_GE(Clock::now() - start, std::chrono::milliseconds(200));
  start = Clock::now();
  EXPECT_EQ(harness_.Admin("GET", "/stats").status, 200);
  EXPECT_LT(Clock::now() - start, std::chrono::milliseconds(150));
}

TEST_F(EmulatorAdminTest, KeepAliveReusesOneConnection) {
  namespace net = boost::asio;
  namespace http = boost::beast::http;
  const int64_t before = harness_.emulator().stats().connections_accepted;
  net::io_context io;
  net::ip::tcp::socket socket(io);
  socket.connect({net::ip::make_address("127.0.0.1"),
                  static_cast<unsigned short>(harness_.port())});
  boost::beast::flat_buffer buffer;
  for (int i = 0; i < 5; ++i) {
    http::request<http::empty_body> request{http::verb::get, "/v1/carriers",
                                            11};
    request.set(http::field::host, "127.0.0.1");
    request.set("Tracktry-Api-Key", EmulatorHarness::kApiKey);
    http::write(socket, request);
    http::response<http::string_body> response;
    http::read(socket, buffer, response);
    EXPECT_EQ(response.result_int(), 200u);
    EXPECT_TRUE(response.keep_alive());
    EXPECT_EQ(response[http::field::connection], "keep-alive");
  }
  EXPECT_EQ(harness_.emulator().stats().connections_accepted, before + 1);
  EXPECT_EQ(harness_.emulator().stats().requests_total, 5);
  // An HTTP/1.0 request without keep-alive gets "Connection: close".
  http::request<http::empty_body> last{http::verb::get, "/v1/carriers", 10};
  last.set("Tracktry-Api-Key", EmulatorHarness::kApiKey);
  http::write(socket, last);
  http::response<http::string_body> response;
  http::read(socket, buffer, response);
  EXPECT_EQ(response[http::field::connection], "close");
}

TEST_F(EmulatorAdminTest, ExpectContinueIsAnsweredBeforeTheBody) {
  namespace net = boost::asio;
  net::io_context io;
  net::ip::tcp::socket socket(io);
  socket.connect({net::ip::make_address("127.0.0.1"),
                  static_cast<unsigned short>(harness_.port())});
  const std::string body =
      R"({"tracking_number":"RN123456789CN","carrier_code":"china-post"})";
  const std::string head = absl::StrCat(
      "POST /v1/trackings/post HTTP/1.1\r\nHost: x\r\nTracktry-Api-Key: ",
      EmulatorHarness::kApiKey, "\r\nContent-Type: application/json\r\n",
      "Expect: 100-continue\r\nContent-Length: ", body.size(), "\r\n\r\n");
  net::write(socket, net::buffer(head));
  const auto start = Clock::now();
  std::string interim(25, '\0');
  net::read(socket, net::buffer(interim));
  EXPECT_EQ(interim, "HTTP/1.1 100 Continue\r\n\r\n");
  EXPECT_LT(Clock::now() - start, std::chrono::milliseconds(500));
  net::write(socket, net::buffer(body));
  boost::beast::flat_buffer buffer;
  boost::beast::http::response<boost::beast::http::string_body> response;
  boost::beast::http::read(socket, buffer, response);
  EXPECT_EQ(response.result_int(), 200u);
  EXPECT_THAT(response.body(), HasSubstr("\"status\":\"pending\""));
}

TEST_F(EmulatorAdminTest, MalformedRequestGets400AndClose) {
  const testing::RawResult raw = testing::RawHttpExchange(
      harness_.port(), "THIS IS NOT HTTP\r\n\r\n", 3000);
  EXPECT_THAT(raw.data, HasSubstr("HTTP/1.1 400"));
  EXPECT_THAT(raw.data, HasSubstr("Connection: close"));
  EXPECT_EQ(harness_.emulator().stats().requests_total, 0);
}

TEST_F(EmulatorAdminTest, HealthEndpointAnswers) {
  const HttpResult r = harness_.Admin("GET", "/health");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.Json()["status"], "ok");
}

}  // namespace
}  // namespace tracktry
