// Copyright 2026 The tracktry-grpc Authors.
//
// grpc.health.v1 through the real server: liveness ("") and readiness
// ("tracktry.v1.TrackingService") while serving, after the upstream rejects
// the API key (and after it accepts it again), while draining; plus the
// explicit limits: message size, concurrent streams, page size cap and
// max connection age.
#include <chrono>
#include <future>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
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

// Polls until `service` reports `status` (5 s at most).
bool HealthBecomes(ServiceHarness& harness, const std::string& service,
                   HealthCheckResponse::ServingStatus status) {
  for (int i = 0; i < 500; ++i) {
    if (Health(harness, service) == status) return true;
    absl::SleepFor(absl::Milliseconds(10));
  }
  return false;
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

TEST(HealthLifecycleTest, RejectedApiKeyMakesUnreadyUntilTheUpstreamAcceptsIt) {
  ServerOptions options;
  options.readiness_probe_interval = absl::Milliseconds(200);
  ServiceHarness harness(options);
  ASSERT_THAT(harness.Start(), IsOk());
  // The provider revokes the key: the next RPC sees
  // UPSTREAM_API_KEY_REJECTED.
  ASSERT_THAT(harness.emulator().SetApiKey("rotated-key-the-server-lacks"),
              IsOk());
  EXPECT_EQ(GetTracking(harness, "1234567890").error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_TRUE(
      HealthBecomes(harness, kService, HealthCheckResponse::NOT_SERVING));
  // Liveness never depends on the upstream.
  EXPECT_EQ(Health(harness, ""), HealthCheckResponse::SERVING);
  EXPECT_EQ(harness.server().readiness().not_ready_reason(),
            "upstream_api_key_rejected");
  // The key works again: without any RPC, the server's own re-check
  // (every 200 ms here) notices and the pod becomes ready.
  const int64_t before = harness.emulator().stats().requests_total;
  ASSERT_THAT(harness.emulator().SetApiKey(ServiceHarness::kApiKey), IsOk());
  EXPECT_TRUE(HealthBecomes(harness, kService, HealthCheckResponse::SERVING));
  EXPECT_GT(harness.emulator().stats().requests_total, before);
}

TEST(HealthLifecycleTest, KeyRejectedInsideHttp200MakesUnready) {
  ServiceHarness harness;
  ASSERT_THAT(harness.Start(), IsOk());
  ASSERT_THAT(harness.emulator().SetFaultsJson(
                  R"([{"route":"*","kind":"meta_error","meta_code":4001}])"),
              IsOk());
  EXPECT_FALSE(GetTracking(harness, "1234567890").ok());
  EXPECT_TRUE(
      HealthBecomes(harness, kService, HealthCheckResponse::NOT_SERVING));
  EXPECT_EQ(Health(harness, ""), HealthCheckResponse::SERVING);
  // Any later upstream success clears it.
  harness.emulator().ClearFaults();
  EXPECT_EQ(GetTracking(harness, "1234567890").error_code(),
            grpc::StatusCode::NOT_FOUND);
  EXPECT_TRUE(HealthBecomes(harness, kService, HealthCheckResponse::SERVING));
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
}

TEST(HealthLifecycleTest, CircuitOpenMakesUnreadyButStaysLive) {
  ServiceHarness harness;
  ASSERT_THAT(harness.Start(), IsOk());
  harness.server().readiness().SetCircuitOpen(true);
  EXPECT_EQ(Health(harness, kService), HealthCheckResponse::NOT_SERVING);
  EXPECT_EQ(Health(harness, ""), HealthCheckResponse::SERVING);
  harness.server().readiness().SetCircuitOpen(false);
  EXPECT_EQ(Health(harness, kService), HealthCheckResponse::SERVING);
}

TEST(HealthLifecycleTest, OpenCircuitMakesUnreadyUntilItHalfOpens) {
  ServerOptions options = Unshaped();
  options.retry.max_attempts = 1;
  options.circuit.failure_threshold = 2;
  options.circuit.cooldown = absl::Milliseconds(500);
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
  EXPECT_TRUE(
      HealthBecomes(harness, kService, HealthCheckResponse::NOT_SERVING));
  EXPECT_EQ(Health(harness, ""), HealthCheckResponse::SERVING);
  EXPECT_EQ(harness.server().readiness().not_ready_reason(), "circuit_open");
  // After the cool-down the breaker lets a probe through: ready again, and
  // the healed upstream closes the circuit.
  harness.emulator().ClearFaults();
  EXPECT_TRUE(HealthBecomes(harness, kService, HealthCheckResponse::SERVING));
  EXPECT_EQ(GetTracking(harness, "1234567890").error_code(),
            grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(Health(harness, kService), HealthCheckResponse::SERVING);
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
