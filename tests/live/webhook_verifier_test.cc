// Copyright 2026 The tracktry-grpc Authors.
#include "service/live/webhook_verifier.h"

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace tracktry {
namespace {

constexpr char kKey[] = "ops@example.com";

WebhookPush Signed(int64_t stamp) {
  WebhookPush push;
  push.time_str = absl::StrCat(stamp);
  push.signature = HmacSha256Hex(kKey, push.time_str);
  return push;
}

TEST(HmacSha256HexTest, MatchesKnownVector) {
  EXPECT_EQ(HmacSha256Hex("key", "The quick brown fox jumps over the lazy dog"),
            "f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8");
}

TEST(ParseWebhookBodyTest, WrappedBodyAndIntegerTimeParse) {
  auto push = ParseWebhookBody(
      "payload={\"data\":[{\"tracking_number\":\"1\"}],"
      "\"verifyInfo\":{\"timeStr\":1700000000,\"signature\":\"ab\"}}\n");
  ASSERT_TRUE(push.ok()) << push.status();
  EXPECT_EQ(push->data["tracking_number"], "1");
  EXPECT_EQ(push->time_str, "1700000000");
  EXPECT_EQ(push->signature, "ab");
}

TEST(ParseWebhookBodyTest, NotJsonOrNoDataIsInvalid) {
  EXPECT_EQ(ParseWebhookBody("hello").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseWebhookBody("{\"meta\":{}}").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseWebhookBody("{broken}").status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(VerifyWebhookPushTest, FreshSignedPushIsAccepted) {
  const absl::Time now = absl::FromUnixSeconds(1700000000);
  EXPECT_TRUE(
      VerifyWebhookPush(Signed(1700000010), kKey, now, absl::Seconds(300))
          .ok());
}

TEST(VerifyWebhookPushTest, MillisecondTimestampIsAccepted) {
  const absl::Time now = absl::FromUnixSeconds(1700000000);
  EXPECT_TRUE(VerifyWebhookPush(Signed(int64_t{1700000000123}), kKey, now,
                                absl::Seconds(300))
                  .ok());
}

TEST(VerifyWebhookPushTest, BadMissingOrStaleIsUnauthenticated) {
  const absl::Time now = absl::FromUnixSeconds(1700000000);
  WebhookPush wrong = Signed(1700000000);
  wrong.signature[0] = wrong.signature[0] == 'a' ? 'b' : 'a';
  EXPECT_EQ(VerifyWebhookPush(wrong, kKey, now, absl::Seconds(300)).code(),
            absl::StatusCode::kUnauthenticated);
  WebhookPush missing = Signed(1700000000);
  missing.signature.clear();
  EXPECT_EQ(VerifyWebhookPush(missing, kKey, now, absl::Seconds(300)).code(),
            absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(
      VerifyWebhookPush(Signed(1700000000 - 301), kKey, now, absl::Seconds(300))
          .code(),
      absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(
      VerifyWebhookPush(Signed(1700000000), "", now, absl::Seconds(300)).code(),
      absl::StatusCode::kUnauthenticated);
  // The key never appears in the message.
  EXPECT_EQ(VerifyWebhookPush(wrong, kKey, now, absl::Seconds(300))
                .message()
                .find(kKey),
            absl::string_view::npos);
}

}  // namespace
}  // namespace tracktry
