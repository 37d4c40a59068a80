// Copyright 2026 The tracktry-grpc Authors.
#include "service/translation/extended_translation.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "service/translation/envelope.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/testdata.h"

namespace tracktry {
namespace {

using testing::DataOf;

using ::testing::ElementsAre;
using testing::IsOk;
using ::testing::SizeIs;
using testing::StatusIs;

TEST(RemoteAreasFromDataTest, RecordedSampleIsTypedRemoteFirst) {
  v1::CheckRemoteAreasResponse response;
  ASSERT_THAT(RemoteAreasFromData(DataOf("remote_tm_v2.json"), &response),
              IsOk());
  EXPECT_EQ(response.submitted_count(), 2);
  ASSERT_THAT(response.results(), SizeIs(2));
  EXPECT_EQ(response.results(0).carrier_code(), "ups");
  EXPECT_EQ(response.results(0).country_code(), "JP");
  EXPECT_EQ(response.results(0).country(), "Japan");
  EXPECT_EQ(response.results(0).postcode(), "7621094");
  EXPECT_TRUE(response.results(0).remote());
  EXPECT_EQ(response.results(1).country_code(), "US");
  EXPECT_FALSE(response.results(1).remote());
  // Unknown keys survive in raw.
  EXPECT_TRUE(response.raw().fields().contains("future_key"));
}

TEST(RemoteAreasFromDataTest, NonObjectDataIsMalformed) {
  v1::CheckRemoteAreasResponse response;
  EXPECT_THAT(RemoteAreasFromData(nlohmann::json(42), &response),
              StatusIs(absl::StatusCode::kInternal));
}

TEST(TransitTimesFromDataTest, RecordedSampleIsTypedWithRangesInOrder) {
  v1::GetTransitTimesResponse response;
  ASSERT_THAT(TransitTimesFromData(DataOf("costtime_tm_v2.json"), &response),
              IsOk());
  ASSERT_THAT(response.stats(), SizeIs(2));
  const v1::TransitTimeStats& dhl = response.stats(0);
  EXPECT_EQ(dhl.carrier_code(), "dhl");
  EXPECT_EQ(dhl.origin(), "CN");
  EXPECT_EQ(dhl.destination(), "US");
  EXPECT_EQ(dhl.total_count(), 1520);
  EXPECT_EQ(dhl.delivered_count(), 1311);
  EXPECT_THAT(dhl.ranges(), ElementsAre("12%", "40%", "30%", "1%"));
  EXPECT_TRUE(dhl.raw().fields().contains("extra_stat"));
  EXPECT_EQ(response.stats(1).delivered_count(), 250);
  EXPECT_THAT(response.stats(1).ranges(), SizeIs(0));
}

TEST(TransitTimesFromDataTest, StringDataIsMalformed) {
  v1::GetTransitTimesResponse response;
  EXPECT_THAT(TransitTimesFromData(nlohmann::json("x"), &response),
              StatusIs(absl::StatusCode::kInternal));
}

TEST(StatusCountsFromDataTest, NumericKeysAreCountedUnknownOnesKept) {
  v1::CountTrackingsByStatusResponse response;
  ASSERT_THAT(
      StatusCountsFromData(DataOf("statusnumber_tm_v2.json"), &response),
      IsOk());
  // 8 known + "newstatus"; "label" is not a count.
  ASSERT_THAT(response.counts(), SizeIs(9));
  EXPECT_EQ(response.total_count(), 3 + 12 + 1 + 40 + 2 + 1 + 5);
  // Sorted by key: "delivered" first, "undelivered" last.
  EXPECT_EQ(response.counts(0).raw_status(), "delivered");
  EXPECT_EQ(response.counts(8).raw_status(), "undelivered");
  int checked = 0;
  for (const v1::StatusCount& count : response.counts()) {
    if (count.raw_status() == "pending") {
      EXPECT_EQ(count.status(), v1::TRACKING_STATUS_PENDING);
      EXPECT_EQ(count.count(), 3);
      ++checked;
    } else if (count.raw_status() == "newstatus") {
      EXPECT_EQ(count.status(), v1::TRACKING_STATUS_UNSPECIFIED);
      EXPECT_EQ(count.count(), 5);
      ++checked;
    }
  }
  EXPECT_EQ(checked, 2);
  EXPECT_TRUE(response.raw().fields().contains("label"));
}

TEST(AccountInfoFromDataTest, UnknownShapeKeepsRawAndTypesKnownKeys) {
  v1::GetAccountInfoResponse response;
  ASSERT_THAT(
      AccountInfoFromData(DataOf("userinfo_unknown_shape.json"), &response),
      IsOk());
  EXPECT_EQ(response.email(), "shop@example.com");
  EXPECT_FALSE(response.has_quota_total());
  ASSERT_TRUE(response.has_quota_remaining());
  EXPECT_EQ(response.quota_remaining(), 123);
  EXPECT_EQ(response.raw()
                .fields()
                .at("plan")
                .struct_value()
                .fields()
                .at("limit")
                .number_value(),
            500);
}

TEST(AccountInfoFromDataTest, ArrayDataIsMalformed) {
  v1::GetAccountInfoResponse response;
  EXPECT_THAT(AccountInfoFromData(nlohmann::json::array({1}), &response),
              StatusIs(absl::StatusCode::kInternal));
}

TEST(StopUpdatesFromDataTest, CountsAreRead) {
  v1::StopTrackingUpdatesResponse response;
  ASSERT_THAT(StopUpdatesFromData(DataOf("notupdate_tm_v2.json"), &response),
              IsOk());
  EXPECT_EQ(response.submitted_count(), 2);
  EXPECT_EQ(response.changed_count(), 2);
}

TEST(ChangeCarrierFromDataTest, OddShapeFallsBackToTheRequest) {
  v1::ChangeTrackingCarrierRequest request;
  request.set_carrier_code("dhl");
  request.set_tracking_number("1234567890");
  request.set_new_carrier_code("ups");
  v1::ChangeTrackingCarrierResponse response;
  ASSERT_THAT(ChangeCarrierFromData(DataOf("update_carrier_usertag.json"),
                                    request, &response),
              IsOk());
  EXPECT_EQ(response.tracking_number(), "1234567890");
  EXPECT_EQ(response.carrier_code(), "ups");
  EXPECT_EQ(response.raw().fields().at("Usertag").string_value(), "abc");
}

TEST(RequestBodiesTest, UpdateMoreSendsOnlySetFieldsAndStatus) {
  v1::TrackingUpdate update;
  update.set_carrier_code("dhl");
  update.set_tracking_number("1234567890");
  update.set_title("t");
  update.set_status_change(v1::STATUS_CHANGE_DELIVERED);
  const nlohmann::json body = UpdateMoreBody({&update});
  EXPECT_EQ(body, nlohmann::json::parse(
                      R"([{"tracking_number":"1234567890","carrier_code":"dhl",
                           "title":"t","status":4}])"));
}

TEST(RequestBodiesTest, StatusNumberQueryRoundsBounds) {
  v1::CountTrackingsByStatusRequest request;
  request.mutable_create_time_min()->set_seconds(100);
  request.mutable_create_time_min()->set_nanos(1);
  request.mutable_order_create_time_max()->set_seconds(200);
  request.mutable_order_create_time_max()->set_nanos(999);
  EXPECT_THAT(StatusNumberQuery(request),
              ElementsAre(std::make_pair(std::string("created_at_min"),
                                         std::string("101")),
                          std::make_pair(std::string("order_created_time_max"),
                                         std::string("200"))));
}

TEST(RequestBodiesTest, RemoteSendsCompanyOnlyWhenSet) {
  v1::CheckRemoteAreasRequest request;
  request.add_queries()->set_country("JP");
  auto* second = request.add_queries();
  second->set_country("US");
  second->set_postcode("10001");
  second->set_carrier_code("ups");
  EXPECT_EQ(RemoteAreasBody(request),
            nlohmann::json::parse(R"([{"country":"JP","postcode":""},
              {"country":"US","postcode":"10001","company":"ups"}])"));
}

TEST(ExportCursorTest, RoundTrips) {
  ExportCursor cursor;
  cursor.page.page = 7;
  cursor.page.page_size = 20;
  cursor.page.filter_fingerprint = 99;
  cursor.skip = 13;
  absl::StatusOr<ExportCursor> decoded =
      DecodeExportCursor(EncodeExportCursor(cursor), 99);
  ASSERT_THAT(decoded.status(), IsOk());
  EXPECT_EQ(decoded->page.page, 7);
  EXPECT_EQ(decoded->page.page_size, 20);
  EXPECT_EQ(decoded->skip, 13);
}

TEST(ExportCursorTest, OtherFiltersOrGarbageAreInvalid) {
  ExportCursor cursor;
  cursor.page.page = 1;
  cursor.page.page_size = 20;
  cursor.page.filter_fingerprint = 99;
  const std::string encoded = EncodeExportCursor(cursor);
  EXPECT_THAT(DecodeExportCursor(encoded, 98).status(),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(DecodeExportCursor("garbage", 99).status(),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(DecodeExportCursor(encoded + "x", 99).status(),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(DecodeExportCursor(".", 99).status(),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace tracktry
