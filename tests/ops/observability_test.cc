// Copyright 2026 The tracktry-grpc Authors.
//
// Prometheus /metrics (scraped over HTTP with libcurl after real RPCs) and
// the JSON access log: series, labels, one access line per RPC with its
// request id, and that neither the upstream API key nor customer e-mail or
// phone ever appears in /metrics or the logs.
#include <curl/curl.h>

#include <limits>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "service/ops/metrics_registry.h"
#include "tests/testing/service_harness.h"
#include "tests/testing/status_matchers.h"

namespace tracktry {
namespace {

using ::testing::HasSubstr;
using testing::IsOk;
using ::testing::Not;
using testing::ServiceHarness;

constexpr char kEmail[] = "private.buyer.4711@example.com";
constexpr char kPhone[] = "+4915112345678";
constexpr char kCustomerName[] = "Erika Mustermann-Geheim";

size_t AppendBody(char* data, size_t size, size_t count, void* user) {
  static_cast<std::string*>(user)->append(data, size * count);
  return size * count;
}

// GET http://127.0.0.1:port/path; returns the HTTP status and fills `body`.
long HttpGet(int port, const std::string& path, std::string* body) {
  CURL* curl = curl_easy_init();
  const std::string url = absl::StrCat("http://127.0.0.1:", port, path);
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, AppendBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, body);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 5000L);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  long status = 0;
  if (curl_easy_perform(curl) == CURLE_OK) {
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  }
  curl_easy_cleanup(curl);
  return status;
}

// The value of the sample line starting with `series` (name{labels}), or -1.
double SampleValue(const std::string& exposition, const std::string& series) {
  for (absl::string_view line : absl::StrSplit(exposition, '\n')) {
    if (absl::StartsWith(line, series + " ")) {
      return std::stod(std::string(line.substr(series.size() + 1)));
    }
  }
  return -1;
}

class ObservabilityTest : public ::testing::Test {
 protected:
  // Rate shaping off unless a test needs it (it paces calls to 1/s).
  static ServerOptions Options(bool rate_shaping = false) {
    ServerOptions options;
    options.metrics_listen_address = "127.0.0.1:0";
    options.rate_shaping.enabled = rate_shaping;
    return options;
  }

  void SetUp() override {
    ASSERT_THAT(harness_.Start(), IsOk());
    ASSERT_GT(harness_.server().metrics_port(), 0);
  }

  grpc::Status CreateWithCustomerData(const std::string& number) {
    v1::CreateTrackingRequest request;
    request.mutable_tracking()->set_carrier_code("dhl");
    request.mutable_tracking()->set_tracking_number(number);
    request.mutable_tracking()->set_customer_email(kEmail);
    request.mutable_tracking()->set_customer_phone(kPhone);
    request.mutable_tracking()->set_customer_name(kCustomerName);
    v1::CreateTrackingResponse response;
    auto context = ServiceHarness::Context();
    context->AddMetadata("x-request-id", "req-create-1");
    return harness_.stub().CreateTracking(context.get(), request, &response);
  }

  grpc::Status Get(const std::string& number, const std::string& request_id) {
    v1::GetTrackingRequest request;
    request.set_carrier_code("dhl");
    request.set_tracking_number(number);
    v1::GetTrackingResponse response;
    auto context = ServiceHarness::Context();
    context->AddMetadata("x-request-id", request_id);
    return harness_.stub().GetTracking(context.get(), request, &response);
  }

  std::string Scrape() {
    std::string body;
    EXPECT_EQ(HttpGet(harness_.server().metrics_port(), "/metrics", &body),
              200);
    return body;
  }

  // RPCs are recorded when gRPC is done with them, a moment after the
  // client has its status: scrape until nothing is in flight any more.
  std::string ScrapeSettled() {
    std::string metrics;
    for (int i = 0; i < 500; ++i) {
      metrics = Scrape();
      if (SampleValue(metrics, "tracktry_rpcs_in_flight") == 0 &&
          SampleValue(metrics, "tracktry_upstream_in_flight") == 0) {
        break;
      }
      absl::SleepFor(absl::Milliseconds(10));
    }
    return metrics;
  }

  // The log once it holds `access_lines` access lines (or after 5 s).
  std::string LogWithAccessLines(int access_lines) {
    std::string log;
    for (int i = 0; i < 500; ++i) {
      log = harness_.ReadLog();
      int count = 0;
      for (size_t pos = 0;
           (pos = log.find("\"rpc\":", pos)) != std::string::npos; ++pos) {
        ++count;
      }
      if (count >= access_lines) break;
      absl::SleepFor(absl::Milliseconds(10));
    }
    return log;
  }

  ServiceHarness harness_{Options(/*rate_shaping=*/HasRateShaping())};

 private:
  // The resilience test keeps the default rate shaping.
  static bool HasRateShaping() {
    return std::string(::testing::UnitTest::GetInstance()
                           ->current_test_info()
                           ->name()) == "ResilienceLayerCountersAreExported";
  }
};

TEST_F(ObservabilityTest, MetricsCountRpcsByMethodAndCode) {
  ASSERT_TRUE(CreateWithCustomerData("1234567890").ok());
  ASSERT_TRUE(Get("1234567890", "req-get-1").ok());
  ASSERT_TRUE(Get("1234567890", "req-get-2").ok());
  EXPECT_EQ(Get("9999999999", "req-get-3").error_code(),
            grpc::StatusCode::NOT_FOUND);

  const std::string metrics = ScrapeSettled();
  const std::string service = "grpc_service=\"tracktry.v1.TrackingService\"";
  EXPECT_EQ(
      SampleValue(metrics,
                  absl::StrCat("grpc_server_handled_total{grpc_code=\"OK\","
                               "grpc_method=\"GetTracking\",",
                               service, "}")),
      2)
      << metrics;
  EXPECT_EQ(SampleValue(metrics, absl::StrCat("grpc_server_handled_total{"
                                              "grpc_code=\"NOT_FOUND\","
                                              "grpc_method=\"GetTracking\",",
                                              service, "}")),
            1);
  EXPECT_EQ(SampleValue(metrics, absl::StrCat("grpc_server_handled_total{"
                                              "grpc_code=\"OK\","
                                              "grpc_method=\"CreateTracking\",",
                                              service, "}")),
            1);
  EXPECT_EQ(
      SampleValue(metrics, absl::StrCat("grpc_server_started_total{grpc_method="
                                        "\"GetTracking\",",
                                        service, "}")),
      3);
  EXPECT_EQ(
      SampleValue(metrics, absl::StrCat("grpc_server_handling_seconds_count{"
                                        "grpc_method=\"GetTracking\",",
                                        service, "}")),
      3);
  EXPECT_THAT(metrics, HasSubstr("grpc_server_handling_seconds_bucket{"
                                 "grpc_method=\"GetTracking\","));
  EXPECT_EQ(SampleValue(metrics, "tracktry_rpcs_in_flight"), 0);
  EXPECT_EQ(SampleValue(metrics, "tracktry_ready"), 1);
  EXPECT_EQ(SampleValue(metrics, "tracktry_live"), 1);
}

TEST_F(ObservabilityTest,
       MetricsCountUpstreamCallsByEndpointStatusAndMetaCode) {
  ASSERT_TRUE(CreateWithCustomerData("1234567890").ok());
  ASSERT_TRUE(Get("1234567890", "a").ok());
  EXPECT_FALSE(Get("9999999999", "b").ok());

  const std::string metrics = ScrapeSettled();
  EXPECT_GE(SampleValue(metrics,
                        "tracktry_upstream_requests_total{endpoint="
                        "\"create\",http_status=\"200\",meta_code="
                        "\"200\"}"),
            1)
      << metrics;
  EXPECT_GE(SampleValue(metrics,
                        "tracktry_upstream_requests_total{endpoint="
                        "\"get\",http_status=\"200\",meta_code="
                        "\"200\"}"),
            1);
  EXPECT_THAT(metrics, HasSubstr("tracktry_upstream_request_duration_seconds_"
                                 "bucket{endpoint=\"get\","));
  EXPECT_EQ(SampleValue(metrics, "tracktry_upstream_in_flight"), 0);
}

TEST_F(ObservabilityTest, MetricsCountUpstreamHttpErrors) {
  ASSERT_THAT(harness_.emulator().SetFaultsJson(
                  R"([{"route":"*","kind":"http_error","http_status":503}])"),
              IsOk());
  EXPECT_EQ(Get("1234567890", "c").error_code(), grpc::StatusCode::UNAVAILABLE);
  harness_.emulator().ClearFaults();
  const std::string metrics = ScrapeSettled();
  EXPECT_GE(SampleValue(metrics,
                        "tracktry_upstream_requests_total{endpoint="
                        "\"get\",http_status=\"503\",meta_code="
                        "\"none\"}"),
            1)
      << metrics;
}

TEST_F(ObservabilityTest, UnknownPathIsNotFound) {
  std::string body;
  EXPECT_NE(HttpGet(harness_.server().metrics_port(), "/nothing", &body), 200);
}

TEST_F(ObservabilityTest, AccessLogHasOneLinePerRpcWithRequestId) {
  ASSERT_TRUE(CreateWithCustomerData("1234567890").ok());
  ASSERT_TRUE(Get("1234567890", "req-get-77").ok());
  EXPECT_FALSE(Get("9999999999", "req-get-78").ok());
  const std::string log = LogWithAccessLines(3);
  std::vector<nlohmann::json> access;
  std::istringstream lines(log);
  std::string line;
  while (std::getline(lines, line)) {
    nlohmann::json entry = nlohmann::json::parse(line, nullptr, false);
    ASSERT_FALSE(entry.is_discarded()) << "not JSON: " << line;
    ASSERT_TRUE(entry.contains("time") && entry.contains("severity") &&
                entry.contains("message"))
        << line;
    if (entry.contains("rpc")) access.push_back(entry);
  }
  ASSERT_EQ(access.size(), 3u) << log;
  // Lines are written when gRPC is done with each RPC: find them by id.
  std::map<std::string, nlohmann::json> by_id;
  for (const nlohmann::json& entry : access) {
    by_id[entry.value("request_id", "")] = entry;
  }
  ASSERT_EQ(by_id.size(), 3u) << log;
  EXPECT_EQ(by_id["req-create-1"]["rpc"], "CreateTracking");
  EXPECT_EQ(by_id["req-create-1"]["code"], "OK");
  const nlohmann::json& get = by_id["req-get-77"];
  EXPECT_EQ(get["rpc"], "GetTracking");
  EXPECT_EQ(get["code"], "OK");
  EXPECT_EQ(get["upstream_calls"], 1);
  EXPECT_TRUE(get["latency_ms"].is_number());
  EXPECT_EQ(get["severity"], "INFO");
  EXPECT_EQ(by_id["req-get-78"]["rpc"], "GetTracking");
  EXPECT_EQ(by_id["req-get-78"]["code"], "NOT_FOUND");
}

TEST_F(ObservabilityTest, SecretsAndCustomerDataNeverAppearInLogsOrMetrics) {
  ASSERT_TRUE(CreateWithCustomerData("1234567890").ok());
  ASSERT_TRUE(Get("1234567890", "x").ok());
  // Errors carrying upstream messages, too.
  ASSERT_THAT(harness_.emulator().SetFaultsJson(
                  R"([{"route":"*","kind":"meta_error","meta_code":4001}])"),
              IsOk());
  EXPECT_FALSE(CreateWithCustomerData("1234567891").ok());
  harness_.emulator().ClearFaults();
  const std::string metrics = ScrapeSettled();
  const std::string log = LogWithAccessLines(4);
  ASSERT_THAT(log, HasSubstr("\"rpc\":\"CreateTracking\""));
  for (const std::string& secret :
       {std::string(ServiceHarness::kApiKey), std::string(kEmail),
        std::string(kPhone), std::string(kCustomerName)}) {
    EXPECT_THAT(log, Not(HasSubstr(secret)));
    EXPECT_THAT(metrics, Not(HasSubstr(secret)));
  }
}

TEST_F(ObservabilityTest, ResilienceLayerCountersAreExported) {
  // One 503 on a read: retried (the retry layer counts it), both attempts
  // are real upstream calls.
  ASSERT_THAT(
      harness_.emulator().SetFaultsJson(
          R"([{"route":"*","kind":"http_error","http_status":503,"times":1}])"),
      IsOk());
  v1::ListCarriersRequest carriers;
  v1::ListCarriersResponse carriers_response;
  auto context = ServiceHarness::Context();
  ASSERT_TRUE(harness_.stub()
                  .ListCarriers(context.get(), carriers, &carriers_response)
                  .ok());
  // The same read again: answered from the cache.
  auto again = ServiceHarness::Context();
  ASSERT_TRUE(harness_.stub()
                  .ListCarriers(again.get(), carriers, &carriers_response)
                  .ok());
  // Two creates in a row: the second waits for a rate-limit token.
  ASSERT_TRUE(CreateWithCustomerData("1234567890").ok());
  ASSERT_TRUE(CreateWithCustomerData("1234567891").ok());

  const std::string metrics = ScrapeSettled();
  EXPECT_GE(SampleValue(metrics, "tracktry_upstream_retries_total"), 1)
      << metrics;
  EXPECT_GE(SampleValue(metrics, "tracktry_upstream_attempts_total"), 2);
  EXPECT_EQ(SampleValue(metrics,
                        "tracktry_upstream_requests_total{endpoint="
                        "\"carriers\",http_status=\"503\",meta_code="
                        "\"none\"}"),
            1);
  EXPECT_EQ(SampleValue(metrics,
                        "tracktry_upstream_requests_total{endpoint="
                        "\"carriers\",http_status=\"200\",meta_code="
                        "\"200\"}"),
            1);
  EXPECT_GE(SampleValue(metrics, "tracktry_cache_hits_total"), 1);
  EXPECT_GE(SampleValue(metrics, "tracktry_cache_misses_total"), 1);
  EXPECT_GT(
      SampleValue(metrics,
                  "tracktry_rate_limit_wait_seconds_total{class=\"default\"}"),
      0);
  EXPECT_GE(
      SampleValue(metrics,
                  "tracktry_rate_limit_forwarded_total{class=\"default\"}"),
      2);
  EXPECT_EQ(SampleValue(metrics, "tracktry_circuit_open"), 0);
  EXPECT_GE(SampleValue(metrics, "tracktry_circuit_opened_total"), 0);
  EXPECT_GE(SampleValue(metrics, "tracktry_idempotent_replays_total"), 0);
}

TEST(MetricsRegistryTest, CallbackMetricsAreReadAtScrapeTime) {
  MetricsRegistry registry;
  double retries = 3;
  registry.AddCallbackMetric({"tracktry_upstream_retries_total",
                              "Retries.",
                              prometheus::MetricType::Counter,
                              {{"endpoint", "get"}},
                              [&retries] { return retries; }});
  registry.AddCallbackMetric({"tracktry_upstream_retries_total",
                              "Retries.",
                              prometheus::MetricType::Counter,
                              {{"endpoint", "list"}},
                              [] { return 1.0; }});
  registry.AddCallbackMetric({"tracktry_cache_entries",
                              "Entries.",
                              prometheus::MetricType::Gauge,
                              {},
                              [] { return 7.0; }});
  std::string text = registry.Scrape();
  EXPECT_EQ(
      SampleValue(text, "tracktry_upstream_retries_total{endpoint=\"get\"}"),
      3);
  EXPECT_EQ(
      SampleValue(text, "tracktry_upstream_retries_total{endpoint=\"list\"}"),
      1);
  EXPECT_EQ(SampleValue(text, "tracktry_cache_entries"), 7);
  EXPECT_THAT(text,
              HasSubstr("# TYPE tracktry_upstream_retries_total counter"));
  EXPECT_THAT(text, HasSubstr("# TYPE tracktry_cache_entries gauge"));
  retries = 5;
  text = registry.Scrape();
  EXPECT_EQ(
      SampleValue(text, "tracktry_upstream_retries_total{endpoint=\"get\"}"),
      5);
}

TEST(MetricsRegistryTest, CallbackHistogramsAreReadAtScrapeTime) {
  MetricsRegistry registry;
  uint64_t small = 2;
  MetricsRegistry::CallbackHistogram metric;
  metric.name = "tracktry_read_batch_size";
  metric.help = "Sizes.";
  metric.read = [&small] {
    prometheus::ClientMetric::Histogram histogram;
    histogram.bucket = {{small, 10},
                        {small + 1, 40},
                        {small + 1, std::numeric_limits<double>::infinity()}};
    histogram.sample_count = small + 1;
    histogram.sample_sum = 55;
    return histogram;
  };
  registry.AddCallbackHistogram(std::move(metric));
  std::string text = registry.Scrape();
  EXPECT_THAT(text, HasSubstr("# TYPE tracktry_read_batch_size histogram"));
  EXPECT_EQ(SampleValue(text, "tracktry_read_batch_size_bucket{le=\"10\"}"), 2);
  EXPECT_EQ(SampleValue(text, "tracktry_read_batch_size_bucket{le=\"40\"}"), 3);
  EXPECT_EQ(SampleValue(text, "tracktry_read_batch_size_bucket{le=\"+Inf\"}"),
            3);
  EXPECT_EQ(SampleValue(text, "tracktry_read_batch_size_count"), 3);
  EXPECT_EQ(SampleValue(text, "tracktry_read_batch_size_sum"), 55);
  small = 4;
  text = registry.Scrape();
  EXPECT_EQ(SampleValue(text, "tracktry_read_batch_size_count"), 5);
}

TEST(MetricsRegistryTest, InFlightGaugesFollowStartAndFinish) {
  MetricsRegistry registry;
  registry.OnRpcStarted("GetTracking");
  registry.OnUpstreamStarted(Endpoint::kGetTracking);
  std::string text = registry.Scrape();
  EXPECT_EQ(SampleValue(text, "tracktry_rpcs_in_flight"), 1);
  EXPECT_EQ(SampleValue(text, "tracktry_upstream_in_flight"), 1);
  registry.OnUpstreamFinished(Endpoint::kGetTracking,
                              absl::UnavailableError("refused"),
                              UpstreamOutcome(), absl::Milliseconds(3));
  RpcRecord record;
  record.method = "GetTracking";
  record.code = absl::StatusCode::kUnavailable;
  registry.OnRpcFinished(record);
  text = registry.Scrape();
  EXPECT_EQ(SampleValue(text, "tracktry_rpcs_in_flight"), 0);
  EXPECT_EQ(SampleValue(text, "tracktry_upstream_in_flight"), 0);
  EXPECT_EQ(SampleValue(text,
                        "tracktry_upstream_requests_total{endpoint=\"get\","
                        "http_status=\"0\",meta_code=\"none\"}"),
            1);
}

}  // namespace
}  // namespace tracktry
