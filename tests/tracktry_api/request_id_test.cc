// Copyright 2026 The tracktry-grpc Authors.
//
// AIP-155 request_id keys: scope, fingerprint without the request_id, parts.
#include "service/tracktry_api/request_id.h"

#include "gtest/gtest.h"
#include "tracktry/v1/tracking_service.pb.h"

namespace tracktry {
namespace {

TEST(RequestFingerprintTest, DependsOnTheWholeRequest) {
  v1::CreateTrackingRequest a;
  a.mutable_tracking()->set_tracking_number("123456");
  a.mutable_tracking()->set_carrier_code("dhl");
  v1::CreateTrackingRequest b = a;
  EXPECT_EQ(RequestFingerprint(a), RequestFingerprint(b));
  b.mutable_tracking()->set_title("x");
  EXPECT_NE(RequestFingerprint(a), RequestFingerprint(b));
}

TEST(RequestIdKeyTest, NoRequestIdMeansNoKey) {
  v1::CreateTrackingRequest request;
  request.mutable_tracking()->set_tracking_number("1");
  const RequestIdKey key = RequestIdKeyOf("CreateTracking", request);
  EXPECT_EQ(key.scope, "");
  UpstreamRequest call;
  key.Apply(3, &call);
  EXPECT_EQ(call.idempotency_key, "");
  EXPECT_EQ(call.idempotency_part, 0);
}

TEST(RequestIdKeyTest, ScopeAndFingerprintIgnoreTheRequestIdItself) {
  v1::CreateTrackingRequest first;
  first.mutable_tracking()->set_tracking_number("1");
  first.set_request_id("r1");
  v1::CreateTrackingRequest second = first;
  second.set_request_id("r2");
  const RequestIdKey a = RequestIdKeyOf("CreateTracking", first);
  const RequestIdKey b = RequestIdKeyOf("CreateTracking", second);
  EXPECT_EQ(a.scope, "CreateTracking/r1");
  EXPECT_EQ(b.scope, "CreateTracking/r2");
  EXPECT_EQ(a.fingerprint, b.fingerprint);
  UpstreamRequest call;
  a.Apply(2, &call);
  EXPECT_EQ(call.idempotency_key, "CreateTracking/r1");
  EXPECT_EQ(call.idempotency_fingerprint, a.fingerprint);
  EXPECT_EQ(call.idempotency_part, 2);
}

}  // namespace
}  // namespace tracktry
