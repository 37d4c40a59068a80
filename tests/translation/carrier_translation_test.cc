// Copyright 2026 The tracktry-grpc Authors.
#include "service/translation/carrier_translation.h"

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

TEST(CarrierTranslationTest, CarrierListIsTranslatedInOrder) {
  const auto carriers = CarriersFromData(DataOf("carriers.json"));
  ASSERT_THAT(carriers, IsOk());
  ASSERT_EQ(carriers->size(), 4u);

  const v1::Carrier& dhl = (*carriers)[0];
  EXPECT_EQ(dhl.code(), "dhl");
  EXPECT_EQ(dhl.name(), "DHL");
  EXPECT_EQ(dhl.phone(), "1 800 225 5345");
  EXPECT_EQ(dhl.homepage(), "http://www.dhl.com/");
  EXPECT_EQ(dhl.type(), "express");
  EXPECT_EQ(dhl.picture(),
            "https://cdn.trackingmore.com/images/icons/express/dhl.png");
  EXPECT_EQ(dhl.name_cn(), "");

  const v1::Carrier& china_post = (*carriers)[1];
  EXPECT_EQ(china_post.code(), "china-post");
  EXPECT_EQ(china_post.name_cn(), "中国邮政");
  EXPECT_EQ(china_post.type(), "globalpost");
  EXPECT_EQ(china_post.picture(),
            "https://cdn.trackingmore.com/images/icons/express/companylogo/"
            "3010.jpg");

  EXPECT_EQ((*carriers)[2].picture(),
            "https://cdn.trackingmore.com/images/icons/express/ups.png");
  EXPECT_EQ((*carriers)[3].code(), "fastway-au");
  EXPECT_EQ((*carriers)[3].phone(), "");
  EXPECT_EQ((*carriers)[3].picture(), "");
}

TEST(CarrierTranslationTest, DetectSampleGivesCodeAndName) {
  const auto carriers = CarriersFromData(DataOf("detect_china_post.json"));
  ASSERT_THAT(carriers, IsOk());
  ASSERT_EQ(carriers->size(), 1u);
  EXPECT_EQ((*carriers)[0].code(), "china-post");
  EXPECT_EQ((*carriers)[0].name(), "China post");
  EXPECT_EQ((*carriers)[0].picture(), "");
}

TEST(CarrierTranslationTest, UnusableElementsAreSkipped) {
  const auto carriers = CarriersFromData(json::parse(
      R"([1, "dhl", null, {"name":"no code"}, {"code":""}, {"code":"null"},
          {"code":"ok","picture":"http://x/y.png"}])"));
  ASSERT_THAT(carriers, IsOk());
  ASSERT_EQ(carriers->size(), 1u);
  EXPECT_EQ((*carriers)[0].code(), "ok");
  EXPECT_EQ((*carriers)[0].picture(), "http://x/y.png");
}

TEST(CarrierTranslationTest, EmptyShapes) {
  EXPECT_THAT(*CarriersFromData(json()), IsEmpty());
  EXPECT_THAT(*CarriersFromData(json::array()), IsEmpty());
  EXPECT_THAT(*CarriersFromData(json::parse(R"({"items":null})")), IsEmpty());
  const auto items =
      CarriersFromData(json::parse(R"({"items":[{"code":"dhl"}]})"));
  ASSERT_THAT(items, IsOk());
  ASSERT_EQ(items->size(), 1u);
}

TEST(CarrierTranslationTest, BadShapesAreMalformed) {
  for (const json& data : {json("x"), json(1), json::object(),
                           json::parse(R"({"items":"dhl"})")}) {
    const auto carriers = CarriersFromData(data);
    EXPECT_THAT(carriers,
                StatusIs(absl::StatusCode::kInternal, HasSubstr("malformed")));
    const auto info = GetErrorInfo(carriers.status());
    ASSERT_TRUE(info.has_value());
    EXPECT_EQ(info->reason(), "UPSTREAM_MALFORMED_RESPONSE");
  }
}

}  // namespace
}  // namespace tracktry
