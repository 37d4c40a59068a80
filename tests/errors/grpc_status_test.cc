// Copyright 2026 The tracktry-grpc Authors.
#include "service/errors/grpc_status.h"

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/cord.h"
#include "common/error_details.h"
#include "gmock/gmock.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "gtest/gtest.h"
#include "service/errors/safe_text.h"
#include "service/errors/upstream_status.h"

namespace tracktry {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// Decodes the grpc-status-details-bin payload.
google::rpc::Status Details(const grpc::Status& status) {
  google::rpc::Status rpc;
  EXPECT_TRUE(rpc.ParseFromString(status.error_details()));
  return rpc;
}

template <typename Message>
std::vector<Message> Unpack(const google::rpc::Status& rpc) {
  std::vector<Message> out;
  for (const auto& any : rpc.details()) {
    if (any.Is<Message>()) {
      Message m;
      EXPECT_TRUE(any.UnpackTo(&m));
      out.push_back(m);
    }
  }
  return out;
}

class GrpcStatusTest : public ::testing::Test {
 protected:
  void TearDown() override { SetSecretsToRedact({}); }
};

TEST_F(GrpcStatusTest, OkBecomesOkWithoutDetails) {
  const grpc::Status s = ToGrpcStatus(absl::OkStatus());
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.error_code(), grpc::StatusCode::OK);
  EXPECT_TRUE(s.error_details().empty());
}

TEST_F(GrpcStatusTest, EveryCodeCastsUnchanged) {
  for (int code = 1; code <= 16; ++code) {
    const grpc::Status s =
        ToGrpcStatus(absl::Status(static_cast<absl::StatusCode>(code), "boom"));
    EXPECT_EQ(static_cast<int>(s.error_code()), code);
    EXPECT_EQ(s.error_message(), "boom");
    EXPECT_EQ(Details(s).code(), code);
    EXPECT_EQ(Details(s).message(), "boom");
  }
  EXPECT_EQ(ToGrpcStatus(absl::NotFoundError("x")).error_code(),
            grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(ToGrpcStatus(absl::UnauthenticatedError("x")).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
}

TEST_F(GrpcStatusTest, MessageTruncatedTo1KiB) {
  const std::string long_message(5000, 'm');
  const grpc::Status s = ToGrpcStatus(absl::InternalError(long_message));
  EXPECT_EQ(s.error_message(), std::string(kMaxGrpcMessageBytes, 'm'));
  EXPECT_EQ(Details(s).message(), s.error_message());
  EXPECT_EQ(kMaxGrpcMessageBytes, 1024u);
}

TEST_F(GrpcStatusTest, TruncationKeepsValidUtf8) {
  // 1023 bytes, then a 2-byte character that does not fit.
  const std::string message = std::string(1023, 'm') + "\xC3\xA9tail";
  const grpc::Status s = ToGrpcStatus(absl::InternalError(message));
  EXPECT_EQ(s.error_message(), std::string(1023, 'm'));
}

TEST_F(GrpcStatusTest, InvalidUtf8IsRepairedSoDetailsParse) {
  const grpc::Status s =
      ToGrpcStatus(absl::InternalError("bad \xFF\xFE"
                                       " bytes \xC3"));
  EXPECT_EQ(s.error_message(), "bad ?? bytes ?");
  EXPECT_EQ(ValidUtf8PrefixLength(s.error_message()), s.error_message().size());
  EXPECT_EQ(Details(s).message(), "bad ?? bytes ?");
}

TEST_F(GrpcStatusTest, ErrorInfoAddedWhenMissing) {
  const grpc::Status s = ToGrpcStatus(absl::InternalError("oops"));
  const google::rpc::Status rpc = Details(s);
  ASSERT_EQ(rpc.details_size(), 1);
  EXPECT_EQ(rpc.details(0).type_url(),
            "type.googleapis.com/google.rpc.ErrorInfo");
  const auto infos = Unpack<google::rpc::ErrorInfo>(rpc);
  ASSERT_EQ(infos.size(), 1u);
  EXPECT_EQ(infos[0].reason(), "INTERNAL");
  EXPECT_EQ(infos[0].domain(), "tracktry.v1");

  EXPECT_EQ(Unpack<google::rpc::ErrorInfo>(
                Details(ToGrpcStatus(absl::InvalidArgumentError("x"))))[0]
                .reason(),
            "INVALID_ARGUMENT");
}

TEST_F(GrpcStatusTest, DerivedErrorInfoComesFirstAndOtherPayloadsKept) {
  absl::Status status =
      WithRetryDelay(absl::UnavailableError("down"), absl::Seconds(3));
  const google::rpc::Status rpc = Details(ToGrpcStatus(status));
  ASSERT_EQ(rpc.details_size(), 2);
  EXPECT_TRUE(rpc.details(0).Is<google::rpc::ErrorInfo>());
  EXPECT_TRUE(rpc.details(1).Is<google::rpc::RetryInfo>());
  EXPECT_EQ(Unpack<google::rpc::ErrorInfo>(rpc)[0].reason(), "UNAVAILABLE");
}

TEST_F(GrpcStatusTest, UnreadableErrorInfoIsReplaced) {
  absl::Status status = absl::InternalError("x");
  status.SetPayload(kErrorInfoUrl, absl::Cord("\xFF\xFF\xFF garbage"));
  const auto infos =
      Unpack<google::rpc::ErrorInfo>(Details(ToGrpcStatus(status)));
  ASSERT_EQ(infos.size(), 1u);
  EXPECT_EQ(infos[0].reason(), "INTERNAL");
}

TEST_F(GrpcStatusTest, RateLimitCarriesErrorInfoAndRetryInfo) {
  UpstreamResult r;
  r.http_status = 200;
  r.meta_code = 429;
  r.meta_message = "Too Many Requests";
  const grpc::Status s = ToGrpcStatus(StatusFromUpstream(r));
  EXPECT_EQ(s.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  const google::rpc::Status rpc = Details(s);
  EXPECT_EQ(rpc.code(), static_cast<int>(grpc::StatusCode::RESOURCE_EXHAUSTED));
  EXPECT_EQ(rpc.message(), s.error_message());

  const auto infos = Unpack<google::rpc::ErrorInfo>(rpc);
  ASSERT_EQ(infos.size(), 1u);
  EXPECT_EQ(infos[0].reason(), "RATE_LIMITED");
  EXPECT_EQ(infos[0].domain(), "tracktry.v1");
  EXPECT_EQ(infos[0].metadata().at("metaCode"), "429");
  EXPECT_EQ(infos[0].metadata().at("httpStatus"), "200");

  const auto retries = Unpack<google::rpc::RetryInfo>(rpc);
  ASSERT_EQ(retries.size(), 1u);
  EXPECT_EQ(retries[0].retry_delay().seconds(), 120);
  EXPECT_EQ(retries[0].retry_delay().nanos(), 0);
}

TEST_F(GrpcStatusTest, InvalidFieldCarriesBadRequest) {
  const grpc::Status s = ToGrpcStatus(
      InvalidFieldError("trackings[3].carrier_code", "must be lower-case"));
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  const google::rpc::Status rpc = Details(s);
  const auto bad = Unpack<google::rpc::BadRequest>(rpc);
  ASSERT_EQ(bad.size(), 1u);
  ASSERT_EQ(bad[0].field_violations_size(), 1);
  EXPECT_EQ(bad[0].field_violations(0).field(), "trackings[3].carrier_code");
  EXPECT_EQ(bad[0].field_violations(0).description(), "must be lower-case");
  const auto infos = Unpack<google::rpc::ErrorInfo>(rpc);
  ASSERT_EQ(infos.size(), 1u);
  EXPECT_EQ(infos[0].reason(), "INVALID_ARGUMENT");
  EXPECT_EQ(infos[0].metadata().at("field"), "trackings[3].carrier_code");
}

TEST_F(GrpcStatusTest, TrackingNotFoundNamesTheTracking) {
  const grpc::Status s =
      ToGrpcStatus(TrackingNotFoundError("dhl", "RN123456789CN"));
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(s.error_message(), "tracking dhl/RN123456789CN not found");
  const auto infos = Unpack<google::rpc::ErrorInfo>(Details(s));
  ASSERT_EQ(infos.size(), 1u);
  EXPECT_EQ(infos[0].reason(), "TRACKING_NOT_FOUND");
  EXPECT_EQ(infos[0].metadata().at("carrierCode"), "dhl");
  EXPECT_EQ(infos[0].metadata().at("trackingNumber"), "RN123456789CN");
}

TEST_F(GrpcStatusTest, EachDetailTypeAppearsOnce) {
  absl::Status status = WithRetryDelay(
      InvalidFieldError("page_size", "must not be negative"), absl::Seconds(1));
  const google::rpc::Status rpc = Details(ToGrpcStatus(status));
  EXPECT_EQ(rpc.details_size(), 3);
  EXPECT_EQ(Unpack<google::rpc::ErrorInfo>(rpc).size(), 1u);
  EXPECT_EQ(Unpack<google::rpc::BadRequest>(rpc).size(), 1u);
  EXPECT_EQ(Unpack<google::rpc::RetryInfo>(rpc).size(), 1u);
}

TEST_F(GrpcStatusTest, UnknownPayloadCopiedAsIs) {
  absl::Status status = absl::InternalError("x");
  status.SetPayload("type.googleapis.com/google.rpc.Help",
                    absl::Cord(std::string("\x0a\x00", 2)));
  const google::rpc::Status rpc = Details(ToGrpcStatus(status));
  ASSERT_EQ(rpc.details_size(), 2);
  EXPECT_EQ(rpc.details(1).type_url(), "type.googleapis.com/google.rpc.Help");
  EXPECT_EQ(rpc.details(1).value(), std::string("\x0a\x00", 2));
}

TEST_F(GrpcStatusTest, SecretRedactedFromMessageAndMetadata) {
  SetSecretsToRedact({"sk_live_ABC123"});
  absl::Status status =
      MakeError(absl::StatusCode::kFailedPrecondition,
                "key sk_live_ABC123 rejected; again sk_live_ABC123", "X",
                {{"header", "Tracktry-Api-Key: sk_live_ABC123"}});
  status = WithFieldViolation(std::move(status), "key",
                              "value sk_live_ABC123 is wrong");
  const grpc::Status s = ToGrpcStatus(status);
  EXPECT_EQ(s.error_message(), "key [REDACTED] rejected; again [REDACTED]");
  EXPECT_THAT(s.error_details(), Not(HasSubstr("sk_live_ABC123")));
  const google::rpc::Status rpc = Details(s);
  EXPECT_EQ(rpc.message(), s.error_message());
  EXPECT_EQ(Unpack<google::rpc::ErrorInfo>(rpc)[0].metadata().at("header"),
            "Tracktry-Api-Key: [REDACTED]");
  EXPECT_EQ(
      Unpack<google::rpc::BadRequest>(rpc)[0].field_violations(0).description(),
      "value [REDACTED] is wrong");
}

TEST_F(GrpcStatusTest, UnknownPayloadWithSecretIsDropped) {
  SetSecretsToRedact({"sk_live_ABC123"});
  absl::Status status = absl::InternalError("x");
  status.SetPayload("type.googleapis.com/google.rpc.DebugInfo",
                    absl::Cord("\x12\x0esk_live_ABC123"));
  const grpc::Status s = ToGrpcStatus(status);
  EXPECT_THAT(s.error_details(), Not(HasSubstr("sk_live_ABC123")));
  EXPECT_EQ(Details(s).details_size(), 1);  // only the derived ErrorInfo
}

TEST_F(GrpcStatusTest, NoRedactionWithoutSecretsAndEmptySecretsIgnored) {
  EXPECT_EQ(ToGrpcStatus(absl::InternalError("sk_live_ABC123")).error_message(),
            "sk_live_ABC123");
  SetSecretsToRedact({"", "other"});
  EXPECT_EQ(ToGrpcStatus(absl::InternalError("plain text")).error_message(),
            "plain text");
}

TEST_F(GrpcStatusTest, LaterCallReplacesSecretList) {
  SetSecretsToRedact({"first"});
  SetSecretsToRedact({"second"});
  EXPECT_EQ(ToGrpcStatus(absl::InternalError("first second")).error_message(),
            "first [REDACTED]");
  EXPECT_EQ(RedactSecrets("a second b"), "a [REDACTED] b");
}

TEST_F(GrpcStatusTest, RedactionBeforeTruncation) {
  SetSecretsToRedact({"SECRETSECRET"});
  const std::string message = std::string(1019, 'm') + " SECRETSECRET";
  const grpc::Status s = ToGrpcStatus(absl::InternalError(message));
  EXPECT_THAT(s.error_message(), Not(HasSubstr("SECR")));
  EXPECT_EQ(s.error_message().size(), 1024u);
}

TEST_F(GrpcStatusTest, OnlyWholeTokensAreRedacted) {
  SetSecretsToRedact({"track123"});
  EXPECT_EQ(ToGrpcStatus(absl::InternalError(
                             "track1234 xtrack123 key=track123 \"track123\""))
                .error_message(),
            "track1234 xtrack123 key=[REDACTED] \"[REDACTED]\"");
  EXPECT_EQ(RedactSecrets("GET /v1/x?k=track123&y=1"),
            "GET /v1/x?k=[REDACTED]&y=1");
}

TEST_F(GrpcStatusTest, UnknownPayloadWithEmbeddedSecretIsStillDropped) {
  // Binary bytes around a secret are arbitrary: any occurrence counts.
  SetSecretsToRedact({"sk_live_ABC123"});
  absl::Status status = absl::InternalError("x");
  status.SetPayload("type.googleapis.com/google.rpc.DebugInfo",
                    absl::Cord("\x12\x0fAsk_live_ABC123"));
  EXPECT_EQ(Details(ToGrpcStatus(status)).details_size(), 1);
}

TEST_F(GrpcStatusTest, AddedSecretJoinsTheListAndOldOnesStay) {
  SetSecretsToRedact({"old-key-1234"});
  AddSecretToRedact("new-key-5678");
  AddSecretToRedact("new-key-5678");  // once is enough
  AddSecretToRedact("");              // ignored
  EXPECT_EQ(ToGrpcStatus(absl::InternalError("old-key-1234 new-key-5678 x"))
                .error_message(),
            "[REDACTED] [REDACTED] x");
  EXPECT_EQ(RedactSecrets("plain text"), "plain text");
}

TEST_F(GrpcStatusTest, ConcurrentConversionAndSecretUpdatesAreSafe) {
  std::atomic<bool> leaked{false};
  std::vector<std::thread> threads;
  SetSecretsToRedact({"topsecret"});
  for (int t = 0; t < 3; ++t) {
    threads.emplace_back([&leaked] {
      for (int i = 0; i < 2000; ++i) {
        const grpc::Status s =
            ToGrpcStatus(absl::InternalError("has topsecret inside"));
        if (s.error_message().find("topsecret") != std::string::npos) {
          leaked = true;
        }
      }
    });
  }
  threads.emplace_back([] {
    for (int i = 0; i < 500; ++i) {
      SetSecretsToRedact({"topsecret", i % 2 == 0 ? "x1" : "x2"});
    }
  });
  for (auto& thread : threads) thread.join();
  EXPECT_FALSE(leaked);
}

}  // namespace
}  // namespace tracktry
