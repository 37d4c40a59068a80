// Copyright 2026 The tracktry-grpc Authors.
#include "emulator/webhook_pusher.h"

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/testing/fake_http_server.h"

namespace tracktry {
namespace {

using emulator::BuildWebhookPushBody;
using emulator::PostWebhook;
using emulator::WebhookPushRequestFromJson;
using emulator::WebhookSignature;

TEST(WebhookSignatureTest, MatchesKnownHmacSha256Vector) {
  EXPECT_EQ(
      WebhookSignature("key", "The quick brown fox jumps over the lazy dog"),
      "f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8");
}

TEST(BuildWebhookPushBodyTest, SignedBodyCarriesDataAndVerifyInfo) {
  nlohmann::json tracking = {{"tracking_number", "RR1"},
                             {"carrier_code", "dhl"}};
  nlohmann::json body = nlohmann::json::parse(
      BuildWebhookPushBody(tracking, true, "a@b.c", 1700000000));
  EXPECT_EQ(body["data"], tracking);
  EXPECT_EQ(body["meta"]["code"], 200);
  EXPECT_EQ(body["verifyInfo"]["timeStr"], "1700000000");
  EXPECT_EQ(body["verifyInfo"]["signature"],
            WebhookSignature("a@b.c", "1700000000"));
}

TEST(BuildWebhookPushBodyTest, UnsignedBodyHasEmptySignature) {
  nlohmann::json body = nlohmann::json::parse(
      BuildWebhookPushBody(nlohmann::json::object(), false, "a@b.c", 1));
  EXPECT_EQ(body["verifyInfo"]["signature"], "");
}

TEST(WebhookPushRequestFromJsonTest, MissingUrlIsInvalid) {
  EXPECT_FALSE(WebhookPushRequestFromJson(
                   {{"carrier_code", "dhl"}, {"tracking_number", "1"}})
                   .ok());
  auto ok = WebhookPushRequestFromJson({{"url", "http://127.0.0.1:1/x"},
                                        {"carrier_code", "dhl"},
                                        {"tracking_number", "1"},
                                        {"signed", false},
                                        {"time_offset_s", -60}});
  ASSERT_TRUE(ok.ok());
  EXPECT_FALSE(ok->sign);
  EXPECT_EQ(ok->time_offset_s, -60);
}

TEST(PostWebhookTest, ReturnsTheReceiverStatusAndSendsTheBody) {
  testing::FakeHttpServer server([](const testing::FakeHttpServer::Request&) {
    testing::FakeHttpServer::Response response;
    response.status = 401;
    return response;
  });
  absl::StatusOr<int> code = PostWebhook(
      absl::StrCat("http://127.0.0.1:", server.port(), "/hook"), "{\"a\":1}");
  ASSERT_TRUE(code.ok()) << code.status();
  EXPECT_EQ(*code, 401);
  EXPECT_EQ(server.last_request().body, "{\"a\":1}");
  EXPECT_EQ(server.last_request().path, "/hook");
}

TEST(PostWebhookTest, UnreachableReceiverIsUnavailable) {
  EXPECT_EQ(PostWebhook("http://127.0.0.1:1/hook", "{}", absl::Seconds(2))
                .status()
                .code(),
            absl::StatusCode::kUnavailable);
  EXPECT_EQ(PostWebhook("https://x/hook", "{}").status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace tracktry
