// Copyright 2026 The tracktry-grpc Authors.
//
// TrackingHandlers: one handler per tracktry.v1.TrackingService RPC, as
// served on the async API (AsyncTrackingService). A unary handler gets the
// RPC's context, request and response (valid until the reactor's OnDone);
// a server-streaming handler gets the context and request. Each attaches an
// RpcReactor that finishes the RPC, or answers at once (RpcContext::FinishNow).
//
// Every RPC of the proto must be listed in TRACKTRY_TRACKING_SERVICE_RPCS
// below (request/response types follow buf's standard names, so the list is
// all there is to it); tests/ops/auth_test.cc calls every method of the
// service descriptor and fails when one is left UNIMPLEMENTED.
#ifndef TRACKTRY_SERVICE_RPC_TRACKING_HANDLERS_H_
#define TRACKTRY_SERVICE_RPC_TRACKING_HANDLERS_H_

#include "service/rpc/rpc_context.h"
#include "tracktry/v1/tracking_service.pb.h"

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

// Declares every handler, with `SUFFIX` after each (`= 0`, `override`).
#define TRACKTRY_DECLARE_UNARY_HANDLER(Method, SUFFIX)                         \
  virtual void Method(RpcContext* context, const v1::Method##Request* request, \
                      v1::Method##Response* response) SUFFIX;
#define TRACKTRY_DECLARE_STREAM_HANDLER(Method, SUFFIX)                        \
  virtual void Method(RpcContext* context, const v1::Method##Request* request) \
      SUFFIX;

// In a class implementing TrackingHandlers: every handler's declaration.
#define TRACKTRY_UNARY_HANDLER_OVERRIDE(Method) \
  TRACKTRY_DECLARE_UNARY_HANDLER(Method, override)
#define TRACKTRY_STREAM_HANDLER_OVERRIDE(Method) \
  TRACKTRY_DECLARE_STREAM_HANDLER(Method, override)
#define TRACKTRY_TRACKING_HANDLER_OVERRIDES                       \
  TRACKTRY_TRACKING_SERVICE_RPCS(TRACKTRY_UNARY_HANDLER_OVERRIDE, \
                                 TRACKTRY_STREAM_HANDLER_OVERRIDE)

class TrackingHandlers {
 public:
  virtual ~TrackingHandlers() = default;

#define TRACKTRY_UNARY(Method) TRACKTRY_DECLARE_UNARY_HANDLER(Method, = 0)
#define TRACKTRY_STREAM(Method) TRACKTRY_DECLARE_STREAM_HANDLER(Method, = 0)
  TRACKTRY_TRACKING_SERVICE_RPCS(TRACKTRY_UNARY, TRACKTRY_STREAM)
#undef TRACKTRY_UNARY
#undef TRACKTRY_STREAM
};

}  // namespace tracktry

#endif  // TRACKTRY_SERVICE_RPC_TRACKING_HANDLERS_H_
