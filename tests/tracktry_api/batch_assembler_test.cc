// Copyright 2026 The tracktry-grpc Authors.
//
// BatchCreateTrackings assembly: chunking, matching upstream results to
// request items, per-item and whole-chunk failures, counts.
#include "service/tracktry_api/batch_assembler.h"

#include <string>
#include <utility>
#include <vector>

#include "common/error_details.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "service/errors/upstream_status.h"
#include "tests/testing/status_matchers.h"

namespace tracktry {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::IsOk;
using testing::StatusIs;

constexpr int kOk = 0;
constexpr int kUnknown = static_cast<int>(absl::StatusCode::kUnknown);
constexpr int kAlreadyExists =
    static_cast<int>(absl::StatusCode::kAlreadyExists);
constexpr int kInvalidArgument =
    static_cast<int>(absl::StatusCode::kInvalidArgument);
constexpr int kUnavailable = static_cast<int>(absl::StatusCode::kUnavailable);

using Items = google::protobuf::RepeatedPtrField<v1::NewTracking>;

Items MakeItems(
    const std::vector<std::pair<std::string, std::string>>& number_carrier) {
  Items items;
  for (const auto& [number, carrier] : number_carrier) {
    v1::NewTracking* item = items.Add();
    item->set_tracking_number(number);
    item->set_carrier_code(carrier);
  }
  return items;
}

v1::Tracking Created(const std::string& number, const std::string& carrier,
                     const std::string& id = "") {
  v1::Tracking tracking;
  tracking.set_tracking_number(number);
  tracking.set_carrier_code(carrier);
  tracking.set_title(id);  // marks which upstream entry an item got
  return tracking;
}

BatchItemError Rejected(const std::string& number, const std::string& carrier,
                        int code, const std::string& message = "rejected") {
  BatchItemError error;
  error.tracking_number = number;
  error.carrier_code = carrier;
  error.code = code;
  error.message = message;
  return error;
}

absl::Status Unavailable() {
  return StatusFromUpstream(
      UpstreamResult{503, std::nullopt, "", std::nullopt});
}

// --- ChunkIndices ---

TEST(ChunkIndicesTest, ZeroItemsGiveNoChunks) {
  EXPECT_TRUE(ChunkIndices(0, 40).empty());
}

TEST(ChunkIndicesTest, OneItemGivesOneChunk) {
  EXPECT_THAT(ChunkIndices(1, 40), ElementsAre(ElementsAre(0)));
}

TEST(ChunkIndicesTest, ExactlyOneFullChunk) {
  const auto chunks = ChunkIndices(40, 40);
  ASSERT_EQ(chunks.size(), 1u);
  EXPECT_EQ(chunks[0].size(), 40u);
  EXPECT_EQ(chunks[0].front(), 0);
  EXPECT_EQ(chunks[0].back(), 39);
}

TEST(ChunkIndicesTest, OneOverAChunkGivesASecondChunkOfOne) {
  const auto chunks = ChunkIndices(41, 40);
  ASSERT_EQ(chunks.size(), 2u);
  EXPECT_EQ(chunks[0].size(), 40u);
  EXPECT_THAT(chunks[1], ElementsAre(40));
}

TEST(ChunkIndicesTest, HundredItemsGiveFortyFortyTwenty) {
  const auto chunks = ChunkIndices(100, 40);
  ASSERT_EQ(chunks.size(), 3u);
  EXPECT_EQ(chunks[0].size(), 40u);
  EXPECT_EQ(chunks[1].size(), 40u);
  EXPECT_EQ(chunks[2].size(), 20u);
  // Every index exactly once, in order.
  int expected = 0;
  for (const auto& chunk : chunks) {
    for (int index : chunk) EXPECT_EQ(index, expected++);
  }
  EXPECT_EQ(expected, 100);
}

TEST(ChunkIndicesTest, NonPositiveChunkSizeMeansOnePerChunk) {
  EXPECT_THAT(ChunkIndices(3, 0),
              ElementsAre(ElementsAre(0), ElementsAre(1), ElementsAre(2)));
  EXPECT_EQ(ChunkIndices(2, -5).size(), 2u);
}

TEST(ChunkIndicesTest, NegativeCountGivesNoChunks) {
  EXPECT_TRUE(ChunkIndices(-1, 40).empty());
}

// --- AssembleBatchResponse ---

TEST(AssembleBatchResponseTest, CreatedAndRejectedAreMatchedByNumber) {
  const Items items =
      MakeItems({{"AAA111", "dhl"}, {"BBB222", "ups"}, {"CCC333", "fedex"}});
  BatchOutcome outcome;
  // Upstream order differs from request order.
  outcome.created = {Created("CCC333", "fedex"), Created("AAA111", "dhl")};
  outcome.errors = {Rejected("BBB222", "ups", 4016, "Tracking already exists")};
  v1::BatchCreateTrackingsResponse response;
  ASSERT_THAT(
      AssembleBatchResponse(items, ChunkIndices(3, 40), {outcome}, &response),
      IsOk());
  ASSERT_EQ(response.results_size(), 3);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(response.results(i).index(), i);
    EXPECT_EQ(response.results(i).tracking_number(),
              items[i].tracking_number());
    EXPECT_EQ(response.results(i).carrier_code(), items[i].carrier_code());
  }
  EXPECT_EQ(response.results(0).status().code(), kOk);
  EXPECT_EQ(response.results(0).tracking().tracking_number(), "AAA111");
  EXPECT_EQ(response.results(1).status().code(), kAlreadyExists);
  EXPECT_EQ(response.results(1).status().reason(), "TRACKING_ALREADY_EXISTS");
  EXPECT_EQ(response.results(1).status().meta_code(), 4016);
  EXPECT_THAT(response.results(1).status().message(),
              HasSubstr("Tracking already exists"));
  EXPECT_FALSE(response.results(1).has_tracking());
  EXPECT_EQ(response.results(2).status().code(), kOk);
  EXPECT_EQ(response.results(2).tracking().carrier_code(), "fedex");
  EXPECT_EQ(response.created_count(), 2);
  EXPECT_EQ(response.failed_count(), 1);
}

TEST(AssembleBatchResponseTest, NumberMatchingIgnoresCase) {
  const Items items = MakeItems({{"abc123", "dhl"}});
  BatchOutcome outcome;
  outcome.created = {Created("ABC123", "DHL")};
  v1::BatchCreateTrackingsResponse response;
  ASSERT_THAT(
      AssembleBatchResponse(items, ChunkIndices(1, 40), {outcome}, &response),
      IsOk());
  EXPECT_EQ(response.results(0).status().code(), kOk);
}

TEST(AssembleBatchResponseTest, MissingFromUpstreamAnswerIsUnknownNoResult) {
  const Items items = MakeItems({{"AAA111", "dhl"}, {"BBB222", "dhl"}});
  BatchOutcome outcome;
  outcome.created = {Created("AAA111", "dhl")};
  v1::BatchCreateTrackingsResponse response;
  ASSERT_THAT(
      AssembleBatchResponse(items, ChunkIndices(2, 40), {outcome}, &response),
      IsOk());
  EXPECT_EQ(response.results(1).status().code(), kUnknown);
  EXPECT_EQ(response.results(1).status().reason(), "UPSTREAM_NO_RESULT");
  EXPECT_EQ(response.created_count(), 1);
  EXPECT_EQ(response.failed_count(), 1);
}

TEST(AssembleBatchResponseTest, ErrorEntryWithSuccessCodeIsUnknown) {
  const Items items = MakeItems({{"AAA111", "dhl"}});
  BatchOutcome outcome;
  outcome.errors = {Rejected("AAA111", "dhl", 200)};
  v1::BatchCreateTrackingsResponse response;
  ASSERT_THAT(
      AssembleBatchResponse(items, ChunkIndices(1, 40), {outcome}, &response),
      IsOk());
  EXPECT_EQ(response.results(0).status().code(), kUnknown);
  EXPECT_EQ(response.failed_count(), 1);
}

TEST(AssembleBatchResponseTest, DuplicateNumbersAreMatchedByCarrier) {
  const Items items = MakeItems({{"SAME1", "ups"}, {"SAME1", "dhl"}});
  BatchOutcome outcome;
  outcome.created = {Created("SAME1", "dhl", "dhl-entry"),
                     Created("SAME1", "ups", "ups-entry")};
  v1::BatchCreateTrackingsResponse response;
  ASSERT_THAT(
      AssembleBatchResponse(items, ChunkIndices(2, 40), {outcome}, &response),
      IsOk());
  EXPECT_EQ(response.results(0).tracking().title(), "ups-entry");
  EXPECT_EQ(response.results(1).tracking().title(), "dhl-entry");
  EXPECT_EQ(response.created_count(), 2);
}

TEST(AssembleBatchResponseTest, SameNumberAndCarrierTwiceGetsOneEach) {
  const Items items = MakeItems({{"DUP1", "dhl"}, {"DUP1", "dhl"}});
  BatchOutcome outcome;
  outcome.created = {Created("DUP1", "dhl")};
  outcome.errors = {Rejected("DUP1", "dhl", 4016)};
  v1::BatchCreateTrackingsResponse response;
  ASSERT_THAT(
      AssembleBatchResponse(items, ChunkIndices(2, 40), {outcome}, &response),
      IsOk());
  EXPECT_EQ(response.results(0).status().code(), kOk);
  EXPECT_EQ(response.results(1).status().code(), kAlreadyExists);
  EXPECT_EQ(response.created_count(), 1);
  EXPECT_EQ(response.failed_count(), 1);
}

// The item whose carrier was rejected must get the rejection even when the
// same number was created under another carrier for a later item.
TEST(AssembleBatchResponseTest, ExactCarrierMatchWinsOverCreatedFallback) {
  const Items items = MakeItems({{"SAME2", "bad-carrier"}, {"SAME2", "dhl"}});
  BatchOutcome outcome;
  outcome.created = {Created("SAME2", "dhl", "dhl-entry")};
  outcome.errors = {Rejected("SAME2", "bad-carrier", 4015)};
  v1::BatchCreateTrackingsResponse response;
  ASSERT_THAT(
      AssembleBatchResponse(items, ChunkIndices(2, 40), {outcome}, &response),
      IsOk());
  EXPECT_EQ(response.results(0).status().code(), kInvalidArgument);
  EXPECT_EQ(response.results(0).status().meta_code(), 4015);
  EXPECT_EQ(response.results(1).status().code(), kOk);
  EXPECT_EQ(response.results(1).tracking().title(), "dhl-entry");
}

// An item without a carrier takes what is left after the items that name
// their carrier have taken their exact matches.
TEST(AssembleBatchResponseTest, ItemWithoutCarrierDoesNotStealAnExactMatch) {
  const Items items = MakeItems({{"SAME3", ""}, {"SAME3", "ups"}});
  BatchOutcome outcome;
  outcome.created = {Created("SAME3", "ups", "ups-entry"),
                     Created("SAME3", "usps", "detected-entry")};
  v1::BatchCreateTrackingsResponse response;
  ASSERT_THAT(
      AssembleBatchResponse(items, ChunkIndices(2, 40), {outcome}, &response),
      IsOk());
  EXPECT_EQ(response.results(0).tracking().title(), "detected-entry");
  EXPECT_EQ(response.results(1).tracking().title(), "ups-entry");
}

TEST(AssembleBatchResponseTest, CarrierMismatchStillMatchesByNumber) {
  // Upstream may answer with a corrected carrier code.
  const Items items = MakeItems({{"NUM9", "china-post"}});
  BatchOutcome outcome;
  outcome.created = {Created("NUM9", "china-ems")};
  v1::BatchCreateTrackingsResponse response;
  ASSERT_THAT(
      AssembleBatchResponse(items, ChunkIndices(1, 40), {outcome}, &response),
      IsOk());
  EXPECT_EQ(response.results(0).status().code(), kOk);
  EXPECT_EQ(response.results(0).tracking().carrier_code(), "china-ems");
  EXPECT_EQ(response.results(0).carrier_code(), "china-post");
}

TEST(AssembleBatchResponseTest, FailedChunkMarksOnlyItsItems) {
  std::vector<std::pair<std::string, std::string>> spec;
  for (int i = 0; i < 5; ++i) spec.emplace_back("N" + std::to_string(i), "dhl");
  const Items items = MakeItems(spec);
  const auto chunks = ChunkIndices(5, 2);  // {0,1} {2,3} {4}
  BatchOutcome first;
  first.created = {Created("N0", "dhl"), Created("N1", "dhl")};
  BatchOutcome third;
  third.created = {Created("N4", "dhl")};
  v1::BatchCreateTrackingsResponse response;
  ASSERT_THAT(AssembleBatchResponse(items, chunks,
                                    {first, Unavailable(), third}, &response),
              IsOk());
  EXPECT_EQ(response.results(0).status().code(), kOk);
  EXPECT_EQ(response.results(1).status().code(), kOk);
  EXPECT_EQ(response.results(2).status().code(), kUnavailable);
  EXPECT_EQ(response.results(2).status().reason(), "UPSTREAM_UNAVAILABLE");
  EXPECT_EQ(response.results(3).status().code(), kUnavailable);
  EXPECT_EQ(response.results(4).status().code(), kOk);
  EXPECT_EQ(response.created_count(), 3);
  EXPECT_EQ(response.failed_count(), 2);
}

TEST(AssembleBatchResponseTest, AllChunksFailedFailsTheRpcWithTheFirstError) {
  const Items items = MakeItems({{"A1", "dhl"}, {"A2", "dhl"}, {"A3", "dhl"}});
  const absl::Status first =
      MakeError(absl::StatusCode::kResourceExhausted, "rate", "RATE_LIMITED");
  v1::BatchCreateTrackingsResponse response;
  EXPECT_THAT(AssembleBatchResponse(items, ChunkIndices(3, 2),
                                    {first, Unavailable()}, &response),
              StatusIs(absl::StatusCode::kResourceExhausted, "rate"));
}

TEST(AssembleBatchResponseTest, NoItemsIsAnEmptySuccess) {
  const Items items;
  v1::BatchCreateTrackingsResponse response;
  ASSERT_THAT(AssembleBatchResponse(items, ChunkIndices(0, 40), {}, &response),
              IsOk());
  EXPECT_EQ(response.results_size(), 0);
  EXPECT_EQ(response.created_count(), 0);
  EXPECT_EQ(response.failed_count(), 0);
}

TEST(AssembleBatchResponseTest, UpstreamEntriesForOtherNumbersAreIgnored) {
  const Items items = MakeItems({{"MINE1", "dhl"}});
  BatchOutcome outcome;
  outcome.created = {Created("OTHER", "dhl")};
  outcome.errors = {Rejected("ELSE", "dhl", 4016)};
  v1::BatchCreateTrackingsResponse response;
  ASSERT_THAT(
      AssembleBatchResponse(items, ChunkIndices(1, 40), {outcome}, &response),
      IsOk());
  EXPECT_EQ(response.results(0).status().reason(), "UPSTREAM_NO_RESULT");
  EXPECT_EQ(response.created_count(), 0);
  EXPECT_EQ(response.failed_count(), 1);
}

TEST(AssembleBatchResponseTest, ResponseIsResetBeforeFilling) {
  const Items items = MakeItems({{"A1", "dhl"}});
  BatchOutcome outcome;
  outcome.created = {Created("A1", "dhl")};
  v1::BatchCreateTrackingsResponse response;
  response.add_results()->set_tracking_number("stale");
  ASSERT_THAT(
      AssembleBatchResponse(items, ChunkIndices(1, 40), {outcome}, &response),
      IsOk());
  ASSERT_EQ(response.results_size(), 1);
  EXPECT_EQ(response.results(0).tracking_number(), "A1");
}

TEST(AssembleBatchResponseTest, HundredItemsAcrossThreeChunks) {
  std::vector<std::pair<std::string, std::string>> spec;
  for (int i = 0; i < 100; ++i)
    spec.emplace_back("T" + std::to_string(i), "dhl");
  const Items items = MakeItems(spec);
  const auto chunks = ChunkIndices(100, 40);
  std::vector<absl::StatusOr<BatchOutcome>> outcomes;
  for (const auto& chunk : chunks) {
    BatchOutcome outcome;
    // Reverse order, every 10th item rejected.
    for (auto it = chunk.rbegin(); it != chunk.rend(); ++it) {
      if (*it % 10 == 0) {
        outcome.errors.push_back(
            Rejected("T" + std::to_string(*it), "dhl", 4016));
      } else {
        outcome.created.push_back(Created("T" + std::to_string(*it), "dhl"));
      }
    }
    outcomes.push_back(outcome);
  }
  v1::BatchCreateTrackingsResponse response;
  ASSERT_THAT(AssembleBatchResponse(items, chunks, outcomes, &response),
              IsOk());
  ASSERT_EQ(response.results_size(), 100);
  for (int i = 0; i < 100; ++i) {
    EXPECT_EQ(response.results(i).status().code(),
              i % 10 == 0 ? kAlreadyExists : kOk)
        << i;
    if (i % 10 != 0) {
      EXPECT_EQ(response.results(i).tracking().tracking_number(),
                "T" + std::to_string(i));
    }
  }
  EXPECT_EQ(response.created_count(), 90);
  EXPECT_EQ(response.failed_count(), 10);
}

}  // namespace
}  // namespace tracktry
