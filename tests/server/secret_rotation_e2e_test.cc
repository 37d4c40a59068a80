// Copyright 2026 The tracktry-grpc Authors.
//
// API key rotation end to end: the key file is a Secret mounted the
// kubelet way; the provider switches to a new key (the old one is
// rejected: tracktry_upstream_api_key_rejected), the Secret is updated, and
// without a restart the server sends the new key, checks it at once (the
// rejection clears with no RPC) and keeps both keys out of logs and
// errors. A bad new
// file keeps the working key.
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "service/errors/grpc_status.h"
#include "tests/testing/kubelet_secret_dir.h"
#include "tests/testing/service_harness.h"
#include "tests/testing/status_matchers.h"

namespace tracktry {
namespace {

using ::testing::HasSubstr;
using testing::IsOk;
using testing::KubeletSecretDir;
using ::testing::Not;
using testing::ServiceHarness;
using testing::StatusIs;

constexpr char kOldKey[] = "rotation-old-key-6d0f3b2a";
constexpr char kNewKey[] = "rotation-new-key-91c7e4d8";

bool Eventually(const std::function<bool()>& done) {
  const absl::Time deadline = absl::Now() + absl::Seconds(10);
  while (!done()) {
    if (absl::Now() > deadline) return false;
    absl::SleepFor(absl::Milliseconds(10));
  }
  return true;
}

class SecretRotationTest : public ::testing::Test {
 protected:
  SecretRotationTest() : key_file_("api-key", absl::StrCat(kOldKey, "\n")) {}

  void Start() {
    ServerOptions options;
    options.upstream.api_key = kOldKey;  // what the parser read
    options.api_key_file = key_file_.path();
    options.secret_reload_interval = absl::Milliseconds(20);
    emulator::EmulatorOptions emulator_options;
    emulator_options.config.api_key = kOldKey;
    harness_ = std::make_unique<ServiceHarness>(options, emulator_options);
    ASSERT_THAT(harness_->Start(), IsOk());
  }

  grpc::StatusCode ListCarriers() {
    v1::ListCarriersResponse response;
    auto context = ServiceHarness::Context();
    return harness_->stub()
        .ListCarriers(context.get(), v1::ListCarriersRequest(), &response)
        .error_code();
  }

  KubeletSecretDir key_file_;
  std::unique_ptr<ServiceHarness> harness_;
};

TEST_F(SecretRotationTest, RotatedKeyIsUsedWithoutRestart) {
  Start();
  // The provider switches to the new key: the old one is rejected.
  ASSERT_THAT(harness_->emulator().SetApiKey(kNewKey), IsOk());
  EXPECT_EQ(ListCarriers(), grpc::StatusCode::FAILED_PRECONDITION);
  ASSERT_TRUE(Eventually(
      [&] { return harness_->server().upstream_health().api_key_rejected(); }));
  // Rejection is reported, not a reason to leave the Service.
  EXPECT_TRUE(harness_->server().readiness().ready());

  const int64_t upstream_before = harness_->emulator().stats().requests_total;
  ASSERT_TRUE(key_file_.Update(absl::StrCat(kNewKey, "\n")));
  // Cleared by the reload's own check, with no RPC.
  EXPECT_TRUE(Eventually([&] {
    return !harness_->server().upstream_health().api_key_rejected();
  }));
  EXPECT_GT(harness_->emulator().stats().requests_total, upstream_before);
  EXPECT_EQ(harness_->server().client()->api_key_holder()->Get(), kNewKey);
  EXPECT_EQ(ListCarriers(), grpc::StatusCode::OK);

  // Both keys are redacted, as whole tokens, from errors and logs.
  EXPECT_EQ(RedactSecrets(absl::StrCat("a ", kOldKey, " b ", kNewKey)),
            "a [REDACTED] b [REDACTED]");
  const std::string log = harness_->ReadLog();
  EXPECT_THAT(log, HasSubstr("\"message\":\"secret file reloaded\""));
  EXPECT_THAT(log, HasSubstr("\"secret\":\"api_key\""));
  EXPECT_THAT(log, Not(HasSubstr(kNewKey)));
  EXPECT_THAT(log, Not(HasSubstr(kOldKey)));
}

TEST_F(SecretRotationTest, BadNewKeyFileKeepsTheWorkingKey) {
  Start();
  ASSERT_TRUE(key_file_.Update("\n"));
  ASSERT_TRUE(key_file_.Update("short\n"));
  ASSERT_TRUE(Eventually([&] {
    return harness_->ReadLog().find("shorter than 8 characters") !=
           std::string::npos;
  }));
  EXPECT_EQ(harness_->server().client()->api_key_holder()->Get(), kOldKey);
  EXPECT_EQ(ListCarriers(), grpc::StatusCode::OK);
  const std::string log = harness_->ReadLog();
  EXPECT_THAT(log, HasSubstr("secret file change rejected"));
  EXPECT_THAT(log, Not(HasSubstr("\"short")));
}

TEST_F(SecretRotationTest, ReloadingOffLeavesTheKeyAlone) {
  ServerOptions options;
  options.upstream.api_key = kOldKey;
  options.api_key_file = key_file_.path();
  options.secret_reload_interval = absl::ZeroDuration();
  emulator::EmulatorOptions emulator_options;
  emulator_options.config.api_key = kOldKey;
  harness_ = std::make_unique<ServiceHarness>(options, emulator_options);
  ASSERT_THAT(harness_->Start(), IsOk());
  ASSERT_TRUE(key_file_.Update(kNewKey));
  absl::SleepFor(absl::Milliseconds(100));
  EXPECT_EQ(harness_->server().client()->api_key_holder()->Get(), kOldKey);
}

TEST(SecretStartTest, ShortApiKeyIsAConfigurationError) {
  ServerOptions options;
  options.upstream.api_key = "k3y-123";  // 7 characters
  emulator::EmulatorOptions emulator_options;
  emulator_options.config.api_key = "k3y-123";
  ServiceHarness harness(options, emulator_options);
  const absl::Status status = harness.Start();
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(std::string(status.message()),
              HasSubstr("API key (TRACKTRY_API_KEY or --api-key-file) is "
                        "shorter than 8 characters"));
  EXPECT_THAT(std::string(status.message()), Not(HasSubstr("k3y-123")));
}

TEST(SecretStartTest, ShortTokenInTheTokensFileIsAConfigurationError) {
  KubeletSecretDir tokens("auth-tokens", "tok-long-enough-1\ntok-7\n");
  ServerOptions options;
  options.auth_tokens_file = tokens.path();
  ServiceHarness harness(options);
  const absl::Status status = harness.Start();
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(std::string(status.message()), HasSubstr("line 2"));
  EXPECT_THAT(std::string(status.message()), Not(HasSubstr("tok-7")));
}

}  // namespace
}  // namespace tracktry
