// Copyright 2026 The tracktry-grpc Authors.
#include "service/fleet/envelope_codec.h"

#include <string>

#include "common/error_details.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/testdata.h"

namespace tracktry::fleet {
namespace {

using testing::IsOk;

Envelope Sample() {
  Envelope envelope;
  envelope.meta_code = 201;
  envelope.meta_type = "Created";
  envelope.meta_message = "Success \xE2\x9C\x93";
  envelope.set_data(nlohmann::json::parse(
      R"({"id":"abc","tracking_number":"RN1","items":[1,2.5,null,"x"]})"));
  return envelope;
}

TEST(EnvelopeCodecTest, EnvelopeRoundTrips) {
  const Envelope original = Sample();
  absl::StatusOr<Envelope> decoded = DecodeEnvelope(EncodeEnvelope(original));
  ASSERT_THAT(decoded, IsOk());
  EXPECT_EQ(decoded->meta_code, 201);
  EXPECT_EQ(decoded->meta_type, "Created");
  EXPECT_EQ(decoded->meta_message, original.meta_message);
  EXPECT_EQ(decoded->data(), original.data());
}

TEST(EnvelopeCodecTest, RealAnswersRoundTrip) {
  for (const char* file : {"get_single_object.json", "create_null_strings.json",
                           "list_quirks.json"}) {
    absl::StatusOr<Envelope> parsed =
        ParseEnvelope(testing::ReadTestdata(file));
    ASSERT_THAT(parsed, IsOk()) << file;
    absl::StatusOr<Envelope> decoded = DecodeEnvelope(EncodeEnvelope(*parsed));
    ASSERT_THAT(decoded, IsOk()) << file;
    EXPECT_EQ(decoded->data(), parsed->data()) << file;
    EXPECT_EQ(decoded->meta_code, parsed->meta_code) << file;
  }
}

TEST(EnvelopeCodecTest, AnswerResultRoundTrips) {
  absl::StatusOr<absl::StatusOr<Envelope>> decoded =
      DecodeResult(EncodeResult(Sample()));
  ASSERT_THAT(decoded, IsOk());
  ASSERT_THAT(*decoded, IsOk());
  EXPECT_EQ((*decoded)->data(), Sample().data());
  EXPECT_EQ((*decoded)->meta_code, 201);
}

TEST(EnvelopeCodecTest, ErrorResultKeepsCodeMessageAndDetails) {
  const absl::Status error = WithFieldViolation(
      MakeError(absl::StatusCode::kAlreadyExists, "tracking exists",
                "TRACKING_EXISTS", {{"trackingNumber", "RN1"}}),
      "tracking.tracking_number", "exists");
  absl::StatusOr<absl::StatusOr<Envelope>> decoded =
      DecodeResult(EncodeResult(error));
  ASSERT_THAT(decoded, IsOk());
  const absl::Status& status = decoded->status();
  EXPECT_EQ(status.code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(status.message(), "tracking exists");
  auto info = GetErrorInfo(status);
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->reason(), "TRACKING_EXISTS");
  EXPECT_EQ(info->metadata().at("trackingNumber"), "RN1");
  auto bad_request = GetBadRequest(status);
  ASSERT_TRUE(bad_request.has_value());
  EXPECT_EQ(bad_request->field_violations(0).field(),
            "tracking.tracking_number");
  EXPECT_EQ(status, error);
}

TEST(EnvelopeCodecTest, GarbageIsRejected) {
  for (const char* text :
       {"", "not json", "[]", R"({"c":"x"})", R"({"c":1,"t":"a","m":"b"})"}) {
    EXPECT_FALSE(DecodeEnvelope(text).ok()) << text;
  }
  for (const char* text : {"", "{}", R"({"s":99,"m":"x","p":[]})",
                           R"({"s":3,"m":"x","p":[["u","%%%"]]})"}) {
    EXPECT_FALSE(DecodeResult(text).ok()) << text;
  }
}

}  // namespace
}  // namespace tracktry::fleet
