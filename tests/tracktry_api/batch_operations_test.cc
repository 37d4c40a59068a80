// Copyright 2026 The tracktry-grpc Authors.
//
// The batch operations over a fake UpstreamCaller (no gRPC): chunking into
// upstream calls with every item's number as a key, per-chunk request_id
// parts, merging per-item results, partial and total failures.
#include "service/tracktry_api/batch_operations.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/testing/api_test_prelude.h"

namespace tracktry {
namespace {

using ::testing::ElementsAre;

// Answers each batch call as the upstream would: every item of its body
// created (echoed), except numbers starting with "BAD", which are listed as
// errors (4016 already exists).
FakeUpstreamCaller::Reply EchoBatch(const UpstreamRequest& request, int) {
  nlohmann::json created = nlohmann::json::array();
  nlohmann::json errors = nlohmann::json::array();
  for (const nlohmann::json& item : nlohmann::json::parse(request.body)) {
    const std::string number = item["tracking_number"];
    if (number.rfind("BAD", 0) == 0) {
      errors.push_back({{"tracking_number", number},
                        {"carrier_code", item["carrier_code"]},
                        {"code", 4016},
                        {"message", "already exists"}});
    } else {
      created.push_back({{"tracking_number", number},
                         {"carrier_code", item["carrier_code"]},
                         {"status", "pending"}});
    }
  }
  return {OkEnvelope({{"submitted", created.size() + errors.size()},
                      {"added", created.size()},
                      {"trackings", created},
                      {"errors", errors}})};
}

v1::BatchCreateTrackingsRequest CreateRequest(int items) {
  v1::BatchCreateTrackingsRequest request;
  for (int i = 0; i < items; ++i) {
    v1::NewTracking* item = request.add_trackings();
    item->set_tracking_number(absl::StrCat(i % 7 == 3 ? "BAD" : "N", i));
    item->set_carrier_code("dhl");
  }
  return request;
}

TEST(BatchCreateTrackingsTest, HundredItemsAreThreeCallsMergedInOrder) {
  FakeUpstreamCaller fake(EchoBatch);
  const v1::BatchCreateTrackingsRequest request = CreateRequest(100);
  v1::BatchCreateTrackingsResponse response;
  ASSERT_THAT(AwaitStatus(api::BatchCreateTrackings, &fake, request, 40,
                          absl::Now() + kDeadline, &response),
              IsOk());
  ASSERT_EQ(fake.calls(), 3);
  std::vector<size_t> sizes;
  for (const auto& record : fake.records()) {
    EXPECT_EQ(record.request.endpoint, Endpoint::kBatchCreate);
    // The keys name every item of the chunk (cache invalidation).
    sizes.push_back(record.request.tracking_numbers.size());
    EXPECT_EQ(nlohmann::json::parse(record.request.body).size(),
              record.request.tracking_numbers.size());
    EXPECT_EQ(record.request.idempotency_key, "");
  }
  EXPECT_THAT(sizes, ElementsAre(40, 40, 20));
  ASSERT_EQ(response.results_size(), 100);
  int failed = 0;
  for (int i = 0; i < 100; ++i) {
    const v1::BatchCreateResult& result = response.results(i);
    EXPECT_EQ(result.index(), i);
    EXPECT_EQ(result.tracking_number(), request.trackings(i).tracking_number());
    if (i % 7 == 3) {
      ++failed;
      EXPECT_EQ(result.status().code(),
                static_cast<int>(absl::StatusCode::kAlreadyExists));
      EXPECT_EQ(result.status().meta_code(), 4016);
    } else {
      EXPECT_EQ(result.status().code(), 0);
      EXPECT_EQ(result.tracking().tracking_number(), result.tracking_number());
    }
  }
  EXPECT_EQ(response.failed_count(), failed);
  EXPECT_EQ(response.created_count(), 100 - failed);
}

TEST(BatchCreateTrackingsTest, RequestIdKeysEveryChunkAsItsOwnPart) {
  FakeUpstreamCaller fake(EchoBatch);
  v1::BatchCreateTrackingsRequest request = CreateRequest(50);
  request.set_request_id("rid");
  v1::BatchCreateTrackingsResponse response;
  ASSERT_THAT(AwaitStatus(api::BatchCreateTrackings, &fake, request, 40,
                          absl::Now() + kDeadline, &response),
              IsOk());
  const auto records = fake.records();
  ASSERT_EQ(records.size(), 2u);
  for (size_t c = 0; c < records.size(); ++c) {
    EXPECT_EQ(records[c].request.idempotency_key, "BatchCreateTrackings/rid");
    EXPECT_EQ(records[c].request.idempotency_part, static_cast<int>(c));
  }
  EXPECT_EQ(records[0].request.idempotency_fingerprint,
            records[1].request.idempotency_fingerprint);
}

TEST(BatchCreateTrackingsTest, AFailedChunkFailsOnlyItsItems) {
  FakeUpstreamCaller fake([](const UpstreamRequest& request, int index) {
    if (index == 1) return FakeUpstreamCaller::Reply{HttpError(503)};
    return EchoBatch(request, index);
  });
  v1::BatchCreateTrackingsResponse response;
  const v1::BatchCreateTrackingsRequest request = CreateRequest(60);
  ASSERT_THAT(AwaitStatus(api::BatchCreateTrackings, &fake, request, 40,
                          absl::Now() + kDeadline, &response),
              IsOk());
  EXPECT_EQ(response.results(45).status().code(),
            static_cast<int>(absl::StatusCode::kUnavailable));
  EXPECT_EQ(response.results(0).status().code(), 0);
}

TEST(BatchCreateTrackingsTest, EveryChunkFailingFailsTheOperation) {
  FakeUpstreamCaller fake([](const UpstreamRequest&, int) {
    return FakeUpstreamCaller::Reply{HttpError(503)};
  });
  const v1::BatchCreateTrackingsRequest request = CreateRequest(50);
  v1::BatchCreateTrackingsResponse response;
  StatusSlot slot;
  api::BatchCreateTrackings(&fake, request, 40, absl::Now() + kDeadline,
                            &response, slot.Callback());
  EXPECT_THAT(slot.Wait(), StatusIs(absl::StatusCode::kUnavailable));
  // The operation ends once, with the error.
  EXPECT_EQ(slot.count(), 1);
}

TEST(BatchDeleteTrackingsTest, CountsAndKeysPerItem) {
  FakeUpstreamCaller fake(EchoBatch);
  v1::BatchDeleteTrackingsRequest request;
  for (const char* number : {"N1", "BAD2", "N3"}) {
    v1::TrackingRef* ref = request.add_trackings();
    ref->set_tracking_number(number);
    ref->set_carrier_code("ups");
  }
  v1::BatchDeleteTrackingsResponse response;
  ASSERT_THAT(AwaitStatus(api::BatchDeleteTrackings, &fake, request, 2,
                          absl::Now() + kDeadline, &response),
              IsOk());
  ASSERT_EQ(fake.calls(), 2);
  EXPECT_EQ(fake.records()[0].request.endpoint, Endpoint::kBatchDelete);
  EXPECT_THAT(fake.records()[0].request.tracking_numbers,
              ElementsAre("N1", "BAD2"));
  EXPECT_EQ(response.deleted_count(), 2);
  EXPECT_EQ(response.failed_count(), 1);
  ASSERT_EQ(response.results_size(), 3);
  EXPECT_EQ(response.results(1).tracking_number(), "BAD2");
  EXPECT_EQ(response.results(1).status().meta_code(), 4016);
}

TEST(BatchUpdateTrackingsTest, CountsAndKeysPerItem) {
  FakeUpstreamCaller fake(EchoBatch);
  v1::BatchUpdateTrackingsRequest request;
  for (const char* number : {"N1", "N2"}) {
    v1::TrackingUpdate* update = request.add_updates();
    update->set_tracking_number(number);
    update->set_carrier_code("ups");
    update->set_title("t");
  }
  v1::BatchUpdateTrackingsResponse response;
  ASSERT_THAT(AwaitStatus(api::BatchUpdateTrackings, &fake, request, 40,
                          absl::Now() + kDeadline, &response),
              IsOk());
  ASSERT_EQ(fake.calls(), 1);
  EXPECT_EQ(fake.records()[0].request.endpoint, Endpoint::kUpdateMore);
  EXPECT_THAT(fake.records()[0].request.tracking_numbers,
              ElementsAre("N1", "N2"));
  EXPECT_EQ(response.updated_count(), 2);
  EXPECT_EQ(response.failed_count(), 0);
}

TEST(StopTrackingUpdatesTest, OneCallNamingEveryNumber) {
  FakeUpstreamCaller fake([](const UpstreamRequest&, int) {
    return FakeUpstreamCaller::Reply{EnvelopeOf("notupdate_tm_v2.json")};
  });
  v1::StopTrackingUpdatesRequest request;
  for (const char* number : {"A", "B"}) {
    v1::TrackingRef* ref = request.add_trackings();
    ref->set_tracking_number(number);
    ref->set_carrier_code("dhl");
  }
  v1::StopTrackingUpdatesResponse response;
  ASSERT_THAT(AwaitStatus(api::StopTrackingUpdates, &fake, request,
                          absl::Now() + kDeadline, &response),
              IsOk());
  ASSERT_EQ(fake.calls(), 1);
  EXPECT_EQ(fake.records()[0].request.endpoint, Endpoint::kNotUpdate);
  EXPECT_THAT(fake.records()[0].request.tracking_numbers,
              ElementsAre("A", "B"));
  EXPECT_GT(response.submitted_count(), 0);
}

}  // namespace
}  // namespace tracktry
