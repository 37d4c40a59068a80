// Copyright 2026 The tracktry-grpc Authors.
#include "client/tracking_client.h"

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/error_details.h"
#include "gmock/gmock.h"
#include "grpcpp/create_channel.h"
#include "gtest/gtest.h"
#include "tests/testing/fake_tracking_service.h"
#include "tests/testing/status_matchers.h"
#include "tracktry/v1/tracking_service_mock.grpc.pb.h"

namespace tracktry {
namespace {

using ::testing::_;
using ::testing::DoAll;
using ::testing::ElementsAre;
using ::testing::Eq;
using ::testing::HasSubstr;
using ::testing::Pair;
using ::testing::Return;
using ::testing::SetArgPointee;
using ::testing::UnorderedElementsAre;
using ::tracktry::testing::FakeTrackingServer;
using ::tracktry::testing::IsOk;
using ::tracktry::testing::RecordedCall;
using ::tracktry::testing::StatusIs;

v1::Tracking MakeTracking(
    const std::string& carrier, const std::string& number,
    v1::TrackingStatus status = v1::TRACKING_STATUS_TRANSIT) {
  v1::Tracking tracking;
  tracking.set_id("0123456789abcdef0123456789abcdef");
  tracking.set_carrier_code(carrier);
  tracking.set_tracking_number(number);
  tracking.set_status(status);
  tracking.set_title("Parcel " + number);
  return tracking;
}

// Seconds between the arrival of `call` and its deadline.
double DeadlineSeconds(const RecordedCall& call) {
  return std::chrono::duration<double>(call.deadline - call.received).count();
}

class TrackingClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = FakeTrackingServer::Start();
    ASSERT_NE(server_, nullptr);
    client_ = MakeClient(TrackingClient::Options());
    ASSERT_NE(client_, nullptr);
  }

  std::unique_ptr<TrackingClient> MakeClient(TrackingClient::Options options) {
    options.target = server_->target();
    absl::StatusOr<std::unique_ptr<TrackingClient>> client =
        TrackingClient::Create(std::move(options));
    EXPECT_THAT(client, IsOk());
    return client.ok() ? std::move(*client) : nullptr;
  }

  testing::FakeTrackingService& service() { return server_->service(); }

  std::unique_ptr<FakeTrackingServer> server_;
  std::unique_ptr<TrackingClient> client_;
};

TEST_F(TrackingClientTest, CreateTrackingRoundTrips) {
  v1::CreateTrackingRequest request;
  request.mutable_tracking()->set_carrier_code("dhl");
  request.mutable_tracking()->set_tracking_number("1234567890");
  request.mutable_tracking()->set_title("Shoes");
  request.mutable_tracking()->set_customer_email("a@example.com");

  absl::StatusOr<v1::CreateTrackingResponse> response =
      client_->CreateTracking(request);

  ASSERT_THAT(response, IsOk());
  EXPECT_EQ(response->tracking().tracking_number(), "1234567890");
  EXPECT_EQ(response->tracking().carrier_code(), "dhl");
  EXPECT_EQ(response->tracking().title(), "Shoes");
  EXPECT_EQ(response->tracking().status(), v1::TRACKING_STATUS_PENDING);
  EXPECT_THAT(response->tracking().customer_emails(),
              ElementsAre("a@example.com"));
  EXPECT_EQ(response->tracking().id().size(), 32u);
  std::optional<v1::CreateTrackingRequest> sent =
      service().LastRequest<v1::CreateTrackingRequest>();
  ASSERT_TRUE(sent.has_value());
  EXPECT_EQ(sent->tracking().title(), "Shoes");
  EXPECT_TRUE(service().FindTracking("dhl", "1234567890").has_value());
}

TEST_F(TrackingClientTest, GetTrackingReturnsStoredTracking) {
  service().AddTracking(MakeTracking("ups", "1Z999AA10123456784"));
  v1::GetTrackingRequest request;
  request.set_carrier_code("ups");
  request.set_tracking_number("1Z999AA10123456784");
  request.set_lang("de");

  absl::StatusOr<v1::GetTrackingResponse> response =
      client_->GetTracking(request);

  ASSERT_THAT(response, IsOk());
  EXPECT_EQ(response->tracking().title(), "Parcel 1Z999AA10123456784");
  EXPECT_EQ(response->tracking().status(), v1::TRACKING_STATUS_TRANSIT);
  EXPECT_EQ(service().LastRequest<v1::GetTrackingRequest>()->lang(), "de");
}

TEST_F(TrackingClientTest, UpdateTrackingAppliesMaskAndStatusChange) {
  service().AddTracking(MakeTracking("dhl", "1234567890"));
  v1::UpdateTrackingRequest request;
  request.set_carrier_code("dhl");
  request.set_tracking_number("1234567890");
  request.mutable_tracking()->set_title("New title");
  request.mutable_tracking()->set_order_id("ignored: not in mask");
  request.mutable_update_mask()->add_paths("title");
  request.set_status_change(v1::STATUS_CHANGE_DELIVERED);

  absl::StatusOr<v1::UpdateTrackingResponse> response =
      client_->UpdateTracking(request);

  ASSERT_THAT(response, IsOk());
  EXPECT_EQ(response->tracking().title(), "New title");
  EXPECT_EQ(response->tracking().order_id(), "");
  EXPECT_EQ(response->tracking().status(), v1::TRACKING_STATUS_DELIVERED);
}

TEST_F(TrackingClientTest, DeleteTrackingRemovesTracking) {
  service().AddTracking(MakeTracking("dhl", "1234567890"));
  v1::DeleteTrackingRequest request;
  request.set_carrier_code("dhl");
  request.set_tracking_number("1234567890");

  EXPECT_THAT(client_->DeleteTracking(request), IsOk());
  EXPECT_FALSE(service().FindTracking("dhl", "1234567890").has_value());
  EXPECT_THAT(client_->DeleteTracking(request),
              StatusIs(absl::StatusCode::kNotFound));
}

TEST_F(TrackingClientTest, BatchCreateTrackingsReturnsOneResultPerItem) {
  service().AddTracking(MakeTracking("dhl", "2222222222"));
  v1::BatchCreateTrackingsRequest request;
  for (const char* number : {"1111111111", "2222222222"}) {
    v1::NewTracking* item = request.add_trackings();
    item->set_carrier_code("dhl");
    item->set_tracking_number(number);
  }

  absl::StatusOr<v1::BatchCreateTrackingsResponse> response =
      client_->BatchCreateTrackings(request);

  ASSERT_THAT(response, IsOk());
  ASSERT_EQ(response->results_size(), 2);
  EXPECT_EQ(response->created_count(), 1);
  EXPECT_EQ(response->failed_count(), 1);
  EXPECT_EQ(response->results(0).status().code(), 0);
  EXPECT_EQ(response->results(1).index(), 1);
  EXPECT_EQ(response->results(1).status().code(),
            static_cast<int>(absl::StatusCode::kAlreadyExists));
  EXPECT_EQ(response->results(1).status().meta_code(), 4016);
}

TEST_F(TrackingClientTest, ListTrackingsReturnsPageAndNextToken) {
  for (int i = 0; i < 3; ++i) {
    service().AddTracking(MakeTracking("dhl", "100000000" + std::to_string(i)));
  }
  v1::ListTrackingsRequest request;
  request.set_page_size(2);
  request.set_status(v1::TRACKING_STATUS_TRANSIT);

  absl::StatusOr<v1::ListTrackingsResponse> response =
      client_->ListTrackings(request);

  ASSERT_THAT(response, IsOk());
  EXPECT_EQ(response->trackings_size(), 2);
  EXPECT_EQ(response->total_size(), 3);
  EXPECT_FALSE(response->next_page_token().empty());
}

TEST_F(TrackingClientTest, GetRealtimeTrackingReturnsCheckpoints) {
  v1::GetRealtimeTrackingRequest request;
  request.set_carrier_code("dhl");
  request.set_tracking_number("5555555555");
  request.set_tracking_postal_code("1234AB");

  absl::StatusOr<v1::GetRealtimeTrackingResponse> response =
      client_->GetRealtimeTracking(request);

  ASSERT_THAT(response, IsOk());
  EXPECT_EQ(response->tracking().status(), v1::TRACKING_STATUS_TRANSIT);
  EXPECT_EQ(response->tracking().origin_info().checkpoints_size(), 1);
  EXPECT_EQ(service()
                .LastRequest<v1::GetRealtimeTrackingRequest>()
                ->tracking_postal_code(),
            "1234AB");
}

TEST_F(TrackingClientTest, ListCarriersReturnsCarriers) {
  absl::StatusOr<v1::ListCarriersResponse> response = client_->ListCarriers();

  ASSERT_THAT(response, IsOk());
  ASSERT_EQ(response->carriers_size(), 4);
  EXPECT_EQ(response->carriers(0).code(), "dhl");
  EXPECT_EQ(response->carriers(3).name_cn(), "中国邮政");
}

TEST_F(TrackingClientTest, DetectCarrierPutsPreferredCarrierFirst) {
  v1::DetectCarrierRequest request;
  request.set_tracking_number("1234567890");
  request.set_carrier_code("china-post");

  absl::StatusOr<v1::DetectCarrierResponse> response =
      client_->DetectCarrier(request);

  ASSERT_THAT(response, IsOk());
  ASSERT_EQ(response->carriers_size(), 2);
  EXPECT_EQ(response->carriers(0).code(), "china-post");
  EXPECT_EQ(response->carriers(1).code(), "dhl");
}

TEST_F(TrackingClientTest, UnknownTrackingReturnsNotFoundWithErrorInfo) {
  v1::GetTrackingRequest request;
  request.set_carrier_code("dhl");
  request.set_tracking_number("0000000000");

  absl::StatusOr<v1::GetTrackingResponse> response =
      client_->GetTracking(request);

  EXPECT_THAT(response, StatusIs(absl::StatusCode::kNotFound,
                                 HasSubstr("dhl/0000000000")));
  std::optional<google::rpc::ErrorInfo> info = GetErrorInfo(response.status());
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->reason(), "TRACKING_NOT_FOUND");
  EXPECT_EQ(info->domain(), "tracktry.v1");
  EXPECT_THAT(info->metadata(), UnorderedElementsAre(Pair("metaCode", "4017")));
}

TEST_F(TrackingClientTest, RateLimitErrorCarriesRetryDelay) {
  service().SetNextError(WithRetryDelay(
      MakeError(absl::StatusCode::kResourceExhausted, "slow down",
                "RATE_LIMITED", {{"metaCode", "4290"}}),
      absl::Seconds(120)));

  absl::StatusOr<v1::ListCarriersResponse> response = client_->ListCarriers();

  EXPECT_THAT(response,
              StatusIs(absl::StatusCode::kResourceExhausted, Eq("slow down")));
  EXPECT_EQ(GetRetryDelay(response.status()), absl::Seconds(120));
  ASSERT_TRUE(GetErrorInfo(response.status()).has_value());
  EXPECT_EQ(GetErrorInfo(response.status())->reason(), "RATE_LIMITED");
}

TEST_F(TrackingClientTest, InvalidFieldReturnsBadRequest) {
  v1::CreateTrackingRequest request;
  request.mutable_tracking()->set_carrier_code("dhl");

  absl::StatusOr<v1::CreateTrackingResponse> response =
      client_->CreateTracking(request);

  EXPECT_THAT(response, StatusIs(absl::StatusCode::kInvalidArgument));
  std::optional<google::rpc::BadRequest> bad_request =
      GetBadRequest(response.status());
  ASSERT_TRUE(bad_request.has_value());
  ASSERT_EQ(bad_request->field_violations_size(), 1);
  EXPECT_EQ(bad_request->field_violations(0).field(),
            "tracking.tracking_number");
}

TEST_F(TrackingClientTest, ErrorWithoutDetailsKeepsCodeAndMessage) {
  service().SetNextGrpcError(
      grpc::Status(grpc::StatusCode::INTERNAL, "plain failure"));

  absl::StatusOr<v1::ListCarriersResponse> response = client_->ListCarriers();

  EXPECT_THAT(response,
              StatusIs(absl::StatusCode::kInternal, Eq("plain failure")));
  EXPECT_FALSE(GetErrorInfo(response.status()).has_value());
}

TEST_F(TrackingClientTest, DefaultDeadlineIsSent) {
  ASSERT_THAT(client_->ListCarriers(), IsOk());

  std::optional<RecordedCall> call = service().LastCall();
  ASSERT_TRUE(call.has_value());
  EXPECT_GT(DeadlineSeconds(*call), 8.0);
  EXPECT_LE(DeadlineSeconds(*call), 10.5);
}

TEST_F(TrackingClientTest, ConfiguredDefaultDeadlineIsSent) {
  TrackingClient::Options options;
  options.default_deadline = absl::Seconds(30);
  std::unique_ptr<TrackingClient> client = MakeClient(options);
  ASSERT_NE(client, nullptr);

  ASSERT_THAT(client->ListCarriers(), IsOk());

  EXPECT_GT(DeadlineSeconds(*service().LastCall()), 28.0);
  EXPECT_LE(DeadlineSeconds(*service().LastCall()), 30.5);
}

TEST_F(TrackingClientTest, PerCallDeadlineOverridesDefault) {
  TrackingClient::CallOptions call_options;
  call_options.deadline = absl::Seconds(3);

  ASSERT_THAT(client_->ListCarriers({}, call_options), IsOk());

  EXPECT_GT(DeadlineSeconds(*service().LastCall()), 1.5);
  EXPECT_LE(DeadlineSeconds(*service().LastCall()), 3.5);
}

TEST_F(TrackingClientTest, NonPositiveDeadlineFailsWithoutCall) {
  TrackingClient::CallOptions call_options;
  call_options.deadline = absl::ZeroDuration();

  EXPECT_THAT(
      client_->ListCarriers({}, call_options),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("deadline")));
  EXPECT_EQ(service().CallCount("ListCarriers"), 0);
}

TEST_F(TrackingClientTest, SlowServerReturnsDeadlineExceeded) {
  service().SetResponseDelay(absl::Seconds(3));
  TrackingClient::CallOptions call_options;
  call_options.deadline = absl::Milliseconds(200);
  const absl::Time start = absl::Now();

  EXPECT_THAT(client_->ListCarriers({}, call_options),
              StatusIs(absl::StatusCode::kDeadlineExceeded));
  EXPECT_LT(absl::Now() - start, absl::Seconds(2));
}

TEST_F(TrackingClientTest, BearerTokenIsSentAsAuthorizationMetadata) {
  TrackingClient::Options options;
  options.bearer_token = "s3cr3t";
  std::unique_ptr<TrackingClient> client = MakeClient(options);
  ASSERT_NE(client, nullptr);

  ASSERT_THAT(client->ListCarriers(), IsOk());

  std::optional<RecordedCall> call = service().LastCall();
  ASSERT_TRUE(call.has_value());
  EXPECT_EQ(call->metadata.count("authorization"), 1u);
  EXPECT_EQ(call->metadata.find("authorization")->second, "Bearer s3cr3t");
}

TEST_F(TrackingClientTest, NoTokenSendsNoAuthorizationMetadata) {
  ASSERT_THAT(client_->ListCarriers(), IsOk());

  EXPECT_EQ(service().LastCall()->metadata.count("authorization"), 0u);
}

TEST_F(TrackingClientTest, PerCallMetadataIsSent) {
  TrackingClient::CallOptions call_options;
  call_options.metadata = {{"x-request-id", "abc-123"}};

  ASSERT_THAT(client_->ListCarriers({}, call_options), IsOk());

  std::optional<RecordedCall> call = service().LastCall();
  ASSERT_TRUE(call.has_value());
  ASSERT_EQ(call->metadata.count("x-request-id"), 1u);
  EXPECT_EQ(call->metadata.find("x-request-id")->second, "abc-123");
}

TEST_F(TrackingClientTest, IllegalMetadataKeyFailsWithoutCall) {
  TrackingClient::CallOptions call_options;
  call_options.metadata = {{"X-Upper", "value"}};

  EXPECT_THAT(
      client_->ListCarriers({}, call_options),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("metadata key")));
  EXPECT_EQ(service().CallCount("ListCarriers"), 0);
}

TEST_F(TrackingClientTest, ListAllTrackingsFollowsPages) {
  for (int i = 0; i < 5; ++i) {
    service().AddTracking(MakeTracking("dhl", "100000000" + std::to_string(i)));
  }
  v1::ListTrackingsRequest request;
  request.set_page_size(2);

  absl::StatusOr<std::vector<v1::Tracking>> trackings =
      client_->ListAllTrackings(request);

  ASSERT_THAT(trackings, IsOk());
  ASSERT_EQ(trackings->size(), 5u);
  EXPECT_EQ((*trackings)[0].tracking_number(), "1000000000");
  EXPECT_EQ((*trackings)[4].tracking_number(), "1000000004");
  EXPECT_EQ(service().CallCount("ListTrackings"), 3);
  EXPECT_EQ(service().LastRequest<v1::ListTrackingsRequest>()->page_token(),
            "offset:4");
  EXPECT_EQ(service().LastRequest<v1::ListTrackingsRequest>()->page_size(), 2);
}

TEST_F(TrackingClientTest, ListAllTrackingsCallbackErrorStopsPaging) {
  for (int i = 0; i < 5; ++i) {
    service().AddTracking(MakeTracking("dhl", "100000000" + std::to_string(i)));
  }
  v1::ListTrackingsRequest request;
  request.set_page_size(2);
  int pages = 0;

  absl::Status status = client_->ListAllTrackings(
      request, [&pages](const v1::ListTrackingsResponse& page) {
        ++pages;
        return absl::CancelledError("enough");
      });

  EXPECT_THAT(status, StatusIs(absl::StatusCode::kCancelled, Eq("enough")));
  EXPECT_EQ(pages, 1);
  EXPECT_EQ(service().CallCount("ListTrackings"), 1);
}

TEST_F(TrackingClientTest, ListAllTrackingsReturnsRpcError) {
  service().SetNextError(
      MakeError(absl::StatusCode::kPermissionDenied, "no", "DENIED"));

  EXPECT_THAT(client_->ListAllTrackings(v1::ListTrackingsRequest()),
              StatusIs(absl::StatusCode::kPermissionDenied));
}

TEST_F(TrackingClientTest, UnavailableIsRetriedForIdempotentMethod) {
  service().AddTracking(MakeTracking("dhl", "1234567890"));
  service().SetNextError(absl::UnavailableError("blip"), 2);
  v1::GetTrackingRequest request;
  request.set_carrier_code("dhl");
  request.set_tracking_number("1234567890");

  EXPECT_THAT(client_->GetTracking(request), IsOk());
  EXPECT_EQ(service().CallCount("GetTracking"), 3);
}

TEST_F(TrackingClientTest, UnavailableIsNotRetriedForMutatingMethod) {
  service().SetNextError(absl::UnavailableError("blip"));
  v1::CreateTrackingRequest request;
  request.mutable_tracking()->set_carrier_code("dhl");
  request.mutable_tracking()->set_tracking_number("1234567890");

  EXPECT_THAT(client_->CreateTracking(request),
              StatusIs(absl::StatusCode::kUnavailable, Eq("blip")));
  EXPECT_EQ(service().CallCount("CreateTracking"), 1);
}

TEST_F(TrackingClientTest, RetriesStopAfterThreeAttempts) {
  service().SetNextError(absl::UnavailableError("down"), 5);

  EXPECT_THAT(client_->ListCarriers(),
              StatusIs(absl::StatusCode::kUnavailable, Eq("down")));
  EXPECT_EQ(service().CallCount("ListCarriers"), 3);
}

TEST_F(TrackingClientTest, ConcurrentCallsSucceed) {
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([this, &failures] {
      for (int i = 0; i < 10; ++i) {
        if (!client_->ListCarriers().ok()) ++failures;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();

  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(service().CallCount("ListCarriers"), 80);
}

TEST_F(TrackingClientTest, InProcessChannelStubCanBeInjected) {
  TrackingClient client(
      v1::TrackingService::NewStub(server_->InProcessChannel()));

  absl::StatusOr<v1::ListCarriersResponse> response = client.ListCarriers();

  ASSERT_THAT(response, IsOk());
  EXPECT_EQ(response->carriers_size(), 4);
}

TEST(TrackingClientCreateTest, EmptyTargetIsInvalid) {
  TrackingClient::Options options;
  options.target = "";

  EXPECT_THAT(TrackingClient::Create(options),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(TrackingClientCreateTest, NonPositiveDefaultDeadlineIsInvalid) {
  TrackingClient::Options options;
  options.default_deadline = absl::Seconds(-1);

  EXPECT_THAT(TrackingClient::Create(options),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(TrackingClientCreateTest, UnreachableServerReturnsUnavailable) {
  // Reserve a port by starting a server, then stop it so nothing listens.
  std::string target;
  {
    std::unique_ptr<FakeTrackingServer> server = FakeTrackingServer::Start();
    ASSERT_NE(server, nullptr);
    target = server->target();
  }
  TrackingClient::Options options;
  options.target = target;
  options.default_deadline = absl::Seconds(5);
  absl::StatusOr<std::unique_ptr<TrackingClient>> client =
      TrackingClient::Create(options);
  ASSERT_THAT(client, IsOk());

  EXPECT_THAT((*client)->ListCarriers(),
              StatusIs(absl::StatusCode::kUnavailable));
}

TEST(TrackingClientMockTest, MockStubCanBeInjected) {
  auto stub = std::make_unique<v1::MockTrackingServiceStub>();
  v1::GetTrackingResponse canned;
  canned.mutable_tracking()->set_tracking_number("42424242");
  EXPECT_CALL(*stub, GetTracking(_, _, _))
      .WillOnce(DoAll(SetArgPointee<2>(canned), Return(grpc::Status::OK)));
  TrackingClient client(std::move(stub));

  absl::StatusOr<v1::GetTrackingResponse> response =
      client.GetTracking(v1::GetTrackingRequest());

  ASSERT_THAT(response, IsOk());
  EXPECT_EQ(response->tracking().tracking_number(), "42424242");
}

TEST(TrackingClientMockTest, EveryCallGetsADeadline) {
  auto stub = std::make_unique<v1::MockTrackingServiceStub>();
  std::chrono::system_clock::time_point deadline;
  EXPECT_CALL(*stub, DeleteTracking(_, _, _))
      .WillOnce([&deadline](grpc::ClientContext* context,
                            const v1::DeleteTrackingRequest&,
                            v1::DeleteTrackingResponse*) {
        deadline = context->deadline();
        return grpc::Status::OK;
      });
  TrackingClient::Options options;
  options.default_deadline = absl::Seconds(7);
  TrackingClient client(std::move(stub), options);

  ASSERT_THAT(client.DeleteTracking(v1::DeleteTrackingRequest()), IsOk());

  const double seconds =
      std::chrono::duration<double>(deadline - std::chrono::system_clock::now())
          .count();
  EXPECT_GT(seconds, 6.0);
  EXPECT_LE(seconds, 7.0);
}

TEST(TrackingClientMockTest, ListAllTrackingsRepeatedTokenIsInternal) {
  auto stub = std::make_unique<v1::MockTrackingServiceStub>();
  v1::ListTrackingsResponse first;
  first.add_trackings()->set_tracking_number("1");
  first.set_next_page_token("t1");
  v1::ListTrackingsResponse stuck;
  stuck.add_trackings()->set_tracking_number("2");
  stuck.set_next_page_token("t1");
  EXPECT_CALL(*stub, ListTrackings(_, _, _))
      .WillOnce(DoAll(SetArgPointee<2>(first), Return(grpc::Status::OK)))
      .WillOnce(DoAll(SetArgPointee<2>(stuck), Return(grpc::Status::OK)));
  TrackingClient client(std::move(stub));

  EXPECT_THAT(client.ListAllTrackings(v1::ListTrackingsRequest()),
              StatusIs(absl::StatusCode::kInternal, HasSubstr("page token")));
}

TEST(TrackingClientMockTest, ListAllTrackingsReturnsErrorOfLaterPage) {
  auto stub = std::make_unique<v1::MockTrackingServiceStub>();
  v1::ListTrackingsResponse first;
  first.add_trackings()->set_tracking_number("1");
  first.set_next_page_token("t1");
  std::vector<std::string> tokens;
  EXPECT_CALL(*stub, ListTrackings(_, _, _))
      .WillOnce(DoAll(SetArgPointee<2>(first), Return(grpc::Status::OK)))
      .WillOnce([&tokens](grpc::ClientContext*,
                          const v1::ListTrackingsRequest& request,
                          v1::ListTrackingsResponse*) {
        tokens.push_back(request.page_token());
        return grpc::Status(grpc::StatusCode::DATA_LOSS, "gone");
      });
  TrackingClient client(std::move(stub));

  EXPECT_THAT(client.ListAllTrackings(v1::ListTrackingsRequest()),
              StatusIs(absl::StatusCode::kDataLoss, Eq("gone")));
  EXPECT_THAT(tokens, ElementsAre("t1"));
}

}  // namespace
}  // namespace tracktry
