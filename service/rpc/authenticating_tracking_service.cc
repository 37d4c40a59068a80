// Copyright 2026 The tracktry-grpc Authors.
#include "service/rpc/authenticating_tracking_service.h"

#include <algorithm>
#include <string>

#include "absl/time/clock.h"
#include "service/errors/grpc_status.h"

namespace tracktry {
AuthenticatingTrackingService::AuthenticatingTrackingService(
    TrackingHandlers* inner, const BearerTokenAuthenticator* authenticator,
    RpcObserver* observer)
    : inner_(inner), authenticator_(authenticator), observer_(observer) {}

absl::Status AuthenticatingTrackingService::Authenticate(RpcContext* context,
                                                         const char* method) {
  const absl::Time start = absl::Now();
  const auto& metadata = context->client_metadata();
  absl::string_view authorization;
  if (auto it = metadata.find("authorization"); it != metadata.end()) {
    authorization = absl::string_view(it->second.data(), it->second.size());
  }
  absl::Status status = authenticator_->Check(authorization);
  if (status.ok() || observer_ == nullptr) return status;
  observer_->OnRpcStarted(method);
  RpcRecord record;
  record.method = method;
  record.code = status.code();
  if (auto it = metadata.find("x-request-id"); it != metadata.end()) {
    record.request_id.assign(it->second.data(),
                             std::min<size_t>(it->second.size(), 128));
  }
  record.latency = absl::Now() - start;
  observer_->OnRpcFinished(record);
  return status;
}

// Each RPC: the authentication check, then the real service.
#define TRACKTRY_DEFINE_UNARY(Method)                                         \
  void AuthenticatingTrackingService::Method(                                 \
      RpcContext* context, const v1::Method##Request* request,                \
      v1::Method##Response* response) {                                       \
    if (absl::Status status = Authenticate(context, #Method); !status.ok()) { \
      return context->FinishNow(ToGrpcStatus(status));                        \
    }                                                                         \
    inner_->Method(context, request, response);                               \
  }
#define TRACKTRY_DEFINE_SERVER_STREAM(Method)                                 \
  void AuthenticatingTrackingService::Method(                                 \
      RpcContext* context, const v1::Method##Request* request) {              \
    if (absl::Status status = Authenticate(context, #Method); !status.ok()) { \
      return context->FinishNow(ToGrpcStatus(status));                        \
    }                                                                         \
    inner_->Method(context, request);                                         \
  }

TRACKTRY_TRACKING_SERVICE_RPCS(TRACKTRY_DEFINE_UNARY,
                               TRACKTRY_DEFINE_SERVER_STREAM)

#undef TRACKTRY_DEFINE_UNARY
#undef TRACKTRY_DEFINE_SERVER_STREAM

}  // namespace tracktry
