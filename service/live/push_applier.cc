// Copyright 2026 The tracktry-grpc Authors.
#include "service/live/push_applier.h"

#include <memory>
#include <utility>
#include <vector>

#include "service/tracktry_api/tracking_operations.h"
#include "service/translation/envelope.h"
#include "service/translation/tracking_translation.h"

namespace tracktry {

PushApplier::PushApplier(UpstreamCaller* upstream, WatchHub* hub,
                         CachingCaller* cache, PushApplierOptions options)
    : upstream_(upstream), hub_(hub), cache_(cache), options_(options) {}

PushApplier::~PushApplier() {
  std::vector<UpstreamCaller::CallId> calls;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
    calls.assign(calls_.begin(), calls_.end());
  }
  for (UpstreamCaller::CallId id : calls) upstream_->Cancel(id);
  std::unique_lock<std::mutex> lock(mu_);
  idle_.wait(lock, [this] { return busy_ == 0; });
}

void PushApplier::Apply(const nlohmann::json& data,
                        const v1::Tracking& pushed) {
  if (!options_.trust_push_body) {
    Reread(pushed);
    return;
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) return;
    ++stats_.trusted;
  }
  if (cache_ != nullptr) {
    v1::GetTrackingRequest read;
    read.set_carrier_code(pushed.carrier_code());
    read.set_tracking_number(pushed.tracking_number());
    cache_->Refresh(api::GetTrackingCall(read), SuccessEnvelope(data));
  }
  if (hub_ != nullptr) hub_->Publish(pushed, v1::CHANGE_SOURCE_WEBHOOK);
  if (share_) share_(data);
}

void PushApplier::SetShare(
    std::function<void(const nlohmann::json& data)> share) {
  share_ = std::move(share);
}

void PushApplier::ApplyShared(const nlohmann::json& data) {
  v1::Tracking tracking;
  absl::StatusOr<bool> found = FirstTrackingFromData(data, &tracking);
  if (!found.ok() || !*found || tracking.carrier_code().empty()) return;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) return;
    ++stats_.shared;
  }
  if (cache_ != nullptr) {
    v1::GetTrackingRequest read;
    read.set_carrier_code(tracking.carrier_code());
    read.set_tracking_number(tracking.tracking_number());
    cache_->RefreshLocal(api::GetTrackingCall(read), SuccessEnvelope(data));
  }
  if (hub_ != nullptr) hub_->Publish(tracking, v1::CHANGE_SOURCE_WEBHOOK);
}

void PushApplier::Reread(const v1::Tracking& pushed) {
  // The read and its result live until the completion has run.
  struct Read {
    v1::GetTrackingRequest request;
    v1::Tracking tracking;
    nlohmann::json data;
    // Guarded by mu_.
    UpstreamCaller::CallId id = 0;
    bool done = false;
  };
  auto read = std::make_shared<Read>();
  read->request.set_carrier_code(pushed.carrier_code());
  read->request.set_tracking_number(pushed.tracking_number());
  // A fresh read (it refreshes the cache), which may join one in flight.
  read->request.set_bypass_cache(true);
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) return;
    ++busy_;
  }
  const UpstreamCaller::CallId id = api::GetTracking(
      upstream_, read->request, absl::Now() + options_.reread_deadline,
      &read->tracking, &read->data, [this, read](absl::Status status) {
        {
          // Counted before watchers hear of it.
          std::lock_guard<std::mutex> lock(mu_);
          ++(status.ok() ? stats_.rereads : stats_.reread_failures);
        }
        if (status.ok() && hub_ != nullptr) {
          hub_->Publish(read->tracking, v1::CHANGE_SOURCE_WEBHOOK);
        }
        if (status.ok() && share_) share_(read->data);
        std::lock_guard<std::mutex> lock(mu_);
        calls_.erase(read->id);
        read->done = true;
        if (--busy_ == 0) idle_.notify_all();
      });
  std::lock_guard<std::mutex> lock(mu_);
  // The completion may already have run: then there is nothing to cancel.
  if (!read->done) {
    read->id = id;
    calls_.insert(id);
  }
}

PushApplierStats PushApplier::stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  return stats_;
}

}  // namespace tracktry
