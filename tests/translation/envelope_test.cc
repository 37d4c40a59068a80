// Copyright 2026 The tracktry-grpc Authors.
#include "service/translation/envelope.h"

#include <string>

#include "common/error_details.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/testdata.h"

namespace tracktry {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::tracktry::testing::IsOk;
using ::tracktry::testing::ReadTestdata;
using ::tracktry::testing::StatusIs;

void ExpectMalformed(const absl::StatusOr<Envelope>& envelope) {
  EXPECT_THAT(envelope,
              StatusIs(absl::StatusCode::kInternal,
                       HasSubstr("upstream sent a malformed response")));
  const auto info = GetErrorInfo(envelope.status());
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->reason(), "UPSTREAM_MALFORMED_RESPONSE");
  EXPECT_EQ(info->domain(), "tracktry.v1");
}

TEST(EnvelopeTest, SuccessEnvelopeParsesMetaAndData) {
  const auto envelope = ParseEnvelope(ReadTestdata("detect_china_post.json"));
  ASSERT_THAT(envelope, IsOk());
  EXPECT_EQ(envelope->meta_code, 200);
  EXPECT_EQ(envelope->meta_type, "Success");
  EXPECT_EQ(envelope->meta_message, "Success");
  ASSERT_TRUE(envelope->data.is_array());
  ASSERT_EQ(envelope->data.size(), 1u);
  EXPECT_EQ(envelope->data[0]["code"], "china-post");
}

TEST(EnvelopeTest, ErrorEnvelopesKeepMetaCode) {
  const auto unauthorized = ParseEnvelope(ReadTestdata("error_4001.json"));
  ASSERT_THAT(unauthorized, IsOk());
  EXPECT_EQ(unauthorized->meta_code, 4001);
  EXPECT_EQ(unauthorized->meta_type, "Unauthorized");
  EXPECT_EQ(unauthorized->meta_message, "Invalid API key.");

  const auto missing = ParseEnvelope(ReadTestdata("error_4017.json"));
  ASSERT_THAT(missing, IsOk());
  EXPECT_EQ(missing->meta_code, 4017);
  EXPECT_TRUE(missing->data.is_array());
  EXPECT_TRUE(missing->data.empty());

  const auto empty = ParseEnvelope(ReadTestdata("list_empty_4031.json"));
  ASSERT_THAT(empty, IsOk());
  EXPECT_EQ(empty->meta_code, 4031);
  EXPECT_EQ(empty->meta_type, "No Content");
}

TEST(EnvelopeTest, StringMetaCodeIsAccepted) {
  const auto envelope = ParseEnvelope(ReadTestdata("list_quirks.json"));
  ASSERT_THAT(envelope, IsOk());
  EXPECT_EQ(envelope->meta_code, 200);

  const auto padded = ParseEnvelope(R"({"meta":{"code":" 4016 "}})");
  ASSERT_THAT(padded, IsOk());
  EXPECT_EQ(padded->meta_code, 4016);
}

TEST(EnvelopeTest, IntegralFloatMetaCodeIsAccepted) {
  const auto envelope = ParseEnvelope(R"({"meta":{"code":200.0}})");
  ASSERT_THAT(envelope, IsOk());
  EXPECT_EQ(envelope->meta_code, 200);
}

TEST(EnvelopeTest, MissingDataBecomesNull) {
  const auto envelope = ParseEnvelope(R"({"meta":{"code":200}})");
  ASSERT_THAT(envelope, IsOk());
  EXPECT_TRUE(envelope->data.is_null());
  EXPECT_EQ(envelope->meta_type, "");
  EXPECT_EQ(envelope->meta_message, "");
}

TEST(EnvelopeTest, NonStringTypeAndMessageBecomeEmpty) {
  const auto envelope = ParseEnvelope(
      R"({"meta":{"code":200,"type":7,"message":null},"data":1})");
  ASSERT_THAT(envelope, IsOk());
  EXPECT_EQ(envelope->meta_type, "");
  EXPECT_EQ(envelope->meta_message, "");
  EXPECT_EQ(envelope->data, 1);
}

TEST(EnvelopeTest, NotJsonIsMalformed) {
  ExpectMalformed(ParseEnvelope(""));
  ExpectMalformed(ParseEnvelope("<html>502 Bad Gateway</html>"));
  ExpectMalformed(ParseEnvelope(R"({"meta":{"code":200})"));
  ExpectMalformed(ParseEnvelope(R"({"meta":{"code":200}} trailing)"));
}

TEST(EnvelopeTest, NonObjectBodyIsMalformed) {
  ExpectMalformed(ParseEnvelope("[]"));
  ExpectMalformed(ParseEnvelope("\"text\""));
  ExpectMalformed(ParseEnvelope("200"));
  ExpectMalformed(ParseEnvelope("null"));
}

TEST(EnvelopeTest, MissingOrBadMetaIsMalformed) {
  ExpectMalformed(ParseEnvelope(R"({"data":[]})"));
  ExpectMalformed(ParseEnvelope(R"({"meta":null,"data":[]})"));
  ExpectMalformed(ParseEnvelope(R"({"meta":"200"})"));
  ExpectMalformed(ParseEnvelope(R"({"meta":{"type":"Success"}})"));
  ExpectMalformed(ParseEnvelope(R"({"meta":{"code":null}})"));
  ExpectMalformed(ParseEnvelope(R"({"meta":{"code":true}})"));
  ExpectMalformed(ParseEnvelope(R"({"meta":{"code":"abc"}})"));
  ExpectMalformed(ParseEnvelope(R"({"meta":{"code":"200x"}})"));
  ExpectMalformed(ParseEnvelope(R"({"meta":{"code":200.5}})"));
  ExpectMalformed(ParseEnvelope(R"({"meta":{"code":[200]}})"));
  ExpectMalformed(ParseEnvelope(R"({"meta":{"code":{"v":200}}})"));
}

TEST(EnvelopeTest, OutOfRangeMetaCodeIsMalformed) {
  ExpectMalformed(ParseEnvelope(R"({"meta":{"code":4294967296}})"));
  ExpectMalformed(ParseEnvelope(R"({"meta":{"code":-4294967296}})"));
  ExpectMalformed(ParseEnvelope(R"({"meta":{"code":1e300}})"));
  ExpectMalformed(
      ParseEnvelope(R"({"meta":{"code":"99999999999999999999999"}})"));
  ExpectMalformed(ParseEnvelope(R"({"meta":{"code":1e999}})"));
}

TEST(EnvelopeTest, MessageNeverContainsTheBody) {
  const std::string body =
      R"({"meta":{"code":"SECRET-BODY-CONTENT"},"data":"SECRET-BODY-CONTENT"})";
  const auto envelope = ParseEnvelope(body);
  ExpectMalformed(envelope);
  EXPECT_THAT(std::string(envelope.status().message()),
              Not(HasSubstr("SECRET")));

  const auto not_json = ParseEnvelope("SECRET-BODY-CONTENT");
  ExpectMalformed(not_json);
  EXPECT_THAT(std::string(not_json.status().message()),
              Not(HasSubstr("SECRET")));
}

TEST(EnvelopeTest, DeeplyNestedDataDoesNotCrash) {
  std::string body = R"({"meta":{"code":200},"data":)";
  body.append(100000, '[');
  body.append(100000, ']');
  body.append("}");
  const auto envelope = ParseEnvelope(body);
  ASSERT_THAT(envelope, IsOk());
  EXPECT_TRUE(envelope->data.is_array());
}

}  // namespace
}  // namespace tracktry
