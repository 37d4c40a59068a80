// Copyright 2026 The tracktry-grpc Authors.
#include <optional>
#include <string>

#include "gtest/gtest.h"
#include "service/server/server_options.h"

namespace tracktry {
namespace {

std::optional<std::string> NoEnv(const std::string&) { return std::nullopt; }

TEST(LiveUpdateOptionsTest, DefaultsAreOffAndSixtySeconds) {
  auto options = ParseServerOptions({}, NoEnv);
  ASSERT_TRUE(options.ok());
  EXPECT_EQ(options->watch.interval, absl::Seconds(60));
  EXPECT_TRUE(options->webhook_listen_address.empty());
  EXPECT_EQ(options->webhook_max_skew, absl::Seconds(300));
}

TEST(LiveUpdateOptionsTest, FlagsAndEnvironmentAreRead) {
  auto options = ParseServerOptions(
      {"--watch-interval=5s", "--webhook-listen=127.0.0.1:8090",
       "--webhook-max-skew=1m", "--webhook-dedupe-ttl=30s"},
      [](const std::string& name) -> std::optional<std::string> {
        if (name == "TRACKTRY_WEBHOOK_EMAIL") return "ops@example.com";
        return std::nullopt;
      });
  ASSERT_TRUE(options.ok()) << options.status();
  EXPECT_EQ(options->watch.interval, absl::Seconds(5));
  EXPECT_EQ(options->webhook_listen_address, "127.0.0.1:8090");
  EXPECT_EQ(options->webhook_email, "ops@example.com");
  EXPECT_EQ(options->webhook_max_skew, absl::Minutes(1));
  EXPECT_EQ(options->webhook_dedupe_ttl, absl::Seconds(30));
}

TEST(LiveUpdateOptionsTest, NonPositiveIntervalIsInvalid) {
  EXPECT_EQ(ParseServerOptions({"--watch-interval=0s"}, NoEnv).status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace tracktry
