// Copyright 2026 The tracktry-grpc Authors.
//
// TrackingServiceImpl::WatchTracking (kept apart from the unary RPCs).
#include "service/rpc/tracking_service_impl.h"
#include "service/rpc/watch_reactor.h"

namespace tracktry {

void TrackingServiceImpl::WatchTracking(
    RpcContext* context, const v1::WatchTrackingRequest* request) {
  auto* reactor = new WatchReactor(context, watch_hub_, observer_);
  reactor->Start(*request);
}

}  // namespace tracktry
