// Copyright 2026 The tracktry-grpc Authors.
//
// TrackingClient: a thin, deadline-setting C++ wrapper over the generated
// tracktry.v1.TrackingService stub that returns absl::StatusOr.
//
// EXAMPLE:
//   tracktry::TrackingClient::Options options;
//   options.target = "tracktry.example.internal:50051";
//   options.bearer_token = token;
//   ASSIGN_OR_RETURN(auto client, tracktry::TrackingClient::Create(options));
//   tracktry::v1::GetTrackingRequest request;
//   request.set_carrier_code("dhl");
//   request.set_tracking_number("1234567890");
//   tracktry::TrackingClient::CallOptions call_options;
//   call_options.deadline = absl::Seconds(2);
//   absl::StatusOr<tracktry::v1::GetTrackingResponse> response =
//       client->GetTracking(request, call_options);
//   if (!response.ok()) {
//     if (auto info = tracktry::GetErrorInfo(response.status())) ...
//   }
#ifndef TRACKTRY_CLIENT_TRACKING_CLIENT_H_
#define TRACKTRY_CLIENT_TRACKING_CLIENT_H_

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "grpcpp/channel.h"
#include "grpcpp/client_context.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/support/channel_arguments.h"
#include "tracktry/v1/tracking_service.grpc.pb.h"

namespace tracktry {

// Channel arguments every TrackingClient channel starts from:
// - keepalive: ping after 60 s without activity while calls are in flight,
//   drop the connection when a ping gets no answer within 20 s
//   (GRPC_ARG_KEEPALIVE_TIME_MS / GRPC_ARG_KEEPALIVE_TIMEOUT_MS);
// - a default service config (kClientServiceConfigJson) that retries
//   UNAVAILABLE for the idempotent methods only.
grpc::ChannelArguments DefaultClientChannelArguments();

// The default service config set by DefaultClientChannelArguments():
// GetTracking, ListTrackings, ListCarriers, DetectCarrier and
// GetRealtimeTracking are retried on UNAVAILABLE with maxAttempts 3 and
// exponential backoff 0.1 s .. 1 s (multiplier 2). The mutating methods
// (Create/Update/Delete/BatchCreate) are never retried by the channel.
extern const char kClientServiceConfigJson[];

// Options of TrackingClient::Create (also TrackingClient::Options).
struct TrackingClientOptions {
  // gRPC target, such as "127.0.0.1:50051" or "dns:///tracktry:50051".
  std::string target = "127.0.0.1:50051";
  // Deadline of every call whose CallOptions name none. Must be positive.
  absl::Duration default_deadline = absl::Seconds(10);
  // Channel credentials; null means grpc::InsecureChannelCredentials().
  std::shared_ptr<grpc::ChannelCredentials> credentials;
  // When not empty, every call sends "authorization: Bearer <token>"
  // metadata. It is sent as plain metadata, so use TLS credentials when the
  // network is not trusted.
  std::string bearer_token;
  // Channel arguments. Add to the defaults rather than replacing them:
  //   options.channel_args.SetInt(GRPC_ARG_MAX_RECEIVE_MESSAGE_LENGTH, ...);
  grpc::ChannelArguments channel_args = DefaultClientChannelArguments();
};

// Per-call options (also TrackingClient::CallOptions).
struct TrackingCallOptions {
  // Deadline relative to the start of the call; default_deadline when
  // unset. Must be positive; absl::InfiniteDuration() sends no deadline
  // (discouraged).
  std::optional<absl::Duration> deadline;
  // Extra request metadata. Keys must be lower-case [0-9a-z_.-], must not
  // start with "grpc-"; values of keys not ending in "-bin" must be
  // printable ASCII. Sent in addition to the bearer token.
  std::vector<std::pair<std::string, std::string>> metadata;
};

// A client of tracktry.v1.TrackingService.
//
// Every method sends exactly one RPC (the channel may retry idempotent
// methods, see kClientServiceConfigJson) with a deadline, and returns the
// response or the RPC's status converted by FromGrpcStatus, so error
// details are readable with GetErrorInfo / GetRetryDelay / GetBadRequest
// from common/error_details.h. Status codes are the server's (see
// the RPC comments in tracking_service.proto), plus:
// - kInvalidArgument, without sending anything, when the effective deadline
//   is not positive or CallOptions::metadata is malformed;
// - kDeadlineExceeded when the deadline expires;
// - kUnavailable when the server cannot be reached.
//
// Thread safety: all methods are const and may be called concurrently from
// any number of threads (the generated stub is thread-safe).
class TrackingClient final {
 public:
  using Options = TrackingClientOptions;
  using CallOptions = TrackingCallOptions;
  // Called once per page by ListAllTrackings, in order. A non-OK return
  // stops the iteration and is returned by ListAllTrackings.
  using PageCallback =
      std::function<absl::Status(const v1::ListTrackingsResponse& page)>;

  // Creates a channel to options.target and a client over it. Returns
  // kInvalidArgument when the target is empty or default_deadline is not
  // positive. Connecting is lazy: an unreachable server shows up as
  // kUnavailable on the first call, not here.
  static absl::StatusOr<std::unique_ptr<TrackingClient>> Create(
      Options options);

  // Wraps an existing stub (a real stub over any channel, e.g.
  // grpc::Server::InProcessChannel, or the generated
  // v1::MockTrackingServiceStub). Takes ownership of `stub`, which must not
  // be null. options.target, credentials and channel_args are ignored.
  explicit TrackingClient(
      std::unique_ptr<v1::TrackingService::StubInterface> stub,
      Options options = Options());

  TrackingClient(const TrackingClient&) = delete;
  TrackingClient& operator=(const TrackingClient&) = delete;

  // One method per RPC; see tracking_service.proto for semantics and codes.
  absl::StatusOr<v1::CreateTrackingResponse> CreateTracking(
      const v1::CreateTrackingRequest& request,
      const CallOptions& call_options = {}) const;
  absl::StatusOr<v1::GetTrackingResponse> GetTracking(
      const v1::GetTrackingRequest& request,
      const CallOptions& call_options = {}) const;
  absl::StatusOr<v1::UpdateTrackingResponse> UpdateTracking(
      const v1::UpdateTrackingRequest& request,
      const CallOptions& call_options = {}) const;
  absl::StatusOr<v1::DeleteTrackingResponse> DeleteTracking(
      const v1::DeleteTrackingRequest& request,
      const CallOptions& call_options = {}) const;
  absl::StatusOr<v1::BatchCreateTrackingsResponse> BatchCreateTrackings(
      const v1::BatchCreateTrackingsRequest& request,
      const CallOptions& call_options = {}) const;
  absl::StatusOr<v1::ListTrackingsResponse> ListTrackings(
      const v1::ListTrackingsRequest& request,
      const CallOptions& call_options = {}) const;
  absl::StatusOr<v1::GetRealtimeTrackingResponse> GetRealtimeTracking(
      const v1::GetRealtimeTrackingRequest& request,
      const CallOptions& call_options = {}) const;
  absl::StatusOr<v1::ListCarriersResponse> ListCarriers(
      const v1::ListCarriersRequest& request = {},
      const CallOptions& call_options = {}) const;
  absl::StatusOr<v1::DetectCarrierResponse> DetectCarrier(
      const v1::DetectCarrierRequest& request,
      const CallOptions& call_options = {}) const;

  // Calls ListTrackings from request.page_token (usually empty) and follows
  // next_page_token until it is empty, calling `on_page` for every page.
  // Each page is one RPC with its own deadline from `call_options`. Returns
  // the first error of an RPC or of `on_page`; kInternal if the server
  // returns the page token it was just given (which would loop forever).
  absl::Status ListAllTrackings(const v1::ListTrackingsRequest& request,
                                const PageCallback& on_page,
                                const CallOptions& call_options = {}) const;

  // As above, collecting the trackings of every page, in order.
  absl::StatusOr<std::vector<v1::Tracking>> ListAllTrackings(
      const v1::ListTrackingsRequest& request,
      const CallOptions& call_options = {}) const;

  const Options& options() const { return options_; }

 private:
  template <typename Request, typename Response>
  using StubMethod = grpc::Status (v1::TrackingService::StubInterface::*)(
      grpc::ClientContext*, const Request&, Response*);

  // Sends one unary RPC through `method` with a configured context.
  template <typename Request, typename Response>
  absl::StatusOr<Response> Call(StubMethod<Request, Response> method,
                                const Request& request,
                                const CallOptions& call_options) const;

  // Sets the deadline and metadata of `context`; kInvalidArgument on bad
  // options.
  absl::Status PrepareContext(const CallOptions& call_options,
                              grpc::ClientContext& context) const;

  const Options options_;
  const std::unique_ptr<v1::TrackingService::StubInterface> stub_;
};

}  // namespace tracktry

#endif  // TRACKTRY_CLIENT_TRACKING_CLIENT_H_
