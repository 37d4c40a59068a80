// Copyright 2026 The tracktry-grpc Authors.
//
// TrackingServiceImpl: the tracktry.v1.TrackingService adapter on the gRPC
// callback API. Each RPC handler does three things: validate the request
// (INVALID_ARGUMENT naming the field, before any upstream call), start the
// Tracktry operation (service/tracktry_api) on the RPC's call scope without
// blocking, and complete the RPC with the operation's status (converted to
// grpc::Status once, at the edge, by UpstreamReactor).
#ifndef TRACKTRY_SERVICE_RPC_TRACKING_SERVICE_IMPL_H_
#define TRACKTRY_SERVICE_RPC_TRACKING_SERVICE_IMPL_H_

#include <optional>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "service/live/watch_hub.h"
#include "service/ops/rpc_observer.h"
#include "service/rpc/arena_message_allocator.h"
#include "service/rpc/upstream_reactor.h"
#include "service/tracktry_api/upstream_caller.h"
#include "tracktry/v1/tracking_service.grpc.pb.h"

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
class TrackingServiceImpl final : public v1::TrackingService::CallbackService {
 public:
  TrackingServiceImpl(UpstreamCaller* upstream, RpcObserver* observer,
                      TrackingServiceOptions options);

  grpc::ServerUnaryReactor* CreateTracking(
      grpc::CallbackServerContext* context,
      const v1::CreateTrackingRequest* request,
      v1::CreateTrackingResponse* response) override;
  grpc::ServerUnaryReactor* GetTracking(
      grpc::CallbackServerContext* context,
      const v1::GetTrackingRequest* request,
      v1::GetTrackingResponse* response) override;
  grpc::ServerUnaryReactor* UpdateTracking(
      grpc::CallbackServerContext* context,
      const v1::UpdateTrackingRequest* request,
      v1::UpdateTrackingResponse* response) override;
  grpc::ServerUnaryReactor* DeleteTracking(
      grpc::CallbackServerContext* context,
      const v1::DeleteTrackingRequest* request,
      v1::DeleteTrackingResponse* response) override;
  grpc::ServerUnaryReactor* BatchCreateTrackings(
      grpc::CallbackServerContext* context,
      const v1::BatchCreateTrackingsRequest* request,
      v1::BatchCreateTrackingsResponse* response) override;
  grpc::ServerUnaryReactor* ListTrackings(
      grpc::CallbackServerContext* context,
      const v1::ListTrackingsRequest* request,
      v1::ListTrackingsResponse* response) override;
  grpc::ServerUnaryReactor* GetRealtimeTracking(
      grpc::CallbackServerContext* context,
      const v1::GetRealtimeTrackingRequest* request,
      v1::GetRealtimeTrackingResponse* response) override;
  grpc::ServerUnaryReactor* ListCarriers(
      grpc::CallbackServerContext* context,
      const v1::ListCarriersRequest* request,
      v1::ListCarriersResponse* response) override;
  grpc::ServerUnaryReactor* DetectCarrier(
      grpc::CallbackServerContext* context,
      const v1::DetectCarrierRequest* request,
      v1::DetectCarrierResponse* response) override;

  // --- Extended RPCs (tracking_service_extended.cc). ---
  grpc::ServerUnaryReactor* ChangeTrackingCarrier(
      grpc::CallbackServerContext* context,
      const v1::ChangeTrackingCarrierRequest* request,
      v1::ChangeTrackingCarrierResponse* response) override;
  grpc::ServerUnaryReactor* GetAccountInfo(
      grpc::CallbackServerContext* context,
      const v1::GetAccountInfoRequest* request,
      v1::GetAccountInfoResponse* response) override;
  grpc::ServerUnaryReactor* CountTrackingsByStatus(
      grpc::CallbackServerContext* context,
      const v1::CountTrackingsByStatusRequest* request,
      v1::CountTrackingsByStatusResponse* response) override;
  grpc::ServerUnaryReactor* StopTrackingUpdates(
      grpc::CallbackServerContext* context,
      const v1::StopTrackingUpdatesRequest* request,
      v1::StopTrackingUpdatesResponse* response) override;
  grpc::ServerUnaryReactor* CheckRemoteAreas(
      grpc::CallbackServerContext* context,
      const v1::CheckRemoteAreasRequest* request,
      v1::CheckRemoteAreasResponse* response) override;
  grpc::ServerUnaryReactor* GetTransitTimes(
      grpc::CallbackServerContext* context,
      const v1::GetTransitTimesRequest* request,
      v1::GetTransitTimesResponse* response) override;
  grpc::ServerUnaryReactor* BatchDeleteTrackings(
      grpc::CallbackServerContext* context,
      const v1::BatchDeleteTrackingsRequest* request,
      v1::BatchDeleteTrackingsResponse* response) override;
  grpc::ServerUnaryReactor* BatchUpdateTrackings(
      grpc::CallbackServerContext* context,
      const v1::BatchUpdateTrackingsRequest* request,
      v1::BatchUpdateTrackingsResponse* response) override;
  // Server streaming; see ExportTrackingsReactor.
  grpc::ServerWriteReactor<v1::ExportTrackingsResponse>* ExportTrackings(
      grpc::CallbackServerContext* context,
      const v1::ExportTrackingsRequest* request) override;
  // --- End of extended RPCs. ---

 private:
  // The skeleton of every unary RPC: a reactor for `method` (deadline: the
  // caller's, else `default_deadline`), then either the validation error or
  // `start(upstream, deadline, done)`, which starts the operation on the
  // RPC's call scope and ends in `done`.
  template <typename Start>
  grpc::ServerUnaryReactor* Serve(
      grpc::CallbackServerContext* context, const char* method,
      const absl::Status& valid, Start start,
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
    return reactor;
  }

  UpstreamCaller* const upstream_;
  RpcObserver* const observer_;
  const TrackingServiceOptions options_;
  // The two single-tracking reads build their answer in place on an arena
  // (GetTracking is the hot one; realtime answers are the largest).
  ArenaMessageAllocator<v1::GetTrackingRequest, v1::GetTrackingResponse>
      get_tracking_allocator_;
  ArenaMessageAllocator<v1::GetRealtimeTrackingRequest,
                        v1::GetRealtimeTrackingResponse>
      realtime_allocator_;

  // --- WatchTracking (service/rpc/watch_tracking.cc) ---
 public:
  // Server streaming; see WatchHub and WatchReactor. UNIMPLEMENTED until
  // SetWatchHub() was called.
  grpc::ServerWriteReactor<v1::WatchTrackingResponse>* WatchTracking(
      grpc::CallbackServerContext* context,
      const v1::WatchTrackingRequest* request) override;
  // `hub` is not owned and must outlive every RPC. Call before serving.
  void SetWatchHub(WatchHub* hub) { watch_hub_ = hub; }

 private:
  WatchHub* watch_hub_ = nullptr;
  // --- end WatchTracking ---
};

}  // namespace tracktry

#endif  // TRACKTRY_SERVICE_RPC_TRACKING_SERVICE_IMPL_H_
