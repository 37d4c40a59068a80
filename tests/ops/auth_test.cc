// Copyright 2026 The tracktry-grpc Authors.
//
// Caller authentication with bearer tokens from a file: every
// TrackingService RPC needs "authorization: Bearer <token>"; health stays
// open; rejected calls are UNAUTHENTICATED with an ErrorInfo, and logged.
#include <stdlib.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <future>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "client/grpc_status_conversion.h"
#include "client/tracking_client.h"
#include "common/error_details.h"
#include "gmock/gmock.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpcpp/generic/generic_stub.h"
#include "gtest/gtest.h"
#include "service/ops/bearer_token_authenticator.h"
#include "tests/testing/kubelet_secret_dir.h"
#include "tests/testing/service_harness.h"
#include "tests/testing/status_matchers.h"

namespace tracktry {
namespace {

using ::testing::HasSubstr;
using testing::IsOk;
using ::testing::Not;
using testing::ServiceHarness;
using testing::StatusIs;

constexpr char kToken[] = "tok-3b1f0c9e2a7d4f65";
constexpr char kOtherToken[] = "tok-second-client";

std::string ReasonOf(const absl::Status& status) {
  auto info = GetErrorInfo(status);
  return info.has_value() ? info->reason() : "";
}

// A temporary file holding `text`, removed at scope exit.
class TempFile {
 public:
  explicit TempFile(const std::string& text) {
    char path[] = "/tmp/tracktry-auth-test-XXXXXX";
    const int fd = mkstemp(path);
    path_ = path;
    std::FILE* file = fdopen(fd, "w");
    std::fputs(text.c_str(), file);
    std::fclose(file);
  }
  ~TempFile() { std::remove(path_.c_str()); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

TEST(BearerTokenAuthenticatorTest, AcceptsKnownTokensOnly) {
  BearerTokenAuthenticator auth({kToken, kOtherToken});
  EXPECT_THAT(auth.Check(absl::StrCat("Bearer ", kToken)), IsOk());
  EXPECT_THAT(auth.Check(absl::StrCat("bearer ", kOtherToken)), IsOk());
  EXPECT_THAT(auth.Check(absl::StrCat("  Bearer   ", kToken, " ")), IsOk());
  const absl::Status wrong = auth.Check("Bearer tok-3b1f0c9e2a7d4f6");
  EXPECT_THAT(wrong, StatusIs(absl::StatusCode::kUnauthenticated));
  EXPECT_EQ(ReasonOf(wrong), "INVALID_CREDENTIALS");
  EXPECT_THAT(std::string(wrong.message()), Not(HasSubstr("tok-")));
  const absl::Status missing = auth.Check("");
  EXPECT_THAT(missing, StatusIs(absl::StatusCode::kUnauthenticated));
  EXPECT_EQ(ReasonOf(missing), "MISSING_CREDENTIALS");
  EXPECT_EQ(ReasonOf(auth.Check(absl::StrCat("Basic ", kToken))),
            "MISSING_CREDENTIALS");
  EXPECT_EQ(ReasonOf(auth.Check("Bearer ")), "MISSING_CREDENTIALS");
  EXPECT_EQ(ReasonOf(auth.Check(kToken)), "MISSING_CREDENTIALS");
}

TEST(BearerTokenAuthenticatorTest, FileSkipsCommentsAndBlankLines) {
  TempFile file(
      absl::StrCat("# clients\n\n  ", kToken, "  \n", kOtherToken, "\n"));
  auto auth = BearerTokenAuthenticator::FromFile(file.path());
  ASSERT_TRUE(auth.ok());
  EXPECT_EQ((*auth)->token_count(), 2u);
  EXPECT_THAT((*auth)->Check(absl::StrCat("Bearer ", kToken)), IsOk());
  EXPECT_THAT((*auth)->Check("Bearer # clients"),
              StatusIs(absl::StatusCode::kUnauthenticated));
}

TEST(BearerTokenAuthenticatorTest, EmptyOrMissingFileIsAnError) {
  TempFile empty("# nothing here\n\n");
  EXPECT_THAT(BearerTokenAuthenticator::FromFile(empty.path()).status(),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(
      BearerTokenAuthenticator::FromFile("/nonexistent/tokens").status(),
      StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(BearerTokenAuthenticatorTest, ShortTokenIsAConfigurationError) {
  TempFile file(absl::StrCat(kToken, "\n", "short1", "\n"));
  const absl::Status status =
      BearerTokenAuthenticator::FromFile(file.path()).status();
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(std::string(status.message()),
              HasSubstr("the token on line 2 of auth tokens file"));
  EXPECT_THAT(std::string(status.message()),
              HasSubstr("shorter than 8 characters"));
  EXPECT_THAT(std::string(status.message()), Not(HasSubstr("short1")));
  // A token with inner whitespace would never match a header either.
  EXPECT_THAT(
      BearerTokenAuthenticator::ParseTokens("tok-aaaa tok-bbbb", "t").status(),
      StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(BearerTokenAuthenticatorTest, SetTokensReplacesTheAcceptedSet) {
  BearerTokenAuthenticator auth({kToken, kOtherToken});
  auth.SetTokens({kOtherToken, "tok-third-client-9"});
  EXPECT_EQ(auth.token_count(), 2u);
  EXPECT_THAT(auth.Check(absl::StrCat("Bearer ", kToken)),
              StatusIs(absl::StatusCode::kUnauthenticated));
  EXPECT_THAT(auth.Check(absl::StrCat("Bearer ", kOtherToken)), IsOk());
  EXPECT_THAT(auth.Check("Bearer tok-third-client-9"), IsOk());
  // Back to a set seen before.
  auth.SetTokens({kToken, kOtherToken});
  EXPECT_THAT(auth.Check(absl::StrCat("Bearer ", kToken)), IsOk());
  EXPECT_THAT(auth.Check("Bearer tok-third-client-9"),
              StatusIs(absl::StatusCode::kUnauthenticated));
}

TEST(BearerTokenAuthenticatorTest, ChecksRacingSetTokensSeeOneSetOrTheOther) {
  BearerTokenAuthenticator auth({kOtherToken});
  std::atomic<bool> stop{false};
  std::atomic<int> rejected{0};
  std::thread checker([&] {
    while (!stop) {
      // kOtherToken is in both sets: never rejected.
      if (!auth.Check(absl::StrCat("Bearer ", kOtherToken)).ok()) ++rejected;
    }
  });
  for (int i = 0; i < 5000; ++i) {
    auth.SetTokens(i % 2 == 0 ? std::vector<std::string>{kOtherToken}
                              : std::vector<std::string>{kOtherToken, kToken});
  }
  stop = true;
  checker.join();
  EXPECT_EQ(rejected.load(), 0);
}

class AuthTest : public ::testing::Test {
 protected:
  AuthTest()
      : tokens_(absl::StrCat(kToken, "\n", kOtherToken, "\n")),
        harness_(Options(tokens_.path())) {}

  static ServerOptions Options(const std::string& tokens_path) {
    ServerOptions options;
    options.auth_tokens_file = tokens_path;
    return options;
  }

  void SetUp() override { ASSERT_THAT(harness_.Start(), IsOk()); }

  std::unique_ptr<TrackingClient> Client(const std::string& token) {
    TrackingClient::Options options;
    options.target = harness_.target();
    options.bearer_token = token;
    auto client = TrackingClient::Create(options);
    EXPECT_TRUE(client.ok());
    return std::move(*client);
  }

  TempFile tokens_;
  ServiceHarness harness_;
};

TEST_F(AuthTest, CallWithoutTokenIsUnauthenticated) {
  auto client = Client("");
  const absl::Status status =
      client->ListCarriers(v1::ListCarriersRequest()).status();
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kUnauthenticated));
  EXPECT_EQ(ReasonOf(status), "MISSING_CREDENTIALS");
  EXPECT_EQ(harness_.emulator().stats().requests_total, 0);
}

TEST_F(AuthTest, CallWithUnknownTokenIsUnauthenticated) {
  auto client = Client("not-a-valid-token");
  const absl::Status status =
      client->ListCarriers(v1::ListCarriersRequest()).status();
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kUnauthenticated));
  EXPECT_EQ(ReasonOf(status), "INVALID_CREDENTIALS");
}

TEST_F(AuthTest, CallWithKnownTokenIsServed) {
  EXPECT_THAT(Client(kToken)->ListCarriers(v1::ListCarriersRequest()).status(),
              IsOk());
  EXPECT_THAT(
      Client(kOtherToken)->ListCarriers(v1::ListCarriersRequest()).status(),
      IsOk());
}

TEST_F(AuthTest, HealthNeedsNoToken) {
  auto stub = grpc::health::v1::Health::NewStub(harness_.channel());
  for (const std::string service : {"", "tracktry.v1.TrackingService"}) {
    grpc::health::v1::HealthCheckRequest request;
    request.set_service(service);
    grpc::health::v1::HealthCheckResponse response;
    auto context = ServiceHarness::Context();
    ASSERT_TRUE(stub->Check(context.get(), request, &response).ok());
    EXPECT_EQ(response.status(),
              grpc::health::v1::HealthCheckResponse::SERVING);
  }
}

// Every RPC of the service descriptor is guarded and forwarded: without a
// token UNAUTHENTICATED, with one never UNIMPLEMENTED (a method missing from
// AuthenticatingTrackingService would be).
TEST_F(AuthTest, EveryMethodIsGuardedAndForwarded) {
  const google::protobuf::ServiceDescriptor* service =
      v1::CreateTrackingRequest::descriptor()->file()->FindServiceByName(
          "TrackingService");
  ASSERT_NE(service, nullptr);
  grpc::GenericStub stub(harness_.channel());
  auto call = [&](const std::string& method, const std::string& token) {
    grpc::ClientContext context;
    // Server-streaming methods are called like unary ones here: only the
    // status matters, and a stream that stays open ends at the deadline.
    context.set_deadline(std::chrono::system_clock::now() +
                         std::chrono::seconds(3));
    if (!token.empty()) {
      context.AddMetadata("authorization", absl::StrCat("Bearer ", token));
    }
    grpc::Slice empty("");
    grpc::ByteBuffer request(&empty, 1);  // An empty message of any type.
    grpc::ByteBuffer response;
    std::promise<grpc::Status> done;
    stub.UnaryCall(&context, method, grpc::StubOptions(), &request, &response,
                   [&done](grpc::Status status) { done.set_value(status); });
    return done.get_future().get();
  };
  ASSERT_GT(service->method_count(), 0);
  for (int i = 0; i < service->method_count(); ++i) {
    const std::string method = absl::StrCat("/", service->full_name(), "/",
                                            service->method(i)->name());
    SCOPED_TRACE(method);
    EXPECT_EQ(call(method, "").error_code(), grpc::StatusCode::UNAUTHENTICATED);
    const grpc::StatusCode with_token = call(method, kToken).error_code();
    EXPECT_NE(with_token, grpc::StatusCode::UNAUTHENTICATED);
    EXPECT_NE(with_token, grpc::StatusCode::UNIMPLEMENTED);
  }
}

// A method the server does not have is UNIMPLEMENTED (gRPC answers it on
// the server's own completion queues), and the server keeps serving.
TEST_F(AuthTest, UnknownMethodIsUnimplemented) {
  grpc::GenericStub stub(harness_.channel());
  for (const std::string method :
       {"/tracktry.v1.TrackingService/NoSuchMethod", "/no.such.Service/Get"}) {
    SCOPED_TRACE(method);
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() +
                         std::chrono::seconds(3));
    context.AddMetadata("authorization", absl::StrCat("Bearer ", kToken));
    grpc::Slice empty("");
    grpc::ByteBuffer request(&empty, 1);
    grpc::ByteBuffer response;
    std::promise<grpc::Status> done;
    stub.UnaryCall(&context, method, grpc::StubOptions(), &request, &response,
                   [&done](grpc::Status status) { done.set_value(status); });
    EXPECT_EQ(done.get_future().get().error_code(),
              grpc::StatusCode::UNIMPLEMENTED);
  }
  auto health = grpc::health::v1::Health::NewStub(harness_.channel());
  grpc::ClientContext context;
  grpc::health::v1::HealthCheckRequest request;
  grpc::health::v1::HealthCheckResponse response;
  EXPECT_TRUE(health->Check(&context, request, &response).ok());
}

TEST_F(AuthTest, RejectedCallsAreLoggedWithoutTheToken) {
  auto client = Client("wrong-token-value-123");
  TrackingClient::CallOptions call_options;
  call_options.metadata.push_back({"x-request-id", "req-unauth-1"});
  EXPECT_FALSE(
      client->ListCarriers(v1::ListCarriersRequest(), call_options).ok());
  EXPECT_THAT(Client(kToken)->ListCarriers(v1::ListCarriersRequest()).status(),
              IsOk());
  std::string log;
  for (int i = 0; i < 500; ++i) {
    log = harness_.ReadLog();
    if (log.find("\"code\":\"OK\"") != std::string::npos) break;
    absl::SleepFor(absl::Milliseconds(10));
  }
  EXPECT_THAT(log, HasSubstr("\"code\":\"UNAUTHENTICATED\""));
  EXPECT_THAT(log, HasSubstr("\"request_id\":\"req-unauth-1\""));
  EXPECT_THAT(log, Not(HasSubstr("wrong-token-value-123")));
  EXPECT_THAT(log, Not(HasSubstr(kToken)));
}

// The tokens file is a mounted Secret updated by the kubelet: a token added
// is accepted and a token removed is refused without a restart; a bad new
// file keeps the old tokens.
class AuthReloadTest : public ::testing::Test {
 protected:
  AuthReloadTest()
      : tokens_("auth-tokens", absl::StrCat(kToken, "\n", kOtherToken, "\n")),
        harness_(Options(tokens_.path())) {}

  static ServerOptions Options(const std::string& tokens_path) {
    ServerOptions options;
    options.auth_tokens_file = tokens_path;
    options.secret_reload_interval = absl::Milliseconds(20);
    return options;
  }

  void SetUp() override { ASSERT_THAT(harness_.Start(), IsOk()); }

  grpc::StatusCode Call(const std::string& token) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() +
                         std::chrono::seconds(10));
    context.AddMetadata("authorization", absl::StrCat("Bearer ", token));
    v1::ListCarriersResponse response;
    return harness_.stub()
        .ListCarriers(&context, v1::ListCarriersRequest(), &response)
        .error_code();
  }

  // Waits until a call with `token` gets `code`.
  bool WaitFor(const std::string& token, grpc::StatusCode code) {
    const absl::Time deadline = absl::Now() + absl::Seconds(10);
    while (absl::Now() < deadline) {
      if (Call(token) == code) return true;
      absl::SleepFor(absl::Milliseconds(10));
    }
    return false;
  }

  testing::KubeletSecretDir tokens_;
  ServiceHarness harness_;
};

TEST_F(AuthReloadTest, AddedTokenIsAcceptedAndRemovedTokenRefused) {
  constexpr char kNewToken[] = "tok-new-client-4e8a21";
  EXPECT_EQ(Call(kToken), grpc::StatusCode::OK);
  EXPECT_EQ(Call(kNewToken), grpc::StatusCode::UNAUTHENTICATED);
  ASSERT_TRUE(tokens_.Update(absl::StrCat(kOtherToken, "\n", kNewToken, "\n")));
  EXPECT_TRUE(WaitFor(kNewToken, grpc::StatusCode::OK));
  EXPECT_EQ(Call(kToken), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(Call(kOtherToken), grpc::StatusCode::OK);
  const std::string log = harness_.ReadLog();
  EXPECT_THAT(log, HasSubstr("\"message\":\"secret file reloaded\""));
  EXPECT_THAT(log, Not(HasSubstr(kNewToken)));
}

TEST_F(AuthReloadTest, RejectedTokensFileKeepsTheOldTokens) {
  // Empty, then a too-short token: both rejected, the old tokens stay.
  ASSERT_TRUE(tokens_.Update("# emptied by mistake\n"));
  ASSERT_TRUE(tokens_.Update(absl::StrCat(kToken, "\nshort\n")));
  // Then a good file, which proves the watcher looked at the bad ones.
  ASSERT_TRUE(tokens_.Update(absl::StrCat(kToken, "\n")));
  EXPECT_TRUE(WaitFor(kOtherToken, grpc::StatusCode::UNAUTHENTICATED));
  EXPECT_EQ(Call(kToken), grpc::StatusCode::OK);

  ASSERT_TRUE(tokens_.Update(""));
  const absl::Time deadline = absl::Now() + absl::Seconds(10);
  while (harness_.ReadLog().find("secret file change rejected") ==
             std::string::npos &&
         absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(10));
  }
  EXPECT_THAT(harness_.ReadLog(), HasSubstr("secret file change rejected"));
  EXPECT_EQ(Call(kToken), grpc::StatusCode::OK);
}

TEST(AuthStartTest, MissingTokensFileStopsTheServer) {
  ServerOptions options;
  options.auth_tokens_file = "/nonexistent/tokens";
  ServiceHarness harness(options);
  EXPECT_THAT(harness.Start(), StatusIs(absl::StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace tracktry
