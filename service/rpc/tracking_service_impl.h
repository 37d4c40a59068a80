// Copyright 2026 The tracktry-grpc Authors.
//
// TrackingServiceImpl: the tracktry.v1.TrackingService adapter (served on
// gRPC's async API by AsyncTrackingService). Each RPC handler does three
// things: validate the request (INVALID_ARGUMENT naming the field, before any
// upstream call), start the Tracktry operation (service/tracktry_api) on the
// RPC's call scope without blocking, and complete the RPC with the operation's
// status (converted to grpc::Status once, at the edge, by UpstreamReactor).
#ifndef TRACKTRY_SERVICE_RPC_TRACKING_SERVICE_IMPL_H_
#define TRACKTRY_SERVICE_RPC_TRACKING_SERVICE_IMPL_H_

#include <optional>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "service/live/watch_hub.h"
#include "service/ops/rpc_observer.h"
#include "service/rpc/rpc_context.h"
#include "service/rpc/tracking_handlers.h"
#include "service/rpc/upstream_reactor.h"
#include "service/tracktry_api/cached_reads.h"
#include "service/tracktry_api/upstream_caller.h"

namespace tracktry {

struct TrackingServiceOptions {
  // Deadline applied when the caller sends none.
  absl::Duration default_deadline = absl::Seconds(30);
  // Same, for GetRealtimeTracking (carriers are queried live).
  absl::Duration realtime_deadline = absl::Seconds(60);
  // Items per upstream /trackings/batch call (Tracktry accepts 40).
  int batch_chunk_size = 40;
  // ListTrackings page size when the request has none, and the cap.
  int default_page_size = 100;
  int max_page_size = 2000;
};

// Thread-safe. `upstream` and `observer` (may be null) are not owned and must
// outlive the service and every RPC it serves.
class TrackingServiceImpl final : public TrackingHandlers {
 public:
  TrackingServiceImpl(UpstreamCaller* upstream, RpcObserver* observer,
                      TrackingServiceOptions options);

  // GetTracking answers what `cache` holds at once, on the gRPC thread that
  // received the call, instead of through the upstream chain (whose cache
  // hits complete on the scheduler thread). `cache` is the read cache of
  // the chain below `upstream` (its CachingCaller); not owned, must outlive
  // every RPC. Call before serving.
  void SetCachedReads(CachedReads* cache) { cached_reads_ = cache; }
  // WatchTracking answers UNIMPLEMENTED until this was called. `hub` is not
  // owned and must outlive every RPC. Call before serving.
  void SetWatchHub(WatchHub* hub) { watch_hub_ = hub; }

  // TrackingHandlers: one per RPC (WatchTracking in watch_tracking.cc,
  // the extended RPCs in tracking_service_extended.cc). ExportTrackings is
  // served by an ExportTrackingsReactor.
  TRACKTRY_TRACKING_HANDLER_OVERRIDES

 private:
  // The skeleton of every unary RPC: a reactor for `method` (deadline: the
  // caller's, else `default_deadline`), then either the validation error or
  // `start(upstream, deadline, done)`, which starts the operation on the
  // RPC's call scope and ends in `done`.
  template <typename Start>
  void Serve(RpcContext* context, const char* method, const absl::Status& valid,
             Start start,
             std::optional<absl::Duration> default_deadline = std::nullopt) {
    auto* reactor = new UpstreamReactor(
        context, upstream_, observer_, method,
        default_deadline.value_or(options_.default_deadline));
    if (!valid.ok()) {
      reactor->Complete(valid);
    } else {
      reactor->Run([&] {
        start(reactor->upstream(), reactor->deadline(), reactor->Completer());
      });
    }
  }

  UpstreamCaller* const upstream_;
  RpcObserver* const observer_;
  const TrackingServiceOptions options_;
  CachedReads* cached_reads_ = nullptr;
  WatchHub* watch_hub_ = nullptr;
};

}  // namespace tracktry

#endif  // TRACKTRY_SERVICE_RPC_TRACKING_SERVICE_IMPL_H_
