// Copyright 2026 The tracktry-grpc Authors.
//
// The single-tracking operations over a fake UpstreamCaller (no gRPC): the
// upstream call each one sends (route, structured keys, body), how each
// reads recorded answers, the 4031 / no-data rule and error pass-through.
#include "service/tracktry_api/tracking_operations.h"

#include <chrono>
#include <future>
#include <string>

#include "common/error_details.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/testing/api_test_prelude.h"

namespace tracktry {
namespace {

using ::google::protobuf::util::MessageDifferencer;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

// api::GetTracking without the overload that also keeps the answer's data.
constexpr auto kGetTracking = static_cast<UpstreamCaller::CallId (*)(
    UpstreamCaller*, const v1::GetTrackingRequest&, absl::Time, v1::Tracking*,
    StatusCallback)>(&api::GetTracking);

nlohmann::json BodyOf(const UpstreamRequest& request) {
  return nlohmann::json::parse(request.body);
}

TEST(GetTrackingTest, SendsTheReadWithStructuredKeys) {
  FakeUpstreamCaller fake(
      FakeUpstreamCaller::Always(EnvelopeOf("get_single_object.json")));
  v1::GetTrackingRequest request;
  request.set_carrier_code("4px");
  request.set_tracking_number("300403513351");
  request.set_lang("en");
  request.set_bypass_cache(true);
  v1::Tracking tracking;
  StatusSlot slot;
  const UpstreamCaller::CallId id = api::GetTracking(
      &fake, request, absl::Now() + kDeadline, &tracking, slot.Callback());
  ASSERT_THAT(slot.Wait(), IsOk());
  EXPECT_EQ(tracking.tracking_number(), "300403513351");
  EXPECT_EQ(tracking.status(), v1::TRACKING_STATUS_DELIVERED);
  ASSERT_EQ(fake.calls(), 1);
  const UpstreamRequest sent = fake.records()[0].request;
  EXPECT_EQ(fake.records()[0].id, id);
  EXPECT_EQ(sent.endpoint, Endpoint::kGetTracking);
  EXPECT_EQ(sent.carrier, "4px");
  EXPECT_THAT(sent.tracking_numbers, ElementsAre("300403513351"));
  EXPECT_EQ(sent.lang, "en");
  EXPECT_TRUE(sent.bypass_cache);
  EXPECT_EQ(sent.body, "");
  EXPECT_EQ(RenderPath(sent), "/trackings/4px/300403513351/en");
}

TEST(GetTrackingTest, EveryRecordedShapeGivesTheFirstTracking) {
  for (const char* file : {"get_single_object.json", "get_single_array.json",
                           "get_single_items.json"}) {
    FakeUpstreamCaller fake(FakeUpstreamCaller::Always(EnvelopeOf(file)));
    v1::GetTrackingRequest request;
    request.set_carrier_code("x");
    request.set_tracking_number("1");
    v1::Tracking tracking;
    ASSERT_THAT(AwaitStatus(kGetTracking, &fake, request,
                            absl::Now() + kDeadline, &tracking),
                IsOk())
        << file;
    EXPECT_FALSE(tracking.tracking_number().empty()) << file;
  }
}

// AIP-157: `raw` only when the read asks for FULL; unset is BASIC. The
// view is not part of the upstream call (one cache entry serves both).
TEST(GetTrackingTest, RawOnlyInTheFullView) {
  for (const v1::TrackingView view :
       {v1::TRACKING_VIEW_UNSPECIFIED, v1::TRACKING_VIEW_BASIC,
        v1::TRACKING_VIEW_FULL}) {
    SCOPED_TRACE(v1::TrackingView_Name(view));
    FakeUpstreamCaller fake(
        FakeUpstreamCaller::Always(EnvelopeOf("get_cross_border.json")));
    v1::GetTrackingRequest request;
    request.set_carrier_code("x");
    request.set_tracking_number("1");
    request.set_view(view);
    v1::Tracking tracking;
    StatusSlot slot;
    api::GetTracking(&fake, request, absl::Now() + kDeadline, &tracking,
                     slot.Callback());
    ASSERT_THAT(slot.Wait(), IsOk());
    EXPECT_EQ(tracking.has_raw(), view == v1::TRACKING_VIEW_FULL);
    EXPECT_GT(tracking.destination_info().checkpoints_size(), 0);
    v1::GetTrackingRequest other_view = request;
    other_view.set_view(v1::TRACKING_VIEW_FULL);
    const UpstreamRequest a = api::GetTrackingCall(request);
    const UpstreamRequest b = api::GetTrackingCall(other_view);
    EXPECT_EQ(a.carrier, b.carrier);
    EXPECT_EQ(a.tracking_numbers, b.tracking_numbers);
    EXPECT_EQ(a.lang, b.lang);
    EXPECT_EQ(a.query, b.query);
    EXPECT_EQ(a.body, b.body);
  }
}

// The serialized answer is the tracking GetTracking builds, in each view.
TEST(GetSerializedTrackingTest, BytesAreTheTrackingOfTheView) {
  for (const v1::TrackingView view :
       {v1::TRACKING_VIEW_UNSPECIFIED, v1::TRACKING_VIEW_FULL}) {
    SCOPED_TRACE(v1::TrackingView_Name(view));
    FakeUpstreamCaller fake(
        FakeUpstreamCaller::Always(EnvelopeOf("get_cross_border.json")));
    v1::GetTrackingRequest request;
    request.set_carrier_code("x");
    request.set_tracking_number("1");
    request.set_view(view);
    v1::Tracking expected;
    StatusSlot slot;
    api::GetTracking(&fake, request, absl::Now() + kDeadline, &expected,
                     slot.Callback());
    ASSERT_THAT(slot.Wait(), IsOk());

    // A std::promise, not absl::Notification: Debian's Abseil is not built
    // with TSan, which would not see the hand-over.
    std::promise<absl::StatusOr<api::SerializedTracking>> promise;
    std::future<absl::StatusOr<api::SerializedTracking>> future =
        promise.get_future();
    api::GetSerializedTracking(
        &fake, request, absl::Now() + kDeadline,
        [&promise](absl::StatusOr<api::SerializedTracking> result) {
          promise.set_value(std::move(result));
        });
    ASSERT_EQ(future.wait_for(std::chrono::seconds(5)),
              std::future_status::ready);
    const absl::StatusOr<api::SerializedTracking> bytes = future.get();
    ASSERT_THAT(bytes.status(), IsOk());
    v1::Tracking parsed;
    ASSERT_TRUE(parsed.ParseFromString(**bytes));
    EXPECT_TRUE(MessageDifferencer::Equals(parsed, expected));
    EXPECT_EQ(parsed.has_raw(), view == v1::TRACKING_VIEW_FULL);
    EXPECT_EQ(fake.records()[1].request.endpoint, Endpoint::kGetTracking);
  }
}

// Once per upstream answer and view: every copy of the answer (a cache
// entry, its hits) reuses the bytes.
TEST(GetSerializedTrackingTest, EachViewIsSerializedOncePerAnswer) {
  const Envelope answer = EnvelopeOf("get_cross_border.json");
  v1::GetTrackingRequest basic;
  basic.set_carrier_code("x");
  basic.set_tracking_number("1");
  v1::GetTrackingRequest full = basic;
  full.set_view(v1::TRACKING_VIEW_FULL);
  const auto first = api::SerializedTrackingFromAnswer(answer, basic);
  ASSERT_THAT(first.status(), IsOk());
  const Envelope copy = answer;  // e.g. the cache's entry
  const auto again = api::SerializedTrackingFromAnswer(copy, basic);
  ASSERT_THAT(again.status(), IsOk());
  EXPECT_EQ(*again, *first) << "the same shared bytes";
  v1::GetTrackingRequest basic_explicit = basic;
  basic_explicit.set_view(v1::TRACKING_VIEW_BASIC);
  EXPECT_EQ(*api::SerializedTrackingFromAnswer(copy, basic_explicit), *first);
  const auto with_raw = api::SerializedTrackingFromAnswer(copy, full);
  ASSERT_THAT(with_raw.status(), IsOk());
  EXPECT_NE(*with_raw, *first);
  EXPECT_GT((*with_raw)->size(), (*first)->size());
  EXPECT_EQ(*api::SerializedTrackingFromAnswer(answer, full), *with_raw);
  EXPECT_EQ(answer.memo->bytes(), (*first)->size() + (*with_raw)->size());

  // Another answer of the same tracking (a fresh read) has its own bytes.
  const Envelope fresh = EnvelopeOf("get_cross_border.json");
  EXPECT_NE(*api::SerializedTrackingFromAnswer(fresh, basic), *first);
  // Without a memo the bytes are built each time, and are the same.
  Envelope bare = EnvelopeOf("get_cross_border.json");
  bare.memo = nullptr;
  const auto built = api::SerializedTrackingFromAnswer(bare, basic);
  ASSERT_THAT(built.status(), IsOk());
  EXPECT_EQ(**built, **first);
}

// A GetTracking answer as the client parses it (EnvelopeData::kTape) is
// translated from its tape: the same tracking as from the document, and no
// document is built for it.
TEST(GetSerializedTrackingTest, TapeAnswerGivesTheDocumentsTrackingWithoutOne) {
  const std::string body = testing::ReadTestdata("get_cross_border.json");
  const absl::StatusOr<Envelope> tape =
      ParseEnvelope(body, EnvelopeData::kTape);
  ASSERT_THAT(tape.status(), IsOk());
  const Envelope document = EnvelopeOf("get_cross_border.json");
  for (const v1::TrackingView view :
       {v1::TRACKING_VIEW_BASIC, v1::TRACKING_VIEW_FULL}) {
    v1::GetTrackingRequest request;
    request.set_carrier_code("x");
    request.set_tracking_number("1");
    request.set_view(view);
    const auto from_tape = api::SerializedTrackingFromAnswer(*tape, request);
    const auto from_document =
        api::SerializedTrackingFromAnswer(document, request);
    ASSERT_THAT(from_tape.status(), IsOk());
    ASSERT_THAT(from_document.status(), IsOk());
    v1::Tracking a;
    v1::Tracking b;
    ASSERT_TRUE(a.ParseFromString(**from_tape));
    ASSERT_TRUE(b.ParseFromString(**from_document));
    EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(a, b));
  }
  EXPECT_EQ(tape->data_if_built(), nullptr);
}

// NOT_FOUND names the request, so it is never remembered.
TEST(GetSerializedTrackingTest, EmptyAnswerIsNotFoundForEachRequest) {
  const Envelope empty = EnvelopeOf("list_empty_4031.json");
  v1::GetTrackingRequest request;
  request.set_carrier_code("dhl");
  request.set_tracking_number("404");
  EXPECT_THAT(api::SerializedTrackingFromAnswer(empty, request).status(),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("dhl/404")));
  request.set_tracking_number("405");
  EXPECT_THAT(api::SerializedTrackingFromAnswer(empty, request).status(),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("dhl/405")));
  EXPECT_EQ(empty.memo->bytes(), 0u);
}

TEST(GetTrackingTest, EmptyAnswersAreNotFound) {
  for (const Envelope& empty :
       {EnvelopeOf("list_empty_4031.json"), OkEnvelope(nlohmann::json()),
        OkEnvelope(nlohmann::json::array())}) {
    FakeUpstreamCaller fake(FakeUpstreamCaller::Always(empty));
    v1::GetTrackingRequest request;
    request.set_carrier_code("dhl");
    request.set_tracking_number("404");
    v1::Tracking tracking;
    const absl::Status status = AwaitStatus(kGetTracking, &fake, request,
                                            absl::Now() + kDeadline, &tracking);
    EXPECT_THAT(status,
                StatusIs(absl::StatusCode::kNotFound, HasSubstr("dhl/404")));
    EXPECT_EQ(GetErrorInfo(status)->reason(), "TRACKING_NOT_FOUND");
  }
}

TEST(GetTrackingTest, UpstreamErrorsPassThroughUnchanged) {
  FakeUpstreamCaller fake(FakeUpstreamCaller::Always(MetaError(4017)));
  v1::GetTrackingRequest request;
  request.set_carrier_code("dhl");
  request.set_tracking_number("1");
  v1::Tracking tracking;
  const absl::Status status = AwaitStatus(kGetTracking, &fake, request,
                                          absl::Now() + kDeadline, &tracking);
  const absl::Status expected = MetaError(4017);
  EXPECT_EQ(status.code(), expected.code());
  EXPECT_EQ(status.message(), expected.message());
  EXPECT_EQ(GetErrorInfo(status)->reason(), GetErrorInfo(expected)->reason());
  EXPECT_EQ(tracking.tracking_number(), "");
}

TEST(GetTrackingTest, MalformedDataIsInternal) {
  FakeUpstreamCaller fake(
      FakeUpstreamCaller::Always(OkEnvelope(nlohmann::json("not a tracking"))));
  v1::GetTrackingRequest request;
  request.set_carrier_code("dhl");
  request.set_tracking_number("1");
  v1::Tracking tracking;
  EXPECT_THAT(AwaitStatus(kGetTracking, &fake, request, absl::Now() + kDeadline,
                          &tracking),
              StatusIs(absl::StatusCode::kInternal));
}

TEST(CreateTrackingTest, SendsTheBodyOnceWithKeysAndRequestId) {
  FakeUpstreamCaller fake(
      FakeUpstreamCaller::Always(EnvelopeOf("create_null_strings.json")));
  v1::CreateTrackingRequest request;
  request.mutable_tracking()->set_tracking_number("RR1");
  request.mutable_tracking()->set_carrier_code("china-post");
  request.mutable_tracking()->set_title("caf\xC3\xA9");
  request.set_request_id("req-1");
  v1::Tracking tracking;
  ASSERT_THAT(AwaitStatus(api::CreateTracking, &fake, request,
                          absl::Now() + kDeadline, &tracking),
              IsOk());
  const UpstreamRequest sent = fake.records()[0].request;
  EXPECT_EQ(sent.endpoint, Endpoint::kCreateTracking);
  EXPECT_EQ(sent.carrier, "china-post");
  EXPECT_THAT(sent.tracking_numbers, ElementsAre("RR1"));
  EXPECT_EQ(BodyOf(sent)["tracking_number"], "RR1");
  EXPECT_EQ(BodyOf(sent)["title"], "caf\xC3\xA9");
  EXPECT_EQ(sent.idempotency_key, "CreateTracking/req-1");
  EXPECT_NE(sent.idempotency_fingerprint, 0u);
  EXPECT_FALSE(tracking.tracking_number().empty());
}

TEST(CreateTrackingTest, AcceptedWithoutEchoAnswersWhatWasRegistered) {
  FakeUpstreamCaller fake(
      FakeUpstreamCaller::Always(OkEnvelope(nlohmann::json())));
  v1::CreateTrackingRequest request;
  request.mutable_tracking()->set_tracking_number("RR2");
  request.mutable_tracking()->set_carrier_code("dhl");
  v1::Tracking tracking;
  ASSERT_THAT(AwaitStatus(api::CreateTracking, &fake, request,
                          absl::Now() + kDeadline, &tracking),
              IsOk());
  EXPECT_EQ(tracking.tracking_number(), "RR2");
  EXPECT_EQ(tracking.carrier_code(), "dhl");
  EXPECT_EQ(tracking.status(), v1::TRACKING_STATUS_PENDING);
  EXPECT_EQ(fake.records()[0].request.idempotency_key, "");
}

TEST(UpdateTrackingTest, PutsToTheTrackingAndFallsBackToItsKeys) {
  FakeUpstreamCaller fake(
      FakeUpstreamCaller::Always(EnvelopeOf("delete_empty.json")));
  v1::UpdateTrackingRequest request;
  request.set_carrier_code("sto");
  request.set_tracking_number("S1");
  request.mutable_update_mask()->add_paths("title");
  request.mutable_tracking()->set_title("new");
  v1::Tracking tracking;
  ASSERT_THAT(AwaitStatus(api::UpdateTracking, &fake, request,
                          absl::Now() + kDeadline, &tracking),
              IsOk());
  const UpstreamRequest sent = fake.records()[0].request;
  EXPECT_EQ(sent.endpoint, Endpoint::kUpdateTracking);
  EXPECT_EQ(RenderPath(sent), "/trackings/sto/S1");
  EXPECT_EQ(BodyOf(sent)["title"], "new");
  EXPECT_EQ(tracking.carrier_code(), "sto");
  EXPECT_EQ(tracking.tracking_number(), "S1");
}

TEST(DeleteTrackingTest, DeletesByKeys) {
  FakeUpstreamCaller fake(
      FakeUpstreamCaller::Always(EnvelopeOf("delete_empty.json")));
  v1::DeleteTrackingRequest request;
  request.set_carrier_code("dhl");
  request.set_tracking_number("D1");
  ASSERT_THAT(
      AwaitStatus(api::DeleteTracking, &fake, request, absl::Now() + kDeadline),
      IsOk());
  const UpstreamRequest sent = fake.records()[0].request;
  EXPECT_EQ(sent.endpoint, Endpoint::kDeleteTracking);
  EXPECT_THAT(sent.tracking_numbers, ElementsAre("D1"));
}

TEST(GetRealtimeTrackingTest, PostsTheQueryAndReadsTheTracking) {
  FakeUpstreamCaller fake(
      FakeUpstreamCaller::Always(EnvelopeOf("realtime_cainiao.json")));
  v1::GetRealtimeTrackingRequest request;
  request.set_carrier_code("cainiao");
  request.set_tracking_number("LP1");
  request.set_lang("cn");
  v1::Tracking tracking;
  ASSERT_THAT(AwaitStatus(api::GetRealtimeTracking, &fake, request,
                          absl::Now() + kDeadline, &tracking),
              IsOk());
  const UpstreamRequest sent = fake.records()[0].request;
  EXPECT_EQ(sent.endpoint, Endpoint::kRealtime);
  EXPECT_THAT(sent.tracking_numbers, ElementsAre("LP1"));
  EXPECT_EQ(BodyOf(sent)["lang"], "cn");
  EXPECT_FALSE(tracking.tracking_number().empty());
}

TEST(GetRealtimeTrackingTest, RawOnlyInTheFullView) {
  for (const v1::TrackingView view :
       {v1::TRACKING_VIEW_UNSPECIFIED, v1::TRACKING_VIEW_FULL}) {
    FakeUpstreamCaller fake(
        FakeUpstreamCaller::Always(EnvelopeOf("realtime_cainiao.json")));
    v1::GetRealtimeTrackingRequest request;
    request.set_carrier_code("cainiao");
    request.set_tracking_number("LP1");
    request.set_view(view);
    v1::Tracking tracking;
    StatusSlot slot;
    api::GetRealtimeTracking(&fake, request, absl::Now() + kDeadline, &tracking,
                             slot.Callback());
    ASSERT_THAT(slot.Wait(), IsOk());
    EXPECT_EQ(tracking.has_raw(), view == v1::TRACKING_VIEW_FULL);
    EXPECT_FALSE(BodyOf(fake.records()[0].request).contains("view"));
  }
}

// Writes have no view: their echo is FULL, as before views existed.
TEST(CreateTrackingTest, TheEchoCarriesRaw) {
  FakeUpstreamCaller fake(
      FakeUpstreamCaller::Always(EnvelopeOf("create_null_strings.json")));
  v1::CreateTrackingRequest request;
  request.mutable_tracking()->set_tracking_number("RR1");
  request.mutable_tracking()->set_carrier_code("dhl");
  v1::Tracking tracking;
  StatusSlot slot;
  api::CreateTracking(&fake, request, absl::Now() + kDeadline, &tracking,
                      slot.Callback());
  ASSERT_THAT(slot.Wait(), IsOk());
  EXPECT_TRUE(tracking.has_raw());
}

TEST(GetRealtimeTrackingTest, EmptyAnswerIsNotFound) {
  FakeUpstreamCaller fake(
      FakeUpstreamCaller::Always(EnvelopeOf("list_empty_4031.json")));
  v1::GetRealtimeTrackingRequest request;
  request.set_carrier_code("cainiao");
  request.set_tracking_number("LP2");
  v1::Tracking tracking;
  EXPECT_THAT(AwaitStatus(api::GetRealtimeTracking, &fake, request,
                          absl::Now() + kDeadline, &tracking),
              StatusIs(absl::StatusCode::kNotFound));
}

TEST(ChangeTrackingCarrierTest, PostsTheChangeWithTheNumberAsKey) {
  FakeUpstreamCaller fake(
      FakeUpstreamCaller::Always(EnvelopeOf("update_carrier_usertag.json")));
  v1::ChangeTrackingCarrierRequest request;
  request.set_carrier_code("dhl");
  request.set_tracking_number("C1");
  request.set_new_carrier_code("ups");
  v1::ChangeTrackingCarrierResponse response;
  ASSERT_THAT(AwaitStatus(api::ChangeTrackingCarrier, &fake, request,
                          absl::Now() + kDeadline, &response),
              IsOk());
  const UpstreamRequest sent = fake.records()[0].request;
  EXPECT_EQ(sent.endpoint, Endpoint::kUpdateCarrier);
  EXPECT_THAT(sent.tracking_numbers, ElementsAre("C1"));
  EXPECT_EQ(BodyOf(sent)["update_carrier_code"], "ups");
}

TEST(SerializeBodyTest, InvalidUtf8IsReplacedNotThrown) {
  const std::string body =
      SerializeBody(nlohmann::json{{"title", std::string("bad \xFF byte")}});
  const nlohmann::json parsed = nlohmann::json::parse(body, nullptr, false);
  ASSERT_FALSE(parsed.is_discarded()) << body;
  EXPECT_THAT(parsed["title"].get<std::string>(), HasSubstr("bad "));
}

}  // namespace
}  // namespace tracktry
