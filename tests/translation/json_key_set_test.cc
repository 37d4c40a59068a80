// Copyright 2026 The tracktry-grpc Authors.
#include "service/translation/json_key_set.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace tracktry {
namespace {

constexpr absl::string_view kKeys[] = {
    "id",      "carrier_code", "status",    "substatus", "Date",
    "Details", "ItemNode",     "ActType",   "a",         "b",
    "ab",      "ba",           "singed_by", "signed_by",
};

TEST(JsonKeySetTest, EveryKeyHasItsIndex) {
  const JsonKeySet keys(kKeys);
  ASSERT_EQ(keys.size(), std::size(kKeys));
  for (size_t i = 0; i < std::size(kKeys); ++i) {
    EXPECT_EQ(keys.IndexOf(kKeys[i]), static_cast<int>(i)) << kKeys[i];
    EXPECT_EQ(keys.key(i), kKeys[i]);
  }
}

TEST(JsonKeySetTest, OtherKeysAreNotFound) {
  const JsonKeySet keys(kKeys);
  for (absl::string_view other :
       {"", "i", "Id", "ID", "id ", " id", "idx", "statuses", "substatus_num",
        "Status", "aa", "bb", "abc", "signed-by", "singed_bx"}) {
    EXPECT_EQ(keys.IndexOf(other), -1) << other;
  }
  // Keys that share length, first, middle and last byte with a member of
  // the set (the hash's inputs) are told apart by the comparison.
  EXPECT_EQ(keys.IndexOf("sXnged_by"), -1);
  EXPECT_EQ(keys.IndexOf("DaXe"), -1);
}

TEST(JsonKeySetTest, AFullSetFindsEveryKeyAndNothingElse) {
  std::vector<std::string> names;
  for (size_t i = 0; i < JsonKeySet::kMaxKeys; ++i) {
    // Same length, first and last byte: only the middle byte and the
    // comparison tell them apart, so most land on probed slots.
    names.push_back(absl::StrCat("k", std::string(1, 'A' + i % 26),
                                 std::string(1, 'a' + i / 26), "z"));
  }
  const std::vector<absl::string_view> views(names.begin(), names.end());
  const JsonKeySet keys(views);
  for (size_t i = 0; i < views.size(); ++i) {
    EXPECT_EQ(keys.IndexOf(views[i]), static_cast<int>(i)) << views[i];
  }
  EXPECT_EQ(keys.IndexOf("kAzz"), -1);
  EXPECT_EQ(keys.IndexOf("kAaZ"), -1);
}

TEST(JsonKeySetTest, EmptySet) {
  const JsonKeySet keys({});
  EXPECT_EQ(keys.size(), 0u);
  EXPECT_EQ(keys.IndexOf("id"), -1);
  EXPECT_EQ(keys.IndexOf(""), -1);
}

TEST(JsonKeySetDeathTest, RepeatedOrEmptyKeysAreAProgrammingError) {
  constexpr absl::string_view kRepeated[] = {"id", "status", "id"};
  EXPECT_DEATH(JsonKeySet{kRepeated}, "");
  constexpr absl::string_view kEmpty[] = {"id", ""};
  EXPECT_DEATH(JsonKeySet{kEmpty}, "");
}

}  // namespace
}  // namespace tracktry
