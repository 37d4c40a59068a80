// Copyright 2026 The tracktry-grpc Authors.
#include "service/rpc/upstream_reactor.h"

#include <algorithm>
#include <mutex>
#include <utility>

#include "common/error_details.h"
#include "service/errors/grpc_status.h"

namespace tracktry {
namespace {

// Callers' deadlines further out than this count as "no deadline".
constexpr absl::Duration kNoDeadlineThreshold = absl::Hours(24 * 365);

}  // namespace

UpstreamReactor::UpstreamReactor(RpcContext* context, UpstreamCaller* upstream,
                                 RpcObserver* observer, const char* method,
                                 absl::Duration default_timeout)
    : RpcReactor(context),
      observer_(observer),
      method_(method),
      start_(absl::Now()),
      scope_(upstream, this) {
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

StatusCallback UpstreamReactor::Completer() {
  return [this](absl::Status status) { Complete(status); };
}

void UpstreamReactor::Complete(const absl::Status& status) {
  // OnDone() may run on the queue's thread as soon as Finish() is issued;
  // this reference keeps `this` alive until the lock below is released.
  Ref();
  {
    std::lock_guard<std::recursive_mutex> lock(scope_.mu());
    if (scope_.FinishLocked()) {
      final_code_.store(status.code(), std::memory_order_relaxed);
      Finish(ToGrpcStatus(status));
    }
  }
  Unref();
}

void UpstreamReactor::OnStartedLate() {
  Complete(MakeError(absl::StatusCode::kDeadlineExceeded,
                     "deadline exceeded before the upstream call started",
                     "DEADLINE_EXCEEDED"));
}

void UpstreamReactor::OnCancel() {
  Complete(MakeError(absl::StatusCode::kCancelled,
                     "the call was cancelled or its deadline passed",
                     "CANCELLED"));
}

void UpstreamReactor::OnDone() {
  if (observer_ != nullptr) {
    // No lock: both were written before Finish(), so before this runs. The
    // thread that called Finish() may still hold the RPC's lock, and waiting
    // for it here cost a futex wait and wake-up per RPC.
    RpcRecord record;
    record.method = method_;
    record.code = final_code_.load(std::memory_order_relaxed);
    record.upstream_calls = scope_.calls_started();
    record.latency = absl::Now() - start_;
    record.request_id = request_id_;
    observer_->OnRpcFinished(record);
  }
  Unref();
}

void UpstreamReactor::Ref() { refs_.fetch_add(1, std::memory_order_relaxed); }

void UpstreamReactor::Unref() {
  if (refs_.fetch_sub(1, std::memory_order_acq_rel) == 1) delete this;
}

}  // namespace tracktry
