// Copyright 2026 The tracktry-grpc Authors.
//
// ForwardFloorService behind a real gRPC server on 127.0.0.1, over the real
// CurlMultiTransport and the in-process emulator: one upstream transfer per
// GetTracking, OK for an HTTP 200, UNAVAILABLE when the upstream is gone.
#include "bench/forward_floor_service.h"

#include <chrono>
#include <memory>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "service/transport/curl_multi_transport.h"
#include "tests/testing/emulator_harness.h"
#include "tracktry/v1/tracking_service.grpc.pb.h"

namespace tracktry::bench {
namespace {

using testing::EmulatorHarness;

class ForwardFloorServiceTest : public ::testing::Test {
 protected:
  void Serve(const std::string& base_url) {
    TracktryClientOptions client;
    client.base_url = base_url;
    client.api_key = EmulatorHarness::kApiKey;
    service_ =
        std::make_unique<ForwardFloorService>(&transport_, std::move(client));
    grpc::ServerBuilder builder;
    int port = 0;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(),
                             &port);
    service_->AddTo(&builder);
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
    service_->Start();
    stub_ = v1::TrackingService::NewStub(grpc::CreateChannel(
        absl::StrCat("127.0.0.1:", port), grpc::InsecureChannelCredentials()));
  }

  void TearDown() override {
    if (server_ == nullptr) return;
    server_->Shutdown();
    service_->Stop();
  }

  grpc::Status Get(const std::string& number,
                   v1::GetTrackingResponse* response) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() +
                         std::chrono::seconds(10));
    v1::GetTrackingRequest request;
    request.set_carrier_code("dhl");
    request.set_tracking_number(number);
    return stub_->GetTracking(&context, request, response);
  }

  int64_t UpstreamRequests() {
    return harness_.Admin("GET", "/stats").Json().value("requests_total", -1);
  }

  EmulatorHarness harness_;
  CurlMultiTransport transport_;
  std::unique_ptr<ForwardFloorService> service_;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<v1::TrackingService::Stub> stub_;
};

TEST_F(ForwardFloorServiceTest, OneTransferPerCallAnsweredOkWithoutATracking) {
  ASSERT_TRUE(harness_.Start().ok());
  ASSERT_EQ(harness_
                .Api("POST", "/trackings/post",
                     R"({"tracking_number":"RN123456789CN",)"
                     R"("carrier_code":"dhl"})")
                .MetaCode(),
            200);
  Serve(absl::StrCat("http://127.0.0.1:", harness_.port(), "/v1"));
  const int64_t before = UpstreamRequests();
  ASSERT_GE(before, 1);
  for (int i = 0; i < 3; ++i) {
    v1::GetTrackingResponse response;
    const grpc::Status status = Get("RN123456789CN", &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    // The floor does not read the answer.
    EXPECT_FALSE(response.has_tracking());
  }
  // Three transfers, plus this stats call's own request if counted.
  const int64_t after = UpstreamRequests();
  EXPECT_GE(after - before, 3);
  EXPECT_LE(after - before, 4);
}

TEST_F(ForwardFloorServiceTest, UnreachableUpstreamIsUnavailable) {
  // Port 1 on 127.0.0.1: nothing listens there.
  Serve("http://127.0.0.1:1/v1");
  v1::GetTrackingResponse response;
  EXPECT_EQ(Get("RN123456789CN", &response).error_code(),
            grpc::StatusCode::UNAVAILABLE);
}

}  // namespace
}  // namespace tracktry::bench
