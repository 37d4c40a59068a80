// Copyright 2026 The tracktry-grpc Authors.
#include "service/translation/list_translation.h"

#include "common/error_details.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "service/translation/envelope.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/testdata.h"

namespace tracktry {
namespace {

using testing::DataOf;

using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::tracktry::testing::IsOk;
using ::tracktry::testing::ReadTestdata;
using ::tracktry::testing::StatusIs;
using json = nlohmann::json;

void ExpectMalformed(const absl::Status& status) {
  EXPECT_THAT(status,
              StatusIs(absl::StatusCode::kInternal,
                       HasSubstr("upstream sent a malformed response")));
  const auto info = GetErrorInfo(status);
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->reason(), "UPSTREAM_MALFORMED_RESPONSE");
}

TEST(ListTranslationTest, ItemsCarryRawOnlyInTheFullView) {
  for (const char* file : {"list_mmm_parcel.json", "list_quirks.json"}) {
    SCOPED_TRACE(file);
    const auto full =
        ListPageFromData(DataOf(file), tracktry::v1::TRACKING_VIEW_FULL);
    const auto basic = ListPageFromData(DataOf(file));
    ASSERT_THAT(full, IsOk());
    ASSERT_THAT(basic, IsOk());
    ASSERT_FALSE(full->items.empty());
    ASSERT_EQ(basic->items.size(), full->items.size());
    for (size_t i = 0; i < full->items.size(); ++i) {
      EXPECT_TRUE(full->items[i].has_raw());
      EXPECT_TRUE(basic->items[i].has_raw()) << "default view is FULL";
    }
    const auto unset =
        ListPageFromData(DataOf(file), tracktry::v1::TRACKING_VIEW_UNSPECIFIED);
    ASSERT_THAT(unset, IsOk());
    for (const auto& item : unset->items) EXPECT_FALSE(item.has_raw());
    EXPECT_EQ(unset->total, full->total);
    EXPECT_EQ(unset->count, full->count);
  }
}

TEST(ListTranslationTest, MmmParcelPageKeepsStringTotalAndUpstreamCount) {
  const auto page = ListPageFromData(DataOf("list_mmm_parcel.json"));
  ASSERT_THAT(page, IsOk());
  EXPECT_EQ(page->page, 1);
  EXPECT_EQ(page->limit, 25);
  EXPECT_EQ(page->total, 4);  // sent as "4"
  EXPECT_EQ(page->count, 3);  // as sent, although only 2 items are present
  ASSERT_EQ(page->items.size(), 2u);
  EXPECT_EQ(page->items[0].tracking_number(), "CL72111111111111111NL");
  EXPECT_EQ(page->items[0].status(), v1::TRACKING_STATUS_EXCEPTION);
  EXPECT_EQ(page->items[1].tracking_number(), "1Z111111111111");
  EXPECT_EQ(page->items[1].origin_info().checkpoints_size(), 3);
}

TEST(ListTranslationTest, AllCountersAsStrings) {
  const auto page = ListPageFromData(DataOf("list_quirks.json"));
  ASSERT_THAT(page, IsOk());
  EXPECT_EQ(page->page, 1);
  EXPECT_EQ(page->limit, 2);
  EXPECT_EQ(page->total, 7);
  EXPECT_EQ(page->count, 2);
  ASSERT_EQ(page->items.size(), 2u);
  EXPECT_EQ(page->items[0].tracking_number(), "RB123456785CN");
  EXPECT_EQ(page->items[1].tracking_number(), "LZ987654321CN");
}

TEST(ListTranslationTest, EmptyAnswersGiveEmptyPage) {
  const auto empty = ListPageFromData(DataOf("list_empty_4031.json"));
  ASSERT_THAT(empty, IsOk());
  EXPECT_EQ(empty->total, 0);
  EXPECT_EQ(empty->count, 0);
  EXPECT_THAT(empty->items, IsEmpty());

  const auto null_data = ListPageFromData(json());
  ASSERT_THAT(null_data, IsOk());
  EXPECT_EQ(null_data->page, 0);
  EXPECT_THAT(null_data->items, IsEmpty());

  const auto null_items = ListPageFromData(
      json::parse(R"({"page":3,"limit":10,"total":"20","items":null})"));
  ASSERT_THAT(null_items, IsOk());
  EXPECT_EQ(null_items->page, 3);
  EXPECT_EQ(null_items->total, 20);
  EXPECT_EQ(null_items->count, 0);
  EXPECT_THAT(null_items->items, IsEmpty());
}

TEST(ListTranslationTest, MissingOrBadCountersFallBack) {
  const auto page = ListPageFromData(json::parse(
      R"({"page":"x","total":null,"limit":1.5,"items":[{"tracking_number":"A"}]})"));
  ASSERT_THAT(page, IsOk());
  EXPECT_EQ(page->page, 0);
  EXPECT_EQ(page->limit, 0);
  EXPECT_EQ(page->total, 0);
  EXPECT_EQ(page->count, 1);  // from the items
}

TEST(ListTranslationTest, BareArrayIsTakenAsItems) {
  const auto page = ListPageFromData(
      json::parse(R"([{"tracking_number":"A"},{"tracking_number":"B"}])"));
  ASSERT_THAT(page, IsOk());
  EXPECT_EQ(page->total, 2);
  EXPECT_EQ(page->count, 2);
  ASSERT_EQ(page->items.size(), 2u);
  EXPECT_EQ(page->items[1].tracking_number(), "B");
}

TEST(ListTranslationTest, BadShapesAreMalformed) {
  ExpectMalformed(ListPageFromData(json("page")).status());
  ExpectMalformed(ListPageFromData(json(1)).status());
  ExpectMalformed(
      ListPageFromData(json::parse(R"({"items":{"tracking_number":"A"}})"))
          .status());
  ExpectMalformed(
      ListPageFromData(json::parse(R"({"items":[{"id":"no number"}]})"))
          .status());
}

}  // namespace
}  // namespace tracktry
