// Copyright 2026 The tracktry-grpc Authors.
//
// ToItemStatus (the per-item edge of batch RPCs) and the typed readers of
// the upstream status table's ErrorInfo metadata.
#include "service/errors/item_status.h"

#include <string>

#include "common/error_details.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "service/errors/grpc_status.h"
#include "service/errors/upstream_status.h"

namespace tracktry {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::Optional;

absl::Status UpstreamMeta(int meta_code, const std::string& message) {
  UpstreamResult upstream;
  upstream.http_status = 200;
  upstream.meta_code = meta_code;
  upstream.meta_message = message;
  return StatusFromUpstream(upstream);
}

TEST(ToItemStatusTest, CopiesCodeMessageReasonAndMetaCode) {
  const v1::ItemStatus item = ToItemStatus(UpstreamMeta(4016, "exists"));
  EXPECT_EQ(item.code(), static_cast<int>(absl::StatusCode::kAlreadyExists));
  EXPECT_THAT(item.message(), HasSubstr("exists"));
  EXPECT_EQ(item.reason(), "TRACKING_ALREADY_EXISTS");
  EXPECT_EQ(item.meta_code(), 4016);
}

TEST(ToItemStatusTest, PlainStatusHasNoReasonNorMetaCode) {
  const v1::ItemStatus item = ToItemStatus(absl::InternalError("boom"));
  EXPECT_EQ(item.code(), static_cast<int>(absl::StatusCode::kInternal));
  EXPECT_EQ(item.message(), "boom");
  EXPECT_EQ(item.reason(), "");
  EXPECT_EQ(item.meta_code(), 0);
}

TEST(ToItemStatusTest, OkIsCodeZeroWithoutMessage) {
  const v1::ItemStatus item = ToItemStatus(absl::OkStatus());
  EXPECT_EQ(item.code(), 0);
  EXPECT_EQ(item.message(), "");
}

TEST(ToItemStatusTest, SecretsAreRedactedLikeAtTheRpcEdge) {
  SetSecretsToRedact({"k3y-0123456789"});
  const v1::ItemStatus item =
      ToItemStatus(absl::InternalError("bad key k3y-0123456789 sent"));
  SetSecretsToRedact({});
  EXPECT_THAT(item.message(), Not(HasSubstr("k3y-0123456789")));
  EXPECT_THAT(item.message(), HasSubstr("REDACTED"));
}

TEST(UpstreamMetadataTest, ReadsWhatTheStatusTableWrote) {
  UpstreamResult upstream;
  upstream.http_status = 503;
  const absl::Status http_error = StatusFromUpstream(upstream);
  EXPECT_THAT(UpstreamHttpStatusOf(http_error), Optional(503));
  EXPECT_EQ(UpstreamMetaCodeOf(http_error), std::nullopt);
  const absl::Status meta_error = UpstreamMeta(4017, "not found");
  EXPECT_THAT(UpstreamMetaCodeOf(meta_error), Optional(4017));
  EXPECT_THAT(UpstreamHttpStatusOf(meta_error), Optional(200));
}

TEST(UpstreamMetadataTest, AbsentOrUnparseableIsNullopt) {
  EXPECT_EQ(UpstreamMetaCodeOf(absl::InternalError("x")), std::nullopt);
  const absl::Status odd = MakeError(absl::StatusCode::kUnknown, "x", "X",
                                     {{"metaCode", "not-a-number"}});
  EXPECT_EQ(UpstreamMetaCodeOf(odd), std::nullopt);
}

}  // namespace
}  // namespace tracktry
