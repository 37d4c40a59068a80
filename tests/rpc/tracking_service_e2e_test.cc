// Copyright 2026 The tracktry-grpc Authors.
//
// The whole service in-process: real stub -> real gRPC server -> real
// libcurl -> the emulator on 127.0.0.1. Every RPC, every mapped error,
// validation, batching, paging, deadlines and cancellation.
#include <chrono>
#include <functional>
#include <future>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "client/grpc_status_conversion.h"
#include "common/error_details.h"
#include "gmock/gmock.h"
#include "google/rpc/error_details.pb.h"
#include "gtest/gtest.h"
#include "tests/testing/service_harness.h"
#include "tests/testing/status_matchers.h"

namespace tracktry {
namespace {

using ::testing::HasSubstr;
using testing::IsOk;
using ::testing::Not;
using testing::ServiceHarness;

class TrackingServiceE2eTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_THAT(harness_.Start(), IsOk()); }
  void TearDown() override { harness_.Stop(); }

  v1::TrackingService::Stub& stub() { return harness_.stub(); }
  emulator::Emulator& emulator() { return harness_.emulator(); }

  grpc::Status Create(const std::string& carrier, const std::string& number,
                      v1::CreateTrackingResponse* response = nullptr) {
    v1::CreateTrackingRequest request;
    request.mutable_tracking()->set_carrier_code(carrier);
    request.mutable_tracking()->set_tracking_number(number);
    request.mutable_tracking()->set_title("e2e parcel");
    v1::CreateTrackingResponse local;
    auto context = ServiceHarness::Context();
    return stub().CreateTracking(context.get(), request,
                                 response ? response : &local);
  }

  grpc::Status Get(const std::string& carrier, const std::string& number,
                   v1::GetTrackingResponse* response,
                   absl::Duration timeout = absl::Seconds(10),
                   v1::TrackingView view = v1::TRACKING_VIEW_UNSPECIFIED) {
    v1::GetTrackingRequest request;
    request.set_carrier_code(carrier);
    request.set_tracking_number(number);
    request.set_view(view);
    auto context = ServiceHarness::Context(timeout);
    return stub().GetTracking(context.get(), request, response);
  }

  void SetFaults(const std::string& json) {
    ASSERT_THAT(emulator().SetFaultsJson(json), IsOk());
  }

  // The core mapping is tested without the rate shaper: its 429 pause (120 s
  // by default) would, by design, fail the "next call is served" checks.
  // Shaping has its own suites (tests/upstream/rate_sha*_test.cc).
  static ServerOptions CoreOptions() {
    ServerOptions options;
    options.rate_shaping.enabled = false;
    return options;
  }

  ServiceHarness harness_{CoreOptions()};
};

// The ErrorInfo reason of a failed call, decoded from the status details.
std::string ReasonOf(const grpc::Status& status) {
  auto info = GetErrorInfo(FromGrpcStatus(status));
  return info.has_value() ? info->reason() : "";
}

TEST_F(TrackingServiceE2eTest, CreateThenGetReturnsTheTracking) {
  v1::CreateTrackingResponse created;
  ASSERT_TRUE(Create("dhl", "1234567890", &created).ok());
  EXPECT_EQ(created.tracking().tracking_number(), "1234567890");
  EXPECT_EQ(created.tracking().carrier_code(), "dhl");

  v1::GetTrackingResponse got;
  grpc::Status status = Get("dhl", "1234567890", &got);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(got.tracking().tracking_number(), "1234567890");
  EXPECT_EQ(got.tracking().carrier_code(), "dhl");
  EXPECT_EQ(got.tracking().title(), "e2e parcel");
  EXPECT_FALSE(got.tracking().id().empty());
  EXPECT_TRUE(got.tracking().has_create_time());
  // The default view is BASIC: no `raw`.
  EXPECT_FALSE(got.tracking().has_raw());
  // The write's echo carries it (writes have no view).
  EXPECT_TRUE(created.tracking().has_raw());

  // FULL: the same tracking plus `raw` (served from the cache entry the
  // BASIC read filled).
  v1::GetTrackingResponse full;
  status = Get("dhl", "1234567890", &full, absl::Seconds(10),
               v1::TRACKING_VIEW_FULL);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_TRUE(full.tracking().has_raw());
  EXPECT_EQ(full.tracking().raw().fields().at("title").string_value(),
            "e2e parcel");
  v1::Tracking without_raw = full.tracking();
  without_raw.clear_raw();
  EXPECT_EQ(without_raw.SerializeAsString(),
            got.tracking().SerializeAsString());
  // And BASIC again, after FULL was served from the same entry.
  v1::GetTrackingResponse basic;
  ASSERT_TRUE(Get("dhl", "1234567890", &basic, absl::Seconds(10),
                  v1::TRACKING_VIEW_BASIC)
                  .ok());
  EXPECT_EQ(basic.SerializeAsString(), got.SerializeAsString());
  // One upstream read; the two later ones were cache hits, answered on the
  // gRPC thread (CachedReads::Peek).
  EXPECT_EQ(emulator().stats().requests_by_route["get"], 1);
  EXPECT_EQ(harness_.server().cache()->stats().hits, 2);
}

TEST_F(TrackingServiceE2eTest, CheckpointsProgressWithTheUpstreamClock) {
  ASSERT_TRUE(Create("ups", "1Z999AA10123456784").ok());
  emulator().AdvanceClock(30 * 24 * 3600);
  v1::GetTrackingResponse got;
  ASSERT_TRUE(Get("ups", "1Z999AA10123456784", &got).ok());
  EXPECT_NE(got.tracking().status(), v1::TRACKING_STATUS_UNSPECIFIED);
  EXPECT_NE(got.tracking().status(), v1::TRACKING_STATUS_PENDING);
  EXPECT_GT(got.tracking().origin_info().checkpoints_size(), 0);
  EXPECT_FALSE(got.tracking().latest_checkpoint().time().empty());
}

TEST_F(TrackingServiceE2eTest, UpdateChangesTitleArchiveAndStatus) {
  ASSERT_TRUE(Create("dhl", "1234567890").ok());
  v1::UpdateTrackingRequest request;
  request.set_carrier_code("dhl");
  request.set_tracking_number("1234567890");
  request.mutable_tracking()->set_title("renamed");
  request.mutable_tracking()->set_archived(true);
  request.mutable_update_mask()->add_paths("title");
  request.mutable_update_mask()->add_paths("archived");
  request.set_status_change(v1::STATUS_CHANGE_DELIVERED);
  v1::UpdateTrackingResponse response;
  auto context = ServiceHarness::Context();
  grpc::Status status =
      stub().UpdateTracking(context.get(), request, &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(response.tracking().title(), "renamed");

  v1::GetTrackingResponse got;
  ASSERT_TRUE(Get("dhl", "1234567890", &got).ok());
  EXPECT_EQ(got.tracking().title(), "renamed");
  EXPECT_TRUE(got.tracking().archived());
  EXPECT_EQ(got.tracking().status(), v1::TRACKING_STATUS_DELIVERED);
}

TEST_F(TrackingServiceE2eTest, DeleteThenGetIsNotFound) {
  ASSERT_TRUE(Create("dhl", "1234567890").ok());
  v1::DeleteTrackingRequest request;
  request.set_carrier_code("dhl");
  request.set_tracking_number("1234567890");
  v1::DeleteTrackingResponse response;
  auto context = ServiceHarness::Context();
  ASSERT_TRUE(stub().DeleteTracking(context.get(), request, &response).ok());

  v1::GetTrackingResponse got;
  grpc::Status status = Get("dhl", "1234567890", &got);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(ReasonOf(status), "TRACKING_NOT_FOUND");
}

TEST_F(TrackingServiceE2eTest, CreatingTwiceIsAlreadyExists) {
  ASSERT_TRUE(Create("dhl", "1234567890").ok());
  grpc::Status status = Create("dhl", "1234567890");
  EXPECT_EQ(status.error_code(), grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_EQ(ReasonOf(status), "TRACKING_ALREADY_EXISTS");
  auto info = GetErrorInfo(FromGrpcStatus(status));
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->metadata().at("metaCode"), "4016");
  EXPECT_EQ(info->domain(), "tracktry.v1");
}

TEST_F(TrackingServiceE2eTest, UnknownCarrierIsInvalidArgumentFromUpstream) {
  grpc::Status status = Create("no-such-carrier", "1234567890");
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(ReasonOf(status), "CARRIER_CODE_INVALID");
}

TEST_F(TrackingServiceE2eTest, RealtimeReturnsTheCarriersView) {
  v1::GetRealtimeTrackingRequest request;
  request.set_carrier_code("cainiao");
  request.set_tracking_number("LB181539674SG");
  v1::GetRealtimeTrackingResponse response;
  auto context = ServiceHarness::Context();
  grpc::Status status =
      stub().GetRealtimeTracking(context.get(), request, &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(response.tracking().tracking_number(), "LB181539674SG");
  EXPECT_EQ(response.tracking().carrier_code(), "cainiao");
  EXPECT_FALSE(response.tracking().has_destination_info());
  EXPECT_FALSE(response.tracking().has_raw());

  request.set_view(v1::TRACKING_VIEW_FULL);
  auto full_context = ServiceHarness::Context();
  status = stub().GetRealtimeTracking(full_context.get(), request, &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_TRUE(response.tracking().has_raw());
}

TEST_F(TrackingServiceE2eTest, ListCarriersReturnsTheCatalog) {
  v1::ListCarriersResponse response;
  auto context = ServiceHarness::Context();
  ASSERT_TRUE(
      stub()
          .ListCarriers(context.get(), v1::ListCarriersRequest(), &response)
          .ok());
  std::set<std::string> codes;
  for (const auto& carrier : response.carriers()) {
    codes.insert(carrier.code());
    EXPECT_FALSE(carrier.name().empty());
    if (!carrier.picture().empty()) {
      EXPECT_EQ(carrier.picture().rfind("https://", 0), 0u)
          << carrier.picture();
    }
  }
  EXPECT_TRUE(codes.count("dhl"));
  EXPECT_TRUE(codes.count("china-post"));
}

TEST_F(TrackingServiceE2eTest, DetectCarrierPutsThePreferredCandidateFirst) {
  v1::DetectCarrierRequest request;
  request.set_tracking_number("RR123456789CN");
  v1::DetectCarrierResponse plain;
  auto context = ServiceHarness::Context();
  ASSERT_TRUE(stub().DetectCarrier(context.get(), request, &plain).ok());
  ASSERT_GE(plain.carriers_size(), 2);

  const std::string second = plain.carriers(1).code();
  request.set_carrier_code(second);
  v1::DetectCarrierResponse preferred;
  auto context2 = ServiceHarness::Context();
  ASSERT_TRUE(stub().DetectCarrier(context2.get(), request, &preferred).ok());
  EXPECT_EQ(preferred.carriers(0).code(), second);
  EXPECT_EQ(preferred.carriers_size(), plain.carriers_size());
}

TEST_F(TrackingServiceE2eTest, UndetectableNumberIsFailedPrecondition) {
  v1::DetectCarrierRequest request;
  request.set_tracking_number("zzzzz");
  v1::DetectCarrierResponse response;
  auto context = ServiceHarness::Context();
  grpc::Status status = stub().DetectCarrier(context.get(), request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(ReasonOf(status), "CARRIER_UNDETECTABLE");
}

TEST_F(TrackingServiceE2eTest, BatchOfHundredIsSplitAndAnsweredInOrder) {
  ASSERT_TRUE(Create("dhl", "DUP0000042").ok());
  v1::BatchCreateTrackingsRequest request;
  for (int i = 0; i < 100; ++i) {
    auto* item = request.add_trackings();
    item->set_carrier_code("dhl");
    item->set_tracking_number(absl::StrCat("DUP00000", i < 10 ? "0" : "", i));
  }
  const int64_t batches_before = emulator().stats().requests_by_route["batch"];
  v1::BatchCreateTrackingsResponse response;
  auto context = ServiceHarness::Context();
  grpc::Status status =
      stub().BatchCreateTrackings(context.get(), request, &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(emulator().stats().requests_by_route["batch"] - batches_before, 3);
  ASSERT_EQ(response.results_size(), 100);
  for (int i = 0; i < 100; ++i) {
    const auto& result = response.results(i);
    EXPECT_EQ(result.index(), i);
    EXPECT_EQ(result.tracking_number(), request.trackings(i).tracking_number());
    if (i == 42) {
      EXPECT_EQ(result.status().code(), grpc::StatusCode::ALREADY_EXISTS);
      EXPECT_EQ(result.status().meta_code(), 4016);
    } else {
      EXPECT_EQ(result.status().code(), 0)
          << i << " " << result.status().message();
      EXPECT_EQ(result.tracking().tracking_number(),
                request.trackings(i).tracking_number());
    }
  }
  EXPECT_EQ(response.created_count(), 99);
  EXPECT_EQ(response.failed_count(), 1);
}

TEST_F(TrackingServiceE2eTest, ListPagesThroughEveryTracking) {
  v1::BatchCreateTrackingsRequest batch;
  for (int i = 0; i < 25; ++i) {
    auto* item = batch.add_trackings();
    item->set_carrier_code("dhl");
    item->set_tracking_number(absl::StrCat("PAGE0000", 10 + i));
  }
  v1::BatchCreateTrackingsResponse created;
  auto batch_context = ServiceHarness::Context();
  ASSERT_TRUE(
      stub().BatchCreateTrackings(batch_context.get(), batch, &created).ok());
  ASSERT_EQ(created.created_count(), 25);

  std::set<std::string> seen;
  std::string token;
  int pages = 0;
  do {
    v1::ListTrackingsRequest request;
    request.set_page_size(10);
    request.set_page_token(token);
    // The view may change between pages (it is not a filter).
    const bool full = pages == 1;
    if (full) request.set_view(v1::TRACKING_VIEW_FULL);
    v1::ListTrackingsResponse response;
    auto context = ServiceHarness::Context();
    grpc::Status status =
        stub().ListTrackings(context.get(), request, &response);
    ASSERT_TRUE(status.ok()) << status.error_message();
    EXPECT_EQ(response.total_size(), 25);
    for (const auto& tracking : response.trackings()) {
      EXPECT_TRUE(seen.insert(tracking.tracking_number()).second);
      EXPECT_EQ(tracking.has_raw(), full);
    }
    token = response.next_page_token();
    ++pages;
  } while (!token.empty() && pages < 10);
  EXPECT_EQ(pages, 3);
  EXPECT_EQ(seen.size(), 25u);
}

TEST_F(TrackingServiceE2eTest, EmptyListIsOkWithoutNextPage) {
  v1::ListTrackingsRequest request;
  v1::ListTrackingsResponse response;
  auto context = ServiceHarness::Context();
  grpc::Status status = stub().ListTrackings(context.get(), request, &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(response.trackings_size(), 0);
  EXPECT_TRUE(response.next_page_token().empty());
}

TEST_F(TrackingServiceE2eTest, PageTokenFromOtherFiltersIsRejected) {
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(Create("dhl", absl::StrCat("TOKEN0000", i)).ok());
  }
  v1::ListTrackingsRequest request;
  request.set_page_size(1);
  v1::ListTrackingsResponse first;
  auto context = ServiceHarness::Context();
  ASSERT_TRUE(stub().ListTrackings(context.get(), request, &first).ok());
  ASSERT_FALSE(first.next_page_token().empty());

  request.set_page_token(first.next_page_token());
  request.set_status(v1::TRACKING_STATUS_DELIVERED);
  v1::ListTrackingsResponse second;
  auto context2 = ServiceHarness::Context();
  grpc::Status status = stub().ListTrackings(context2.get(), request, &second);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("page_token"));
}

struct MappedErrorCase {
  std::string name;
  std::string rule;  // one emulator fault rule, JSON
  grpc::StatusCode code;
  std::string reason;
};

class MappedErrorTest : public TrackingServiceE2eTest,
                        public ::testing::WithParamInterface<MappedErrorCase> {
};

TEST_P(MappedErrorTest, UpstreamFailureBecomesTheDocumentedCode) {
  const MappedErrorCase& param = GetParam();
  SetFaults(absl::StrCat(R"({"rules":[)", param.rule, "]}"));
  v1::ListCarriersResponse response;
  auto context = ServiceHarness::Context(absl::Seconds(5));
  const absl::Time start = absl::Now();
  grpc::Status status =
      stub().ListCarriers(context.get(), v1::ListCarriersRequest(), &response);
  EXPECT_LT(absl::Now() - start, absl::Seconds(4));
  EXPECT_EQ(status.error_code(), param.code) << status.error_message();
  EXPECT_EQ(ReasonOf(status), param.reason);
  EXPECT_THAT(status.error_message(), Not(HasSubstr(ServiceHarness::kApiKey)));

  // The server stays healthy for the next call.
  emulator().ClearFaults();
  v1::ListCarriersResponse ok_response;
  auto context2 = ServiceHarness::Context();
  EXPECT_TRUE(
      stub()
          .ListCarriers(context2.get(), v1::ListCarriersRequest(), &ok_response)
          .ok());
}

INSTANTIATE_TEST_SUITE_P(
    Table, MappedErrorTest,
    ::testing::Values(
        MappedErrorCase{
            "key_invalid", R"({"kind":"meta_error","meta_code":4001})",
            grpc::StatusCode::FAILED_PRECONDITION, "UPSTREAM_API_KEY_REJECTED"},
        MappedErrorCase{
            "key_deleted", R"({"kind":"meta_error","meta_code":4002})",
            grpc::StatusCode::FAILED_PRECONDITION, "UPSTREAM_API_KEY_REJECTED"},
        MappedErrorCase{"forbidden", R"({"kind":"meta_error","meta_code":403})",
                        grpc::StatusCode::PERMISSION_DENIED,
                        "UPSTREAM_PERMISSION_DENIED"},
        MappedErrorCase{"rate_limited",
                        R"({"kind":"meta_error","meta_code":429})",
                        grpc::StatusCode::RESOURCE_EXHAUSTED, "RATE_LIMITED"},
        MappedErrorCase{
            "http_429",
            R"({"kind":"meta_error","meta_code":429,"http_status":429,"retry_after_s":7})",
            grpc::StatusCode::RESOURCE_EXHAUSTED, "RATE_LIMITED"},
        MappedErrorCase{"quota", R"({"kind":"meta_error","meta_code":4019})",
                        grpc::StatusCode::RESOURCE_EXHAUSTED,
                        "QUOTA_EXHAUSTED"},
        MappedErrorCase{"balance", R"({"kind":"meta_error","meta_code":4021})",
                        grpc::StatusCode::RESOURCE_EXHAUSTED,
                        "QUOTA_EXHAUSTED"},
        MappedErrorCase{
            "missing_param", R"({"kind":"meta_error","meta_code":4012})",
            grpc::StatusCode::INVALID_ARGUMENT, "MISSING_PARAMETER"},
        MappedErrorCase{
            "not_activated", R"({"kind":"meta_error","meta_code":4018})",
            grpc::StatusCode::FAILED_PRECONDITION, "FEATURE_NOT_ACTIVATED"},
        MappedErrorCase{"method", R"({"kind":"meta_error","meta_code":405})",
                        grpc::StatusCode::UNIMPLEMENTED,
                        "UPSTREAM_METHOD_NOT_ALLOWED"},
        MappedErrorCase{"meta_500", R"({"kind":"meta_error","meta_code":500})",
                        grpc::StatusCode::UNAVAILABLE, "UPSTREAM_UNAVAILABLE"},
        MappedErrorCase{"meta_unknown",
                        R"({"kind":"meta_error","meta_code":9999})",
                        grpc::StatusCode::UNKNOWN, "UPSTREAM_UNKNOWN_CODE"},
        MappedErrorCase{"http_500",
                        R"({"kind":"http_error","http_status":500})",
                        grpc::StatusCode::UNAVAILABLE, "UPSTREAM_UNAVAILABLE"},
        MappedErrorCase{"http_502",
                        R"({"kind":"http_error","http_status":502})",
                        grpc::StatusCode::UNAVAILABLE, "UPSTREAM_UNAVAILABLE"},
        MappedErrorCase{"http_503",
                        R"({"kind":"http_error","http_status":503})",
                        grpc::StatusCode::UNAVAILABLE, "UPSTREAM_UNAVAILABLE"},
        MappedErrorCase{"malformed", R"({"kind":"malformed_json"})",
                        grpc::StatusCode::INTERNAL,
                        "UPSTREAM_MALFORMED_RESPONSE"},
        MappedErrorCase{"truncated", R"({"kind":"truncated_json"})",
                        grpc::StatusCode::INTERNAL,
                        "UPSTREAM_MALFORMED_RESPONSE"},
        MappedErrorCase{
            "wrong_shape", R"({"kind":"wrong_shape","shape":"meta_missing"})",
            grpc::StatusCode::INTERNAL, "UPSTREAM_MALFORMED_RESPONSE"},
        MappedErrorCase{"dropped", R"({"kind":"drop"})",
                        grpc::StatusCode::UNAVAILABLE, "UPSTREAM_UNREACHABLE"},
        MappedErrorCase{"reset_mid_body", R"({"kind":"reset_mid_body"})",
                        grpc::StatusCode::UNAVAILABLE, "UPSTREAM_UNREACHABLE"},
        MappedErrorCase{
            "oversize", R"({"kind":"oversize","oversize_bytes":9437184})",
            grpc::StatusCode::INTERNAL, "UPSTREAM_RESPONSE_INVALID"}),
    [](const ::testing::TestParamInfo<MappedErrorCase>& info) {
      return info.param.name;
    });

TEST_F(TrackingServiceE2eTest, RateLimitCarriesRetryInfo) {
  SetFaults(
      R"({"rules":[{"kind":"meta_error","meta_code":429,"http_status":429,"retry_after_s":7}]})");
  v1::ListCarriersResponse response;
  auto context = ServiceHarness::Context();
  grpc::Status status =
      stub().ListCarriers(context.get(), v1::ListCarriersRequest(), &response);
  ASSERT_EQ(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  auto delay = GetRetryDelay(FromGrpcStatus(status));
  ASSERT_TRUE(delay.has_value());
  EXPECT_EQ(*delay, absl::Seconds(7));

  SetFaults(R"({"rules":[{"kind":"meta_error","meta_code":429}]})");
  auto context2 = ServiceHarness::Context();
  status =
      stub().ListCarriers(context2.get(), v1::ListCarriersRequest(), &response);
  delay = GetRetryDelay(FromGrpcStatus(status));
  ASSERT_TRUE(delay.has_value());
  EXPECT_EQ(*delay, absl::Seconds(120));
}

struct InvalidCase {
  std::string name;
  std::function<grpc::Status(v1::TrackingService::Stub&)> call;
  std::string field;
};

class ValidationTest : public TrackingServiceE2eTest,
                       public ::testing::WithParamInterface<InvalidCase> {};

TEST_P(ValidationTest, InvalidRequestNamesTheFieldAndSkipsTheUpstream) {
  const int64_t before = emulator().stats().requests_total;
  grpc::Status status = GetParam().call(stub());
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr(GetParam().field));
  auto bad_request = GetBadRequest(FromGrpcStatus(status));
  ASSERT_TRUE(bad_request.has_value());
  ASSERT_GT(bad_request->field_violations_size(), 0);
  EXPECT_EQ(bad_request->field_violations(0).field(), GetParam().field);
  EXPECT_EQ(emulator().stats().requests_total, before);
}

template <typename Request, typename Response>
using StubMethod = grpc::Status (v1::TrackingService::Stub::*)(
    grpc::ClientContext*, const Request&, Response*);

template <typename Request, typename Response>
std::function<grpc::Status(v1::TrackingService::Stub&)> Invoke(
    StubMethod<Request, Response> method, Request request) {
  return [method, request](v1::TrackingService::Stub& stub) {
    Response response;
    auto context = ServiceHarness::Context();
    return (stub.*method)(context.get(), request, &response);
  };
}

v1::CreateTrackingRequest CreateWith(const std::string& number,
                                     const std::string& carrier) {
  v1::CreateTrackingRequest request;
  request.mutable_tracking()->set_tracking_number(number);
  request.mutable_tracking()->set_carrier_code(carrier);
  return request;
}

v1::GetTrackingRequest GetWith(const std::string& carrier,
                               const std::string& number) {
  v1::GetTrackingRequest request;
  request.set_carrier_code(carrier);
  request.set_tracking_number(number);
  return request;
}

v1::BatchCreateTrackingsRequest BatchWithBadThird() {
  v1::BatchCreateTrackingsRequest request;
  for (int i = 0; i < 5; ++i) {
    auto* item = request.add_trackings();
    item->set_carrier_code("dhl");
    item->set_tracking_number(i == 3 ? "bad number!"
                                     : absl::StrCat("OKAY0000", i));
  }
  return request;
}

v1::ListTrackingsRequest ListWithTooManyNumbers() {
  v1::ListTrackingsRequest request;
  for (int i = 0; i < 41; ++i) {
    request.add_tracking_numbers(absl::StrCat("NUMBER", 1000 + i));
  }
  return request;
}

v1::ListTrackingsRequest ListWithNegativePageSize() {
  v1::ListTrackingsRequest request;
  request.set_page_size(-1);
  return request;
}

INSTANTIATE_TEST_SUITE_P(
    Table, ValidationTest,
    ::testing::Values(
        InvalidCase{"create_missing_number",
                    Invoke(&v1::TrackingService::Stub::CreateTracking,
                           CreateWith("", "dhl")),
                    "tracking.tracking_number"},
        InvalidCase{"create_bad_carrier",
                    Invoke(&v1::TrackingService::Stub::CreateTracking,
                           CreateWith("1234567890", "DHL Express")),
                    "tracking.carrier_code"},
        InvalidCase{"get_short_number",
                    Invoke(&v1::TrackingService::Stub::GetTracking,
                           GetWith("dhl", "12")),
                    "tracking_number"},
        InvalidCase{"get_missing_carrier",
                    Invoke(&v1::TrackingService::Stub::GetTracking,
                           GetWith("", "1234567890")),
                    "carrier_code"},
        InvalidCase{"batch_bad_item",
                    Invoke(&v1::TrackingService::Stub::BatchCreateTrackings,
                           BatchWithBadThird()),
                    "trackings[3].tracking_number"},
        InvalidCase{"list_too_many_numbers",
                    Invoke(&v1::TrackingService::Stub::ListTrackings,
                           ListWithTooManyNumbers()),
                    "tracking_numbers"},
        InvalidCase{"list_negative_page_size",
                    Invoke(&v1::TrackingService::Stub::ListTrackings,
                           ListWithNegativePageSize()),
                    "page_size"}),
    [](const ::testing::TestParamInfo<InvalidCase>& info) {
      return info.param.name;
    });

TEST_F(TrackingServiceE2eTest, SlowUpstreamAndShortDeadlineFailsPromptly) {
  SetFaults(R"({"rules":[{"route":"get","kind":"hang"}]})");
  v1::GetTrackingResponse response;
  const absl::Time start = absl::Now();
  grpc::Status status =
      Get("dhl", "1234567890", &response, absl::Milliseconds(300));
  const absl::Duration elapsed = absl::Now() - start;
  EXPECT_EQ(status.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED);
  EXPECT_LT(elapsed, absl::Seconds(1));

  // The upstream connection is closed, not left hanging.
  const absl::Time wait_until = absl::Now() + absl::Seconds(3);
  while (emulator().stats().connections_closed_by_client_before_response < 1 &&
         absl::Now() < wait_until) {
    absl::SleepFor(absl::Milliseconds(20));
  }
  EXPECT_GE(emulator().stats().connections_closed_by_client_before_response, 1);

  // And the server still serves.
  emulator().ClearFaults();
  ASSERT_TRUE(Create("dhl", "1234567890").ok());
  EXPECT_TRUE(Get("dhl", "1234567890", &response).ok());
}

TEST_F(TrackingServiceE2eTest, CancelledCallClosesTheUpstreamConnection) {
  SetFaults(R"({"rules":[{"route":"carriers","kind":"hang"}]})");
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::seconds(30));
  v1::ListCarriersResponse response;
  std::promise<grpc::Status> done;
  v1::ListCarriersRequest request;
  stub().async()->ListCarriers(
      &context, &request, &response,
      [&done](grpc::Status status) { done.set_value(status); });
  // Wait until the emulator holds the request, then cancel.
  const absl::Time wait_until = absl::Now() + absl::Seconds(3);
  while (emulator().stats().in_flight < 1 && absl::Now() < wait_until) {
    absl::SleepFor(absl::Milliseconds(10));
  }
  context.TryCancel();
  auto future = done.get_future();
  ASSERT_EQ(future.wait_for(std::chrono::seconds(2)),
            std::future_status::ready);
  EXPECT_EQ(future.get().error_code(), grpc::StatusCode::CANCELLED);
  const absl::Time closed_by = absl::Now() + absl::Seconds(3);
  while (emulator().stats().connections_closed_by_client_before_response < 1 &&
         absl::Now() < closed_by) {
    absl::SleepFor(absl::Milliseconds(20));
  }
  EXPECT_GE(emulator().stats().connections_closed_by_client_before_response, 1);
}

TEST_F(TrackingServiceE2eTest, ApiKeyNeverAppearsInLogsOrErrors) {
  SetFaults(R"({"rules":[{"kind":"meta_error","meta_code":4001}]})");
  v1::GetTrackingResponse response;
  grpc::Status status = Get("dhl", "1234567890", &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(status.error_message(), Not(HasSubstr(ServiceHarness::kApiKey)));
  EXPECT_THAT(status.error_details(), Not(HasSubstr(ServiceHarness::kApiKey)));
  // The access line is written when the server is done with the RPC, which
  // can be just after the client has its answer.
  std::string log;
  const absl::Time wait_until = absl::Now() + absl::Seconds(3);
  do {
    log = harness_.ReadLog();
  } while (log.find("\"rpc\":\"GetTracking\"") == std::string::npos &&
           absl::Now() < wait_until &&
           (absl::SleepFor(absl::Milliseconds(10)), true));
  EXPECT_THAT(log, HasSubstr("\"rpc\":\"GetTracking\""));
  EXPECT_THAT(log, Not(HasSubstr(ServiceHarness::kApiKey)));
}

TEST_F(TrackingServiceE2eTest, UpstreamRejectsAWrongKey) {
  ASSERT_THAT(emulator().SetApiKey("a-different-key"), IsOk());
  v1::ListCarriersResponse response;
  auto context = ServiceHarness::Context();
  grpc::Status status =
      stub().ListCarriers(context.get(), v1::ListCarriersRequest(), &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(ReasonOf(status), "UPSTREAM_API_KEY_REJECTED");
}

}  // namespace
}  // namespace tracktry
