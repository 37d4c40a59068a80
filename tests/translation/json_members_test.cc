// Copyright 2026 The tracktry-grpc Authors.
#include "service/translation/json_members.h"

#include <optional>
#include <string>
#include <vector>

#include "google/protobuf/arena.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "service/translation/json_tape.h"
#include "service/translation/json_values.h"
#include "tests/testing/testdata.h"
#include "tracktry/v1/tracking_service.pb.h"

namespace tracktry {
namespace {

// JsonToString of member `index` ("" when absent), through WithString.
template <typename Value>
std::string Text(const JsonMembers<Value>& members, size_t index) {
  return members.WithString(
      index, [](absl::string_view text) { return std::string(text); });
}

using json = nlohmann::json;
using ::tracktry::testing::ReadTestdata;

constexpr absl::string_view kKeys[] = {
    "tracking_number", "status", "origin_info", "trackinfo", "Date",
    "weblink",         "x",      "missing",     "items",     "code",
};

// members[i] must be what JsonMember(object, key i) gives, for the tape
// and for the document, on `object` and on every object inside it.
void ExpectMembersAsJsonMember(const JsonNode& tape_object,
                               const json& document_object,
                               const JsonKeySet& keys) {
  const JsonMembers<JsonNode> tape_members(tape_object, keys);
  const JsonMembers<json> document_members(document_object, keys);
  for (size_t i = 0; i < keys.size(); ++i) {
    SCOPED_TRACE(keys.key(i));
    EXPECT_EQ(tape_members[i], JsonMember(tape_object, keys.key(i)));
    EXPECT_EQ(document_members[i], JsonMember(document_object, keys.key(i)));
    EXPECT_EQ(Text(tape_members, i),
              JsonMemberString(tape_object, keys.key(i)));
    EXPECT_EQ(Text(document_members, i),
              JsonMemberString(document_object, keys.key(i)));
  }
  // Children, in the same order in both (a document object's members are
  // sorted and unique: visit them by key through the tape's Find).
  if (document_object.is_object()) {
    for (const auto& [key, value] : document_object.items()) {
      const JsonNode* child = tape_object.Find(key);
      ASSERT_NE(child, nullptr) << key;
      ExpectMembersAsJsonMember(*child, value, keys);
    }
  } else if (document_object.is_array()) {
    size_t i = 0;
    tape_object.ForEachElement([&](const JsonNode& element) {
      ExpectMembersAsJsonMember(element, document_object[i++], keys);
    });
    EXPECT_EQ(i, document_object.size());
  }
}

void ExpectMembersAsJsonMember(const std::string& text) {
  SCOPED_TRACE(text.substr(0, 160));
  const std::optional<JsonTape> tape = JsonTape::Parse(text);
  ASSERT_TRUE(tape.has_value());
  const JsonKeySet keys(kKeys);
  ExpectMembersAsJsonMember(tape->root(), json::parse(text), keys);
}

TEST(JsonMembersTest, EveryRecordingReadsAsJsonMember) {
  for (const char* file :
       {"get_single_object.json", "get_single_array.json",
        "get_single_items.json", "get_cross_border.json", "list_quirks.json",
        "list_mmm_parcel.json", "realtime_cainiao.json",
        "create_null_strings.json", "update_carrier_usertag.json",
        "carriers.json", "delete_empty.json", "list_empty_4031.json",
        "batch_object_errors.json", "error_4001.json"}) {
    SCOPED_TRACE(file);
    ExpectMembersAsJsonMember(ReadTestdata(file));
  }
}

TEST(JsonMembersTest, TheLastOfARepeatedKeyCounts) {
  const std::string text =
      R"({"status": "a", "x": 1, "status": "b", "weblink": null,
          "x": {"status": "c", "status": "d"}, "weblink": "w"})";
  ExpectMembersAsJsonMember(text);
  const std::optional<JsonTape> tape = JsonTape::Parse(text);
  ASSERT_TRUE(tape.has_value());
  const JsonKeySet keys(kKeys);
  const JsonMembers<JsonNode> members(tape->root(), keys);
  EXPECT_EQ(Text(members, 1), "b");
  EXPECT_TRUE(members[6]->is_object());
  EXPECT_EQ(Text(members, 5), "w");
}

TEST(JsonMembersTest, NonObjectsAndAbsentKeysGiveNothing) {
  for (const std::string text :
       {R"([{"status": "a"}])", R"("status")", "null", "7", "{}",
        R"({"Status": 1, "status ": 2, "": 3})"}) {
    ExpectMembersAsJsonMember(text);
    const std::optional<JsonTape> tape = JsonTape::Parse(text);
    ASSERT_TRUE(tape.has_value());
    const JsonKeySet keys(kKeys);
    const JsonMembers<JsonNode> members(tape->root(), keys);
    for (size_t i = 0; i < keys.size(); ++i) {
      EXPECT_EQ(members[i], nullptr) << text << " " << keys.key(i);
      EXPECT_EQ(Text(members, i), "");
    }
  }
}

// SetString writes Text(members, i) when it is not empty, and otherwise leaves
// the field as it was: unwritten, still the default instance's string.
template <typename Value>
void ExpectSetStringWritesOnlyText(const Value& object) {
  const JsonKeySet keys(kKeys);
  const JsonMembers<Value> members(object, keys);
  const std::string& unwritten = v1::CarrierInfo::default_instance().phone();
  for (size_t i = 0; i < keys.size(); ++i) {
    SCOPED_TRACE(keys.key(i));
    const std::string text = Text(members, i);
    v1::CarrierInfo info;
    members.SetString(i, &info, &v1::CarrierInfo::mutable_phone);
    if (text.empty()) {
      EXPECT_EQ(&info.phone(), &unwritten);
    } else {
      EXPECT_EQ(info.phone(), text);
    }
    google::protobuf::Arena arena;
    auto* on_arena =
        google::protobuf::Arena::CreateMessage<v1::CarrierInfo>(&arena);
    on_arena->set_phone("before");
    members.SetString(i, on_arena, &v1::CarrierInfo::mutable_phone);
    EXPECT_EQ(on_arena->phone(), text.empty() ? "before" : text);
  }
}

TEST(JsonMembersTest, SetStringWritesOnlyNonEmptyText) {
  const std::string text =
      R"({"tracking_number": "a text longer than fifteen bytes",
          "status": "", "origin_info": null, "trackinfo": " NULL ",
          "Date": 12, "weblink": "caf\u00e9", "x": true, "items": [1],
          "code": 1.5})";
  const std::optional<JsonTape> tape = JsonTape::Parse(text);
  ASSERT_TRUE(tape.has_value());
  ExpectSetStringWritesOnlyText(tape->root());
  ExpectSetStringWritesOnlyText(json::parse(text));
}

}  // namespace
}  // namespace tracktry
