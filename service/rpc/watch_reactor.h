// Copyright 2026 The tracktry-grpc Authors.
//
// WatchReactor: the server-streaming reactor of one WatchTracking call. It
// attaches itself to the WatchHub as a WatchSink and writes the hub's
// messages with one outstanding Write at a time. A slow reader does not
// queue: while a write is in flight, newer messages replace the pending one
// (their change kinds are merged), so each stream holds at most one pending
// message. No thread per stream: it is a small object driven by gRPC and
// hub callbacks. Deletes itself in OnDone().
#ifndef TRACKTRY_SERVICE_RPC_WATCH_REACTOR_H_
#define TRACKTRY_SERVICE_RPC_WATCH_REACTOR_H_

#include <mutex>
#include <optional>
#include <string>

#include "absl/time/time.h"
#include "service/live/watch_hub.h"
#include "service/ops/rpc_observer.h"
#include "service/rpc/rpc_context.h"
#include "service/rpc/rpc_reactor.h"
#include "tracktry/v1/tracking_service.pb.h"

namespace tracktry {

// Merges `next` into the not yet sent `pending` (newest tracking, union of
// change kinds; an unsent INITIAL stays the only kind).
void MergePendingWatchMessage(v1::WatchTrackingResponse* pending,
                              const v1::WatchTrackingResponse& next);

class WatchReactor final : public WriteReactor<v1::WatchTrackingResponse>,
                           public WatchSink {
 public:
  // `hub` (may be null: UNIMPLEMENTED) and `observer` (may be null) are not
  // owned and must outlive the call.
  WatchReactor(RpcContext* context, WatchHub* hub, RpcObserver* observer);

  // Validates `request` and attaches to the hub, or finishes with the error.
  // The hub's pollers read in the FULL view; `raw` is dropped from every
  // message unless request.view() is FULL.
  void Start(const v1::WatchTrackingRequest& request);

  // WatchSink (called with the hub's lock held).
  void OnWatchMessage(const v1::WatchTrackingResponse& message) override;
  void OnWatchEnd(const absl::Status& status) override;

  // RpcReactor.
  void OnWriteDone(bool ok) override;
  void OnCancel() override;
  void OnDone() override;

 private:
  // Starts the next write, or Finish() when nothing is left. Called without
  // mu_ held.
  void Pump();

  WatchHub* const hub_;
  RpcObserver* const observer_;
  const absl::Time start_ = absl::Now();
  std::string request_id_;

  WatchHub::WatchId id_ = 0;
  // Set by Start() before the hub can deliver a message.
  bool with_raw_ = false;
  std::mutex mu_;
  v1::WatchTrackingResponse writing_;
  std::optional<v1::WatchTrackingResponse> pending_;
  bool write_in_flight_ = false;
  bool cancelled_ = false;
  std::optional<absl::Status> finish_;
  bool finish_called_ = false;
  absl::StatusCode final_code_ = absl::StatusCode::kOk;
};

}  // namespace tracktry

#endif  // TRACKTRY_SERVICE_RPC_WATCH_REACTOR_H_
