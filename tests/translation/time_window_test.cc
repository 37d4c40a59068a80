// Copyright 2026 The tracktry-grpc Authors.
//
// Time-window query parameters: bounds round inwards, unset ends are left
// out, and both request types get the same created/order windows.
#include "service/translation/time_window.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tracktry/v1/tracking_service.pb.h"

namespace tracktry {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::Pair;

google::protobuf::Timestamp At(int64_t seconds, int32_t nanos = 0) {
  google::protobuf::Timestamp timestamp;
  timestamp.set_seconds(seconds);
  timestamp.set_nanos(nanos);
  return timestamp;
}

TEST(TimeWindowTest, BoundsRoundInwards) {
  EXPECT_EQ(LowerBoundSeconds(At(100)), "100");
  EXPECT_EQ(LowerBoundSeconds(At(100, 1)), "101");
  EXPECT_EQ(UpperBoundSeconds(At(100, 999999999)), "100");
}

TEST(TimeWindowTest, OnlySetEndsAreSent) {
  QueryParams query;
  const google::protobuf::Timestamp min = At(5, 5);
  AddTimeWindow(&query, "a_min", &min, "a_max", nullptr);
  EXPECT_THAT(query, ElementsAre(Pair("a_min", "6")));
  QueryParams none;
  AddTimeWindow(&none, "a_min", nullptr, "a_max", nullptr);
  EXPECT_THAT(none, IsEmpty());
}

TEST(TimeWindowTest, ListAndCountRequestsShareTheCreateWindows) {
  v1::ListTrackingsRequest list;
  *list.mutable_create_time_min() = At(1);
  *list.mutable_order_create_time_max() = At(9);
  v1::CountTrackingsByStatusRequest count;
  *count.mutable_create_time_min() = At(1);
  *count.mutable_order_create_time_max() = At(9);
  QueryParams from_list;
  AddCreatedAtWindow(list, &from_list);
  AddOrderCreatedWindow(list, &from_list);
  QueryParams from_count;
  AddCreatedAtWindow(count, &from_count);
  AddOrderCreatedWindow(count, &from_count);
  EXPECT_THAT(from_list, ElementsAre(Pair("created_at_min", "1"),
                                     Pair("order_created_time_max", "9")));
  EXPECT_EQ(from_list, from_count);
}

}  // namespace
}  // namespace tracktry
