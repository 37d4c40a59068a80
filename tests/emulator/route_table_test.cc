// Copyright 2026 The tracktry-grpc Authors.
#include "emulator/route_table.h"

#include "gtest/gtest.h"

namespace tracktry::emulator {
namespace {

TEST(RouteTableTest, FixedRoutesMatchUnderV1AndV2) {
  const RouteTable table;
  EXPECT_EQ(table.Match("POST", "/v1/trackings/post").id, RouteId::kCreate);
  EXPECT_EQ(table.Match("POST", "/v2/trackings/post").id, RouteId::kCreate);
  EXPECT_EQ(table.Match("POST", "/v1/trackings/batch").id, RouteId::kBatch);
  EXPECT_EQ(table.Match("GET", "/v1/trackings/get").id, RouteId::kList);
  EXPECT_EQ(table.Match("POST", "/v1/trackings/get").id, RouteId::kList);
  EXPECT_EQ(table.Match("POST", "/v1/trackings/realtime").id,
            RouteId::kRealtime);
  EXPECT_EQ(table.Match("GET", "/v1/carriers").id, RouteId::kCarriers);
  EXPECT_EQ(table.Match("POST", "/v1/carriers/detect").id, RouteId::kDetect);
  EXPECT_EQ(table.Match("POST", "/v1/trackings/update").id,
            RouteId::kUpdateCarrier);
  EXPECT_EQ(table.Match("GET", "/v1/trackings/getstatusnumber").id,
            RouteId::kStatusNumber);
  EXPECT_EQ(table.Match("POST", "/v1/trackings/delete").id,
            RouteId::kBatchDelete);
}

TEST(RouteTableTest, SingleTrackingRoutesCaptureParameters) {
  const RouteTable table;
  RouteMatch match = table.Match("GET", "/v1/trackings/dhl/1234567890");
  EXPECT_EQ(match.error, 0);
  EXPECT_EQ(match.id, RouteId::kGet);
  EXPECT_EQ(match.carrier, "dhl");
  EXPECT_EQ(match.number, "1234567890");
  EXPECT_EQ(match.relative_path, "/trackings/dhl/1234567890");

  match = table.Match("GET", "/v1/trackings/4px/300403513351/en");
  EXPECT_EQ(match.id, RouteId::kGet);
  EXPECT_EQ(match.lang, "en");

  EXPECT_EQ(table.Match("PUT", "/v1/trackings/ups/1Z1").id, RouteId::kUpdate);
  EXPECT_EQ(table.Match("DELETE", "/v1/trackings/ups/1Z1").id,
            RouteId::kDelete);
}

TEST(RouteTableTest, UnknownPathIs404) {
  const RouteTable table;
  EXPECT_EQ(table.Match("GET", "/v1/nothing").error, 404);
  EXPECT_EQ(table.Match("GET", "/v3/carriers").error, 404);
  EXPECT_EQ(table.Match("GET", "/carriers").error, 404);
  EXPECT_EQ(table.Match("GET", "/v1/trackings/a/b/c/d").error, 404);
  EXPECT_STREQ(table.Match("GET", "/v1/nothing").name(), "unknown");
}

TEST(RouteTableTest, WrongMethodIs405WithAllowedMethods) {
  const RouteTable table;
  RouteMatch match = table.Match("DELETE", "/v1/trackings/post");
  EXPECT_EQ(match.error, 405);
  EXPECT_EQ(match.allowed_methods, "POST");
  match = table.Match("POST", "/v1/trackings/dhl/1234567890");
  EXPECT_EQ(match.error, 405);
  EXPECT_EQ(match.allowed_methods, "GET, PUT, DELETE");
  // A fixed path is not mistaken for carrier/number.
  EXPECT_EQ(table.Match("PUT", "/v1/trackings/get").error, 405);
}

TEST(RouteTableTest, RouteNamesAreStable) {
  EXPECT_STREQ(RouteName(RouteId::kCreate), "create");
  EXPECT_STREQ(RouteName(RouteId::kGet), "get");
  EXPECT_STREQ(RouteName(RouteId::kUpdate), "update");
  EXPECT_STREQ(RouteName(RouteId::kDelete), "delete");
  EXPECT_STREQ(RouteName(RouteId::kBatch), "batch");
  EXPECT_STREQ(RouteName(RouteId::kList), "list");
  EXPECT_STREQ(RouteName(RouteId::kRealtime), "realtime");
  EXPECT_STREQ(RouteName(RouteId::kCarriers), "carriers");
  EXPECT_STREQ(RouteName(RouteId::kDetect), "detect");
}

}  // namespace
}  // namespace tracktry::emulator
