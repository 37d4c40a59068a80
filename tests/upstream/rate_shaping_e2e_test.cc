// Copyright 2026 The tracktry-grpc Authors.
//
// Rate shaping end to end (gRPC client -> server -> libcurl -> emulator):
// against an emulator that enforces R req/s and answers 429 beyond, a load
// of 10 x R produces no upstream 429 while using >= 95% of R; an upstream
// 429 with Retry-After pauses the upstream calls; and, as the control, the
// same load with shaping off does get 429s.
#include <cstdio>
#include <string>

#include "absl/base/config.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/error_details.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/grpc_load.h"
#include "tests/testing/service_harness.h"
#include "tests/testing/status_matchers.h"

namespace tracktry {
namespace {

using testing::DriveLoad;
using testing::IsOk;
using testing::LoadResult;
using testing::ServiceHarness;

// The emulator's limit (burst 1) and the load. The shaper runs at 0.97 x
// kRate (the default --rate-safety), leaving 6 ms of headroom per 200 ms
// interval (plus the late-arrival compensation) for the scheduling jitter
// of a loaded 2-core test machine; at 20 req/s the 1.5 ms of headroom is
// not enough there (bench/RESULTS.md "Rate shaping").
constexpr double kRate = 5.0;
constexpr double kLoadFactor = 10.0;

std::string ReasonOf(const grpc::Status& status) {
  return testing::GrpcReason(status);
}

ServerOptions ShapedOptions(bool enabled) {
  ServerOptions options;
  options.rate_shaping.enabled = enabled;
  // One upstream call per read, so that answers measure the pacing (read
  // batching answers many reads per call: read_batching_e2e_test).
  options.read_batching.enabled = false;
  for (TokenBucketLimit& limit : options.rate_shaping.limits) {
    limit.rate = kRate;
    limit.burst = 1;
  }
  return options;  // Default safety 0.97.
}

emulator::EmulatorOptions LimitedEmulator() {
  emulator::EmulatorOptions options;
  options.config.rate_limit.rps = kRate;
  options.config.rate_limit.burst = 1;
  return options;
}

// The share of the rate the shaper must use over the window. The product
// goal (>= 0.95 R) is measured by bench/run scenario 4 over 60 s; over this
// test's 6 s window one token lost to a descheduled thread is 3%, and under
// ASan+UBSan on a loaded 2-core machine two were lost (0.947 R).
// (ABSL_HAVE_ADDRESS_SANITIZER: GCC and clang alike; clang does not define
// __SANITIZE_ADDRESS__.)
#if defined(ABSL_HAVE_ADDRESS_SANITIZER)
constexpr double kMinShare = 0.9;
#else
constexpr double kMinShare = 0.95;
#endif

TEST(RateShapingE2eTest, TenTimesTheRateGetsNo429AndAtLeast95PercentOfIt) {
  ServiceHarness harness(ShapedOptions(true), LimitedEmulator());
  ASSERT_THAT(harness.Start(), IsOk());
  const LoadResult load = DriveLoad(&harness.stub(), kLoadFactor * kRate,
                                    absl::Seconds(5), absl::Seconds(2));
  const emulator::StatsSnapshot stats = harness.emulator().stats();
  std::printf("%s; upstream 429s %lld\n", load.Summary().c_str(),
              static_cast<long long>(stats.rate_limited_total));
  SCOPED_TRACE(load.Summary());
  EXPECT_EQ(stats.rate_limited_total, 0);
  EXPECT_EQ(load.Count("RATE_LIMITED"), 0);
  EXPECT_EQ(stats.requests_total,
            static_cast<int64_t>(load.upstream_answers.size()));
  EXPECT_GE(load.UpstreamRate(), kMinShare * kRate);
  EXPECT_LE(load.UpstreamRate(), 1.0 * kRate);
  // Five seconds of load plus up to two of draining the queue.
  EXPECT_GE(load.upstream_answers.size(),
            static_cast<size_t>(0.95 * kRate * 6));
  // The excess was shed at once with RATE_LIMIT_QUEUE, not by timeouts.
  EXPECT_GE(load.Count("RATE_LIMIT_QUEUE"), load.sent / 2);
  EXPECT_LE(load.Count(grpc::StatusCode::DEADLINE_EXCEEDED), 1);
  const RateShaperStats shaper = harness.server().rate_shaper()->Stats();
  EXPECT_EQ(shaper.upstream_rate_limited, 0);
  EXPECT_GT(shaper.classes[0].rejected, 0);
}

TEST(RateShapingE2eTest, WithoutShapingTheSameLoadGets429s) {
  ServiceHarness harness(ShapedOptions(false), LimitedEmulator());
  ASSERT_THAT(harness.Start(), IsOk());
  const LoadResult load = DriveLoad(&harness.stub(), kLoadFactor * kRate,
                                    absl::Seconds(1), absl::Seconds(2));
  SCOPED_TRACE(load.Summary());
  // 50 calls in one second against 5/s: most are refused upstream.
  EXPECT_GT(harness.emulator().stats().rate_limited_total, load.sent / 2);
}

TEST(RateShapingE2eTest, Upstream429WithRetryAfterPausesUpstreamCalls) {
  ServiceHarness harness(ShapedOptions(true));  // The emulator has no limit.
  ASSERT_THAT(harness.Start(), IsOk());
  ASSERT_THAT(harness.emulator().SetFaultsJson(
                  R"({"rules":[{"route":"*","kind":"meta_error",)"
                  R"("meta_code":429,"http_status":429,"retry_after_s":2,)"
                  R"("times":1}]})"),
              IsOk());
  v1::GetTrackingRequest request;
  request.set_carrier_code("dhl");
  request.set_tracking_number("RS000000001DE");
  request.set_bypass_cache(true);
  v1::GetTrackingResponse response;

  auto context = ServiceHarness::Context(absl::Seconds(5));
  grpc::Status status =
      harness.stub().GetTracking(context.get(), request, &response);
  const absl::Time limited_at = absl::Now();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_EQ(ReasonOf(status), "RATE_LIMITED");
  EXPECT_EQ(GetRetryDelay(FromGrpcStatus(status)), absl::Seconds(2));

  // A call that cannot outwait the pause fails at once.
  context = ServiceHarness::Context(absl::Seconds(1));
  status = harness.stub().GetTracking(context.get(), request, &response);
  EXPECT_LT(absl::Now() - limited_at, absl::Milliseconds(500));
  EXPECT_EQ(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_EQ(ReasonOf(status), "RATE_LIMIT_QUEUE");
  const auto retry = GetRetryDelay(FromGrpcStatus(status));
  ASSERT_TRUE(retry.has_value());
  EXPECT_GT(*retry, absl::Milliseconds(1500));

  // One that can goes upstream once the pause is over.
  context = ServiceHarness::Context(absl::Seconds(5));
  status = harness.stub().GetTracking(context.get(), request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND)
      << status.error_message();
  EXPECT_GE(absl::Now() - limited_at, absl::Milliseconds(1950));
  EXPECT_EQ(harness.emulator().stats().requests_total, 2);
  EXPECT_EQ(harness.server().rate_shaper()->Stats().pauses, 1);
}

}  // namespace
}  // namespace tracktry
