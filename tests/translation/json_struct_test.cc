// Copyright 2026 The tracktry-grpc Authors.
#include "service/translation/json_struct.h"

#include <cmath>
#include <limits>
#include <optional>
#include <string>

#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"

namespace tracktry {
namespace {

using json = nlohmann::json;

TEST(JsonStructTest, ScalarsMapToValueKinds) {
  EXPECT_TRUE(JsonToProtoValue(json()).has_null_value());
  EXPECT_TRUE(JsonToProtoValue(json(true)).bool_value());
  EXPECT_EQ(JsonToProtoValue(json(-12)).number_value(), -12);
  EXPECT_EQ(JsonToProtoValue(json(18446744073709551615ULL)).number_value(),
            18446744073709551615.0);
  EXPECT_EQ(JsonToProtoValue(json(1.5)).number_value(), 1.5);
  EXPECT_EQ(JsonToProtoValue(json("x")).string_value(), "x");
  EXPECT_TRUE(JsonToProtoValue(json(std::numeric_limits<double>::infinity()))
                  .has_null_value());
  EXPECT_TRUE(JsonToProtoValue(json(NAN)).has_null_value());
  EXPECT_TRUE(
      JsonToProtoValue(json(json::value_t::discarded)).has_null_value());
  EXPECT_TRUE(JsonToProtoValue(json::binary({1, 2, 3})).has_null_value());
}

TEST(JsonStructTest, LargeIntegersLosePrecisionOnly) {
  // 2^53 + 1 is not representable as a double.
  const auto value = JsonToProtoValue(json::parse("9007199254740993"));
  EXPECT_EQ(value.number_value(), 9007199254740992.0);
}

TEST(JsonStructTest, ContainersAreConverted) {
  const auto value = JsonToProtoValue(
      json::parse(R"({"a":[1,"two",null,{"b":false}],"c":{}})"));
  ASSERT_TRUE(value.has_struct_value());
  const auto& fields = value.struct_value().fields();
  ASSERT_EQ(fields.size(), 2u);
  const auto& list = fields.at("a").list_value();
  ASSERT_EQ(list.values_size(), 4);
  EXPECT_EQ(list.values(0).number_value(), 1);
  EXPECT_EQ(list.values(1).string_value(), "two");
  EXPECT_TRUE(list.values(2).has_null_value());
  EXPECT_FALSE(list.values(3).struct_value().fields().at("b").bool_value());
  EXPECT_TRUE(fields.at("c").has_struct_value());
  EXPECT_TRUE(fields.at("c").struct_value().fields().empty());
}

TEST(JsonStructTest, StructOfNonObjectIsEmpty) {
  EXPECT_TRUE(JsonToProtoStruct(json::array({1})).fields().empty());
  EXPECT_TRUE(JsonToProtoStruct(json("x")).fields().empty());
}

// Depth of nested list_values below `value`, counting `value` if a list.
int ListDepth(const google::protobuf::Value& value) {
  int depth = 0;
  const google::protobuf::Value* cursor = &value;
  while (cursor->has_list_value() && cursor->list_value().values_size() > 0) {
    ++depth;
    cursor = &cursor->list_value().values(0);
  }
  if (cursor->has_list_value()) ++depth;
  return depth;
}

TEST(JsonStructTest, NestingIsCappedAtMaxDepth) {
  std::string text(1000, '[');
  text.append(1000, ']');
  const auto value = JsonToProtoValue(json::parse(text));
  EXPECT_EQ(ListDepth(value), kMaxJsonStructDepth);

  std::string shallow(kMaxJsonStructDepth, '[');
  shallow.append(kMaxJsonStructDepth, ']');
  EXPECT_EQ(ListDepth(JsonToProtoValue(json::parse(shallow))),
            kMaxJsonStructDepth);
}

TEST(JsonStructTest, DeepStructSerialisesAndParsesBack) {
  json root = json::object();
  json* cursor = &root;
  for (int i = 0; i < 500; ++i) cursor = &(*cursor)["k"];
  *cursor = 1;
  const google::protobuf::Struct result = JsonToProtoStruct(root);
  std::string bytes;
  ASSERT_TRUE(result.SerializeToString(&bytes));
  google::protobuf::Struct parsed;
  EXPECT_TRUE(parsed.ParseFromString(bytes));
}

TEST(JsonStructTest, InvalidUtf8IsReplaced) {
  const auto value = JsonToProtoStruct(json{{"k\xFF", "v\xC3"}});
  ASSERT_EQ(value.fields().size(), 1u);
  EXPECT_EQ(value.fields().begin()->first, "k\xEF\xBF\xBD");
  EXPECT_EQ(value.fields().begin()->second.string_value(), "v\xEF\xBF\xBD");
}

// From a tape node: the Struct of the document of the same text (a
// repeated key's last value, nesting capped the same way).
TEST(JsonStructTest, TapeGivesTheDocumentsStruct) {
  std::string deep = R"({"d":)";
  for (int i = 0; i < 30; ++i) deep += R"({"k":)";
  deep += "1";
  deep += std::string(31, '}');
  for (const std::string& text :
       {std::string(R"({"a": {"x": 1, "y": 2}, "a": {"z": 3}, "b": [1, -2,)"
                    R"( 1.5, 18446744073709551615, "s", null, true, false,)"
                    R"( {"c": []}], "\u00e9": "\u00e9", "e": 1e300})"),
        std::string(R"({})"), std::string(R"([1])"), deep}) {
    SCOPED_TRACE(text);
    const std::optional<JsonTape> tape = JsonTape::Parse(text);
    ASSERT_TRUE(tape.has_value());
    google::protobuf::Struct from_tape;
    FillProtoStruct(tape->root(), &from_tape);
    EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(
        from_tape, JsonToProtoStruct(json::parse(text))))
        << from_tape.DebugString();
  }
}

}  // namespace
}  // namespace tracktry
