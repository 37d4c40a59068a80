// Copyright 2026 The tracktry-grpc Authors.
#include "service/translation/envelope.h"

#include <string>
#include <thread>
#include <utility>
#include <vector>

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
  ASSERT_TRUE(envelope->data().is_array());
  ASSERT_EQ(envelope->data().size(), 1u);
  EXPECT_EQ(envelope->data().at(0).at("code"), "china-post");
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
  EXPECT_TRUE(missing->data().is_array());
  EXPECT_TRUE(missing->data().empty());

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
  EXPECT_TRUE(envelope->data().is_null());
  EXPECT_EQ(envelope->meta_type, "");
  EXPECT_EQ(envelope->meta_message, "");
}

TEST(EnvelopeTest, NonStringTypeAndMessageBecomeEmpty) {
  const auto envelope = ParseEnvelope(
      R"({"meta":{"code":200,"type":7,"message":null},"data":1})");
  ASSERT_THAT(envelope, IsOk());
  EXPECT_EQ(envelope->meta_type, "");
  EXPECT_EQ(envelope->meta_message, "");
  EXPECT_EQ(envelope->data(), 1);
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

// ParseEnvelope lexes with RapidJSON and falls back to nlohmann's parser:
// it must accept exactly the texts nlohmann accepts and build the same
// document (value types included) from each.
void ExpectParsedAsNlohmannDoes(const std::string& data, EnvelopeData form) {
  SCOPED_TRACE(data.substr(0, 120));
  const std::string body = R"({"meta":{"code":200},"data":)" + data + "}";
  const nlohmann::json expected =
      nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  const auto envelope = ParseEnvelope(body, form);
  if (expected.is_discarded()) {
    EXPECT_FALSE(envelope.ok());
    return;
  }
  ASSERT_THAT(envelope, IsOk());
  const nlohmann::json& got = envelope->data();
  EXPECT_EQ(got, expected["data"]);
  // == compares numbers across types; the types must match too.
  std::vector<std::pair<const nlohmann::json*, const nlohmann::json*>> todo = {
      {&got, &expected["data"]}};
  while (!todo.empty()) {
    auto [a, b] = todo.back();
    todo.pop_back();
    ASSERT_EQ(a->type(), b->type()) << a->dump() << " vs " << b->dump();
    if (a->is_structured()) {
      ASSERT_EQ(a->size(), b->size());
      auto i = a->begin();
      auto j = b->begin();
      for (; i != a->end(); ++i, ++j) {
        if (a->is_object()) {
          EXPECT_EQ(i.key(), j.key());
        }
        todo.push_back({&*i, &*j});
      }
    }
  }
}

void ExpectParsedAsNlohmannDoes(const std::string& data) {
  ExpectParsedAsNlohmannDoes(data, EnvelopeData::kDocument);
  ExpectParsedAsNlohmannDoes(data, EnvelopeData::kTape);
}

TEST(EnvelopeTest, ParsesEveryRecordingAsNlohmannDoes) {
  for (const char* file :
       {"batch_object_errors.json", "batch_string_errors.json", "carriers.json",
        "costtime_tm_v2.json", "create_null_strings.json", "delete_empty.json",
        "detect_china_post.json", "get_cross_border.json",
        "get_single_array.json", "get_single_items.json",
        "get_single_object.json", "list_mmm_parcel.json", "list_quirks.json",
        "realtime_cainiao.json", "statusnumber_tm_v2.json",
        "update_carrier_usertag.json"}) {
    SCOPED_TRACE(file);
    const std::string body = ReadTestdata(file);
    for (const EnvelopeData form :
         {EnvelopeData::kDocument, EnvelopeData::kTape}) {
      const auto envelope = ParseEnvelope(body, form);
      ASSERT_THAT(envelope, IsOk());
      EXPECT_EQ(envelope->data(), nlohmann::json::parse(body)["data"]);
    }
  }
}

TEST(EnvelopeTest, EdgeCasesParseAsNlohmannDoes) {
  for (const std::string data :
       {// Numbers: unsigned, signed, -0, floats, out of range, exponents.
        "[0, -0, 1, -1, 4294967295, 4294967296, -2147483649]",
        "[18446744073709551615, 18446744073709551616, -9223372036854775808,"
        " -9223372036854775809]",
        "[0.1, -0.0, 1e2, 1E-2, 2.5e+3, 1.7976931348623157e308, 5e-324]",
        "1e400", "[01]", "[1.]", "[.5]", "[-]", "[1e]", "[+1]",
        // Zero with exponents (script/fuzz: RapidJSON's own conversion of
        // 0e62 was undefined behaviour), long mantissas, near-halfway.
        "[0e62, 0E-400, -0e0, 0.0e10, 0e400]",
        "[3.14159265358979323846264338327950288, 2.2250738585072011e-308,"
        " 9007199254740993, 123456789012345678901234567890]",
        // Strings: escapes, surrogate pairs, lone surrogates, NUL,
        // control characters, invalid UTF-8.
        R"(["\"\\\/\b\f\n\r\t", "\u00e9\u4e2d", "\ud83d\ude00"])",
        R"(["\ud83d"])", R"(["\ude00"])", R"(["a\u0000b"])",
        "[\"a\x01"
        "b\"]",
        // Raw 0x1A-0x1F inside a string long enough for RapidJSON's SSE2
        // scan (script/fuzz), and escaped (valid).
        "[\"0123456789abcdef\x1F"
        "0123456789abcdef\"]",
        "[\"0123456789abcdef\x1A"
        "0123456789abcdef\"]",
        R"(["0123456789abcdef\u001f0123456789abcdef"])", "[\"caf\xC3\xA9\"]",
        "[\"\xC3\"]", "[\"\xED\xA0\x80\"]", "[\"\xF4\x90\x80\x80\"]",
        R"(["\x"])",
        // Structure: duplicate keys (last wins), empties, literals.
        R"({"a":1,"a":2,"b":{"a":[]}})", "{}", "[]", "[null,true,false]",
        "[1,]", "{\"a\":1,}", "[nan]", "[Infinity]", "// c\n1", "[1] x",
        "\"text\"", "[\"\xEF\xBB\xBF\"]"}) {
    ExpectParsedAsNlohmannDoes(data);
  }
  // A byte order mark before the body: nlohmann skips it.
  const std::string bom =
      "\xEF\xBB\xBF"
      R"({"meta":{"code":200},"data":[1]})";
  const auto with_bom = ParseEnvelope(bom);
  ASSERT_THAT(with_bom, IsOk());
  EXPECT_EQ(with_bom->data(), nlohmann::json::parse(bom)["data"]);
}

// The body is read into a tape; the document of `data` is built when first
// asked for, once for all copies, from any number of threads.
TEST(EnvelopeTest, DataIsReadFromTheTapeAndBuiltOnceWhenAsked) {
  const std::string body = ReadTestdata("get_cross_border.json");
  const auto envelope = ParseEnvelope(body, EnvelopeData::kTape);
  ASSERT_THAT(envelope, IsOk());
  ASSERT_NE(envelope->data_tape(), nullptr);
  // A copy of the data does not keep a document.
  EXPECT_EQ(envelope->data_copy(), nlohmann::json::parse(body).at("data"));
  EXPECT_EQ(envelope->data_if_built(), nullptr);
  EXPECT_EQ(envelope->data_if_built(), nullptr);
  EXPECT_EQ(envelope->data_tape()->ToJson(),
            nlohmann::json::parse(body)["data"]);
  const size_t tape_bytes = envelope->data_tape_bytes();
  EXPECT_GT(tape_bytes, body.size());
  const Envelope copy = *envelope;
  std::vector<const nlohmann::json*> seen(8);
  std::vector<std::thread> threads;
  for (size_t i = 0; i < seen.size(); ++i) {
    threads.emplace_back(
        [&, i] { seen[i] = &(i % 2 == 0 ? *envelope : copy).data(); });
  }
  for (std::thread& thread : threads) thread.join();
  for (const nlohmann::json* document : seen) EXPECT_EQ(document, seen[0]);
  EXPECT_EQ(*seen[0], nlohmann::json::parse(body)["data"]);
  EXPECT_EQ(envelope->data_if_built(), seen[0]);
  EXPECT_EQ(copy.data_if_built(), seen[0]);
  EXPECT_EQ(envelope->data_tape_bytes(), tape_bytes);
}

TEST(EnvelopeTest, DocumentFormBuildsTheDocumentAndDropsTheTape) {
  const std::string body = ReadTestdata("list_mmm_parcel.json");
  for (const auto& envelope :
       {ParseEnvelope(body), ParseEnvelope(body, EnvelopeData::kDocument)}) {
    ASSERT_THAT(envelope, IsOk());
    EXPECT_EQ(envelope->data_tape(), nullptr);
    ASSERT_NE(envelope->data_if_built(), nullptr);
    EXPECT_EQ(envelope->data(), nlohmann::json::parse(body).at("data"));
    EXPECT_EQ(envelope->data_copy(), envelope->data());
    EXPECT_GT(envelope->data_tape_bytes(), 0u);  // the shared block only
    EXPECT_LT(envelope->data_tape_bytes(), 256u);
  }
}

TEST(EnvelopeTest, MissingDataOnTheTapeIsNull) {
  const auto envelope =
      ParseEnvelope(R"({"meta":{"code":4031}})", EnvelopeData::kTape);
  ASSERT_THAT(envelope, IsOk());
  ASSERT_NE(envelope->data_tape(), nullptr);
  EXPECT_TRUE(envelope->data_tape()->is_null());
  EXPECT_TRUE(envelope->data().is_null());
}

// Where there is no tape (data set, or a body only nlohmann takes), the
// document is there from the start.
TEST(EnvelopeTest, SetDataAndNlohmannOnlyBodiesHaveNoTape) {
  const Envelope success = SuccessEnvelope({{"tracking_number", "RR1"}});
  EXPECT_EQ(success.data_tape(), nullptr);
  ASSERT_NE(success.data_if_built(), nullptr);
  EXPECT_EQ(success.data().at("tracking_number"), "RR1");
  Envelope empty;
  EXPECT_EQ(empty.data_tape(), nullptr);
  EXPECT_EQ(empty.data_if_built(), nullptr);
  EXPECT_EQ(empty.data_tape_bytes(), 0u);
  EXPECT_TRUE(empty.data().is_null());
  const auto with_bom = ParseEnvelope(
      "\xEF\xBB\xBF"
      R"({"meta":{"code":200},"data":[1]})",
      EnvelopeData::kTape);
  ASSERT_THAT(with_bom, IsOk());
  EXPECT_EQ(with_bom->data_tape(), nullptr);
  ASSERT_NE(with_bom->data_if_built(), nullptr);
  auto parsed =
      ParseEnvelope(R"({"meta":{"code":200},"data":[1]})", EnvelopeData::kTape);
  ASSERT_THAT(parsed, IsOk());
  ASSERT_NE(parsed->data_tape(), nullptr);
  parsed->set_data(nlohmann::json::array({2}));
  EXPECT_EQ(parsed->data_tape(), nullptr);
  EXPECT_EQ(parsed->data(), nlohmann::json::array({2}));
}

TEST(EnvelopeTest, DeeplyNestedDataDoesNotCrash) {
  std::string body = R"({"meta":{"code":200},"data":)";
  body.append(100000, '[');
  body.append(100000, ']');
  body.append("}");
  const auto envelope = ParseEnvelope(body);
  ASSERT_THAT(envelope, IsOk());
  EXPECT_TRUE(envelope->data().is_array());
}

}  // namespace
}  // namespace tracktry
