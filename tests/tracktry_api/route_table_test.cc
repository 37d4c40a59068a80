// Copyright 2026 The tracktry-grpc Authors.
//
// The route table: one row per Endpoint, in order, with the documented
// names, methods, paths and attributes; RenderPath fills the templates from
// structured keys, percent-encoded.
#include "service/tracktry_api/route_table.h"

#include <set>
#include <string>

#include "absl/strings/match.h"
#include "gtest/gtest.h"
#include "service/tracktry_api/upstream_request.h"

namespace tracktry {
namespace {

TEST(RouteTableTest, OneRowPerEndpointInEnumOrder) {
  int index = 0;
  for (const Route& route : AllRoutes()) {
    EXPECT_EQ(static_cast<int>(route.endpoint), index) << route.name;
    EXPECT_EQ(&RouteOf(route.endpoint), &route);
    ++index;
  }
  EXPECT_EQ(index, static_cast<int>(Endpoint::kUpdateMore) + 1);
}

TEST(RouteTableTest, NamesAreDistinctLowerCase) {
  std::set<std::string> names;
  for (const Route& route : AllRoutes()) {
    const std::string name = route.name;
    for (char c : name) {
      EXPECT_TRUE((c >= 'a' && c <= 'z') || c == '_') << name;
    }
    names.insert(name);
  }
  EXPECT_EQ(names.size(), AllRoutes().size());
}

TEST(RouteTableTest, EveryEndpointHasItsDocumentedName) {
  EXPECT_STREQ(EndpointName(Endpoint::kCreateTracking), "create");
  EXPECT_STREQ(EndpointName(Endpoint::kGetTracking), "get");
  EXPECT_STREQ(EndpointName(Endpoint::kUpdateTracking), "update");
  EXPECT_STREQ(EndpointName(Endpoint::kDeleteTracking), "delete");
  EXPECT_STREQ(EndpointName(Endpoint::kBatchCreate), "batch");
  EXPECT_STREQ(EndpointName(Endpoint::kListTrackings), "list");
  EXPECT_STREQ(EndpointName(Endpoint::kRealtime), "realtime");
  EXPECT_STREQ(EndpointName(Endpoint::kListCarriers), "carriers");
  EXPECT_STREQ(EndpointName(Endpoint::kDetectCarrier), "detect");
  EXPECT_STREQ(EndpointName(Endpoint::kUpdateCarrier), "update_carrier");
  EXPECT_STREQ(EndpointName(Endpoint::kUserInfo), "userinfo");
  EXPECT_STREQ(EndpointName(Endpoint::kStatusNumber), "status_number");
  EXPECT_STREQ(EndpointName(Endpoint::kNotUpdate), "not_update");
  EXPECT_STREQ(EndpointName(Endpoint::kRemote), "remote");
  EXPECT_STREQ(EndpointName(Endpoint::kCostTime), "cost_time");
  EXPECT_STREQ(EndpointName(Endpoint::kBatchDelete), "batch_delete");
  EXPECT_STREQ(EndpointName(Endpoint::kUpdateMore), "update_more");
}

TEST(RouteTableTest, OutOfRangeValueIsUnknown) {
  EXPECT_STREQ(EndpointName(static_cast<Endpoint>(999)), "unknown");
  EXPECT_FALSE(IsIdempotent(static_cast<Endpoint>(999)));
}

TEST(RouteTableTest, ReadsAreIdempotentWritesAreNot) {
  for (Endpoint read :
       {Endpoint::kGetTracking, Endpoint::kListTrackings, Endpoint::kRealtime,
        Endpoint::kListCarriers, Endpoint::kDetectCarrier, Endpoint::kUserInfo,
        Endpoint::kStatusNumber, Endpoint::kRemote, Endpoint::kCostTime}) {
    EXPECT_TRUE(IsIdempotent(read)) << EndpointName(read);
    EXPECT_FALSE(RouteOf(read).invalidates_reads && read != Endpoint::kRealtime)
        << EndpointName(read);
  }
  for (Endpoint write : {Endpoint::kCreateTracking, Endpoint::kUpdateTracking,
                         Endpoint::kDeleteTracking, Endpoint::kBatchCreate,
                         Endpoint::kUpdateCarrier, Endpoint::kNotUpdate,
                         Endpoint::kBatchDelete, Endpoint::kUpdateMore}) {
    EXPECT_FALSE(IsIdempotent(write)) << EndpointName(write);
    // Every write makes the cached reads of its trackings stale.
    EXPECT_TRUE(RouteOf(write).invalidates_reads) << EndpointName(write);
    EXPECT_EQ(RouteOf(write).cache_class, CacheClass::kNone);
  }
  // Realtime refreshes the upstream's stored tracking.
  EXPECT_TRUE(RouteOf(Endpoint::kRealtime).invalidates_reads);
}

// Only these answers are read solely as a tracking (tracking_operations.cc:
// ReadFirstTracking); every other reader needs the document.
TEST(RouteTableTest, AnswersReadAsATracking) {
  for (const Route& route : AllRoutes()) {
    const bool tracking = route.endpoint == Endpoint::kGetTracking ||
                          route.endpoint == Endpoint::kRealtime ||
                          route.endpoint == Endpoint::kCreateTracking ||
                          route.endpoint == Endpoint::kUpdateTracking;
    EXPECT_EQ(AnswerReadAsTracking(route.endpoint), tracking) << route.name;
  }
  EXPECT_FALSE(AnswerReadAsTracking(static_cast<Endpoint>(999)));
}

TEST(RouteTableTest, RateClassesFollowTracktrysLimits) {
  EXPECT_EQ(RateClassOf(Endpoint::kRealtime), RateClass::kRealtime);
  EXPECT_EQ(RateClassOf(Endpoint::kListTrackings), RateClass::kList);
  for (const Route& route : AllRoutes()) {
    if (route.endpoint == Endpoint::kRealtime ||
        route.endpoint == Endpoint::kListTrackings) {
      continue;
    }
    EXPECT_EQ(route.rate_class, RateClass::kDefault) << route.name;
  }
  EXPECT_STREQ(RateClassName(RateClass::kDefault), "default");
  EXPECT_STREQ(RateClassName(RateClass::kList), "list");
  EXPECT_STREQ(RateClassName(RateClass::kRealtime), "realtime");
}

TEST(RouteTableTest, OnlyTrackingReadsAndCarriersAreCached) {
  for (const Route& route : AllRoutes()) {
    if (route.endpoint == Endpoint::kGetTracking) {
      EXPECT_EQ(route.cache_class, CacheClass::kTracking);
    } else if (route.endpoint == Endpoint::kListCarriers) {
      EXPECT_EQ(route.cache_class, CacheClass::kCarriers);
    } else {
      EXPECT_EQ(route.cache_class, CacheClass::kNone) << route.name;
    }
  }
}

TEST(RouteTableTest, MethodsAndPathsAreTracktrys) {
  for (const Route& route : AllRoutes()) {
    EXPECT_TRUE(absl::StartsWith(route.path, "/")) << route.name;
    const std::string method = route.method;
    EXPECT_TRUE(method == "GET" || method == "POST" || method == "PUT" ||
                method == "DELETE")
        << route.name;
  }
  EXPECT_STREQ(RouteOf(Endpoint::kCreateTracking).path, "/trackings/post");
  EXPECT_STREQ(RouteOf(Endpoint::kUpdateTracking).method, "PUT");
  EXPECT_STREQ(RouteOf(Endpoint::kDeleteTracking).method, "DELETE");
  EXPECT_STREQ(RouteOf(Endpoint::kListTrackings).path, "/trackings/get");
  EXPECT_STREQ(RouteOf(Endpoint::kListCarriers).path, "/carriers");
  EXPECT_STREQ(RouteOf(Endpoint::kDetectCarrier).path, "/carriers/detect");
}

UpstreamRequest Call(Endpoint endpoint, std::string carrier, std::string number,
                     std::string lang = "") {
  UpstreamRequest request;
  request.endpoint = endpoint;
  request.carrier = std::move(carrier);
  request.tracking_numbers.push_back(std::move(number));
  request.lang = std::move(lang);
  return request;
}

TEST(RenderPathTest, SingleTrackingPathFromKeys) {
  EXPECT_EQ(RenderPath(Call(Endpoint::kGetTracking, "dhl", "1234567890")),
            "/trackings/dhl/1234567890");
  EXPECT_EQ(RenderPath(Call(Endpoint::kUpdateTracking, "ups", "1Z99")),
            "/trackings/ups/1Z99");
  EXPECT_EQ(RenderPath(Call(Endpoint::kDeleteTracking, "ups", "1Z99")),
            "/trackings/ups/1Z99");
}

TEST(RenderPathTest, LangIsAppendedOnlyToTheRead) {
  EXPECT_EQ(RenderPath(Call(Endpoint::kGetTracking, "dhl", "123", "cn")),
            "/trackings/dhl/123/cn");
  // Realtime carries its lang in the body; its path has no placeholder.
  EXPECT_EQ(RenderPath(Call(Endpoint::kRealtime, "dhl", "123", "cn")),
            "/trackings/realtime");
}

TEST(RenderPathTest, KeysArePercentEncoded) {
  EXPECT_EQ(RenderPath(Call(Endpoint::kGetTracking, "a/b", "1 2?x#y", "e&f")),
            "/trackings/a%2Fb/1%202%3Fx%23y/e%26f");
}

// Keys that look like placeholders are encoded, never filled in again; a
// read without a number gets an empty segment; every route's path renders
// the same.
TEST(RenderPathTest, KeysAreNotTemplates) {
  EXPECT_EQ(RenderPath(Call(Endpoint::kGetTracking, "{number}", "{carrier}")),
            "/trackings/%7Bnumber%7D/%7Bcarrier%7D");
  UpstreamRequest no_number;
  no_number.endpoint = Endpoint::kGetTracking;
  no_number.carrier = "dhl";
  EXPECT_EQ(RenderPath(no_number), "/trackings/dhl/");
  for (const Route& route : AllRoutes()) {
    SCOPED_TRACE(route.name);
    const std::string rendered = RenderPath(Call(route.endpoint, "c", "n"));
    EXPECT_EQ(rendered.find('{'), std::string::npos);
    EXPECT_EQ(rendered.front(), '/');
  }
}

TEST(RenderPathTest, FixedPathsIgnoreKeys) {
  EXPECT_EQ(RenderPath(Call(Endpoint::kCreateTracking, "dhl", "1")),
            "/trackings/post");
  UpstreamRequest carriers;
  carriers.endpoint = Endpoint::kListCarriers;
  EXPECT_EQ(RenderPath(carriers), "/carriers");
}

}  // namespace
}  // namespace tracktry
