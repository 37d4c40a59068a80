// Copyright 2026 The tracktry-grpc Authors.
//
// ExportTrackingsReactor: the server-streaming reactor behind
// TrackingService.ExportTrackings. It walks the upstream list pages
// (api::ListTrackingsPage, so the rate shaper applies the list rate limit)
// one at a time and writes one message per tracking,
// one Write at a time: OnWriteDone writes the next tracking or starts the
// next page fetch. No thread is held while waiting for the upstream or the
// reader.
//
// Each message's cursor (EncodeExportCursor) names the page and the number
// of its items already sent, so a new request with that cursor resumes
// right after the message.
//
// Cancellation (caller cancel or deadline) cancels the in-flight upstream
// call and finishes the RPC with CANCELLED. Each page fetch gets the RPC
// deadline when the caller set one, else now + `page_timeout`.
// The reactor deletes itself once gRPC is done and no upstream completion
// is pending.
#ifndef TRACKTRY_SERVICE_RPC_EXPORT_TRACKINGS_REACTOR_H_
#define TRACKTRY_SERVICE_RPC_EXPORT_TRACKINGS_REACTOR_H_

#include <atomic>
#include <cstdint>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "service/ops/rpc_observer.h"
#include "service/rpc/call_scope.h"
#include "service/rpc/rpc_context.h"
#include "service/rpc/rpc_reactor.h"
#include "service/tracktry_api/list_operations.h"
#include "service/tracktry_api/upstream_caller.h"
#include "service/translation/extended_translation.h"
#include "tracktry/v1/tracking_service.pb.h"

namespace tracktry {

class ExportTrackingsReactor final
    : public WriteReactor<v1::ExportTrackingsResponse>,
      private CallScope::Owner {
 public:
  // `upstream` and `observer` (may be null) are not owned and must outlive
  // the reactor. `start` is where the export begins (page 1, skip 0 for a
  // fresh export); its page size must be > 0.
  ExportTrackingsReactor(RpcContext* context, UpstreamCaller* upstream,
                         RpcObserver* observer, v1::ListTrackingsRequest filter,
                         ExportCursor start, absl::Duration page_timeout);

  // Starts the first page fetch. Call once, right after construction.
  void Start();

  // Finishes the RPC at once with `status` (for request validation errors).
  void Fail(const absl::Status& status);

  void OnWriteDone(bool ok) override;
  void OnCancel() override;
  void OnDone() override;

 private:
  // All below run with the scope's lock held.
  void FetchPage();
  void OnPage(const absl::Status& status);
  void WriteNextOrFetch();
  void FinishLocked(const absl::Status& status);

  // CallScope::Owner.
  void Ref() override;
  void Unref() override;
  void OnStartedLate() override;

  RpcObserver* const observer_;
  const v1::ListTrackingsRequest filter_;
  const absl::Duration page_timeout_;
  const absl::Time start_time_;
  // Infinite when the caller set no deadline.
  absl::Time rpc_deadline_;
  CallScope scope_;

  // Guarded by scope_.mu().
  absl::StatusCode final_code_ = absl::StatusCode::kOk;
  // The page being fetched.
  api::TrackingsPage page_;
  // The page being sent (cursor_.page) and how many of its items were sent
  // (cursor_.skip) — items_[i] is item skip_base_ + i of the page.
  ExportCursor cursor_;
  std::vector<v1::Tracking> items_;
  size_t next_item_ = 0;
  int64_t skip_base_ = 0;
  bool more_pages_ = false;
  int64_t total_ = 0;
  v1::ExportTrackingsResponse message_;

  // One reference for gRPC (dropped in OnDone) plus one per upstream call.
  std::atomic<int> refs_{1};
};

}  // namespace tracktry

#endif  // TRACKTRY_SERVICE_RPC_EXPORT_TRACKINGS_REACTOR_H_
