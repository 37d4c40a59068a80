// Copyright 2026 The tracktry-grpc Authors.
#include "service/translation/time_formats.h"

#include <sstream>
#include <string>

#include "google/protobuf/util/time_util.h"
#include "gtest/gtest.h"

namespace tracktry {
namespace {

std::string Zoned(absl::string_view text) {
  const auto timestamp = ParseZonedTimestamp(text);
  if (!timestamp.has_value()) return "none";
  return google::protobuf::util::TimeUtil::ToString(*timestamp);
}

std::string Local(absl::string_view text) {
  const auto civil = ParseLocalDateTime(text);
  if (!civil.has_value()) return "none";
  std::ostringstream out;
  out << *civil;
  return out.str();
}

TEST(TimeFormatsTest, ZonedAcceptsCommonOffsets) {
  EXPECT_EQ(Zoned("2021-01-12T19:24:16+00:00"), "2021-01-12T19:24:16Z");
  EXPECT_EQ(Zoned("2018-04-18T14:34:30+08:00"), "2018-04-18T06:34:30Z");
  EXPECT_EQ(Zoned("2018-04-18T14:34:30+0800"), "2018-04-18T06:34:30Z");
  EXPECT_EQ(Zoned("2018-04-18T14:34:30+08"), "2018-04-18T06:34:30Z");
  EXPECT_EQ(Zoned("2018-04-18T01:00:00-05:00"), "2018-04-18T06:00:00Z");
  EXPECT_EQ(Zoned("2018-04-18T14:34:30Z"), "2018-04-18T14:34:30Z");
  EXPECT_EQ(Zoned("2018-04-18t14:34:30z"), "2018-04-18T14:34:30Z");
  EXPECT_EQ(Zoned(" 2018-04-18 14:34:30Z "), "2018-04-18T14:34:30Z");
  EXPECT_EQ(Zoned("2018-04-18T14:34Z"), "2018-04-18T14:34:00Z");
  EXPECT_EQ(Zoned("2018-04-18T14:34:30.123456789123Z"),
            "2018-04-18T14:34:30.123456789Z");
  EXPECT_EQ(Zoned("2016-12-31T23:59:60Z"), "2016-12-31T23:59:59Z");
  EXPECT_EQ(Zoned("2020-02-29T00:00:00Z"), "2020-02-29T00:00:00Z");
  EXPECT_EQ(Zoned("2021-01-01T00:30:00+01:00"), "2020-12-31T23:30:00Z");
}

TEST(TimeFormatsTest, ZonedRejectsIncompleteOrInvalid) {
  for (const char* text : {"",
                           "2018-04-18",
                           "2018-04-18T14:34:30",
                           "2018-04-18 14:34",
                           "2018/04/18T14:34:30Z",
                           "2018-4-18T14:34:30Z",
                           "2018-04-18T14:34:30+8",
                           "2018-04-18T14:34:30+08:0",
                           "2018-04-18T14:34:30+24:00",
                           "2018-04-18T14:34:30+08:60",
                           "2019-02-29T00:00:00Z",
                           "2018-13-01T00:00:00Z",
                           "2018-00-01T00:00:00Z",
                           "2018-04-00T00:00:00Z",
                           "2018-04-18T24:00:00Z",
                           "2018-04-18T23:60:00Z",
                           "2018-04-18T23:00:61Z",
                           "2018-04-18T14:34:30.Z",
                           "2018-04-18T14:34:30Zjunk",
                           "0000-12-31T23:59:59Z",
                           "9999-12-31T23:59:59-01:00",
                           "+2018-04-18T00:00Z",
                           "20180418T000000Z"}) {
    EXPECT_EQ(Zoned(text), "none") << text;
  }
  EXPECT_EQ(Zoned("9999-12-31T23:59:59Z"), "9999-12-31T23:59:59Z");
  EXPECT_EQ(Zoned("0001-01-01T00:00:00Z"), "0001-01-01T00:00:00Z");
}

TEST(TimeFormatsTest, LocalAcceptsCarrierFormats) {
  EXPECT_EQ(Local("2021-01-19 10:33"), "2021-01-19T10:33:00");
  EXPECT_EQ(Local("2020-10-30 14:42:00"), "2020-10-30T14:42:00");
  EXPECT_EQ(Local("2017/8/27 16:51"), "2017-08-27T16:51:00");
  EXPECT_EQ(Local("2021-3-2 9:05"), "2021-03-02T09:05:00");
  EXPECT_EQ(Local("2021-03-02"), "2021-03-02T00:00:00");
  EXPECT_EQ(Local("2021-03-02T08:00:00.5"), "2021-03-02T08:00:00");
  // A zone, if present, is applied.
  EXPECT_EQ(Local("2021-03-02T08:00:00+08:00"), "2021-03-02T00:00:00");
}

TEST(TimeFormatsTest, LocalRejectsGarbage) {
  for (const char* text :
       {"", "yesterday", "2021-03", "2021-03-02 8", "2021-03-02 08:0",
        "2021-02-30 00:00", "2021-03/02 00:00", "21-03-02 00:00",
        "2021-03-02 00:00 PM"}) {
    EXPECT_EQ(Local(text), "none") << text;
  }
}

}  // namespace
}  // namespace tracktry
