// Copyright 2026 The tracktry-grpc Authors.
//
// grpc.health.v1 through the real server: liveness ("") and readiness
// ("tracktry.v1.TrackingService") while serving and while draining, and
// that upstream trouble (rejected API key, open circuit, failures) does not
// change readiness but shows in the metrics; plus the explicit limits:
// message size, concurrent streams, page size cap and max connection age.
#include <chrono>
#include <future>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "gtest/gtest.h"
#include "tests/testing/service_harness.h"
#include "tests/testing/status_matchers.h"

namespace tracktry {
namespace {

using grpc::health::v1::HealthCheckResponse;
using testing::IsOk;
using testing::ServiceHarness;

constexpr char kService[] = "tracktry.v1.TrackingService";

// Options without upstream rate shaping (it paces calls to the real API's
// limits, which would dominate the timings measured here).
ServerOptions Unshaped() {
  ServerOptions options;
  options.rate_shaping.enabled = false;
  return options;
}

// The health status of `service`, or UNKNOWN when the check failed.
HealthCheckResponse::ServingStatus Health(ServiceHarness& harness,
                                          const std::string& service) {
  auto stub = grpc::health::v1::Health::NewStub(harness.channel());
  grpc::health::v1::HealthCheckRequest request;
  request.set_service(service);
  HealthCheckResponse response;
  auto context = ServiceHarness::Context(absl::Seconds(2));
  if (!stub->Check(context.get(), request, &response).ok()) {
    return HealthCheckResponse::UNKNOWN;
  }
  return response.status();
}

grpc::Status GetTracking(ServiceHarness& harness, const std::string& number) {
  v1::GetTrackingRequest request;
  request.set_carrier_code("dhl");
  request.set_tracking_number(number);
  v1::GetTrackingResponse response;
  auto context = ServiceHarness::Context();
  return harness.stub().GetTracking(context.get(), request, &response);
}

TEST(HealthLifecycleTest, LiveAndReadyWhileServing) {
  ServiceHarness harness;
  ASSERT_THAT(harness.Start(), IsOk());
  EXPECT_EQ(Health(harness, ""), HealthCheckResponse::SERVING);
  EXPECT_EQ(Health(harness, kService), HealthCheckResponse::SERVING);
}

// The value of the unlabelled sample `name` in the server's metrics (-1
// when absent).
double Gauge(ServiceHarness& harness, const std::string& name) {
  const std::string text = harness.server().metrics().Scrape();
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    if (!absl::ConsumePrefix(&line, name + " ")) continue;
    double value = 0;
    if (absl::SimpleAtod(line, &value)) return value;
  }
  return -1;
}

TEST(HealthLifecycleTest, RejectedApiKeyKeepsTheReplicaReadyAndIsReported) {
  ServiceHarness harness;
  ASSERT_THAT(harness.Start(), IsOk());
  EXPECT_EQ(Gauge(harness, "tracktry_upstream_api_key_rejected"), 0);
  // The provider revokes the key: the next RPC sees
  // UPSTREAM_API_KEY_REJECTED at once...
  ASSERT_THAT(harness.emulator().SetApiKey("rotated-key-the-server-lacks"),
              IsOk());
  EXPECT_EQ(GetTracking(harness, "1234567890").error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
  // ...the replica stays in the Service (every replica shares the key) and
  // the state shows in the metrics instead.
  EXPECT_EQ(Health(harness, kService), HealthCheckResponse::SERVING);
  EXPECT_EQ(Health(harness, ""), HealthCheckResponse::SERVING);
  EXPECT_EQ(Gauge(harness, "tracktry_upstream_api_key_rejected"), 1);
  EXPECT_EQ(Gauge(harness, "tracktry_ready"), 1);
  // The key works again: the next answer clears it.
  ASSERT_THAT(harness.emulator().SetApiKey(ServiceHarness::kApiKey), IsOk());
  EXPECT_EQ(GetTracking(harness, "1234567891").error_code(),
            grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(Gauge(harness, "tracktry_upstream_api_key_rejected"), 0);
}

TEST(HealthLifecycleTest, KeyRejectedInsideHttp200IsReportedToo) {
  ServiceHarness harness;
  ASSERT_THAT(harness.Start(), IsOk());
  ASSERT_THAT(harness.emulator().SetFaultsJson(
                  R"([{"route":"*","kind":"meta_error","meta_code":4001}])"),
              IsOk());
  EXPECT_FALSE(GetTracking(harness, "1234567890").ok());
  EXPECT_EQ(Gauge(harness, "tracktry_upstream_api_key_rejected"), 1);
  EXPECT_EQ(Health(harness, kService), HealthCheckResponse::SERVING);
  // Any later upstream answer with a meta code clears it.
  harness.emulator().ClearFaults();
  EXPECT_EQ(GetTracking(harness, "1234567890").error_code(),
            grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(Gauge(harness, "tracktry_upstream_api_key_rejected"), 0);
}

TEST(HealthLifecycleTest, OtherUpstreamFailuresKeepThePodReady) {
  ServiceHarness harness;
  ASSERT_THAT(harness.Start(), IsOk());
  ASSERT_THAT(
      harness.emulator().SetFaultsJson(
          R"([{"route":"*","kind":"http_error","http_status":502,"times":1}])"),
      IsOk());
  EXPECT_FALSE(GetTracking(harness, "1234567890").ok());
  EXPECT_EQ(Health(harness, kService), HealthCheckResponse::SERVING);
  EXPECT_EQ(Gauge(harness, "tracktry_upstream_api_key_rejected"), 0);
}

TEST(HealthLifecycleTest, OpenCircuitAnswersFastWhileTheReplicaStaysReady) {
  ServerOptions options = Unshaped();
  options.retry.max_attempts = 1;
  options.circuit.failure_threshold = 2;
  options.circuit.cooldown = absl::Seconds(30);
  ServiceHarness harness(options);
  ASSERT_THAT(harness.Start(), IsOk());
  ASSERT_THAT(harness.emulator().SetFaultsJson(
                  R"([{"route":"*","kind":"http_error","http_status":503}])"),
              IsOk());
  // Two upstream failures open the breaker.
  EXPECT_EQ(GetTracking(harness, "1234567890").error_code(),
            grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(GetTracking(harness, "1234567891").error_code(),
            grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(Gauge(harness, "tracktry_circuit_open"), 1);
  // Callers reach the replica and get the breaker's fast answer with
  // RetryInfo, instead of a connection error from an empty Service.
  EXPECT_EQ(Health(harness, kService), HealthCheckResponse::SERVING);
  const int64_t upstream_before = harness.emulator().stats().requests_total;
  const absl::Time start = absl::Now();
  const grpc::Status fast = GetTracking(harness, "1234567892");
  EXPECT_LT(absl::Now() - start, absl::Seconds(1));
  EXPECT_EQ(fast.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_NE(fast.error_details().find("CIRCUIT_OPEN"), std::string::npos);
  EXPECT_EQ(harness.emulator().stats().requests_total, upstream_before);
}

TEST(HealthLifecycleTest, DrainingMakesBothNotServingWhileStillServing) {
  ServiceHarness harness;
  ASSERT_THAT(harness.Start(), IsOk());
  harness.server().StartDraining();
  EXPECT_EQ(Health(harness, ""), HealthCheckResponse::NOT_SERVING);
  EXPECT_EQ(Health(harness, kService), HealthCheckResponse::NOT_SERVING);
  // During --shutdown-delay RPCs are still answered.
  EXPECT_EQ(GetTracking(harness, "1234567890").error_code(),
            grpc::StatusCode::NOT_FOUND);
}

TEST(ServerLimitsTest, OversizedRequestIsResourceExhausted) {
  ServerOptions options;
  options.max_message_bytes = 64 * 1024;
  ServiceHarness harness(options);
  ASSERT_THAT(harness.Start(), IsOk());
  v1::CreateTrackingRequest request;
  request.mutable_tracking()->set_carrier_code("dhl");
  request.mutable_tracking()->set_tracking_number("1234567890");
  request.mutable_tracking()->set_comment(std::string(100 * 1024, 'x'));
  v1::CreateTrackingResponse response;
  auto context = ServiceHarness::Context();
  EXPECT_EQ(harness.stub()
                .CreateTracking(context.get(), request, &response)
                .error_code(),
            grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_EQ(harness.emulator().stats().requests_total, 0);
}

// `count` concurrent GetTracking RPCs over the harness channel; returns the
// wall time until all finished.
absl::Duration ConcurrentGets(ServiceHarness& harness, int count) {
  const absl::Time start = absl::Now();
  std::vector<std::future<grpc::Status>> calls;
  for (int i = 0; i < count; ++i) {
    calls.push_back(std::async(std::launch::async, [&harness] {
      return GetTracking(harness, "1234567890");
    }));
  }
  for (auto& call : calls) {
    EXPECT_EQ(call.get().error_code(), grpc::StatusCode::NOT_FOUND);
  }
  return absl::Now() - start;
}

TEST(ServerLimitsTest, MaxConcurrentStreamsQueuesRpcsOfOneConnection) {
  emulator::EmulatorOptions emulator_options;
  emulator_options.config.latency_ms = 250;
  ServerOptions limited = Unshaped();
  limited.max_concurrent_streams = 1;
  ServiceHarness harness(limited, emulator_options);
  ASSERT_THAT(harness.Start(), IsOk());
  GetTracking(harness, "warm-up-connection");
  // One stream at a time: four 250 ms RPCs take about a second.
  EXPECT_GE(ConcurrentGets(harness, 4), absl::Milliseconds(950));

  ServiceHarness unlimited(Unshaped(), emulator_options);
  ASSERT_THAT(unlimited.Start(), IsOk());
  GetTracking(unlimited, "warm-up-connection");
  EXPECT_LT(ConcurrentGets(unlimited, 4), absl::Milliseconds(900));
}

TEST(ServerLimitsTest, PageSizeIsCapped) {
  ServerOptions options = Unshaped();
  options.service.max_page_size = 3;
  options.service.default_page_size = 3;
  ServiceHarness harness(options);
  ASSERT_THAT(harness.Start(), IsOk());
  for (int i = 0; i < 5; ++i) {
    v1::CreateTrackingRequest request;
    request.mutable_tracking()->set_carrier_code("dhl");
    request.mutable_tracking()->set_tracking_number(
        absl::StrCat("12345678", i, "0"));
    v1::CreateTrackingResponse response;
    auto context = ServiceHarness::Context();
    ASSERT_TRUE(
        harness.stub().CreateTracking(context.get(), request, &response).ok());
  }
  v1::ListTrackingsRequest request;
  request.set_page_size(100);
  v1::ListTrackingsResponse response;
  auto context = ServiceHarness::Context();
  ASSERT_TRUE(
      harness.stub().ListTrackings(context.get(), request, &response).ok());
  EXPECT_EQ(response.trackings_size(), 3);
  EXPECT_FALSE(response.next_page_token().empty());
}

TEST(ServerLimitsTest, MaxConnectionAgeClosesConnectionsSoClientsReconnect) {
  ServerOptions options;
  options.max_connection_age = absl::Milliseconds(500);
  options.max_connection_age_grace = absl::Milliseconds(500);
  ServiceHarness harness(options);
  ASSERT_THAT(harness.Start(), IsOk());
  auto channel =
      grpc::CreateChannel(harness.target(), grpc::InsecureChannelCredentials());
  auto stub = v1::TrackingService::NewStub(channel);
  auto get = [&stub] {
    v1::GetTrackingRequest request;
    request.set_carrier_code("dhl");
    request.set_tracking_number("1234567890");
    v1::GetTrackingResponse response;
    auto context = ServiceHarness::Context();
    return stub->GetTracking(context.get(), request, &response).error_code();
  };
  ASSERT_EQ(get(), grpc::StatusCode::NOT_FOUND);
  ASSERT_EQ(channel->GetState(false), GRPC_CHANNEL_READY);
  // The server sends GOAWAY after ~500 ms (+-10% jitter); the idle channel
  // leaves READY, and the next RPC opens a new connection and succeeds.
  EXPECT_TRUE(channel->WaitForStateChange(
      GRPC_CHANNEL_READY,
      std::chrono::system_clock::now() + std::chrono::seconds(3)));
  EXPECT_NE(channel->GetState(false), GRPC_CHANNEL_READY);
  EXPECT_EQ(get(), grpc::StatusCode::NOT_FOUND);
}

}  // namespace
}  // namespace tracktry
