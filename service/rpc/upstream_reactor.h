// Copyright 2026 The tracktry-grpc Authors.
//
// UpstreamReactor: the unary reactor behind every TrackingService RPC.
// Its CallScope is the upstream the RPC's Tracktry operation runs on: calls
// are cancelled when the caller cancels or its deadline passes, and their
// completions run only while the RPC is unfinished. The RPC finishes
// exactly once (Complete), converting the absl::Status to grpc::Status at
// this edge, and the reactor deletes itself when gRPC and every upstream
// completion are done with it.
#ifndef TRACKTRY_SERVICE_RPC_UPSTREAM_REACTOR_H_
#define TRACKTRY_SERVICE_RPC_UPSTREAM_REACTOR_H_

#include <atomic>
#include <mutex>
#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "service/ops/rpc_observer.h"
#include "service/rpc/call_scope.h"
#include "service/rpc/rpc_context.h"
#include "service/rpc/rpc_reactor.h"
#include "service/tracktry_api/operation_call.h"
#include "service/tracktry_api/upstream_caller.h"

namespace tracktry {

class UpstreamReactor final : public RpcReactor, private CallScope::Owner {
 public:
  // `upstream` and `observer` are not owned and must outlive the reactor.
  // The RPC deadline is the caller's, or now + `default_timeout` when the
  // caller sent none.
  UpstreamReactor(RpcContext* context, UpstreamCaller* upstream,
                  RpcObserver* observer, const char* method,
                  absl::Duration default_timeout);

  // The upstream as this RPC sees it (see CallScope): pass it to the
  // Tracktry operation together with deadline() and Completer().
  UpstreamCaller* upstream() { return &scope_; }
  // The moment the RPC must be answered by.
  absl::Time deadline() const { return deadline_; }
  // A callback that finishes the RPC with the operation's status.
  StatusCallback Completer();

  // Runs `start()` (which starts the RPC's Tracktry operation) with the
  // RPC's lock and a reference held, so the RPC can neither finish nor go
  // away while its calls are being started.
  template <typename Start>
  void Run(Start start) {
    Ref();
    {
      std::lock_guard<std::recursive_mutex> lock(scope_.mu());
      start();
    }
    Unref();
  }

  // Finishes the RPC with `status` (the response must be filled when it is
  // OK). Converted to grpc::Status here, once. Later calls are ignored.
  void Complete(const absl::Status& status);

  void OnCancel() override;
  void OnDone() override;

 private:
  // CallScope::Owner.
  void Ref() override;
  void Unref() override;
  void OnStartedLate() override;

  RpcObserver* const observer_;
  const char* const method_;
  const absl::Time start_;
  absl::Time deadline_;
  std::string request_id_;
  CallScope scope_;
  // Written under scope_.mu() before Finish(); read in OnDone() without it.
  std::atomic<absl::StatusCode> final_code_{absl::StatusCode::kOk};

  // One reference for gRPC (dropped in OnDone) plus one per upstream call.
  std::atomic<int> refs_{1};
};

}  // namespace tracktry

#endif  // TRACKTRY_SERVICE_RPC_UPSTREAM_REACTOR_H_
