// Copyright 2026 The tracktry-grpc Authors.
#include "service/rpc/call_scope.h"

#include <algorithm>
#include <memory>
#include <utility>

namespace tracktry {

CallScope::CallScope(UpstreamCaller* upstream, Owner* owner)
    : upstream_(upstream), owner_(owner) {}

UpstreamCaller::CallId CallScope::Send(UpstreamRequest request,
                                       absl::Time deadline,
                                       EnvelopeCallback done) {
  std::lock_guard<std::recursive_mutex> lock(mu_);
  if (finished_) return 0;
  if (deadline <= absl::Now()) {
    owner_->OnStartedLate();
    return 0;
  }
  calls_started_.fetch_add(1, std::memory_order_relaxed);
  owner_->Ref();
  // The id is only known after Send() returns, but the completion may run
  // before that on the transport thread; it blocks on mu_ until then.
  auto id_slot = std::make_shared<CallId>(0);
  const CallId id = upstream_->Send(
      std::move(request), deadline,
      [this, id_slot,
       done = std::move(done)](absl::StatusOr<Envelope> result) mutable {
        {
          std::lock_guard<std::recursive_mutex> lock(mu_);
          in_flight_.erase(
              std::remove(in_flight_.begin(), in_flight_.end(), *id_slot),
              in_flight_.end());
          if (!finished_) std::move(done)(std::move(result));
        }
        owner_->Unref();
      });
  *id_slot = id;
  in_flight_.push_back(id);
  return id;
}

void CallScope::Cancel(CallId id) { upstream_->Cancel(id); }

bool CallScope::FinishLocked() {
  if (finished_) return false;
  finished_ = true;
  // Nothing waits for these any more; cancelling closes their connections.
  for (CallId id : in_flight_) upstream_->Cancel(id);
  return true;
}

}  // namespace tracktry
