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
// Every RPC of the proto must be listed in TRACKTRY_TRACKING_SERVICE_RPCS
// below (request/response types follow buf's standard names, so the list
// is all there is to it); tests/ops/auth_test.cc calls every method of the
// service descriptor and fails when one is left UNIMPLEMENTED.
#ifndef TRACKTRY_SERVICE_RPC_AUTHENTICATING_TRACKING_SERVICE_H_
#define TRACKTRY_SERVICE_RPC_AUTHENTICATING_TRACKING_SERVICE_H_

#include "grpcpp/grpcpp.h"
#include "service/ops/bearer_token_authenticator.h"
#include "service/ops/rpc_observer.h"
#include "tracktry/v1/tracking_service.grpc.pb.h"

namespace tracktry {

// Every TrackingService RPC: UNARY(Method) or SERVER_STREAM(Method).
#define TRACKTRY_TRACKING_SERVICE_RPCS(UNARY, SERVER_STREAM) \
  UNARY(CreateTracking)                                      \
  UNARY(GetTracking)                                         \
  UNARY(UpdateTracking)                                      \
  UNARY(DeleteTracking)                                      \
  UNARY(BatchCreateTrackings)                                \
  UNARY(ListTrackings)                                       \
  UNARY(GetRealtimeTracking)                                 \
  UNARY(ListCarriers)                                        \
  UNARY(DetectCarrier)                                       \
  SERVER_STREAM(WatchTracking)                               \
  UNARY(ChangeTrackingCarrier)                               \
  UNARY(GetAccountInfo)                                      \
  UNARY(CountTrackingsByStatus)                              \
  UNARY(StopTrackingUpdates)                                 \
  UNARY(CheckRemoteAreas)                                    \
  UNARY(GetTransitTimes)                                     \
  UNARY(BatchDeleteTrackings)                                \
  UNARY(BatchUpdateTrackings)                                \
  SERVER_STREAM(ExportTrackings)

// Thread-safe. `inner`, `authenticator` and `observer` (may be null) are not
// owned and must outlive the service and every RPC it serves.
class AuthenticatingTrackingService final
    : public v1::TrackingService::CallbackService {
 public:
  AuthenticatingTrackingService(v1::TrackingService::CallbackService* inner,
                                const BearerTokenAuthenticator* authenticator,
                                RpcObserver* observer);

#define TRACKTRY_DECLARE_UNARY(Method)                                   \
  grpc::ServerUnaryReactor* Method(grpc::CallbackServerContext* context, \
                                   const v1::Method##Request* request,   \
                                   v1::Method##Response* response) override;
#define TRACKTRY_DECLARE_SERVER_STREAM(Method)            \
  grpc::ServerWriteReactor<v1::Method##Response>* Method( \
      grpc::CallbackServerContext* context,               \
      const v1::Method##Request* request) override;
  TRACKTRY_TRACKING_SERVICE_RPCS(TRACKTRY_DECLARE_UNARY,
                                 TRACKTRY_DECLARE_SERVER_STREAM)
#undef TRACKTRY_DECLARE_UNARY
#undef TRACKTRY_DECLARE_SERVER_STREAM

 private:
  // OK when the caller is authenticated; otherwise the UNAUTHENTICATED
  // status, already reported to the observer.
  absl::Status Authenticate(grpc::CallbackServerContext* context,
                            const char* method);

  v1::TrackingService::CallbackService* const inner_;
  const BearerTokenAuthenticator* const authenticator_;
  RpcObserver* const observer_;
};

}  // namespace tracktry

#endif  // TRACKTRY_SERVICE_RPC_AUTHENTICATING_TRACKING_SERVICE_H_
