// Copyright 2026 The tracktry-grpc Authors.
//
// AsyncTrackingService: tracktry.v1.TrackingService on gRPC's async API,
// every RPC handed to a TrackingHandlers (the service itself, or the
// authenticating decorator in front of it).
//
// Usage: builder.RegisterService(service.grpc_service()); the server built,
// service.methods().Arm(&threads).
#ifndef TRACKTRY_SERVICE_RPC_ASYNC_TRACKING_SERVICE_H_
#define TRACKTRY_SERVICE_RPC_ASYNC_TRACKING_SERVICE_H_

#include "service/rpc/async_methods.h"
#include "service/rpc/tracking_handlers.h"
#include "tracktry/v1/tracking_service.grpc.pb.h"

namespace tracktry {

class AsyncTrackingService {
 public:
  // `handlers` is not owned and must outlive every RPC.
  explicit AsyncTrackingService(TrackingHandlers* handlers);

  AsyncTrackingService(const AsyncTrackingService&) = delete;
  AsyncTrackingService& operator=(const AsyncTrackingService&) = delete;

  grpc::Service* grpc_service() { return &service_; }
  const AsyncMethods& methods() const { return methods_; }

 private:
  v1::TrackingService::AsyncService service_;
  AsyncMethods methods_;
};

}  // namespace tracktry

#endif  // TRACKTRY_SERVICE_RPC_ASYNC_TRACKING_SERVICE_H_
