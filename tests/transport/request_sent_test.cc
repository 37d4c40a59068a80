// Copyright 2026 The tracktry-grpc Authors.
#include "service/transport/request_sent.h"

#include "absl/status/status.h"
#include "absl/strings/cord.h"
#include "gtest/gtest.h"

namespace tracktry {
namespace {

TEST(RequestSentTest, UnmarkedErrorsWereNotSent) {
  EXPECT_FALSE(RequestMaybeSent(absl::OkStatus()));
  EXPECT_FALSE(RequestMaybeSent(absl::UnavailableError("refused")));
  EXPECT_FALSE(RequestMaybeSent(absl::DeadlineExceededError("connect")));
}

TEST(RequestSentTest, MarkKeepsCodeAndMessage) {
  const absl::Status marked = WithRequestSent(absl::UnavailableError("reset"));
  EXPECT_TRUE(RequestMaybeSent(marked));
  EXPECT_EQ(marked.code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(marked.message(), "reset");
  // Marking twice is harmless.
  EXPECT_TRUE(RequestMaybeSent(WithRequestSent(marked)));
}

TEST(RequestSentTest, OkCannotBeMarked) {
  const absl::Status ok = WithRequestSent(absl::OkStatus());
  EXPECT_TRUE(ok.ok());
  EXPECT_FALSE(RequestMaybeSent(ok));
}

TEST(RequestSentTest, OtherPayloadsDoNotCount) {
  absl::Status status = absl::UnavailableError("x");
  status.SetPayload("type.googleapis.com/google.rpc.ErrorInfo", absl::Cord());
  EXPECT_FALSE(RequestMaybeSent(status));
}

}  // namespace
}  // namespace tracktry
