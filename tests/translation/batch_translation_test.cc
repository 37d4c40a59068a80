// Copyright 2026 The tracktry-grpc Authors.
#include "service/translation/batch_translation.h"

#include <string>

#include "common/error_details.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "service/translation/envelope.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/testdata.h"

namespace tracktry {
namespace {

using testing::DataOf;

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::tracktry::testing::IsOk;
using ::tracktry::testing::ReadTestdata;
using ::tracktry::testing::StatusIs;
using json = nlohmann::json;

void ExpectError(const BatchItemError& error, const std::string& number,
                 const std::string& carrier, int code,
                 const std::string& message) {
  EXPECT_EQ(error.tracking_number, number);
  EXPECT_EQ(error.carrier_code, carrier);
  EXPECT_EQ(error.code, code);
  EXPECT_EQ(error.message, message);
}

TEST(BatchTranslationTest, ObjectErrorsAndCreatedItems) {
  const auto outcome = BatchOutcomeFromData(DataOf("batch_object_errors.json"));
  ASSERT_THAT(outcome, IsOk());
  EXPECT_EQ(outcome->submitted, 3);
  EXPECT_EQ(outcome->added, 1);
  ASSERT_EQ(outcome->created.size(), 1u);
  const v1::Tracking& created = outcome->created[0];
  EXPECT_EQ(created.tracking_number(), "RN123456789CN");
  EXPECT_EQ(created.carrier_code(), "china-post");
  EXPECT_EQ(created.status(), v1::TRACKING_STATUS_PENDING);
  EXPECT_EQ(created.order_create_time(), "2018/4/18 14:00");
  EXPECT_THAT(created.customer_emails(), IsEmpty());
  EXPECT_EQ(created.raw().fields().at("destination").string_value(), "us");
  ASSERT_EQ(outcome->errors.size(), 2u);
  ExpectError(outcome->errors[0], "LX123445678CN", "china-post", 4016,
              "Tracking already exists.");
  ExpectError(outcome->errors[1], "abc", "dhl", 4014,
              "The value of `tracking_number` is invalid.");
}

TEST(BatchTranslationTest, StringifiedErrorsAreDecoded) {
  const auto outcome = BatchOutcomeFromData(DataOf("batch_string_errors.json"));
  ASSERT_THAT(outcome, IsOk());
  EXPECT_EQ(outcome->submitted, 4);
  EXPECT_EQ(outcome->added, 0);
  EXPECT_THAT(outcome->created, IsEmpty());
  ASSERT_EQ(outcome->errors.size(), 4u);
  ExpectError(outcome->errors[0], "LX123445678CN", "china-post", 4016,
              "Tracking already exists.");
  ExpectError(outcome->errors[1], "RR123456789DE", "no-such-carrier", 4015,
              "The value of `carrier_code` is invalid.");
  ExpectError(outcome->errors[2], "RB123456785CN", "china-post", 4019,
              "Balance not enough.");
  ExpectError(outcome->errors[3], "", "", 0, "Tracking number is invalid");
}

TEST(BatchTranslationTest, DoublyEncodedErrorStringIsDecoded) {
  const json inner = {{"tracking_number", "A1"}, {"code", 4016}};
  const json once = inner.dump();
  const json data = {{"errors", {once.dump()}}};
  const auto outcome = BatchOutcomeFromData(data);
  ASSERT_THAT(outcome, IsOk());
  ASSERT_EQ(outcome->errors.size(), 1u);
  ExpectError(outcome->errors[0], "A1", "", 4016, "");
}

TEST(BatchTranslationTest, MissingCountersAreDerived) {
  const auto outcome = BatchOutcomeFromData(json::parse(R"({
      "trackings": [{"tracking_number": "A"}, {"tracking_number": "B"}],
      "errors": [{"tracking_number": "C", "code": 4016}]})"));
  ASSERT_THAT(outcome, IsOk());
  EXPECT_EQ(outcome->submitted, 3);
  EXPECT_EQ(outcome->added, 2);
}

TEST(BatchTranslationTest, PlainArrayIsTheOlderIllustration) {
  const auto outcome = BatchOutcomeFromData(json::parse(
      R"([{"tracking_number":"A","carrier_code":"dhl"},{"tracking_number":"B"}])"));
  ASSERT_THAT(outcome, IsOk());
  EXPECT_EQ(outcome->submitted, 2);
  EXPECT_EQ(outcome->added, 2);
  ASSERT_EQ(outcome->created.size(), 2u);
  EXPECT_EQ(outcome->created[0].carrier_code(), "dhl");
  EXPECT_THAT(outcome->errors, IsEmpty());
}

TEST(BatchTranslationTest, EmptyDataGivesEmptyOutcome) {
  for (const json& data : {json(), json::array(), json::object()}) {
    const auto outcome = BatchOutcomeFromData(data);
    ASSERT_THAT(outcome, IsOk());
    EXPECT_EQ(outcome->submitted, 0);
    EXPECT_EQ(outcome->added, 0);
    EXPECT_THAT(outcome->created, IsEmpty());
    EXPECT_THAT(outcome->errors, IsEmpty());
  }
}

TEST(BatchTranslationTest, JunkErrorEntriesAreSkippedOrKeptAsText) {
  const auto outcome = BatchOutcomeFromData(json::parse(R"({
      "errors": [null, 5, true, [], "", "null", "[1,2]", "{broken",
                 {"meta": "x", "data": 7, "code": "abc"}]})"));
  ASSERT_THAT(outcome, IsOk());
  ASSERT_EQ(outcome->errors.size(), 3u);
  ExpectError(outcome->errors[0], "", "", 0, "[1,2]");
  ExpectError(outcome->errors[1], "", "", 0, "{broken");
  ExpectError(outcome->errors[2], "", "", 0, "");
}

TEST(BatchTranslationTest, LongPlainErrorIsTruncatedOnACharacterBoundary) {
  std::string text(511, 'a');
  text += "\xC3\xA9";  // é straddles the 512-byte limit
  text += std::string(100, 'b');
  const auto outcome = BatchOutcomeFromData(json{{"errors", {text}}});
  ASSERT_THAT(outcome, IsOk());
  ASSERT_EQ(outcome->errors.size(), 1u);
  EXPECT_EQ(outcome->errors[0].message, std::string(511, 'a'));
}

TEST(BatchTranslationTest, LoneErrorObjectIsAccepted) {
  const auto outcome = BatchOutcomeFromData(
      json::parse(R"({"errors":{"tracking_number":"A","code":4016}})"));
  ASSERT_THAT(outcome, IsOk());
  ASSERT_EQ(outcome->errors.size(), 1u);
  EXPECT_EQ(outcome->errors[0].code, 4016);
}

TEST(BatchTranslationTest, BadShapesAreMalformed) {
  for (const json& data :
       {json("x"), json(3), json::parse(R"({"trackings":{}})"),
        json::parse(R"({"trackings":[{"id":"no number"}]})"),
        json::parse(R"([{"id":"no number"}])")}) {
    const auto outcome = BatchOutcomeFromData(data);
    EXPECT_THAT(outcome,
                StatusIs(absl::StatusCode::kInternal, HasSubstr("malformed")));
    const auto info = GetErrorInfo(outcome.status());
    ASSERT_TRUE(info.has_value());
    EXPECT_EQ(info->reason(), "UPSTREAM_MALFORMED_RESPONSE");
  }
}

}  // namespace
}  // namespace tracktry
