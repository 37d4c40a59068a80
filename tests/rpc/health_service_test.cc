// Copyright 2026 The tracktry-grpc Authors.
//
// HealthService behind a real gRPC server on 127.0.0.1 (its own queues):
// Check for known and unknown names, per-name and all-names statuses,
// Shutdown() for good, and Watch (the status at once, then each change).
#include "service/rpc/health_service.h"

#include <chrono>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "service/rpc/completion_queue_threads.h"

namespace tracktry {
namespace {

using grpc::health::v1::HealthCheckRequest;
using grpc::health::v1::HealthCheckResponse;

class HealthServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    grpc::ServerBuilder builder;
    int port = 0;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(),
                             &port);
    builder.RegisterService(health_.grpc_service());
    queues_.AddTo(&builder);
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
    queues_.Start();
    health_.methods().Arm(&queues_);
    stub_ = grpc::health::v1::Health::NewStub(grpc::CreateChannel(
        absl::StrCat("127.0.0.1:", port), grpc::InsecureChannelCredentials()));
  }

  void TearDown() override {
    server_->Shutdown(std::chrono::system_clock::now());
    queues_.Stop();
  }

  // The status Check answers, or the error code's name.
  std::string Check(const std::string& service) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() +
                         std::chrono::seconds(5));
    HealthCheckRequest request;
    request.set_service(service);
    HealthCheckResponse response;
    const grpc::Status status = stub_->Check(&context, request, &response);
    if (!status.ok()) return absl::StrCat("error ", status.error_code());
    return HealthCheckResponse::ServingStatus_Name(response.status());
  }

  HealthService health_;
  CompletionQueueThreads queues_{1};
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<grpc::health::v1::Health::Stub> stub_;
};

TEST_F(HealthServiceTest, EmptyNameIsServingAndUnknownNamesAreNotFound) {
  EXPECT_EQ(Check(""), "SERVING");
  EXPECT_EQ(Check("no.such.Service"),
            absl::StrCat("error ", grpc::StatusCode::NOT_FOUND));
  EXPECT_EQ(health_.Status("no.such.Service"),
            HealthCheckResponse::SERVICE_UNKNOWN);
}

TEST_F(HealthServiceTest, NamesAreSetOneByOneOrAllAtOnce) {
  health_.SetServingStatus("a.Service", true);
  health_.SetServingStatus("b.Service", false);
  EXPECT_EQ(Check("a.Service"), "SERVING");
  EXPECT_EQ(Check("b.Service"), "NOT_SERVING");
  health_.SetServingStatus(false);
  EXPECT_EQ(Check(""), "NOT_SERVING");
  EXPECT_EQ(Check("a.Service"), "NOT_SERVING");
  health_.SetServingStatus(true);
  EXPECT_EQ(Check(""), "SERVING");
  EXPECT_EQ(Check("b.Service"), "SERVING");
}

TEST_F(HealthServiceTest, ShutdownIsNotServingForGood) {
  health_.SetServingStatus("a.Service", true);
  health_.Shutdown();
  EXPECT_EQ(Check(""), "NOT_SERVING");
  EXPECT_EQ(Check("a.Service"), "NOT_SERVING");
  health_.SetServingStatus(true);
  health_.SetServingStatus("a.Service", true);
  health_.SetServingStatus("new.Service", true);
  EXPECT_EQ(Check(""), "NOT_SERVING");
  EXPECT_EQ(Check("a.Service"), "NOT_SERVING");
  EXPECT_EQ(Check("new.Service"), "NOT_SERVING");
}

TEST_F(HealthServiceTest, WatchSendsTheStatusThenEachChange) {
  grpc::ClientContext context;
  HealthCheckRequest request;
  request.set_service("later.Service");
  auto reader = stub_->Watch(&context, request);
  HealthCheckResponse update;
  ASSERT_TRUE(reader->Read(&update));
  EXPECT_EQ(update.status(), HealthCheckResponse::SERVICE_UNKNOWN);
  health_.SetServingStatus("later.Service", true);
  ASSERT_TRUE(reader->Read(&update));
  EXPECT_EQ(update.status(), HealthCheckResponse::SERVING);
  // Setting the same status again is no change.
  health_.SetServingStatus("later.Service", true);
  health_.SetServingStatus("later.Service", false);
  ASSERT_TRUE(reader->Read(&update));
  EXPECT_EQ(update.status(), HealthCheckResponse::NOT_SERVING);
  context.TryCancel();
  while (reader->Read(&update)) {
  }
  EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::CANCELLED);
}

TEST_F(HealthServiceTest, ManyWatchersOfOneNameAllHearTheChange) {
  constexpr int kWatchers = 5;
  grpc::ClientContext contexts[kWatchers];
  std::unique_ptr<grpc::ClientReader<HealthCheckResponse>> readers[kWatchers];
  HealthCheckRequest request;
  HealthCheckResponse update;
  for (int i = 0; i < kWatchers; ++i) {
    readers[i] = stub_->Watch(&contexts[i], request);
    ASSERT_TRUE(readers[i]->Read(&update));
    EXPECT_EQ(update.status(), HealthCheckResponse::SERVING);
  }
  health_.Shutdown();
  for (int i = 0; i < kWatchers; ++i) {
    ASSERT_TRUE(readers[i]->Read(&update));
    EXPECT_EQ(update.status(), HealthCheckResponse::NOT_SERVING);
    contexts[i].TryCancel();
  }
}

}  // namespace
}  // namespace tracktry
