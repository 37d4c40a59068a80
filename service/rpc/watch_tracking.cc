// Copyright 2026 The tracktry-grpc Authors.
//
// TrackingServiceImpl::WatchTracking (kept apart from the unary RPCs).
#include "service/rpc/tracking_service_impl.h"
#include "service/rpc/watch_reactor.h"

namespace tracktry {

grpc::ServerWriteReactor<v1::WatchTrackingResponse>*
TrackingServiceImpl::WatchTracking(grpc::CallbackServerContext* context,
                                   const v1::WatchTrackingRequest* request) {
  auto* reactor = new WatchReactor(context, watch_hub_, observer_);
  reactor->Start(*request);
  return reactor;
}

}  // namespace tracktry
