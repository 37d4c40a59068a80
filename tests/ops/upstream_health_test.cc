// Copyright 2026 The tracktry-grpc Authors.
//
// UpstreamHealth: the API-key state read from upstream answers, and its log
// lines (once per change, never with the key).
#include "service/ops/upstream_health.h"

#include <cstdio>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "service/errors/upstream_status.h"

namespace tracktry {
namespace {

using ::testing::HasSubstr;

absl::Status MetaStatus(int meta_code) {
  UpstreamResult result;
  result.http_status = 200;
  result.meta_code = meta_code;
  return StatusFromUpstream(result);
}

UpstreamOutcome OutcomeOfStatus(const absl::Status& status) {
  return OutcomeOf(absl::StatusOr<Envelope>(status));
}

void Finish(UpstreamHealth& health, const absl::Status& status) {
  health.OnUpstreamFinished(Endpoint::kGetTracking, status,
                            OutcomeOfStatus(status), absl::Milliseconds(1));
}

TEST(UpstreamHealthTest, KeyRejectionIsSetAndClearedByAnswers) {
  UpstreamHealth health(nullptr);
  EXPECT_FALSE(health.api_key_rejected());
  Finish(health, MetaStatus(4001));  // invalid key
  EXPECT_TRUE(health.api_key_rejected());
  // Transport trouble says nothing about the key.
  Finish(health, StatusFromTransportError(absl::UnavailableError("refused")));
  EXPECT_TRUE(health.api_key_rejected());
  // An application-level answer means the key got through.
  Finish(health, MetaStatus(4017));
  EXPECT_FALSE(health.api_key_rejected());
  Finish(health, MetaStatus(4001));
  health.OnUpstreamFinished(Endpoint::kGetTracking, absl::OkStatus(),
                            UpstreamOutcome{200, 200}, absl::Milliseconds(1));
  EXPECT_FALSE(health.api_key_rejected());
}

TEST(UpstreamHealthTest, EachChangeIsLoggedOnce) {
  char* buffer = nullptr;
  size_t size = 0;
  FILE* out = open_memstream(&buffer, &size);
  {
    JsonLogger logger(out);
    UpstreamHealth health(&logger);
    Finish(health, MetaStatus(4001));
    Finish(health, MetaStatus(4001));
    Finish(health, MetaStatus(4017));
    Finish(health, MetaStatus(4017));
  }
  std::fclose(out);
  const std::string log(buffer, size);
  std::free(buffer);
  EXPECT_THAT(log, HasSubstr("upstream rejects the API key"));
  EXPECT_THAT(log, HasSubstr("upstream accepts the API key again"));
  size_t lines = 0;
  for (char c : log) lines += c == '\n';
  EXPECT_EQ(lines, 2u) << log;
}

}  // namespace
}  // namespace tracktry
