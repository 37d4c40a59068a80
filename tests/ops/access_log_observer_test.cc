// Copyright 2026 The tracktry-grpc Authors.
//
// AccessLogObserver: one JSON access line per finished RPC.
#include "service/ops/access_log_observer.h"

#include <string>
#include <vector>

#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/testing/log_capture.h"

namespace tracktry {
namespace {

class AccessLogObserverTest : public ::testing::Test {
 protected:
  testing::LogCapture log_;
  AccessLogObserver observer_{&log_.logger()};
};

TEST_F(AccessLogObserverTest, WritesOneLineWithTheRecordFields) {
  RpcRecord record;
  record.method = "GetTracking";
  record.code = absl::StatusCode::kNotFound;
  record.latency = absl::Microseconds(12500);
  record.upstream_calls = 2;
  record.request_id = "req-42";
  observer_.OnRpcFinished(record);
  const auto lines = log_.Lines();
  ASSERT_EQ(lines.size(), 1u);
  const nlohmann::json& line = lines[0];
  ASSERT_TRUE(line.is_object());
  EXPECT_EQ(line["severity"], "INFO");
  EXPECT_EQ(line["rpc"], "GetTracking");
  EXPECT_EQ(line["code"], "NOT_FOUND");
  EXPECT_DOUBLE_EQ(line["latency_ms"].get<double>(), 12.5);
  EXPECT_EQ(line["upstream_calls"], 2);
  EXPECT_EQ(line["request_id"], "req-42");
}

TEST_F(AccessLogObserverTest, OkCodeAndNoRequestIdOmitsTheField) {
  RpcRecord record;
  record.method = "ListCarriers";
  record.latency = absl::ZeroDuration();
  observer_.OnRpcFinished(record);
  const auto lines = log_.Lines();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0]["code"], "OK");
  EXPECT_EQ(lines[0]["upstream_calls"], 0);
  EXPECT_EQ(lines[0]["latency_ms"].get<double>(), 0.0);
  EXPECT_FALSE(lines[0].contains("request_id"));
}

TEST_F(AccessLogObserverTest, OneLinePerRecord) {
  RpcRecord record;
  record.method = "CreateTracking";
  for (absl::StatusCode code :
       {absl::StatusCode::kOk, absl::StatusCode::kCancelled,
        absl::StatusCode::kDeadlineExceeded}) {
    record.code = code;
    observer_.OnRpcFinished(record);
  }
  const auto lines = log_.Lines();
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0]["code"], "OK");
  EXPECT_EQ(lines[1]["code"], "CANCELLED");
  EXPECT_EQ(lines[2]["code"], "DEADLINE_EXCEEDED");
}

TEST_F(AccessLogObserverTest, RequestIdIsRedactedLikeAnyText) {
  log_.logger().AddSecret("the-api-key");
  RpcRecord record;
  record.method = "GetTracking";
  // Redaction matches whole tokens (service/errors/secret_redaction.h).
  record.request_id = "x:the-api-key/y";
  observer_.OnRpcFinished(record);
  const auto lines = log_.Lines();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0]["request_id"], "x:[REDACTED]/y");
}

TEST_F(AccessLogObserverTest, RequestIdWithQuotesAndNewlinesStaysOneLine) {
  RpcRecord record;
  record.method = "GetTracking";
  record.request_id = "a\"b\nc\\d";
  observer_.OnRpcFinished(record);
  const auto lines = log_.Lines();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0]["request_id"], "a\"b\nc\\d");
  EXPECT_EQ(lines[0]["rpc"], "GetTracking");
}

}  // namespace
}  // namespace tracktry
