// Copyright 2026 The tracktry-grpc Authors.
#include "service/rpc/watch_reactor.h"

#include <algorithm>
#include <utility>

#include "service/errors/grpc_status.h"
#include "service/validation/request_validator.h"

namespace tracktry {

void MergePendingWatchMessage(v1::WatchTrackingResponse* pending,
                              const v1::WatchTrackingResponse& next) {
  const auto& kinds = pending->changes();
  const bool initial = std::find(kinds.begin(), kinds.end(),
                                 v1::CHANGE_KIND_INITIAL) != kinds.end();
  std::vector<int> merged(kinds.begin(), kinds.end());
  if (!initial) {
    for (int kind : next.changes()) {
      if (std::find(merged.begin(), merged.end(), kind) == merged.end()) {
        merged.push_back(kind);
      }
    }
    std::sort(merged.begin(), merged.end());
  }
  *pending = next;
  pending->clear_changes();
  for (int kind : merged) {
    pending->add_changes(static_cast<v1::ChangeKind>(kind));
  }
}

WatchReactor::WatchReactor(RpcContext* context, WatchHub* hub,
                           RpcObserver* observer)
    : WriteReactor(context), hub_(hub), observer_(observer) {
  auto it = context->client_metadata().find("x-request-id");
  if (it != context->client_metadata().end()) {
    request_id_.assign(it->second.data(), it->second.size());
  }
  if (observer_ != nullptr) observer_->OnRpcStarted("WatchTracking");
}

void WatchReactor::Start(const v1::WatchTrackingRequest& request) {
  v1::GetTrackingRequest as_get;
  as_get.set_carrier_code(request.carrier_code());
  as_get.set_tracking_number(request.tracking_number());
  as_get.set_lang(request.lang());
  absl::Status valid = ValidateGetTrackingRequest(as_get);
  if (!valid.ok()) return OnWatchEnd(valid);
  if (hub_ == nullptr) {
    return OnWatchEnd(absl::UnimplementedError("WatchTracking is disabled"));
  }
  with_raw_ = request.view() == v1::TRACKING_VIEW_FULL;
  id_ = hub_->Watch(request.carrier_code(), request.tracking_number(),
                    request.lang(), this);
}

void WatchReactor::OnWatchMessage(const v1::WatchTrackingResponse& message) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (cancelled_ || finish_.has_value()) return;
    if (pending_.has_value()) {
      MergePendingWatchMessage(&*pending_, message);
    } else {
      pending_ = message;
    }
    if (!with_raw_) pending_->mutable_tracking()->clear_raw();
  }
  Pump();
}

void WatchReactor::OnWatchEnd(const absl::Status& status) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!finish_.has_value()) finish_ = status;
  }
  Pump();
}

void WatchReactor::OnWriteDone(bool ok) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    write_in_flight_ = false;
    if (!ok) {
      cancelled_ = true;
      pending_.reset();
      if (!finish_.has_value()) {
        finish_ = absl::CancelledError("the stream broke");
      }
    }
  }
  Pump();
}

void WatchReactor::OnCancel() {
  if (hub_ != nullptr && id_ != 0) hub_->Unwatch(id_);
  {
    std::lock_guard<std::mutex> lock(mu_);
    cancelled_ = true;
    pending_.reset();
    if (!finish_.has_value()) finish_ = absl::CancelledError("cancelled");
  }
  Pump();
}

void WatchReactor::OnDone() {
  if (hub_ != nullptr && id_ != 0) hub_->Unwatch(id_);
  if (observer_ != nullptr) {
    RpcRecord record;
    record.method = "WatchTracking";
    record.code = final_code_;
    record.latency = absl::Now() - start_;
    record.request_id = request_id_;
    observer_->OnRpcFinished(record);
  }
  delete this;
}

void WatchReactor::Pump() {
  std::unique_lock<std::mutex> lock(mu_);
  if (write_in_flight_ || finish_called_) return;
  if (pending_.has_value() && !cancelled_) {
    writing_ = std::move(*pending_);
    pending_.reset();
    write_in_flight_ = true;
    lock.unlock();
    StartWrite(&writing_);
    return;
  }
  if (!finish_.has_value()) return;
  finish_called_ = true;
  final_code_ = finish_->code();
  const absl::Status status = *finish_;
  lock.unlock();
  Finish(ToGrpcStatus(status));
}

}  // namespace tracktry
