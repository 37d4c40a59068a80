// Copyright 2026 The tracktry-grpc Authors.
//
// UpstreamRequest helpers: endpoint names, idempotency.
#include "service/tracktry_api/upstream_request.h"

#include <set>
#include <string>

#include "gtest/gtest.h"

namespace tracktry {
namespace {

constexpr Endpoint kAllEndpoints[] = {
    Endpoint::kCreateTracking, Endpoint::kGetTracking,
    Endpoint::kUpdateTracking, Endpoint::kDeleteTracking,
    Endpoint::kBatchCreate,    Endpoint::kListTrackings,
    Endpoint::kRealtime,       Endpoint::kListCarriers,
    Endpoint::kDetectCarrier,
};

TEST(EndpointNameTest, EveryEndpointHasItsDocumentedName) {
  EXPECT_STREQ(EndpointName(Endpoint::kCreateTracking), "create");
  EXPECT_STREQ(EndpointName(Endpoint::kGetTracking), "get");
  EXPECT_STREQ(EndpointName(Endpoint::kUpdateTracking), "update");
  EXPECT_STREQ(EndpointName(Endpoint::kDeleteTracking), "delete");
  EXPECT_STREQ(EndpointName(Endpoint::kBatchCreate), "batch");
  EXPECT_STREQ(EndpointName(Endpoint::kListTrackings), "list");
  EXPECT_STREQ(EndpointName(Endpoint::kRealtime), "realtime");
  EXPECT_STREQ(EndpointName(Endpoint::kListCarriers), "carriers");
  EXPECT_STREQ(EndpointName(Endpoint::kDetectCarrier), "detect");
}

TEST(EndpointNameTest, NamesAreDistinctLowerCase) {
  std::set<std::string> names;
  for (Endpoint endpoint : kAllEndpoints) {
    const std::string name = EndpointName(endpoint);
    for (char c : name) EXPECT_TRUE(c >= 'a' && c <= 'z') << name;
    names.insert(name);
  }
  EXPECT_EQ(names.size(), std::size(kAllEndpoints));
}

TEST(EndpointNameTest, OutOfRangeValueIsUnknown) {
  EXPECT_STREQ(EndpointName(static_cast<Endpoint>(999)), "unknown");
}

TEST(IsIdempotentTest, ReadsAreIdempotentWritesAreNot) {
  EXPECT_TRUE(IsIdempotent(Endpoint::kGetTracking));
  EXPECT_TRUE(IsIdempotent(Endpoint::kListTrackings));
  EXPECT_TRUE(IsIdempotent(Endpoint::kRealtime));
  EXPECT_TRUE(IsIdempotent(Endpoint::kListCarriers));
  EXPECT_TRUE(IsIdempotent(Endpoint::kDetectCarrier));
  EXPECT_FALSE(IsIdempotent(Endpoint::kCreateTracking));
  EXPECT_FALSE(IsIdempotent(Endpoint::kUpdateTracking));
  EXPECT_FALSE(IsIdempotent(Endpoint::kDeleteTracking));
  EXPECT_FALSE(IsIdempotent(Endpoint::kBatchCreate));
}

TEST(UpstreamRequestTest, DefaultsAreAGetWithoutBody) {
  UpstreamRequest request;
  EXPECT_EQ(request.endpoint, Endpoint::kGetTracking);
  EXPECT_EQ(request.method, "GET");
  EXPECT_TRUE(request.path.empty());
  EXPECT_TRUE(request.query.empty());
  EXPECT_FALSE(request.body.has_value());
}

}  // namespace
}  // namespace tracktry
