// Copyright 2026 The tracktry-grpc Authors.
//
// AuthenticatingTrackingService: a tracktry.v1.TrackingService decorator
// that requires "authorization: Bearer <token>" on every RPC before handing
// it to the real service. Rejected RPCs finish at once with UNAUTHENTICATED
// (ErrorInfo reason MISSING_CREDENTIALS or INVALID_CREDENTIALS) and are
// reported to the RpcObserver like any other RPC (access log, metrics).
// Health and reflection are separate gRPC services and stay open.
//
// It is a service decorator rather than a grpc::AuthMetadataProcessor
// (which needs TLS credentials and cannot attach error details) or a server
// interceptor (which in gRPC 1.51 cannot fail an RPC with a chosen status).
// Every RPC of TrackingHandlers is decorated (TRACKTRY_TRACKING_SERVICE_RPCS).
#ifndef TRACKTRY_SERVICE_RPC_AUTHENTICATING_TRACKING_SERVICE_H_
#define TRACKTRY_SERVICE_RPC_AUTHENTICATING_TRACKING_SERVICE_H_

#include "service/ops/bearer_token_authenticator.h"
#include "service/ops/rpc_observer.h"
#include "service/rpc/rpc_context.h"
#include "service/rpc/tracking_handlers.h"

namespace tracktry {

// Thread-safe. `inner`, `authenticator` and `observer` (may be null) are not
// owned and must outlive the service and every RPC it serves.
class AuthenticatingTrackingService final : public TrackingHandlers {
 public:
  AuthenticatingTrackingService(TrackingHandlers* inner,
                                const BearerTokenAuthenticator* authenticator,
                                RpcObserver* observer);

  TRACKTRY_TRACKING_HANDLER_OVERRIDES

 private:
  // OK when the caller is authenticated; otherwise the UNAUTHENTICATED
  // status, already reported to the observer.
  absl::Status Authenticate(RpcContext* context, const char* method);

  TrackingHandlers* const inner_;
  const BearerTokenAuthenticator* const authenticator_;
  RpcObserver* const observer_;
};

}  // namespace tracktry

#endif  // TRACKTRY_SERVICE_RPC_AUTHENTICATING_TRACKING_SERVICE_H_
