// Copyright 2026 The tracktry-grpc Authors.
#include "client/tracking_client.h"

#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "client/grpc_status_conversion.h"
#include "common/status_macros.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/support/channel_arguments.h"

namespace tracktry {
namespace {

// Mirrors grpc's own header validation (grpc_header_key_is_legal /
// grpc_header_nonbin_value_is_legal) so bad metadata fails with a clear
// kInvalidArgument instead of a transport-level error.
bool IsLegalMetadataKey(absl::string_view key) {
  if (key.empty() || absl::StartsWith(key, "grpc-")) return false;
  for (char c : key) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_' || c == '.';
    if (!ok) return false;
  }
  return true;
}

bool IsLegalMetadataValue(absl::string_view key, absl::string_view value) {
  if (absl::EndsWith(key, "-bin")) return true;
  for (char c : value) {
    if (c < 0x20 || c > 0x7e) return false;
  }
  return true;
}

}  // namespace

const char kClientServiceConfigJson[] = R"json({
  "methodConfig": [{
    "name": [
      {"service": "tracktry.v1.TrackingService", "method": "GetTracking"},
      {"service": "tracktry.v1.TrackingService", "method": "ListTrackings"},
      {"service": "tracktry.v1.TrackingService", "method": "ListCarriers"},
      {"service": "tracktry.v1.TrackingService", "method": "DetectCarrier"},
      {"service": "tracktry.v1.TrackingService", "method": "GetRealtimeTracking"}
    ],
    "retryPolicy": {
      "maxAttempts": 3,
      "initialBackoff": "0.1s",
      "maxBackoff": "1s",
      "backoffMultiplier": 2,
      "retryableStatusCodes": ["UNAVAILABLE"]
    }
  }]
})json";

grpc::ChannelArguments DefaultClientChannelArguments() {
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_KEEPALIVE_TIME_MS, 60 * 1000);
  args.SetInt(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, 20 * 1000);
  args.SetInt(GRPC_ARG_ENABLE_RETRIES, 1);
  args.SetServiceConfigJSON(kClientServiceConfigJson);
  return args;
}

absl::StatusOr<std::unique_ptr<TrackingClient>> TrackingClient::Create(
    Options options) {
  if (options.target.empty()) {
    return absl::InvalidArgumentError("TrackingClient: target is empty");
  }
  if (options.default_deadline <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError(
        "TrackingClient: default_deadline must be positive");
  }
  std::shared_ptr<grpc::ChannelCredentials> credentials =
      options.credentials != nullptr ? options.credentials
                                     : grpc::InsecureChannelCredentials();
  std::shared_ptr<grpc::Channel> channel = grpc::CreateCustomChannel(
      options.target, credentials, options.channel_args);
  return std::make_unique<TrackingClient>(v1::TrackingService::NewStub(channel),
                                          std::move(options));
}

TrackingClient::TrackingClient(
    std::unique_ptr<v1::TrackingService::StubInterface> stub, Options options)
    : options_(std::move(options)), stub_(std::move(stub)) {}

absl::Status TrackingClient::PrepareContext(
    const CallOptions& call_options, grpc::ClientContext& context) const {
  const absl::Duration deadline =
      call_options.deadline.value_or(options_.default_deadline);
  if (deadline <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError(
        absl::StrCat("TrackingClient: deadline must be positive, got ",
                     absl::FormatDuration(deadline)));
  }
  if (deadline != absl::InfiniteDuration()) {
    context.set_deadline(absl::ToChronoTime(absl::Now() + deadline));
  }
  if (!options_.bearer_token.empty()) {
    if (!IsLegalMetadataValue("authorization", options_.bearer_token)) {
      return absl::InvalidArgumentError(
          "TrackingClient: bearer token contains non-printable characters");
    }
    context.AddMetadata("authorization",
                        absl::StrCat("Bearer ", options_.bearer_token));
  }
  for (const auto& [key, value] : call_options.metadata) {
    if (!IsLegalMetadataKey(key)) {
      return absl::InvalidArgumentError(
          absl::StrCat("TrackingClient: illegal metadata key \"",
                       absl::CHexEscape(key), "\""));
    }
    if (!IsLegalMetadataValue(key, value)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "TrackingClient: illegal value for metadata key \"", key, "\""));
    }
    context.AddMetadata(key, value);
  }
  return absl::OkStatus();
}

template <typename Request, typename Response>
absl::StatusOr<Response> TrackingClient::Call(
    StubMethod<Request, Response> method, const Request& request,
    const CallOptions& call_options) const {
  grpc::ClientContext context;
  RETURN_IF_ERROR(PrepareContext(call_options, context));
  Response response;
  grpc::Status status = ((*stub_).*method)(&context, request, &response);
  if (!status.ok()) return FromGrpcStatus(status);
  return response;
}

absl::StatusOr<v1::CreateTrackingResponse> TrackingClient::CreateTracking(
    const v1::CreateTrackingRequest& request,
    const CallOptions& call_options) const {
  return Call(&v1::TrackingService::StubInterface::CreateTracking, request,
              call_options);
}

absl::StatusOr<v1::GetTrackingResponse> TrackingClient::GetTracking(
    const v1::GetTrackingRequest& request,
    const CallOptions& call_options) const {
  return Call(&v1::TrackingService::StubInterface::GetTracking, request,
              call_options);
}

absl::StatusOr<v1::UpdateTrackingResponse> TrackingClient::UpdateTracking(
    const v1::UpdateTrackingRequest& request,
    const CallOptions& call_options) const {
  return Call(&v1::TrackingService::StubInterface::UpdateTracking, request,
              call_options);
}

absl::StatusOr<v1::DeleteTrackingResponse> TrackingClient::DeleteTracking(
    const v1::DeleteTrackingRequest& request,
    const CallOptions& call_options) const {
  return Call(&v1::TrackingService::StubInterface::DeleteTracking, request,
              call_options);
}

absl::StatusOr<v1::BatchCreateTrackingsResponse>
TrackingClient::BatchCreateTrackings(
    const v1::BatchCreateTrackingsRequest& request,
    const CallOptions& call_options) const {
  return Call(&v1::TrackingService::StubInterface::BatchCreateTrackings,
              request, call_options);
}

absl::StatusOr<v1::ListTrackingsResponse> TrackingClient::ListTrackings(
    const v1::ListTrackingsRequest& request,
    const CallOptions& call_options) const {
  return Call(&v1::TrackingService::StubInterface::ListTrackings, request,
              call_options);
}

absl::StatusOr<v1::GetRealtimeTrackingResponse>
TrackingClient::GetRealtimeTracking(
    const v1::GetRealtimeTrackingRequest& request,
    const CallOptions& call_options) const {
  return Call(&v1::TrackingService::StubInterface::GetRealtimeTracking, request,
              call_options);
}

absl::StatusOr<v1::ListCarriersResponse> TrackingClient::ListCarriers(
    const v1::ListCarriersRequest& request,
    const CallOptions& call_options) const {
  return Call(&v1::TrackingService::StubInterface::ListCarriers, request,
              call_options);
}

absl::StatusOr<v1::DetectCarrierResponse> TrackingClient::DetectCarrier(
    const v1::DetectCarrierRequest& request,
    const CallOptions& call_options) const {
  return Call(&v1::TrackingService::StubInterface::DetectCarrier, request,
              call_options);
}

absl::Status TrackingClient::ListAllTrackings(
    const v1::ListTrackingsRequest& request, const PageCallback& on_page,
    const CallOptions& call_options) const {
  v1::ListTrackingsRequest page_request = request;
  while (true) {
    ASSIGN_OR_RETURN(v1::ListTrackingsResponse page,
                     ListTrackings(page_request, call_options));
    RETURN_IF_ERROR(on_page(page));
    if (page.next_page_token().empty()) return absl::OkStatus();
    if (page.next_page_token() == page_request.page_token()) {
      return absl::InternalError(
          "ListTrackings returned the page token it was given");
    }
    page_request.set_page_token(page.next_page_token());
  }
}

absl::StatusOr<std::vector<v1::Tracking>> TrackingClient::ListAllTrackings(
    const v1::ListTrackingsRequest& request,
    const CallOptions& call_options) const {
  std::vector<v1::Tracking> trackings;
  RETURN_IF_ERROR(ListAllTrackings(
      request,
      [&trackings](const v1::ListTrackingsResponse& page) {
        trackings.insert(trackings.end(), page.trackings().begin(),
                         page.trackings().end());
        return absl::OkStatus();
      },
      call_options));
  return trackings;
}

}  // namespace tracktry
