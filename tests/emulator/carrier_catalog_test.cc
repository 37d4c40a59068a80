// Copyright 2026 The tracktry-grpc Authors.
#include "emulator/carrier_catalog.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace tracktry::emulator {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

std::vector<std::string> Codes(const std::vector<const Carrier*>& carriers) {
  std::vector<std::string> codes;
  for (const Carrier* carrier : carriers) codes.push_back(carrier->code);
  return codes;
}

TEST(CarrierCatalogTest, ListsRealisticCarriers) {
  const CarrierCatalog& catalog = CarrierCatalog::Default();
  EXPECT_GE(catalog.carriers().size(), 20u);
  for (const char* code : {"dhl",
                           "ups",
                           "fedex",
                           "usps",
                           "4px",
                           "china-post",
                           "china-ems",
                           "cainiao",
                           "yunexpress",
                           "postnl-3s",
                           "deutsch-post",
                           "royal-mail",
                           "hong-kong-post",
                           "singapore-post",
                           "australia-post",
                           "canada-post",
                           "japan-post",
                           "la-poste",
                           "fastway-au",
                           "poste-italiane",
                           "sto"}) {
    EXPECT_NE(catalog.Find(code), nullptr) << code;
  }
  EXPECT_EQ(catalog.Find("DHL"), nullptr);
  EXPECT_EQ(catalog.Find("nope"), nullptr);
}

TEST(CarrierCatalogTest, JsonHasProtocolRelativePictures) {
  const OrderedJson json = CarrierCatalog::Default().ToJson();
  ASSERT_TRUE(json.is_array());
  const OrderedJson& dhl = json.at(0);
  EXPECT_EQ(dhl.at("code"), "dhl");
  EXPECT_EQ(dhl.at("name"), "DHL");
  EXPECT_EQ(dhl.at("type"), "express");
  EXPECT_EQ(dhl.at("picture"),
            "//cdn.tracktry.com/images/icons/express/dhl.png");
  EXPECT_TRUE(dhl.contains("phone"));
  EXPECT_TRUE(dhl.contains("homepage"));
}

TEST(CarrierCatalogTest, DetectsByNumberPattern) {
  const CarrierCatalog& catalog = CarrierCatalog::Default();
  EXPECT_THAT(Codes(catalog.Detect("RN123456789CN")),
              ElementsAre("china-post", "china-ems"));
  EXPECT_THAT(Codes(catalog.Detect("EA123456789CN")),
              ElementsAre("china-ems", "china-post"));
  EXPECT_THAT(Codes(catalog.Detect("1Z12345E0291980793")), ElementsAre("ups"));
  EXPECT_THAT(Codes(catalog.Detect("1z12345e0291980793")), ElementsAre("ups"));
  EXPECT_THAT(Codes(catalog.Detect("LB181539674SG")),
              ElementsAre("cainiao", "singapore-post"));
  EXPECT_THAT(Codes(catalog.Detect("RR123456789GB")),
              ElementsAre("royal-mail"));
  EXPECT_THAT(Codes(catalog.Detect("CP123456789DE")),
              ElementsAre("deutsch-post"));
  EXPECT_THAT(Codes(catalog.Detect("1234567890")), ElementsAre("dhl"));
  EXPECT_THAT(Codes(catalog.Detect("123456789012")),
              ElementsAre("fedex", "sto"));
  EXPECT_THAT(Codes(catalog.Detect("123456789012345")), ElementsAre("fedex"));
  EXPECT_THAT(Codes(catalog.Detect("9400111899223344556677")),
              ElementsAre("usps"));
  EXPECT_THAT(Codes(catalog.Detect("YT1234567890123456")),
              ElementsAre("yunexpress"));
}

TEST(CarrierCatalogTest, UnknownPatternDetectsNothing) {
  const CarrierCatalog& catalog = CarrierCatalog::Default();
  EXPECT_THAT(catalog.Detect("ZZZZZZZZ"), IsEmpty());
  EXPECT_THAT(catalog.Detect("12345"), IsEmpty());
  EXPECT_THAT(catalog.Detect(""), IsEmpty());
}

}  // namespace
}  // namespace tracktry::emulator
