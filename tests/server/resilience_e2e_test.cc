// Copyright 2026 The tracktry-grpc Authors.
//
// The resilience layers end to end (stub -> server -> emulator): request_id
// idempotency, the read cache and its bypass/invalidation, coalescing of
// concurrent reads, retries of idempotent reads only, and the circuit
// breaker with readiness. Each test counts the upstream calls the emulator
// saw, so it fails when the behaviour is missing.
#include <chrono>
#include <future>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "client/grpc_status_conversion.h"
#include "common/error_details.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "tests/testing/service_harness.h"
#include "tests/testing/status_matchers.h"

namespace tracktry {
namespace {

using ::testing::HasSubstr;
using testing::IsOk;
using testing::ServiceHarness;

// Fast defaults: the rate shaper (tested on its own) is off, so that the
// counts below are about these layers only.
ServerOptions Options() {
  ServerOptions options;
  options.rate_shaping.enabled = false;
  options.retry.initial_backoff = absl::Milliseconds(20);
  options.retry.max_backoff = absl::Milliseconds(50);
  return options;
}

std::string ReasonOf(const grpc::Status& status) {
  auto info = GetErrorInfo(FromGrpcStatus(status));
  return info.has_value() ? info->reason() : "";
}

class ResilienceE2eTest : public ::testing::Test {
 protected:
  void Start(ServerOptions options = Options()) {
    harness_ = std::make_unique<ServiceHarness>(std::move(options));
    ASSERT_THAT(harness_->Start(), IsOk());
  }
  void TearDown() override {
    if (harness_ != nullptr) harness_->Stop();
  }

  v1::TrackingService::Stub& stub() { return harness_->stub(); }
  emulator::Emulator& emulator() { return harness_->emulator(); }
  int64_t Upstream(const std::string& route) {
    return emulator().stats().requests_by_route[route];
  }
  void SetFaults(const std::string& json) {
    ASSERT_THAT(emulator().SetFaultsJson(json), IsOk());
  }

  grpc::Status Create(const std::string& number, const std::string& request_id,
                      v1::CreateTrackingResponse* response,
                      const std::string& title = "parcel") {
    v1::CreateTrackingRequest request;
    request.mutable_tracking()->set_carrier_code("dhl");
    request.mutable_tracking()->set_tracking_number(number);
    request.mutable_tracking()->set_title(title);
    request.set_request_id(request_id);
    auto context = ServiceHarness::Context();
    return stub().CreateTracking(context.get(), request, response);
  }
  grpc::Status Get(const std::string& number, v1::GetTrackingResponse* response,
                   bool bypass = false,
                   absl::Duration timeout = absl::Seconds(10)) {
    v1::GetTrackingRequest request;
    request.set_carrier_code("dhl");
    request.set_tracking_number(number);
    request.set_bypass_cache(bypass);
    auto context = ServiceHarness::Context(timeout);
    return stub().GetTracking(context.get(), request, response);
  }
  grpc::Status ListCarriers(bool bypass = false) {
    v1::ListCarriersRequest request;
    request.set_bypass_cache(bypass);
    v1::ListCarriersResponse response;
    auto context = ServiceHarness::Context();
    return stub().ListCarriers(context.get(), request, &response);
  }

  std::unique_ptr<ServiceHarness> harness_;
};

// --- request_id (AIP-155) ---------------------------------------------------

TEST_F(ResilienceE2eTest,
       RepeatedRequestIdCreatesOnceAndReturnsTheFirstAnswer) {
  Start();
  v1::CreateTrackingResponse first, second;
  ASSERT_TRUE(Create("1234567890", "req-0001", &first).ok());
  grpc::Status status = Create("1234567890", "req-0001", &second);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_TRUE(
      google::protobuf::util::MessageDifferencer::Equals(first, second));
  EXPECT_EQ(Upstream("create"), 1);
  // Without a request_id the repeat reaches the upstream: ALREADY_EXISTS.
  v1::CreateTrackingResponse third;
  EXPECT_EQ(Create("1234567890", "", &third).error_code(),
            grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_EQ(Upstream("create"), 2);
}

TEST_F(ResilienceE2eTest, ConcurrentRepeatsOfOneRequestIdShareOneCreate) {
  Start();
  SetFaults(
      R"({"rules":[{"route":"create","kind":"latency","latency_ms":300}]})");
  std::vector<std::future<grpc::Status>> calls;
  for (int i = 0; i < 5; ++i) {
    calls.push_back(std::async(std::launch::async, [this] {
      v1::CreateTrackingResponse response;
      return Create("5555555555", "same-id", &response);
    }));
  }
  for (auto& call : calls) EXPECT_TRUE(call.get().ok());
  EXPECT_EQ(Upstream("create"), 1);
}

TEST_F(ResilienceE2eTest, RequestIdReusedForAnotherRequestIsInvalidArgument) {
  Start();
  v1::CreateTrackingResponse response;
  ASSERT_TRUE(Create("1234567890", "req-0002", &response).ok());
  grpc::Status status =
      Create("1234567890", "req-0002", &response, /*title=*/"changed");
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(ReasonOf(status), "REQUEST_ID_REUSED");
  EXPECT_THAT(status.error_message(), HasSubstr("request_id"));
  EXPECT_EQ(Upstream("create"), 1);
}

TEST_F(ResilienceE2eTest, BadRequestIdIsRejectedBeforeTheUpstream) {
  Start();
  v1::CreateTrackingResponse response;
  EXPECT_EQ(Create("1234567890", std::string(129, 'x'), &response).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(Create("1234567890", "has space", &response).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(Upstream("create"), 0);
}

TEST_F(ResilienceE2eTest, RepeatedBatchRequestIdMakesNoNewUpstreamCalls) {
  Start();
  v1::BatchCreateTrackingsRequest request;
  for (int i = 0; i < 45; ++i) {  // Two upstream chunks.
    v1::NewTracking* item = request.add_trackings();
    item->set_carrier_code("dhl");
    item->set_tracking_number(absl::StrCat("BATCH", 100000 + i));
  }
  request.set_request_id("batch-0001");
  v1::BatchCreateTrackingsResponse first, second;
  auto context = ServiceHarness::Context();
  ASSERT_TRUE(stub().BatchCreateTrackings(context.get(), request, &first).ok());
  EXPECT_EQ(Upstream("batch"), 2);
  auto context2 = ServiceHarness::Context();
  ASSERT_TRUE(
      stub().BatchCreateTrackings(context2.get(), request, &second).ok());
  EXPECT_EQ(Upstream("batch"), 2);
  EXPECT_TRUE(
      google::protobuf::util::MessageDifferencer::Equals(first, second));
  for (const auto& result : second.results())
    EXPECT_EQ(result.status().code(), 0);
}

TEST_F(ResilienceE2eTest, CreateFailingTransientlyIsForgottenAndNotRetried) {
  Start();
  SetFaults(
      R"({"rules":[{"route":"create","kind":"http_error","http_status":503,"times":1}]})");
  v1::CreateTrackingResponse response;
  grpc::Status status = Create("1234567890", "req-0003", &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(Upstream("create"), 1);  // Creates are never retried.
  // The outcome was unknown: the repeat goes upstream and succeeds.
  EXPECT_TRUE(Create("1234567890", "req-0003", &response).ok());
  EXPECT_EQ(Upstream("create"), 2);
}

// --- cache, bypass, invalidation, coalescing
// ----------------------------------

TEST_F(ResilienceE2eTest, GetIsCachedAndBypassReachesTheUpstream) {
  Start();
  v1::CreateTrackingResponse created;
  ASSERT_TRUE(Create("1234567890", "", &created).ok());
  v1::GetTrackingResponse a, b, c;
  ASSERT_TRUE(Get("1234567890", &a).ok());
  ASSERT_TRUE(Get("1234567890", &b).ok());
  EXPECT_EQ(Upstream("get"), 1);
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(a, b));
  ASSERT_TRUE(Get("1234567890", &c, /*bypass=*/true).ok());
  EXPECT_EQ(Upstream("get"), 2);
  EXPECT_EQ(harness_->server().cache()->stats().hits, 1);
}

TEST_F(ResilienceE2eTest, CarriersAreCachedAndBypassReachesTheUpstream) {
  Start();
  ASSERT_TRUE(ListCarriers().ok());
  ASSERT_TRUE(ListCarriers().ok());
  ASSERT_TRUE(ListCarriers().ok());
  EXPECT_EQ(Upstream("carriers"), 1);
  ASSERT_TRUE(ListCarriers(/*bypass=*/true).ok());
  EXPECT_EQ(Upstream("carriers"), 2);
}

TEST_F(ResilienceE2eTest, UpdateAndDeleteInvalidateTheCachedTracking) {
  Start();
  v1::CreateTrackingResponse created;
  ASSERT_TRUE(Create("1234567890", "", &created).ok());
  v1::GetTrackingResponse got;
  ASSERT_TRUE(Get("1234567890", &got).ok());
  EXPECT_EQ(got.tracking().title(), "parcel");

  v1::UpdateTrackingRequest update;
  update.set_carrier_code("dhl");
  update.set_tracking_number("1234567890");
  update.mutable_tracking()->set_title("renamed");
  update.mutable_update_mask()->add_paths("title");
  v1::UpdateTrackingResponse updated;
  auto context = ServiceHarness::Context();
  ASSERT_TRUE(stub().UpdateTracking(context.get(), update, &updated).ok());
  ASSERT_TRUE(Get("1234567890", &got).ok());
  EXPECT_EQ(got.tracking().title(), "renamed");
  EXPECT_EQ(Upstream("get"), 2);

  v1::DeleteTrackingRequest remove;
  remove.set_carrier_code("dhl");
  remove.set_tracking_number("1234567890");
  v1::DeleteTrackingResponse removed;
  auto context2 = ServiceHarness::Context();
  ASSERT_TRUE(stub().DeleteTracking(context2.get(), remove, &removed).ok());
  EXPECT_EQ(Get("1234567890", &got).error_code(), grpc::StatusCode::NOT_FOUND);
}

TEST_F(ResilienceE2eTest, ConcurrentIdenticalGetsShareOneUpstreamCall) {
  Start();
  v1::CreateTrackingResponse created;
  ASSERT_TRUE(Create("1234567890", "", &created).ok());
  SetFaults(R"({"rules":[{"route":"get","kind":"latency","latency_ms":400}]})");
  std::vector<std::future<grpc::Status>> calls;
  for (int i = 0; i < 20; ++i) {
    calls.push_back(std::async(std::launch::async, [this] {
      v1::GetTrackingResponse response;
      return Get("1234567890", &response);
    }));
  }
  for (auto& call : calls) EXPECT_TRUE(call.get().ok());
  EXPECT_EQ(Upstream("get"), 1);
  EXPECT_GE(harness_->server().cache()->stats().coalesced, 1);
}

TEST_F(ResilienceE2eTest, ZeroTtlTurnsTheCacheOff) {
  ServerOptions options = Options();
  options.cache.tracking_ttl = absl::ZeroDuration();
  Start(options);
  v1::CreateTrackingResponse created;
  ASSERT_TRUE(Create("1234567890", "", &created).ok());
  v1::GetTrackingResponse got;
  ASSERT_TRUE(Get("1234567890", &got).ok());
  ASSERT_TRUE(Get("1234567890", &got).ok());
  EXPECT_EQ(Upstream("get"), 2);
}

// --- retries -----------------------------------------------------------------

TEST_F(ResilienceE2eTest, IdempotentReadIsRetriedAfterA503) {
  Start();
  SetFaults(
      R"({"rules":[{"route":"carriers","kind":"http_error","http_status":503,"times":2}]})");
  EXPECT_TRUE(ListCarriers().ok());
  EXPECT_EQ(Upstream("carriers"), 3);
  EXPECT_EQ(harness_->server().retrying()->retries(), 2);
}

TEST_F(ResilienceE2eTest, ResetMidBodyIsRetriedForReads) {
  Start();
  v1::CreateTrackingResponse created;
  ASSERT_TRUE(Create("1234567890", "", &created).ok());
  SetFaults(R"({"rules":[{"route":"get","kind":"reset_mid_body","times":1}]})");
  v1::GetTrackingResponse got;
  EXPECT_TRUE(Get("1234567890", &got).ok());
  EXPECT_EQ(Upstream("get"), 2);
}

TEST_F(ResilienceE2eTest, HungReadIsCutByTheAttemptTimeoutAndRetried) {
  ServerOptions options = Options();
  options.retry.attempt_timeout = absl::Milliseconds(300);
  Start(options);
  SetFaults(R"({"rules":[{"route":"carriers","kind":"hang","times":1}]})");
  const absl::Time start = absl::Now();
  EXPECT_TRUE(ListCarriers().ok());
  EXPECT_LT(absl::Now() - start, absl::Seconds(2));
  EXPECT_EQ(Upstream("carriers"), 2);
}

TEST_F(ResilienceE2eTest, WritesAreNotRetried) {
  Start();
  v1::CreateTrackingResponse created;
  ASSERT_TRUE(Create("1234567890", "", &created).ok());
  SetFaults(
      R"({"rules":[{"route":"update","kind":"http_error","http_status":502,"times":1},
                          {"route":"delete","kind":"reset_mid_body","times":1}]})");
  v1::UpdateTrackingRequest update;
  update.set_carrier_code("dhl");
  update.set_tracking_number("1234567890");
  update.mutable_tracking()->set_title("renamed");
  v1::UpdateTrackingResponse updated;
  auto context = ServiceHarness::Context();
  EXPECT_EQ(stub().UpdateTracking(context.get(), update, &updated).error_code(),
            grpc::StatusCode::UNAVAILABLE);
  v1::DeleteTrackingRequest remove;
  remove.set_carrier_code("dhl");
  remove.set_tracking_number("1234567890");
  v1::DeleteTrackingResponse removed;
  auto context2 = ServiceHarness::Context();
  EXPECT_EQ(
      stub().DeleteTracking(context2.get(), remove, &removed).error_code(),
      grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(Upstream("update"), 1);
  EXPECT_EQ(Upstream("delete"), 1);
}

TEST_F(ResilienceE2eTest, RetriesNeverOutliveTheCallersDeadline) {
  Start();
  SetFaults(
      R"({"rules":[{"route":"carriers","kind":"http_error","http_status":502,"latency_ms":150}]})");
  v1::ListCarriersRequest request;
  v1::ListCarriersResponse response;
  auto context = ServiceHarness::Context(absl::Milliseconds(400));
  const absl::Time start = absl::Now();
  grpc::Status status = stub().ListCarriers(context.get(), request, &response);
  const absl::Duration elapsed = absl::Now() - start;
  EXPECT_TRUE(status.error_code() == grpc::StatusCode::UNAVAILABLE ||
              status.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED)
      << status.error_message();
  EXPECT_LT(elapsed, absl::Milliseconds(550));
  EXPECT_LE(Upstream("carriers"), 3);
}

// --- circuit breaker
// -----------------------------------------------------------

TEST_F(ResilienceE2eTest, CircuitOpensFailsFastKeepsReadinessAndRecovers) {
  ServerOptions options = Options();
  options.retry.max_attempts = 1;
  options.circuit.failure_threshold = 3;
  options.circuit.cooldown = absl::Milliseconds(800);
  Start(options);
  SetFaults(
      R"({"rules":[{"route":"carriers","kind":"http_error","http_status":503}]})");
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(ReasonOf(ListCarriers(/*bypass=*/true)), "UPSTREAM_UNAVAILABLE");
  }
  EXPECT_EQ(Upstream("carriers"), 3);
  EXPECT_EQ(harness_->server().circuit_breaker()->state(), CircuitState::kOpen);
  // The replica stays ready: callers get the fast answer below.
  EXPECT_TRUE(harness_->server().readiness().ready());

  // Open: fail fast with UNAVAILABLE + RetryInfo, no upstream call.
  v1::ListCarriersResponse response;
  auto context = ServiceHarness::Context();
  const absl::Time start = absl::Now();
  grpc::Status status =
      stub().ListCarriers(context.get(), v1::ListCarriersRequest(), &response);
  EXPECT_LT(absl::Now() - start, absl::Milliseconds(200));
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(ReasonOf(status), "CIRCUIT_OPEN");
  auto delay = GetRetryDelay(FromGrpcStatus(status));
  ASSERT_TRUE(delay.has_value());
  EXPECT_GT(*delay, absl::ZeroDuration());
  EXPECT_LE(*delay, absl::Milliseconds(800));
  EXPECT_EQ(Upstream("carriers"), 3);

  // After the cool-down one probe goes through and closes it.
  emulator().ClearFaults();
  const absl::Time until = absl::Now() + absl::Seconds(3);
  while (harness_->server().circuit_breaker()->state() == CircuitState::kOpen &&
         absl::Now() < until) {
    absl::SleepFor(absl::Milliseconds(20));
  }
  EXPECT_EQ(harness_->server().circuit_breaker()->state(),
            CircuitState::kHalfOpen);
  EXPECT_TRUE(ListCarriers(/*bypass=*/true).ok());
  EXPECT_EQ(harness_->server().circuit_breaker()->state(),
            CircuitState::kClosed);
  EXPECT_EQ(Upstream("carriers"), 4);
}

}  // namespace
}  // namespace tracktry
