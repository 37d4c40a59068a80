// Copyright 2026 The tracktry-grpc Authors.
#include "service/translation/json_values.h"

#include <optional>
#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace tracktry {
namespace {

using json = nlohmann::json;

TEST(JsonValuesTest, MemberOfNonObjectIsNull) {
  EXPECT_EQ(JsonMember(json::array({1}), "a"), nullptr);
  EXPECT_EQ(JsonMember(json("a"), "a"), nullptr);
  EXPECT_EQ(JsonMember(json::object(), "a"), nullptr);
  const json object = {{"a", 1}};
  ASSERT_NE(JsonMember(object, "a"), nullptr);
  EXPECT_EQ(*JsonMember(object, "a"), 1);
}

TEST(JsonValuesTest, NullishValues) {
  EXPECT_TRUE(JsonIsNullish(json()));
  EXPECT_TRUE(JsonIsNullish(json("")));
  EXPECT_TRUE(JsonIsNullish(json(" ")));
  EXPECT_TRUE(JsonIsNullish(json("null")));
  EXPECT_TRUE(JsonIsNullish(json(" Null ")));
  EXPECT_FALSE(JsonIsNullish(json("nullx")));
  EXPECT_FALSE(JsonIsNullish(json(0)));
  EXPECT_FALSE(JsonIsNullish(json::array()));
}

TEST(JsonValuesTest, ToStringNormalises) {
  EXPECT_EQ(JsonToString(json("abc")), "abc");
  EXPECT_EQ(JsonToString(json(" a b ")), " a b ");
  EXPECT_EQ(JsonToString(json("null")), "");
  EXPECT_EQ(JsonToString(json("NULL")), "");
  EXPECT_EQ(JsonToString(json()), "");
  EXPECT_EQ(JsonToString(json(12)), "12");
  EXPECT_EQ(JsonToString(json(-7)), "-7");
  EXPECT_EQ(JsonToString(json(18446744073709551615ULL)),
            "18446744073709551615");
  EXPECT_EQ(JsonToString(json(1.5)), "1.5");
  EXPECT_EQ(JsonToString(json(true)), "true");
  EXPECT_EQ(JsonToString(json::array({"a"})), "");
  EXPECT_EQ(JsonToString(json::object()), "");
  EXPECT_EQ(JsonToString(json("a\xFF")), "a\xEF\xBF\xBD");
}

TEST(JsonValuesTest, ToInt64AcceptsIntegralForms) {
  EXPECT_EQ(JsonToInt64(json(42)), 42);
  EXPECT_EQ(JsonToInt64(json(-42)), -42);
  EXPECT_EQ(JsonToInt64(json("42")), 42);
  EXPECT_EQ(JsonToInt64(json(" 42 ")), 42);
  EXPECT_EQ(JsonToInt64(json("42.0")), 42);
  EXPECT_EQ(JsonToInt64(json(42.0)), 42);
  EXPECT_EQ(JsonToInt64(json("9223372036854775807")), INT64_MAX);
  EXPECT_EQ(JsonToInt64(json(9223372036854775807LL)), INT64_MAX);
}

TEST(JsonValuesTest, ToInt64RejectsEverythingElse) {
  EXPECT_EQ(JsonToInt64(json(42.5)), std::nullopt);
  EXPECT_EQ(JsonToInt64(json("42.5")), std::nullopt);
  EXPECT_EQ(JsonToInt64(json("")), std::nullopt);
  EXPECT_EQ(JsonToInt64(json("abc")), std::nullopt);
  EXPECT_EQ(JsonToInt64(json("nan")), std::nullopt);
  EXPECT_EQ(JsonToInt64(json("inf")), std::nullopt);
  EXPECT_EQ(JsonToInt64(json("1e400")), std::nullopt);
  EXPECT_EQ(JsonToInt64(json(9223372036854775808ULL)), std::nullopt);
  EXPECT_EQ(JsonToInt64(json(9.3e18)), std::nullopt);
  EXPECT_EQ(JsonToInt64(json(-9.3e18)), std::nullopt);
  EXPECT_EQ(JsonToInt64(json("9223372036854775808")), std::nullopt);
  EXPECT_EQ(JsonToInt64(json(true)), std::nullopt);
  EXPECT_EQ(JsonToInt64(json()), std::nullopt);
  EXPECT_EQ(JsonToInt64(json::array({1})), std::nullopt);
}

TEST(JsonValuesTest, ToInt32ChecksRange) {
  EXPECT_EQ(JsonToInt32(json(2147483647)), 2147483647);
  EXPECT_EQ(JsonToInt32(json(-2147483648LL)), -2147483647 - 1);
  EXPECT_EQ(JsonToInt32(json(2147483648LL)), std::nullopt);
  EXPECT_EQ(JsonToInt32(json("-2147483649")), std::nullopt);
}

TEST(JsonValuesTest, ToBoolAcceptsLooseForms) {
  EXPECT_EQ(JsonToBool(json(true)), true);
  EXPECT_EQ(JsonToBool(json(false)), false);
  EXPECT_EQ(JsonToBool(json("true")), true);
  EXPECT_EQ(JsonToBool(json(" FALSE ")), false);
  EXPECT_EQ(JsonToBool(json("1")), true);
  EXPECT_EQ(JsonToBool(json("0")), false);
  EXPECT_EQ(JsonToBool(json(1)), true);
  EXPECT_EQ(JsonToBool(json(0)), false);
  EXPECT_EQ(JsonToBool(json(2)), std::nullopt);
  EXPECT_EQ(JsonToBool(json("yes")), std::nullopt);
  EXPECT_EQ(JsonToBool(json()), std::nullopt);
  EXPECT_EQ(JsonToBool(json(1.0)), std::nullopt);
}

TEST(JsonValuesTest, ValidUtf8PrefixStopsAtTheFirstInvalidSequence) {
  EXPECT_EQ(ValidUtf8Prefix(""), 0u);
  EXPECT_TRUE(IsValidUtf8(""));
  // Past the eight-byte ASCII steps, in and after multi-byte sequences.
  const std::string ascii = "0123456789abcdefghij";
  EXPECT_EQ(ValidUtf8Prefix(ascii), ascii.size());
  EXPECT_EQ(ValidUtf8Prefix(ascii + "\xC3\xA9" + ascii), ascii.size() * 2 + 2);
  EXPECT_EQ(ValidUtf8Prefix(ascii + "\xC3"), ascii.size());      // cut
  EXPECT_EQ(ValidUtf8Prefix(ascii + "\xC0\xAF"), ascii.size());  // overlong
  EXPECT_EQ(ValidUtf8Prefix("ab\xED\xA0\x80"
                            "cdefghij"),
            2u);                                       // surrogate
  EXPECT_EQ(ValidUtf8Prefix("\xF4\x90\x80\x80"), 0u);  // above U+10FFFF
  EXPECT_EQ(ValidUtf8Prefix("\xF0\x9F\x93\xA6x\xFF"), 5u);
  EXPECT_EQ(ValidUtf8Prefix(absl::string_view("a\0b\x80", 4)), 3u);
  EXPECT_TRUE(IsValidUtf8("中国邮政 and more ASCII after it"));
  EXPECT_FALSE(IsValidUtf8(ascii + "\x80"));
}

TEST(JsonValuesTest, SanitizeUtf8ReplacesOnlyInvalidSequences) {
  EXPECT_EQ(SanitizeUtf8("plain"), "plain");
  EXPECT_EQ(SanitizeUtf8("中国邮政"), "中国邮政");
  EXPECT_EQ(SanitizeUtf8("\xF0\x9F\x93\xA6"), "\xF0\x9F\x93\xA6");  // U+1F4E6
  EXPECT_EQ(SanitizeUtf8("\xC0\xAF"), "\xEF\xBF\xBD\xEF\xBF\xBD");  // overlong
  EXPECT_EQ(SanitizeUtf8("\xED\xA0\x80"),                           // surrogate
            "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
  EXPECT_EQ(SanitizeUtf8("\xF4\x90\x80\x80"),  // above U+10FFFF
            "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
  EXPECT_EQ(SanitizeUtf8("a\xE4\xB8"), "a\xEF\xBF\xBD\xEF\xBF\xBD");  // cut
  EXPECT_EQ(SanitizeUtf8(absl::string_view("a\0b", 3)), std::string("a\0b", 3));
}

// A tape node reads as the document of the same text, quirks included.
TEST(JsonValuesTest, TapeNodesReadAsTheirDocument) {
  const std::string text = R"([null, true, false, 0, 1, 2, -1, -0, 1.0, 1.5,
      1e2, 0.1, -2.5e-3, 18446744073709551615, 9223372036854775808,
      -9223372036854775808, 2147483648, -2147483649, 9007199254740993.0,
      "", " ", "null", " NULL ", "42", " 42 ", "42.0", "4e1", "x", "true",
      " FALSE ", "1", "0", "yes", "caf\u00e9", "\u0000", [], [1], {},
      {"a": 1}, 1e300, -0.0, 123456789012345678901234567890])";
  const std::optional<JsonTape> tape = JsonTape::Parse(text);
  ASSERT_TRUE(tape.has_value());
  const json document = json::parse(text);
  std::vector<const JsonNode*> nodes;
  tape->root().ForEachElement(
      [&](const JsonNode& node) { nodes.push_back(&node); });
  ASSERT_EQ(nodes.size(), document.size());
  for (size_t i = 0; i < nodes.size(); ++i) {
    const JsonNode& node = *nodes[i];
    const json& value = document[i];
    SCOPED_TRACE(value.dump());
    EXPECT_EQ(JsonToString(node), JsonToString(value));
    EXPECT_EQ(JsonToInt64(node), JsonToInt64(value));
    EXPECT_EQ(JsonToInt32(node), JsonToInt32(value));
    EXPECT_EQ(JsonToBool(node), JsonToBool(value));
    EXPECT_EQ(JsonIsNullish(node), JsonIsNullish(value));
    EXPECT_EQ(JsonText(node), JsonText(value));
    // A string's view is JsonToString's text, taken from the tape itself;
    // any other kind has no view.
    const std::optional<absl::string_view> view = JsonStringView(node);
    if (node.is_string()) {
      ASSERT_TRUE(view.has_value());
      EXPECT_EQ(*view, JsonToString(value));
      if (!view->empty()) EXPECT_EQ(view->data(), node.text().data());
    } else {
      EXPECT_FALSE(view.has_value());
    }
  }
}

TEST(JsonValuesTest, TapeMembersAreFoundAsInTheDocument) {
  const std::string text = R"({"a": "1", "b": {"c": 2}, "a": 3, "": 4})";
  const std::optional<JsonTape> tape = JsonTape::Parse(text);
  ASSERT_TRUE(tape.has_value());
  const json document = json::parse(text);
  for (const char* key : {"a", "b", "c", "", "A"}) {
    SCOPED_TRACE(key);
    const JsonNode* node = JsonMember(tape->root(), key);
    const json* value = JsonMember(document, key);
    ASSERT_EQ(node == nullptr, value == nullptr);
    EXPECT_EQ(JsonMemberString(tape->root(), key),
              JsonMemberString(document, key));
    if (node != nullptr) {
      EXPECT_EQ(node->ToJson(), *value);
    }
  }
  EXPECT_EQ(JsonMember(*JsonMember(tape->root(), "a"), "a"), nullptr);
}

}  // namespace
}  // namespace tracktry
