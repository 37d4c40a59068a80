// Copyright 2026 The tracktry-grpc Authors.
#include "client/grpc_status_conversion.h"

#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "common/error_details.h"
#include "gmock/gmock.h"
#include "google/rpc/status.pb.h"
#include "gtest/gtest.h"
#include "service/errors/grpc_status.h"
#include "tests/testing/fake_tracking_service.h"
#include "tests/testing/status_matchers.h"

namespace tracktry {
namespace {

using ::testing::Eq;
using ::tracktry::testing::IsOk;
using ::tracktry::testing::StatusIs;

TEST(FromGrpcStatusTest, OkBecomesOk) {
  EXPECT_THAT(FromGrpcStatus(grpc::Status::OK), IsOk());
}

TEST(FromGrpcStatusTest, EveryCodeIsCarriedOver) {
  for (int code = 1; code <= 16; ++code) {
    absl::Status status = FromGrpcStatus(
        grpc::Status(static_cast<grpc::StatusCode>(code), "message"));
    EXPECT_EQ(static_cast<int>(status.code()), code);
    EXPECT_EQ(status.message(), "message");
  }
}

TEST(FromGrpcStatusTest, OutOfRangeCodeBecomesUnknown) {
  // 20 is outside 0..16 but a valid value of the unscoped enum (0..31).
  EXPECT_THAT(
      FromGrpcStatus(grpc::Status(static_cast<grpc::StatusCode>(20), "odd")),
      StatusIs(absl::StatusCode::kUnknown, Eq("odd")));
}

TEST(FromGrpcStatusTest, DetailsBecomePayloadsKeyedByTypeUrl) {
  google::rpc::Status rpc_status;
  rpc_status.set_code(8);
  google::rpc::ErrorInfo info;
  info.set_reason("RATE_LIMITED");
  info.set_domain("tracktry.v1");
  rpc_status.add_details()->PackFrom(info);
  google::rpc::RetryInfo retry;
  retry.mutable_retry_delay()->set_seconds(3);
  retry.mutable_retry_delay()->set_nanos(500000000);
  rpc_status.add_details()->PackFrom(retry);
  google::rpc::BadRequest bad_request;
  bad_request.add_field_violations()->set_field("page_size");
  rpc_status.add_details()->PackFrom(bad_request);

  absl::Status status =
      FromGrpcStatus(grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED,
                                  "slow down", rpc_status.SerializeAsString()));

  EXPECT_THAT(status,
              StatusIs(absl::StatusCode::kResourceExhausted, Eq("slow down")));
  ASSERT_TRUE(GetErrorInfo(status).has_value());
  EXPECT_EQ(GetErrorInfo(status)->reason(), "RATE_LIMITED");
  EXPECT_EQ(GetRetryDelay(status), absl::Milliseconds(3500));
  ASSERT_TRUE(GetBadRequest(status).has_value());
  EXPECT_EQ(GetBadRequest(status)->field_violations(0).field(), "page_size");
}

TEST(FromGrpcStatusTest, UndecodableDetailsAreIgnored) {
  absl::Status status = FromGrpcStatus(grpc::Status(
      grpc::StatusCode::INTERNAL, "broken", std::string("\xff\xff\xff", 3)));

  EXPECT_THAT(status, StatusIs(absl::StatusCode::kInternal, Eq("broken")));
  EXPECT_FALSE(GetErrorInfo(status).has_value());
}

TEST(FromGrpcStatusTest, RoundTripsTheFakeServersConversion) {
  absl::Status original = InvalidFieldError("tracking.lang", "2 letters");

  absl::Status status =
      FromGrpcStatus(testing::ToGrpcStatusWithDetails(original));

  EXPECT_EQ(status, original);
}

TEST(FromGrpcStatusTest, RoundTripsTheServersConversion) {
  absl::Status original =
      WithRetryDelay(MakeError(absl::StatusCode::kResourceExhausted, "quota",
                               "QUOTA", {{"metaCode", "4031"}}),
                     absl::Seconds(60));

  absl::Status status = FromGrpcStatus(ToGrpcStatus(original));

  EXPECT_THAT(status,
              StatusIs(absl::StatusCode::kResourceExhausted, Eq("quota")));
  ASSERT_TRUE(GetErrorInfo(status).has_value());
  EXPECT_EQ(GetErrorInfo(status)->reason(), "QUOTA");
  EXPECT_EQ(GetErrorInfo(status)->metadata().at("metaCode"), "4031");
  EXPECT_EQ(GetRetryDelay(status), absl::Seconds(60));
}

}  // namespace
}  // namespace tracktry
