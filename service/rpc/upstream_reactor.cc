// Copyright 2026 The tracktry-grpc Authors.
#include "service/rpc/upstream_reactor.h"

#include <algorithm>
#include <chrono>
#include <utility>

#include "common/error_details.h"
#include "service/errors/grpc_status.h"

namespace tracktry {
namespace {

// Callers' deadlines further out than this count as "no deadline".
constexpr absl::Duration kNoDeadlineThreshold = absl::Hours(24 * 365);

}  // namespace

UpstreamReactor::UpstreamReactor(grpc::CallbackServerContext* context,
                                 UpstreamCaller* upstream,
                                 RpcObserver* observer, const char* method,
                                 absl::Duration default_timeout)
    : upstream_(upstream),
      observer_(observer),
      method_(method),
      start_(absl::Now()) {
  const absl::Time caller_deadline = absl::FromChrono(context->deadline());
  deadline_ = caller_deadline - start_ > kNoDeadlineThreshold
                  ? start_ + default_timeout
                  : caller_deadline;
  const auto& metadata = context->client_metadata();
  if (auto it = metadata.find("x-request-id"); it != metadata.end()) {
    request_id_.assign(it->second.data(),
                       std::min<size_t>(it->second.size(), 128));
  }
  if (observer_ != nullptr) observer_->OnRpcStarted(method_);
}

void UpstreamReactor::Call(UpstreamRequest request, ResultHandler on_result) {
  std::lock_guard<std::recursive_mutex> lock(mu_);
  if (finished_) return;
  if (deadline_ <= absl::Now()) {
    Complete(MakeError(absl::StatusCode::kDeadlineExceeded,
                       "deadline exceeded before the upstream call started",
                       "DEADLINE_EXCEEDED"));
    return;
  }
  ++upstream_calls_;
  refs_.fetch_add(1, std::memory_order_relaxed);
  // The id is only known after Send() returns, but the completion may run
  // before that on the transport thread; it blocks on mu_ until then.
  auto id_slot = std::make_shared<UpstreamCaller::CallId>(0);
  const UpstreamCaller::CallId id = upstream_->Send(
      std::move(request), deadline_,
      [this, id_slot, on_result = std::move(on_result)](
          absl::StatusOr<Envelope> result) mutable {
        {
          std::lock_guard<std::recursive_mutex> lock(mu_);
          in_flight_.erase(
              std::remove(in_flight_.begin(), in_flight_.end(), *id_slot),
              in_flight_.end());
          if (!finished_) std::move(on_result)(std::move(result));
        }
        Unref();
      });
  *id_slot = id;
  in_flight_.push_back(id);
}

void UpstreamReactor::Complete(const absl::Status& status) {
  // Finish() may run OnDone() inline; this reference keeps `this` alive
  // until the lock below is released.
  refs_.fetch_add(1, std::memory_order_relaxed);
  {
    std::lock_guard<std::recursive_mutex> lock(mu_);
    if (!finished_) {
      finished_ = true;
      final_code_ = status.code();
      // Nothing waits for these any more; cancelling closes their
      // connections so the upstream sees the caller go away.
      for (UpstreamCaller::CallId id : in_flight_) upstream_->Cancel(id);
      Finish(ToGrpcStatus(status));
    }
  }
  Unref();
}

void UpstreamReactor::OnCancel() {
  Complete(MakeError(absl::StatusCode::kCancelled,
                     "the call was cancelled or its deadline passed",
                     "CANCELLED"));
}

void UpstreamReactor::OnDone() {
  if (observer_ != nullptr) {
    RpcRecord record;
    record.method = method_;
    {
      std::lock_guard<std::recursive_mutex> lock(mu_);
      record.code = final_code_;
      record.upstream_calls = upstream_calls_;
    }
    record.latency = absl::Now() - start_;
    record.request_id = request_id_;
    observer_->OnRpcFinished(record);
  }
  Unref();
}

void UpstreamReactor::Unref() {
  if (refs_.fetch_sub(1, std::memory_order_acq_rel) == 1) delete this;
}

}  // namespace tracktry
