// Copyright 2026 The tracktry-grpc Authors.
//
// TrackingReadCombiner: which reads combine (CombineKey), the list call
// that answers them (Combine), and the translation of list answers into
// per-read results (Split) on every recorded list shape, with duplicates,
// case, carrier mismatches, empty and failed answers. Each read's result is
// checked through api::GetTracking, i.e. as the layers above read it: a
// found tracking must equal what the list translation makes of that item,
// a missing one must be the status table's NOT_FOUND for meta.code 4017.
#include "service/tracktry_api/tracking_read_combiner.h"

#include <string>
#include <utility>
#include <vector>

#include "common/error_details.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "service/tracktry_api/tracking_operations.h"
#include "service/translation/list_translation.h"
#include "tests/testing/api_test_prelude.h"

namespace tracktry {
namespace {

using ::testing::ElementsAre;
using ::testing::Pair;

using json = nlohmann::json;

UpstreamRequest Read(const std::string& carrier, const std::string& number,
                     const std::string& lang = "", bool bypass = false) {
  v1::GetTrackingRequest request;
  request.set_carrier_code(carrier);
  request.set_tracking_number(number);
  request.set_lang(lang);
  request.set_bypass_cache(bypass);
  return api::GetTrackingCall(request);
}

// What api::GetTracking makes of `answer` for carrier/number: the status
// and the tracking.
struct ReadResult {
  absl::Status status;
  v1::Tracking tracking;
};
ReadResult ReadAsGetTracking(const absl::StatusOr<Envelope>& answer,
                             const UpstreamRequest& read) {
  FakeUpstreamCaller fake([answer](const UpstreamRequest&, int) {
    return FakeUpstreamCaller::Reply{answer};
  });
  v1::GetTrackingRequest request;
  request.set_carrier_code(read.carrier);
  request.set_tracking_number(read.tracking_numbers.front());
  // FULL: compared with the list translation, raw included.
  request.set_view(v1::TRACKING_VIEW_FULL);
  ReadResult result;
  StatusSlot slot;
  api::GetTracking(&fake, request, absl::Now() + absl::Seconds(5),
                   &result.tracking, slot.Callback());
  result.status = slot.Wait();
  return result;
}

// The list translation's tracking `index` of the recorded answer `file`.
v1::Tracking ListItem(const std::string& file, size_t index) {
  absl::StatusOr<ListPage> page = ListPageFromData(EnvelopeOf(file).data());
  EXPECT_THAT(page.status(), IsOk());
  EXPECT_LT(index, page->items.size());
  return page->items.at(index);
}

void ExpectSameTracking(const v1::Tracking& actual,
                        const v1::Tracking& expected) {
  EXPECT_TRUE(
      google::protobuf::util::MessageDifferencer::Equals(actual, expected))
      << "actual:\n"
      << actual.DebugString() << "expected:\n"
      << expected.DebugString();
}

// The single GET's NOT_FOUND: the status table's row for meta.code 4017.
void ExpectNotFoundAsSingleGet(const absl::Status& status) {
  const absl::Status single = MetaError(4017);
  EXPECT_EQ(status.code(), single.code()) << status;
  const auto info = GetErrorInfo(status);
  const auto expected = GetErrorInfo(single);
  ASSERT_TRUE(info.has_value()) << status;
  EXPECT_EQ(info->reason(), expected->reason());
  EXPECT_EQ(info->metadata().at("metaCode"), "4017");
  EXPECT_EQ(info->metadata().at("httpStatus"), "200");
}

std::string ReasonOf(const absl::Status& status) {
  const auto info = GetErrorInfo(status);
  return info.has_value() ? info->reason() : "";
}

TEST(TrackingReadCombinerTest, GetTrackingReadsOfOneLangShareAKey) {
  const TrackingReadCombiner combiner;
  const std::string key = combiner.CombineKey(Read("dhl", "RS000000001DE"));
  EXPECT_FALSE(key.empty());
  EXPECT_EQ(combiner.CombineKey(Read("ups", "1Z111111111111")), key);
  // bypass_cache only matters to the cache above the shaper.
  EXPECT_EQ(combiner.CombineKey(Read("ups", "1Z1", "", /*bypass=*/true)), key);
  const std::string de = combiner.CombineKey(Read("dhl", "RS1", "de"));
  EXPECT_FALSE(de.empty());
  EXPECT_NE(de, key);
  EXPECT_EQ(combiner.CombineKey(Read("ups", "1Z1", "de")), de);
  EXPECT_EQ(combiner.max_members(), 40);
  EXPECT_EQ(combiner.combined_endpoint(), Endpoint::kListTrackings);
}

TEST(TrackingReadCombinerTest, OtherCallsNeverCombine) {
  const TrackingReadCombiner combiner;
  for (const Endpoint endpoint :
       {Endpoint::kCreateTracking, Endpoint::kUpdateTracking,
        Endpoint::kDeleteTracking, Endpoint::kListTrackings,
        Endpoint::kRealtime, Endpoint::kListCarriers, Endpoint::kDetectCarrier,
        Endpoint::kBatchCreate}) {
    EXPECT_EQ(combiner.CombineKey(testing::RequestFor(endpoint)), "")
        << EndpointName(endpoint);
  }
  UpstreamRequest no_carrier = Read("", "RS000000001DE");
  EXPECT_EQ(combiner.CombineKey(no_carrier), "");
  UpstreamRequest with_query = Read("dhl", "RS000000001DE");
  with_query.query.emplace_back("x", "1");
  EXPECT_EQ(combiner.CombineKey(with_query), "");
  UpstreamRequest comma = Read("dhl", "RS1,RS2");
  EXPECT_EQ(combiner.CombineKey(comma), "");
}

TEST(TrackingReadCombinerTest, MaxNumbersIsClampedToTheListLimit) {
  EXPECT_EQ(TrackingReadCombiner(100).max_members(), 40);
  EXPECT_EQ(TrackingReadCombiner(0).max_members(), 1);
  EXPECT_EQ(TrackingReadCombiner(7).max_members(), 7);
}

TEST(TrackingReadCombinerTest, CombineIsOneListCallWithTheNumbers) {
  const TrackingReadCombiner combiner;
  const std::vector<UpstreamRequest> members = {
      Read("dhl", "RS000000001DE", "de"), Read("ups", "1Z111111111111", "de"),
      // The same number at another carrier: sent once.
      Read("fedex", "RS000000001DE", "de"),
      Read("usps", "9400100000000000000000", "de", /*bypass=*/true)};
  const UpstreamRequest call = combiner.Combine(members);
  EXPECT_EQ(call.endpoint, Endpoint::kListTrackings);
  EXPECT_EQ(RenderPath(call), "/trackings/get");
  EXPECT_EQ(RateClassOf(call.endpoint), RateClass::kList);
  EXPECT_THAT(
      call.tracking_numbers,
      ElementsAre("RS000000001DE", "1Z111111111111", "9400100000000000000000"));
  EXPECT_EQ(call.lang, "de");
  EXPECT_EQ(call.body, "");
  EXPECT_THAT(
      call.query,
      ElementsAre(Pair("page", "1"), Pair("limit", "2000"),
                  Pair("numbers",
                       "RS000000001DE,1Z111111111111,9400100000000000000000"),
                  Pair("lang", "de")));
  // Without a lang, none is sent.
  const UpstreamRequest plain = combiner.Combine(
      std::vector<UpstreamRequest>{Read("dhl", "A0001"), Read("dhl", "A0002")});
  for (const auto& [name, value] : plain.query) EXPECT_NE(name, "lang");
}

// Every recorded list shape: the real Tracktry answer (MMM-Parcel), the
// quirks (meta.code and counters as strings, odd field types), a bare
// array and {"items": null}.
TEST(TrackingReadCombinerTest, SplitsTheMmmParcelAnswer) {
  const TrackingReadCombiner combiner;
  const std::vector<UpstreamRequest> members = {
      Read("ups", "1Z111111111111"),
      Read("fastway-au", "CL72111111111111111NL"),
      // Recorded total "4" but 2 items: absent all the same.
      Read("ups", "1Z999999999999")};
  const std::vector<absl::StatusOr<Envelope>> parts =
      combiner.Split(EnvelopeOf("list_mmm_parcel.json"), members);
  ASSERT_EQ(parts.size(), 3u);
  ReadResult ups = ReadAsGetTracking(parts[0], members[0]);
  ASSERT_THAT(ups.status, IsOk());
  ExpectSameTracking(ups.tracking, ListItem("list_mmm_parcel.json", 1));
  ReadResult fastway = ReadAsGetTracking(parts[1], members[1]);
  ASSERT_THAT(fastway.status, IsOk());
  ExpectSameTracking(fastway.tracking, ListItem("list_mmm_parcel.json", 0));
  ExpectNotFoundAsSingleGet(ReadAsGetTracking(parts[2], members[2]).status);
  // The part is shaped like a single GET's answer.
  ASSERT_THAT(parts[0].status(), IsOk());
  EXPECT_EQ(parts[0]->meta_code, 200);
  EXPECT_TRUE(parts[0]->data().is_object());
  EXPECT_EQ(parts[0]->data().at("tracking_number"), "1Z111111111111");
}

TEST(TrackingReadCombinerTest, SplitsTheQuirksAnswer) {
  const TrackingReadCombiner combiner;
  const std::vector<UpstreamRequest> members = {
      Read("china-ems", "LZ987654321CN"),
      // Number case differs: matched case-insensitively.
      Read("china-post", "rb123456785cn"),
      // Right number, other carrier: a single GET of it would be 4017.
      Read("dhl", "RB123456785CN")};
  const std::vector<absl::StatusOr<Envelope>> parts =
      combiner.Split(EnvelopeOf("list_quirks.json"), members);
  ASSERT_EQ(parts.size(), 3u);
  ReadResult ems = ReadAsGetTracking(parts[0], members[0]);
  ASSERT_THAT(ems.status, IsOk());
  ExpectSameTracking(ems.tracking, ListItem("list_quirks.json", 1));
  ReadResult post = ReadAsGetTracking(parts[1], members[1]);
  ASSERT_THAT(post.status, IsOk());
  ExpectSameTracking(post.tracking, ListItem("list_quirks.json", 0));
  ExpectNotFoundAsSingleGet(ReadAsGetTracking(parts[2], members[2]).status);
}

TEST(TrackingReadCombinerTest, EmptyAnswerIsNotFoundForEveryRead) {
  const TrackingReadCombiner combiner;
  const std::vector<UpstreamRequest> members = {Read("dhl", "A0001"),
                                                Read("ups", "A0002")};
  for (const absl::StatusOr<Envelope>& part :
       combiner.Split(EnvelopeOf("list_empty_4031.json"), members)) {
    ExpectNotFoundAsSingleGet(part.status());
  }
  // {"items": null} and a null data say the same.
  for (const json& data : {json::parse(R"({"page":1,"items":null})"),
                           json(nullptr), json::array()}) {
    for (const absl::StatusOr<Envelope>& part :
         combiner.Split(OkEnvelope(data), members)) {
      ExpectNotFoundAsSingleGet(part.status());
    }
  }
}

TEST(TrackingReadCombinerTest, BareArrayOfItemsIsAListToo) {
  const TrackingReadCombiner combiner;
  const json data = EnvelopeOf("list_mmm_parcel.json").data().at("items");
  const std::vector<UpstreamRequest> members = {Read("ups", "1Z111111111111"),
                                                Read("dhl", "1Z111111111111")};
  const std::vector<absl::StatusOr<Envelope>> parts =
      combiner.Split(OkEnvelope(data), members);
  ASSERT_EQ(parts.size(), 2u);
  ReadResult ups = ReadAsGetTracking(parts[0], members[0]);
  ASSERT_THAT(ups.status, IsOk());
  ExpectSameTracking(ups.tracking, ListItem("list_mmm_parcel.json", 1));
  ExpectNotFoundAsSingleGet(parts[1].status());
}

TEST(TrackingReadCombinerTest, DuplicatesAndOneNumberAtTwoCarriers) {
  const TrackingReadCombiner combiner;
  const json data = json::parse(R"({"page":1,"limit":2000,"total":"3",
    "count":3,"items":[
      {"tracking_number":"AB12345","carrier_code":"dhl","status":"transit"},
      {"tracking_number":"AB12345","carrier_code":"ups","status":"delivered"},
      {"tracking_number":"ab12345","carrier_code":"fedex","status":"pending"},
      {"tracking_number":"AB12345","carrier_code":"fedex","status":"expired"}
    ]})");
  const std::vector<UpstreamRequest> members = {
      Read("ups", "AB12345"), Read("dhl", "AB12345"), Read("ups", "AB12345"),
      // An exact-case match wins over a case-insensitive one.
      Read("fedex", "AB12345"), Read("fedex", "ab12345")};
  const std::vector<absl::StatusOr<Envelope>> parts =
      combiner.Split(OkEnvelope(data), members);
  ASSERT_EQ(parts.size(), 5u);
  std::vector<std::string> statuses;
  for (size_t i = 0; i < parts.size(); ++i) {
    ReadResult read = ReadAsGetTracking(parts[i], members[i]);
    ASSERT_THAT(read.status, IsOk()) << i;
    EXPECT_EQ(read.tracking.carrier_code(), members[i].carrier);
    statuses.push_back(read.tracking.raw_status());
  }
  EXPECT_THAT(statuses, ElementsAre("delivered", "transit", "delivered",
                                    "expired", "pending"));
}

TEST(TrackingReadCombinerTest, FailedCallFailsEveryReadWithItsError) {
  const TrackingReadCombiner combiner;
  const std::vector<UpstreamRequest> members = {Read("dhl", "A0001"),
                                                Read("ups", "A0002")};
  for (const absl::Status& error :
       {MetaError(429), MetaError(4001), testing::UpstreamTimeout(),
        testing::HttpError(503)}) {
    const std::vector<absl::StatusOr<Envelope>> parts =
        combiner.Split(error, members);
    ASSERT_EQ(parts.size(), 2u);
    for (const absl::StatusOr<Envelope>& part : parts) {
      EXPECT_EQ(part.status(), error);
    }
  }
}

TEST(TrackingReadCombinerTest, MalformedItemFailsOnlyTheUnmatchedReads) {
  const TrackingReadCombiner combiner;
  const json data = json::parse(R"({"items":[
      {"tracking_number":"AB12345","carrier_code":"dhl"},
      {"carrier_code":"ups"}, "junk"]})");
  const std::vector<UpstreamRequest> members = {Read("dhl", "AB12345"),
                                                Read("ups", "CD12345")};
  const std::vector<absl::StatusOr<Envelope>> parts =
      combiner.Split(OkEnvelope(data), members);
  ASSERT_EQ(parts.size(), 2u);
  EXPECT_THAT(ReadAsGetTracking(parts[0], members[0]).status, IsOk());
  EXPECT_THAT(parts[1].status(), StatusIs(absl::StatusCode::kInternal));
  EXPECT_EQ(ReasonOf(parts[1].status()), "UPSTREAM_MALFORMED_RESPONSE");
}

TEST(TrackingReadCombinerTest, DataWithoutAListShapeFailsEveryRead) {
  const TrackingReadCombiner combiner;
  const std::vector<UpstreamRequest> members = {Read("dhl", "A0001"),
                                                Read("ups", "A0002")};
  for (const json& data :
       {json("text"), json(42), json::parse(R"({"items":{"a":1}})")}) {
    for (const absl::StatusOr<Envelope>& part :
         combiner.Split(OkEnvelope(data), members)) {
      EXPECT_THAT(part.status(), StatusIs(absl::StatusCode::kInternal));
      EXPECT_EQ(ReasonOf(part.status()), "UPSTREAM_MALFORMED_RESPONSE");
    }
  }
}

}  // namespace
}  // namespace tracktry
