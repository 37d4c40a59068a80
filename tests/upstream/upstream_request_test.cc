// Copyright 2026 The tracktry-grpc Authors.
//
// UpstreamRequest helpers: endpoint names, idempotency, percent-encoding.
#include "service/upstream/upstream_request.h"

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

TEST(UrlEncodeTest, UnreservedCharactersStayAsIs) {
  const std::string unreserved =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~";
  EXPECT_EQ(UrlEncode(unreserved), unreserved);
}

TEST(UrlEncodeTest, ReservedAndSpaceArePercentEncoded) {
  EXPECT_EQ(UrlEncode("a b"), "a%20b");
  EXPECT_EQ(UrlEncode("a/b"), "a%2Fb");
  EXPECT_EQ(UrlEncode("a?b#c"), "a%3Fb%23c");
  EXPECT_EQ(UrlEncode("k=v&x"), "k%3Dv%26x");
  EXPECT_EQ(UrlEncode("100%"), "100%25");
  EXPECT_EQ(UrlEncode("a+b"), "a%2Bb");
  EXPECT_EQ(UrlEncode(".."), "..");
}

TEST(UrlEncodeTest, Utf8IsEncodedBytewiseUpperHex) {
  EXPECT_EQ(UrlEncode("\xC3\xA9"), "%C3%A9");         // é
  EXPECT_EQ(UrlEncode("\xE4\xB8\xAD"), "%E4%B8%AD");  // 中
}

TEST(UrlEncodeTest, ControlAndNulBytesAreEncoded) {
  EXPECT_EQ(UrlEncode(std::string("a\0b", 3)), "a%00b");
  EXPECT_EQ(UrlEncode("a\r\nb"), "a%0D%0Ab");
}

TEST(UrlEncodeTest, EmptyStaysEmpty) { EXPECT_EQ(UrlEncode(""), ""); }

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
