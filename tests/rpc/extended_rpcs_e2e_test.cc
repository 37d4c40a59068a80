// Copyright 2026 The tracktry-grpc Authors.
//
// The extended RPCs (reference section 2.9) end to end: real stub -> real
// gRPC server -> real libcurl -> the emulator. A happy path and an error for
// each, plus the provider presets against an emulator expecting each
// preset's key header.
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "client/grpc_status_conversion.h"
#include "common/error_details.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "service/server/server_options.h"
#include "tests/testing/service_harness.h"
#include "tests/testing/status_matchers.h"

namespace tracktry {
namespace {

using ::testing::ElementsAre;
using testing::IsOk;
using testing::ServiceHarness;
using ::testing::SizeIs;

ServerOptions Options() {
  ServerOptions options;
  options.rate_shaping.enabled = false;
  return options;
}

std::string ReasonOf(const grpc::Status& status) {
  auto info = GetErrorInfo(FromGrpcStatus(status));
  return info.has_value() ? info->reason() : "";
}

class ExtendedRpcsE2eTest : public ::testing::Test {
 protected:
  ExtendedRpcsE2eTest() : harness_(Options()) {}
  void SetUp() override { ASSERT_THAT(harness_.Start(), IsOk()); }
  void TearDown() override { harness_.Stop(); }

  v1::TrackingService::Stub& stub() { return harness_.stub(); }
  emulator::Emulator& emulator() { return harness_.emulator(); }

  void Create(const std::string& carrier, const std::string& number) {
    v1::CreateTrackingRequest request;
    request.mutable_tracking()->set_carrier_code(carrier);
    request.mutable_tracking()->set_tracking_number(number);
    v1::CreateTrackingResponse response;
    auto context = ServiceHarness::Context();
    grpc::Status status =
        stub().CreateTracking(context.get(), request, &response);
    ASSERT_TRUE(status.ok()) << status.error_message();
  }

  void SetFaults(const std::string& json) {
    ASSERT_THAT(emulator().SetFaultsJson(json), IsOk());
  }

  ServiceHarness harness_;
};

// --- ChangeTrackingCarrier ---------------------------------------------------

TEST_F(ExtendedRpcsE2eTest, ChangeCarrierMovesTheTracking) {
  Create("dhl", "1234567890");
  v1::ChangeTrackingCarrierRequest request;
  request.set_carrier_code("dhl");
  request.set_tracking_number("1234567890");
  request.set_new_carrier_code("fedex");
  v1::ChangeTrackingCarrierResponse response;
  auto context = ServiceHarness::Context();
  ASSERT_TRUE(
      stub().ChangeTrackingCarrier(context.get(), request, &response).ok());
  EXPECT_EQ(response.carrier_code(), "fedex");
  EXPECT_EQ(response.tracking_number(), "1234567890");
  EXPECT_TRUE(response.raw().fields().contains("update_carrier_code"));

  v1::GetTrackingRequest get;
  get.set_carrier_code("fedex");
  get.set_tracking_number("1234567890");
  get.set_bypass_cache(true);
  v1::GetTrackingResponse got;
  auto get_context = ServiceHarness::Context();
  EXPECT_TRUE(stub().GetTracking(get_context.get(), get, &got).ok());
  EXPECT_EQ(got.tracking().carrier_code(), "fedex");
}

TEST_F(ExtendedRpcsE2eTest, ChangeCarrierOfUnknownTrackingIsNotFound) {
  v1::ChangeTrackingCarrierRequest request;
  request.set_carrier_code("dhl");
  request.set_tracking_number("9999999999");
  request.set_new_carrier_code("ups");
  v1::ChangeTrackingCarrierResponse response;
  auto context = ServiceHarness::Context();
  EXPECT_EQ(stub()
                .ChangeTrackingCarrier(context.get(), request, &response)
                .error_code(),
            grpc::StatusCode::NOT_FOUND);
}

TEST_F(ExtendedRpcsE2eTest, ChangeCarrierWithoutNewCarrierIsInvalid) {
  v1::ChangeTrackingCarrierRequest request;
  request.set_carrier_code("dhl");
  request.set_tracking_number("1234567890");
  v1::ChangeTrackingCarrierResponse response;
  auto context = ServiceHarness::Context();
  grpc::Status status =
      stub().ChangeTrackingCarrier(context.get(), request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(emulator().stats().requests_total, 0);
}

// --- GetAccountInfo ----------------------------------------------------------

TEST_F(ExtendedRpcsE2eTest, AccountInfoReportsQuotaAndRaw) {
  Create("dhl", "1234567890");
  Create("dhl", "1234567891");
  v1::GetAccountInfoResponse response;
  auto context = ServiceHarness::Context();
  ASSERT_TRUE(
      stub()
          .GetAccountInfo(context.get(), v1::GetAccountInfoRequest(), &response)
          .ok());
  EXPECT_FALSE(response.email().empty());
  ASSERT_TRUE(response.has_quota_remaining());
  EXPECT_EQ(response.quota_remaining(), 498);
  EXPECT_EQ(response.raw().fields().at("trackings").number_value(), 2);
}

TEST_F(ExtendedRpcsE2eTest, AccountInfoUpstreamErrorIsMapped) {
  SetFaults(R"({"rules":[{"route":"userinfo","kind":"meta_error",
               "meta_code":4012}]})");
  v1::GetAccountInfoResponse response;
  auto context = ServiceHarness::Context();
  EXPECT_EQ(
      stub()
          .GetAccountInfo(context.get(), v1::GetAccountInfoRequest(), &response)
          .error_code(),
      grpc::StatusCode::INVALID_ARGUMENT);
}

// --- CountTrackingsByStatus --------------------------------------------------

TEST_F(ExtendedRpcsE2eTest, CountByStatusCountsNewTrackingsAsPending) {
  Create("dhl", "1234567890");
  Create("dhl", "1234567891");
  Create("ups", "1Z999AA10123456784");
  v1::CountTrackingsByStatusResponse response;
  auto context = ServiceHarness::Context();
  ASSERT_TRUE(stub()
                  .CountTrackingsByStatus(context.get(),
                                          v1::CountTrackingsByStatusRequest(),
                                          &response)
                  .ok());
  EXPECT_EQ(response.total_count(), 3);
  EXPECT_THAT(response.counts(), SizeIs(8));
  bool saw_pending = false;
  for (const v1::StatusCount& count : response.counts()) {
    if (count.status() == v1::TRACKING_STATUS_PENDING) {
      saw_pending = true;
      EXPECT_EQ(count.count(), 3);
      EXPECT_EQ(count.raw_status(), "pending");
    }
  }
  EXPECT_TRUE(saw_pending);
}

TEST_F(ExtendedRpcsE2eTest, CountByStatusHonoursCreateTimeWindow) {
  Create("dhl", "1234567890");
  v1::CountTrackingsByStatusRequest request;
  // A window that ended long before the tracking was created.
  request.mutable_create_time_max()->set_seconds(1000);
  v1::CountTrackingsByStatusResponse response;
  auto context = ServiceHarness::Context();
  ASSERT_TRUE(
      stub().CountTrackingsByStatus(context.get(), request, &response).ok());
  EXPECT_EQ(response.total_count(), 0);
}

TEST_F(ExtendedRpcsE2eTest, CountByStatusUpstreamErrorIsMapped) {
  SetFaults(R"({"rules":[{"route":"status_number","kind":"meta_error",
               "meta_code":4012}]})");
  v1::CountTrackingsByStatusResponse response;
  auto context = ServiceHarness::Context();
  EXPECT_EQ(
      stub()
          .CountTrackingsByStatus(
              context.get(), v1::CountTrackingsByStatusRequest(), &response)
          .error_code(),
      grpc::StatusCode::INVALID_ARGUMENT);
}

// --- StopTrackingUpdates -----------------------------------------------------

TEST_F(ExtendedRpcsE2eTest, StopUpdatesReportsSubmittedAndChanged) {
  Create("dhl", "1234567890");
  v1::StopTrackingUpdatesRequest request;
  auto* known = request.add_trackings();
  known->set_carrier_code("dhl");
  known->set_tracking_number("1234567890");
  auto* unknown = request.add_trackings();
  unknown->set_carrier_code("dhl");
  unknown->set_tracking_number("5555555555");
  v1::StopTrackingUpdatesResponse response;
  auto context = ServiceHarness::Context();
  ASSERT_TRUE(
      stub().StopTrackingUpdates(context.get(), request, &response).ok());
  EXPECT_EQ(response.submitted_count(), 2);
  EXPECT_EQ(response.changed_count(), 1);
  EXPECT_TRUE(response.raw().fields().contains("errors"));
}

TEST_F(ExtendedRpcsE2eTest, StopUpdatesRejectsTooManyItems) {
  v1::StopTrackingUpdatesRequest request;
  for (int i = 0; i < 41; ++i) {
    auto* ref = request.add_trackings();
    ref->set_carrier_code("dhl");
    ref->set_tracking_number(absl::StrCat("10000000", 10 + i));
  }
  v1::StopTrackingUpdatesResponse response;
  auto context = ServiceHarness::Context();
  EXPECT_EQ(stub()
                .StopTrackingUpdates(context.get(), request, &response)
                .error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(emulator().stats().requests_total, 0);
}

// --- CheckRemoteAreas --------------------------------------------------------

TEST_F(ExtendedRpcsE2eTest, RemoteAreasReturnOneResultPerQuery) {
  v1::CheckRemoteAreasRequest request;
  for (int i = 0; i < 6; ++i) {
    auto* query = request.add_queries();
    query->set_country("JP");
    query->set_postcode(absl::StrCat(7621090 + i));
    query->set_carrier_code("dhl");
  }
  v1::CheckRemoteAreasResponse response;
  auto context = ServiceHarness::Context();
  ASSERT_TRUE(stub().CheckRemoteAreas(context.get(), request, &response).ok());
  EXPECT_EQ(response.submitted_count(), 6);
  ASSERT_THAT(response.results(), SizeIs(6));
  for (const v1::RemoteAreaResult& result : response.results()) {
    EXPECT_EQ(result.carrier_code(), "dhl");
    EXPECT_EQ(result.country_code(), "JP");
    EXPECT_FALSE(result.postcode().empty());
  }
  const auto& remote = response.raw().fields().at("remote").list_value();
  int typed_remote = 0;
  for (const auto& result : response.results()) typed_remote += result.remote();
  EXPECT_EQ(typed_remote, remote.values_size());
}

TEST_F(ExtendedRpcsE2eTest, RemoteAreasRequireCountry) {
  v1::CheckRemoteAreasRequest request;
  request.add_queries()->set_postcode("7621094");
  v1::CheckRemoteAreasResponse response;
  auto context = ServiceHarness::Context();
  grpc::Status status =
      stub().CheckRemoteAreas(context.get(), request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(),
              ::testing::HasSubstr("queries[0].country"));
}

// --- GetTransitTimes ---------------------------------------------------------

TEST_F(ExtendedRpcsE2eTest, TransitTimesAreTyped) {
  v1::GetTransitTimesRequest request;
  auto* query = request.add_queries();
  query->set_carrier_code("dhl");
  query->set_origin("CN");
  query->set_destination("US");
  v1::GetTransitTimesResponse response;
  auto context = ServiceHarness::Context();
  ASSERT_TRUE(stub().GetTransitTimes(context.get(), request, &response).ok());
  ASSERT_THAT(response.stats(), SizeIs(1));
  const v1::TransitTimeStats& stats = response.stats(0);
  EXPECT_EQ(stats.carrier_code(), "dhl");
  EXPECT_EQ(stats.origin(), "CN");
  EXPECT_EQ(stats.destination(), "US");
  EXPECT_GT(stats.total_count(), 0);
  EXPECT_LE(stats.delivered_count(), stats.total_count());
  EXPECT_THAT(stats.ranges(), SizeIs(5));
  EXPECT_TRUE(stats.raw().fields().contains("range1"));
}

TEST_F(ExtendedRpcsE2eTest, TransitTimesForUnknownCarrierAreInvalid) {
  v1::GetTransitTimesRequest request;
  auto* query = request.add_queries();
  query->set_carrier_code("no-such-carrier");
  query->set_origin("CN");
  query->set_destination("US");
  v1::GetTransitTimesResponse response;
  auto context = ServiceHarness::Context();
  EXPECT_EQ(
      stub().GetTransitTimes(context.get(), request, &response).error_code(),
      grpc::StatusCode::INVALID_ARGUMENT);
}

// --- BatchDeleteTrackings ----------------------------------------------------

TEST_F(ExtendedRpcsE2eTest, BatchDeleteSplitsIntoChunksAndKeepsOrder) {
  v1::BatchCreateTrackingsRequest create;
  for (int i = 0; i < 45; ++i) {
    auto* item = create.add_trackings();
    item->set_carrier_code("dhl");
    item->set_tracking_number(absl::StrCat(1000000000 + i));
  }
  v1::BatchCreateTrackingsResponse created;
  auto create_context = ServiceHarness::Context();
  ASSERT_TRUE(
      stub().BatchCreateTrackings(create_context.get(), create, &created).ok());
  ASSERT_EQ(created.created_count(), 45);

  v1::BatchDeleteTrackingsRequest request;
  for (int i = 0; i < 46; ++i) {
    auto* ref = request.add_trackings();
    ref->set_carrier_code("dhl");
    // Item 20 does not exist.
    ref->set_tracking_number(
        i == 20 ? "7777777777"
                : absl::StrCat(1000000000 + (i < 20 ? i : i - 1)));
  }
  const int64_t before = emulator().stats().requests_by_route["batch_delete"];
  v1::BatchDeleteTrackingsResponse response;
  auto context = ServiceHarness::Context();
  ASSERT_TRUE(
      stub().BatchDeleteTrackings(context.get(), request, &response).ok());
  EXPECT_EQ(emulator().stats().requests_by_route["batch_delete"] - before, 2);
  ASSERT_THAT(response.results(), SizeIs(46));
  EXPECT_EQ(response.deleted_count(), 45);
  EXPECT_EQ(response.failed_count(), 1);
  for (int i = 0; i < 46; ++i) {
    EXPECT_EQ(response.results(i).index(), i);
    EXPECT_EQ(response.results(i).tracking_number(),
              request.trackings(i).tracking_number());
    EXPECT_EQ(response.results(i).status().code(),
              i == 20 ? grpc::StatusCode::NOT_FOUND : 0)
        << i;
  }
  EXPECT_EQ(response.results(20).status().meta_code(), 4017);

  v1::ListTrackingsResponse list;
  auto list_context = ServiceHarness::Context();
  ASSERT_TRUE(
      stub()
          .ListTrackings(list_context.get(), v1::ListTrackingsRequest(), &list)
          .ok());
  EXPECT_EQ(list.trackings_size(), 0);
}

TEST_F(ExtendedRpcsE2eTest, BatchDeleteRejectsMissingCarrier) {
  v1::BatchDeleteTrackingsRequest request;
  request.add_trackings()->set_tracking_number("1234567890");
  v1::BatchDeleteTrackingsResponse response;
  auto context = ServiceHarness::Context();
  grpc::Status status =
      stub().BatchDeleteTrackings(context.get(), request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(),
              ::testing::HasSubstr("trackings[0].carrier_code"));
}

TEST_F(ExtendedRpcsE2eTest, BatchDeleteWholeCallFailureFailsTheRpc) {
  SetFaults(R"({"rules":[{"route":"batch_delete","kind":"meta_error",
               "meta_code":4001}]})");
  v1::BatchDeleteTrackingsRequest request;
  auto* ref = request.add_trackings();
  ref->set_carrier_code("dhl");
  ref->set_tracking_number("1234567890");
  v1::BatchDeleteTrackingsResponse response;
  auto context = ServiceHarness::Context();
  grpc::Status status =
      stub().BatchDeleteTrackings(context.get(), request, &response);
  EXPECT_FALSE(status.ok());
  EXPECT_EQ(ReasonOf(status), "UPSTREAM_API_KEY_REJECTED");
}

// --- BatchUpdateTrackings ----------------------------------------------------

TEST_F(ExtendedRpcsE2eTest, BatchUpdateAppliesFieldsPerItem) {
  Create("dhl", "1234567890");
  Create("dhl", "1234567891");
  v1::BatchUpdateTrackingsRequest request;
  for (const char* number : {"1234567890", "8888888888", "1234567891"}) {
    auto* update = request.add_updates();
    update->set_carrier_code("dhl");
    update->set_tracking_number(number);
    update->set_title(absl::StrCat("title ", number));
  }
  v1::BatchUpdateTrackingsResponse response;
  auto context = ServiceHarness::Context();
  ASSERT_TRUE(
      stub().BatchUpdateTrackings(context.get(), request, &response).ok());
  ASSERT_THAT(response.results(), SizeIs(3));
  EXPECT_EQ(response.updated_count(), 2);
  EXPECT_EQ(response.failed_count(), 1);
  EXPECT_EQ(response.results(0).status().code(), 0);
  EXPECT_EQ(response.results(1).status().code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(response.results(2).status().code(), 0);

  v1::GetTrackingRequest get;
  get.set_carrier_code("dhl");
  get.set_tracking_number("1234567891");
  get.set_bypass_cache(true);
  v1::GetTrackingResponse got;
  auto get_context = ServiceHarness::Context();
  ASSERT_TRUE(stub().GetTracking(get_context.get(), get, &got).ok());
  EXPECT_EQ(got.tracking().title(), "title 1234567891");
}

TEST_F(ExtendedRpcsE2eTest, BatchUpdateRejectsEmptyRequest) {
  v1::BatchUpdateTrackingsResponse response;
  auto context = ServiceHarness::Context();
  EXPECT_EQ(stub()
                .BatchUpdateTrackings(
                    context.get(), v1::BatchUpdateTrackingsRequest(), &response)
                .error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

// --- Provider presets --------------------------------------------------------

class ProviderPresetE2eTest : public ::testing::TestWithParam<ProviderPreset> {
};

TEST_P(ProviderPresetE2eTest, PresetHeaderIsAcceptedAndOthersRejected) {
  const ProviderPreset preset = GetParam();
  ServerOptions options = Options();
  ASSERT_THAT(ApplyProviderPreset(preset.name, &options.upstream), IsOk());
  EXPECT_EQ(options.upstream.api_key_header, preset.api_key_header);
  // The harness points the base URL at the emulator; the header stays.
  ServiceHarness harness(options);
  ASSERT_THAT(harness.Start(), IsOk());
  ASSERT_THAT(harness.emulator().SetApiKey(ServiceHarness::kApiKey,
                                           preset.api_key_header),
              IsOk());
  v1::GetAccountInfoResponse response;
  auto context = ServiceHarness::Context();
  grpc::Status status = harness.stub().GetAccountInfo(
      context.get(), v1::GetAccountInfoRequest(), &response);
  EXPECT_TRUE(status.ok()) << status.error_message();

  // The emulator now expects another preset's header: the key is rejected.
  for (const ProviderPreset& other : ProviderPresets()) {
    if (std::string(other.api_key_header) == preset.api_key_header) continue;
    ASSERT_THAT(harness.emulator().SetApiKey(ServiceHarness::kApiKey,
                                             other.api_key_header),
                IsOk());
    v1::ListCarriersRequest request;
    request.set_bypass_cache(true);
    v1::ListCarriersResponse carriers;
    auto other_context = ServiceHarness::Context();
    grpc::Status rejected =
        harness.stub().ListCarriers(other_context.get(), request, &carriers);
    EXPECT_EQ(rejected.error_code(), grpc::StatusCode::FAILED_PRECONDITION)
        << other.name;
    EXPECT_EQ(ReasonOf(rejected), "UPSTREAM_API_KEY_REJECTED") << other.name;
    break;
  }
  harness.Stop();
}

INSTANTIATE_TEST_SUITE_P(
    AllPresets, ProviderPresetE2eTest, ::testing::ValuesIn(ProviderPresets()),
    [](const ::testing::TestParamInfo<ProviderPreset>& info) {
      std::string name;
      for (const char* c = info.param.name; *c != '\0'; ++c) {
        if (std::isalnum(static_cast<unsigned char>(*c))) name += *c;
      }
      return name;
    });

TEST(ProviderPresetOptionsTest, ProviderFlagSetsBaseUrlAndHeader) {
  auto options = ParseServerOptions(
      {"--provider=51tracking-v2"},
      [](const std::string&) { return std::optional<std::string>(); });
  ASSERT_TRUE(options.ok()) << options.status();
  EXPECT_EQ(options->upstream.base_url, "https://api.51tracking.com/v2");
  EXPECT_EQ(options->upstream.api_key_header, "Tracking-Api-Key");
}

TEST(ProviderPresetOptionsTest, ExplicitFlagsOverrideTheEnvPreset) {
  auto options = ParseServerOptions(
      {"--base-url=http://127.0.0.1:1/v2", "--api-key-header=X-Key"},
      [](const std::string& name) {
        return name == "TRACKTRY_PROVIDER"
                   ? std::optional<std::string>("trackru")
                   : std::nullopt;
      });
  ASSERT_TRUE(options.ok()) << options.status();
  EXPECT_EQ(options->upstream.base_url, "http://127.0.0.1:1/v2");
  EXPECT_EQ(options->upstream.api_key_header, "X-Key");
}

TEST(ProviderPresetOptionsTest, UnknownProviderIsRejected) {
  auto options = ParseServerOptions(
      {"--provider=aftership"},
      [](const std::string&) { return std::optional<std::string>(); });
  EXPECT_EQ(options.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(options.status().message()),
              ::testing::HasSubstr("trackingmore-v2"));
}

}  // namespace
}  // namespace tracktry
