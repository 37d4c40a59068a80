// Copyright 2026 The tracktry-grpc Authors.
//
// Carrier and account operations over a fake UpstreamCaller: routes and
// keys, recorded answers, the detect ordering and undetectable rule.
#include "service/tracktry_api/account_operations.h"

#include "common/error_details.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/api_test_prelude.h"

namespace tracktry {
namespace {

using ::testing::ElementsAre;

TEST(ListCarriersTest, ReadsEveryCarrierAndKeepsBypass) {
  FakeUpstreamCaller fake(
      FakeUpstreamCaller::Always(EnvelopeOf("carriers.json")));
  v1::ListCarriersRequest request;
  request.set_bypass_cache(true);
  v1::ListCarriersResponse response;
  ASSERT_THAT(AwaitStatus(api::ListCarriers, &fake, request,
                          absl::Now() + kDeadline, &response),
              IsOk());
  EXPECT_EQ(response.carriers_size(), 4);
  EXPECT_EQ(fake.records()[0].request.endpoint, Endpoint::kListCarriers);
  EXPECT_TRUE(fake.records()[0].request.bypass_cache);
}

TEST(DetectCarrierTest, PreferredCarrierGoesFirst) {
  const nlohmann::json candidates =
      nlohmann::json::array({{{"code", "china-post"}, {"name", "China Post"}},
                             {{"code", "china-ems"}, {"name", "China EMS"}}});
  FakeUpstreamCaller fake(FakeUpstreamCaller::Always(OkEnvelope(candidates)));
  v1::DetectCarrierRequest request;
  request.set_tracking_number("RR1");
  request.set_carrier_code("China-EMS");
  v1::DetectCarrierResponse response;
  ASSERT_THAT(AwaitStatus(api::DetectCarrier, &fake, request,
                          absl::Now() + kDeadline, &response),
              IsOk());
  ASSERT_EQ(response.carriers_size(), 2);
  EXPECT_EQ(response.carriers(0).code(), "china-ems");
  EXPECT_THAT(fake.records()[0].request.tracking_numbers, ElementsAre("RR1"));
}

TEST(DetectCarrierTest, NoCandidateIsUndetectable) {
  FakeUpstreamCaller fake(
      FakeUpstreamCaller::Always(EnvelopeOf("list_empty_4031.json")));
  v1::DetectCarrierRequest request;
  request.set_tracking_number("??");
  v1::DetectCarrierResponse response;
  const absl::Status status = AwaitStatus(api::DetectCarrier, &fake, request,
                                          absl::Now() + kDeadline, &response);
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_EQ(GetErrorInfo(status)->reason(), "CARRIER_UNDETECTABLE");
}

TEST(AccountOperationsTest, RoutesAndRecordedAnswers) {
  {
    FakeUpstreamCaller fake(
        FakeUpstreamCaller::Always(EnvelopeOf("userinfo_unknown_shape.json")));
    v1::GetAccountInfoResponse response;
    ASSERT_THAT(AwaitStatus(api::GetAccountInfo, &fake, absl::Now() + kDeadline,
                            &response),
                IsOk());
    EXPECT_EQ(fake.records()[0].request.endpoint, Endpoint::kUserInfo);
  }
  {
    FakeUpstreamCaller fake(
        FakeUpstreamCaller::Always(EnvelopeOf("remote_tm_v2.json")));
    v1::CheckRemoteAreasRequest request;
    v1::RemoteAreaQuery* query = request.add_queries();
    query->set_country("JP");
    query->set_postcode("100-0001");
    v1::CheckRemoteAreasResponse response;
    ASSERT_THAT(AwaitStatus(api::CheckRemoteAreas, &fake, request,
                            absl::Now() + kDeadline, &response),
                IsOk());
    EXPECT_EQ(fake.records()[0].request.endpoint, Endpoint::kRemote);
    EXPECT_FALSE(fake.records()[0].request.body.empty());
    EXPECT_EQ(response.submitted_count(), 2);
  }
  {
    FakeUpstreamCaller fake(
        FakeUpstreamCaller::Always(EnvelopeOf("list_empty_4031.json")));
    v1::GetTransitTimesRequest request;
    v1::GetTransitTimesResponse response;
    ASSERT_THAT(AwaitStatus(api::GetTransitTimes, &fake, request,
                            absl::Now() + kDeadline, &response),
                IsOk());
    EXPECT_EQ(fake.records()[0].request.endpoint, Endpoint::kCostTime);
    EXPECT_EQ(response.ByteSizeLong(), 0u);
  }
}

}  // namespace
}  // namespace tracktry
