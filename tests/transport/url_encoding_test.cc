// Copyright 2026 The tracktry-grpc Authors.
//
// UrlEncode: percent-encoding of path segments and query values.
#include "service/transport/url_encoding.h"

#include <string>

#include "gtest/gtest.h"

namespace tracktry {
namespace {

TEST(UrlEncodeTest, UnreservedCharactersStayAsIs) {
  const std::string unreserved =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~";
  EXPECT_EQ(UrlEncode(unreserved), unreserved);
}

TEST(UrlEncodeTest, ReservedAndSpaceArePercentEncoded) {
  EXPECT_EQ(UrlEncode("a b"), "a%20b");
  EXPECT_EQ(UrlEncode("a/b"), "a%2Fb");
  EXPECT_EQ(UrlEncode("a?b#c"), "a%3Fb%23c");
  EXPECT_EQ(UrlEncode("k=v&x"), "k%3Dv%26x");
  EXPECT_EQ(UrlEncode("100%"), "100%25");
  EXPECT_EQ(UrlEncode("a+b"), "a%2Bb");
  EXPECT_EQ(UrlEncode(".."), "..");
}

TEST(UrlEncodeTest, Utf8IsEncodedBytewiseUpperHex) {
  EXPECT_EQ(UrlEncode("\xC3\xA9"), "%C3%A9");         // é
  EXPECT_EQ(UrlEncode("\xE4\xB8\xAD"), "%E4%B8%AD");  // 中
}

TEST(UrlEncodeTest, ControlAndNulBytesAreEncoded) {
  EXPECT_EQ(UrlEncode(std::string("a\0b", 3)), "a%00b");
  EXPECT_EQ(UrlEncode("a\r\nb"), "a%0D%0Ab");
}

TEST(UrlEncodeTest, EmptyStaysEmpty) { EXPECT_EQ(UrlEncode(""), ""); }

}  // namespace
}  // namespace tracktry
