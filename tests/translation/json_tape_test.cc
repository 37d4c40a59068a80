// Copyright 2026 The tracktry-grpc Authors.
#include "service/translation/json_tape.h"

#include <string>
#include <utility>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/testdata.h"

namespace tracktry {
namespace {

using ::testing::ElementsAre;
using ::testing::Pair;
using ::tracktry::testing::ReadTestdata;
using json = nlohmann::json;
using Kind = JsonNode::Kind;

JsonTape MustParse(absl::string_view text) {
  std::optional<JsonTape> tape = JsonTape::Parse(text);
  EXPECT_TRUE(tape.has_value()) << text;
  if (!tape.has_value()) return *JsonTape::Parse("null");
  return *std::move(tape);
}

// ToJson must give nlohmann's document of the same text, value types too
// (== compares numbers across types).
void ExpectSameDocument(const json& got, const json& expected) {
  ASSERT_EQ(got, expected);
  std::vector<std::pair<const json*, const json*>> todo = {{&got, &expected}};
  while (!todo.empty()) {
    auto [a, b] = todo.back();
    todo.pop_back();
    ASSERT_EQ(a->type(), b->type()) << a->dump() << " vs " << b->dump();
    if (a->is_structured()) {
      auto i = a->begin();
      auto j = b->begin();
      for (; i != a->end(); ++i, ++j) todo.push_back({&*i, &*j});
    }
  }
}

TEST(JsonTapeTest, EveryRecordingReadsAsNlohmannsDocument) {
  for (const char* file :
       {"batch_object_errors.json", "batch_string_errors.json", "carriers.json",
        "costtime_tm_v2.json", "create_null_strings.json", "delete_empty.json",
        "detect_china_post.json", "error_4001.json", "get_cross_border.json",
        "get_single_array.json", "get_single_items.json",
        "get_single_object.json", "list_empty_4031.json",
        "list_mmm_parcel.json", "list_quirks.json", "realtime_cainiao.json",
        "statusnumber_tm_v2.json", "update_carrier_usertag.json",
        "userinfo_unknown_shape.json"}) {
    SCOPED_TRACE(file);
    const std::string text = ReadTestdata(file);
    const JsonTape tape = MustParse(text);
    ExpectSameDocument(tape.root().ToJson(), json::parse(text));
  }
}

TEST(JsonTapeTest, ScalarsHaveNlohmannsTypes) {
  const JsonTape tape = MustParse(
      R"([null, true, false, 0, -0, 7, -7, 18446744073709551615,)"
      R"( 18446744073709551616, -9223372036854775809, 1.5, 1e2, "a\u00e9"])");
  std::vector<Kind> kinds;
  std::vector<const JsonNode*> nodes;
  tape.root().ForEachElement([&](const JsonNode& node) {
    kinds.push_back(node.kind());
    nodes.push_back(&node);
  });
  EXPECT_THAT(kinds, ElementsAre(Kind::kNull, Kind::kBoolean, Kind::kBoolean,
                                 Kind::kUnsigned, Kind::kInteger,
                                 Kind::kUnsigned, Kind::kInteger,
                                 Kind::kUnsigned, Kind::kFloat, Kind::kFloat,
                                 Kind::kFloat, Kind::kFloat, Kind::kString));
  ASSERT_EQ(nodes.size(), 13u);
  EXPECT_TRUE(nodes[1]->boolean());
  EXPECT_FALSE(nodes[2]->boolean());
  EXPECT_EQ(nodes[4]->integer(), 0);
  EXPECT_EQ(nodes[5]->unsigned_value(), 7u);
  EXPECT_EQ(nodes[6]->integer(), -7);
  EXPECT_EQ(nodes[7]->unsigned_value(), 18446744073709551615u);
  EXPECT_EQ(nodes[8]->number_float(), 18446744073709551616.0);
  EXPECT_EQ(nodes[10]->number_float(), 1.5);
  EXPECT_EQ(nodes[11]->number_float(), 100.0);
  EXPECT_EQ(nodes[12]->text(), "a\xC3\xA9");
  EXPECT_EQ(tape.root().size(), 13u);
  EXPECT_TRUE(nodes[0]->is_null());
  EXPECT_TRUE(nodes[5]->is_number_integer());
  EXPECT_TRUE(nodes[5]->is_number_unsigned());
  EXPECT_FALSE(nodes[6]->is_number_unsigned());
  EXPECT_TRUE(nodes[10]->is_number());
  EXPECT_EQ(nodes[5]->text(), "");  // not a string
}

TEST(JsonTapeTest, StringsMayHoldNulAndEscapes) {
  const JsonTape tape =
      MustParse(R"(["a\u0000b", "\"\\\/\n", "\ud83d\ude00"])");
  std::vector<std::string> texts;
  tape.root().ForEachElement(
      [&](const JsonNode& node) { texts.emplace_back(node.text()); });
  EXPECT_THAT(texts, ElementsAre(std::string("a\0b", 3), "\"\\/\n",
                                 "\xF0\x9F\x98\x80"));
}

TEST(JsonTapeTest, FindGivesTheLastOfARepeatedKey) {
  const JsonTape tape =
      MustParse(R"({"a": 1, "b": {"a": [1, 2]}, "a": {"x": 3}, "c": null})");
  const JsonNode& root = tape.root();
  EXPECT_EQ(root.size(), 4u);  // as sent
  const JsonNode* a = root.Find("a");
  ASSERT_NE(a, nullptr);
  ASSERT_TRUE(a->is_object());
  ASSERT_NE(a->Find("x"), nullptr);
  EXPECT_EQ(a->Find("x")->unsigned_value(), 3u);
  const JsonNode* b = root.Find("b");
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(b->Find("a")->size(), 2u);
  ASSERT_NE(root.Find("c"), nullptr);
  EXPECT_TRUE(root.Find("c")->is_null());
  EXPECT_EQ(root.Find("d"), nullptr);
  EXPECT_EQ(root.Find(""), nullptr);
  EXPECT_EQ(a->Find("x")->Find("x"), nullptr);  // not an object
  std::vector<std::pair<std::string, Kind>> members;
  root.ForEachMember([&](absl::string_view key, const JsonNode& value) {
    members.emplace_back(std::string(key), value.kind());
  });
  EXPECT_THAT(members,
              ElementsAre(Pair("a", Kind::kUnsigned), Pair("b", Kind::kObject),
                          Pair("a", Kind::kObject), Pair("c", Kind::kNull)));
  ExpectSameDocument(
      root.ToJson(),
      json::parse(R"({"a": 1, "b": {"a": [1, 2]}, "a": {"x": 3}, "c": null})"));
}

TEST(JsonTapeTest, TextsRapidJsonOrTheUtf8RuleRejectGiveNoTape) {
  for (const std::string& text :
       {std::string("\xEF\xBB\xBF[1]"),  // BOM: nlohmann skips it
        std::string("[1e400]"), std::string("[\"\xC3\"]"),
        std::string("[\"\xED\xA0\x80\"]"), std::string(R"(["\ude00"])"),
        // Bad UTF-8 within the eight-byte words of a longer text, and a lone
        // low surrogate escaped in an otherwise ASCII one.
        std::string("[\"0123456789abcdef\xC3 0123456789abcdef\"]"),
        std::string(R"(["0123456789abcdef", "\udc00", "0123456789abcdef"])"),
        std::string("[1] x"), std::string(""), std::string("[nan]"),
        std::string("{\"a\":1,}"), std::string("[1,\0 2]", 6),
        // Raw control characters in a string long enough for RapidJSON's
        // SSE2 scan (which misses 0x1A-0x1F).
        std::string("[\"0123456789abcdef\x1F"
                    "0123456789abcdef\"]"),
        std::string("[\"0123456789abcdef\x1A"
                    "0123456789abcdef\"]")}) {
    SCOPED_TRACE(text);
    EXPECT_FALSE(JsonTape::Parse(text).has_value());
  }
}

// The bytes nlohmann rejects before RapidJSON sees them (NUL, 0x1A-0x1F)
// are found at every position of an eight-byte word and in the tail after
// the last whole word, in a string long enough for RapidJSON's SSE2 scan;
// whitespace below 0x20 between tokens is not one.
TEST(JsonTapeTest, RejectedBytesAreFoundAnywhere) {
  for (const char byte :
       {'\0', '\x1A', '\x1B', '\x1C', '\x1D', '\x1E', '\x1F'}) {
    for (size_t at = 2; at < 2 + 67; ++at) {
      std::string text = "[\"" + std::string(67, 'a') + "\"]";
      text[at] = byte;
      SCOPED_TRACE(::testing::Message()
                   << "byte " << int{byte} << " at " << at);
      EXPECT_FALSE(JsonTape::Parse(text).has_value());
    }
  }
  const std::string pretty = "{\n\t\"a\": [1,\r\n\t\t2],\n\t\"b\": \"x\"\n}";
  const JsonTape tape = MustParse(pretty);
  ExpectSameDocument(tape.root().ToJson(), json::parse(pretty));
}

// Texts are read by RapidJSON's recursive reader up to 256 containers
// deep and again by its iterative one beyond: both sides of the switch
// read as nlohmann does, and an error on either side gives no tape.
TEST(JsonTapeTest, NestingOnBothSidesOfTheRecursionLimit) {
  for (const size_t depth : {1, 2, 255, 256, 257, 258, 300, 5000}) {
    SCOPED_TRACE(depth);
    std::string arrays =
        std::string(depth, '[') + "1" + std::string(depth, ']');
    std::string objects;
    for (size_t i = 0; i < depth; ++i) objects += "{\"k\":\"v\",\"a\":";
    objects += "\"\\u00e9\"" + std::string(depth, '}');
    for (const std::string& text : {arrays, objects}) {
      const JsonTape tape = MustParse(text);
      ExpectSameDocument(tape.root().ToJson(), json::parse(text));
      std::string broken = text;
      broken.insert(broken.size() - depth, ",");  // [[1,]] and {"a":"é",}
      EXPECT_FALSE(JsonTape::Parse(broken).has_value());
      EXPECT_FALSE(
          JsonTape::Parse(text.substr(0, text.size() - 1)).has_value());
    }
  }
}

TEST(JsonTapeTest, DeepNestingIsConvertedWithoutRecursion) {
  std::string text(100000, '[');
  text.append(100000, ']');
  const JsonTape tape = MustParse(text);
  const json document = tape.root().ToJson();
  EXPECT_TRUE(document.is_array());
  EXPECT_EQ(document.size(), 1u);
}

TEST(JsonTapeTest, NullNodeAndEmptyContainers) {
  EXPECT_TRUE(JsonNode::Null().is_null());
  EXPECT_EQ(JsonNode::Null().Find("a"), nullptr);
  EXPECT_EQ(JsonNode::Null().ToJson(), json(nullptr));
  const JsonTape tape = MustParse(R"({"a": {}, "b": [], "c": [{}]})");
  EXPECT_TRUE(tape.root().Find("a")->empty());
  EXPECT_TRUE(tape.root().Find("b")->empty());
  EXPECT_EQ(tape.root().Find("c")->size(), 1u);
  EXPECT_EQ(tape.root().ToJson(),
            json::parse(R"({"a": {}, "b": [], "c": [{}]})"));
}

TEST(JsonTapeTest, HeapBytesCoverTheTextAndTheNodes) {
  const std::string text = ReadTestdata("get_cross_border.json");
  const JsonTape tape = MustParse(text);
  EXPECT_GT(tape.heap_bytes(), text.size());
  EXPECT_LT(tape.heap_bytes(), 8 * text.size());
}

}  // namespace
}  // namespace tracktry
