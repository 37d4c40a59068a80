// Copyright 2026 The tracktry-grpc Authors.
//
// ListTrackingsPage and CountTrackingsByStatus over a fake UpstreamCaller:
// query, paging ("more") with and without a total, the empty answer.
#include "service/tracktry_api/list_operations.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/api_test_prelude.h"

namespace tracktry {
namespace {

using ::testing::Contains;
using ::testing::Pair;

api::TrackingsPage ReadPage(FakeUpstreamCaller* fake, int64_t page,
                            int64_t page_size, absl::Status* status) {
  v1::ListTrackingsRequest filter;
  filter.add_tracking_numbers("CL72111111111111111NL");
  api::TrackingsPage result;
  *status = AwaitStatus(api::ListTrackingsPage, fake, filter, page, page_size,
                        absl::Now() + kDeadline, &result);
  return result;
}

TEST(ListTrackingsPageTest, ReadsThePageAndItsQuery) {
  FakeUpstreamCaller fake(
      FakeUpstreamCaller::Always(EnvelopeOf("list_mmm_parcel.json")));
  absl::Status status;
  const api::TrackingsPage page = ReadPage(&fake, 1, 3, &status);
  ASSERT_THAT(status, IsOk());
  // The recording's quirk: "count" says 3 but two items came.
  EXPECT_EQ(page.trackings.size(), 2u);
  EXPECT_EQ(page.total, 4);
  // 1 * 3 < 4: another page.
  EXPECT_TRUE(page.more);
  const UpstreamRequest sent = fake.records()[0].request;
  EXPECT_EQ(sent.endpoint, Endpoint::kListTrackings);
  EXPECT_THAT(sent.query, Contains(Pair("page", "1")));
  EXPECT_THAT(sent.query, Contains(Pair("limit", "3")));
  EXPECT_THAT(sent.query, Contains(Pair("numbers", "CL72111111111111111NL")));
}

TEST(ListTrackingsPageTest, TrackingsCarryRawOnlyInTheFullView) {
  for (const v1::TrackingView view :
       {v1::TRACKING_VIEW_UNSPECIFIED, v1::TRACKING_VIEW_FULL}) {
    FakeUpstreamCaller fake(
        FakeUpstreamCaller::Always(EnvelopeOf("list_mmm_parcel.json")));
    v1::ListTrackingsRequest filter;
    filter.set_view(view);
    api::TrackingsPage result;
    StatusSlot slot;
    api::ListTrackingsPage(&fake, filter, 1, 25, absl::Now() + kDeadline,
                           &result, slot.Callback());
    ASSERT_THAT(slot.Wait(), IsOk());
    ASSERT_EQ(result.trackings.size(), 2u);
    for (const v1::Tracking& tracking : result.trackings) {
      EXPECT_EQ(tracking.has_raw(), view == v1::TRACKING_VIEW_FULL);
    }
    // Not a query parameter: the upstream page is the same.
    const UpstreamRequest sent = fake.records()[0].request;
    for (const auto& [name, value] : sent.query) EXPECT_NE(name, "view");
  }
}

TEST(ListTrackingsPageTest, TheLastPageByTotalHasNoMore) {
  FakeUpstreamCaller fake(
      FakeUpstreamCaller::Always(EnvelopeOf("list_mmm_parcel.json")));
  absl::Status status;
  EXPECT_FALSE(ReadPage(&fake, 2, 3, &status).more);
  ASSERT_THAT(status, IsOk());
}

TEST(ListTrackingsPageTest, WithoutATotalAFullPageMayHaveMore) {
  const nlohmann::json one = {{"tracking_number", "A"}, {"carrier_code", "x"}};
  FakeUpstreamCaller fake(
      FakeUpstreamCaller::Always(OkEnvelope({{"items", {one, one}}})));
  absl::Status status;
  EXPECT_TRUE(ReadPage(&fake, 1, 2, &status).more);
  EXPECT_FALSE(ReadPage(&fake, 1, 3, &status).more);
}

TEST(ListTrackingsPageTest, EmptyAnswerIsAnEmptyLastPage) {
  FakeUpstreamCaller fake(
      FakeUpstreamCaller::Always(EnvelopeOf("list_empty_4031.json")));
  absl::Status status;
  const api::TrackingsPage page = ReadPage(&fake, 1, 10, &status);
  ASSERT_THAT(status, IsOk());
  EXPECT_TRUE(page.trackings.empty());
  EXPECT_FALSE(page.more);
}

TEST(ListTrackingsPageTest, ErrorsPassThrough) {
  FakeUpstreamCaller fake(FakeUpstreamCaller::Always(HttpError(429)));
  absl::Status status;
  ReadPage(&fake, 1, 10, &status);
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kResourceExhausted));
}

TEST(CountTrackingsByStatusTest, ReadsCountsAndTreatsEmptyAsNone) {
  FakeUpstreamCaller fake(
      FakeUpstreamCaller::Always(EnvelopeOf("statusnumber_tm_v2.json")));
  v1::CountTrackingsByStatusRequest request;
  v1::CountTrackingsByStatusResponse response;
  ASSERT_THAT(AwaitStatus(api::CountTrackingsByStatus, &fake, request,
                          absl::Now() + kDeadline, &response),
              IsOk());
  EXPECT_EQ(fake.records()[0].request.endpoint, Endpoint::kStatusNumber);
  EXPECT_GT(response.ByteSizeLong(), 0u);

  FakeUpstreamCaller empty(
      FakeUpstreamCaller::Always(EnvelopeOf("list_empty_4031.json")));
  v1::CountTrackingsByStatusResponse none;
  ASSERT_THAT(AwaitStatus(api::CountTrackingsByStatus, &empty, request,
                          absl::Now() + kDeadline, &none),
              IsOk());
  EXPECT_EQ(none.ByteSizeLong(), 0u);
}

}  // namespace
}  // namespace tracktry
