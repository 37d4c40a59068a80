// Copyright 2026 The tracktry-grpc Authors.
//
// UpstreamReactor: the unary gRPC reactor behind every TrackingService RPC.
// It starts upstream calls, finishes the RPC exactly once, cancels the
// upstream transfers when the caller cancels or its deadline passes, and
// deletes itself when both gRPC and every upstream completion are done.
#ifndef TRACKTRY_SERVICE_RPC_UPSTREAM_REACTOR_H_
#define TRACKTRY_SERVICE_RPC_UPSTREAM_REACTOR_H_

#include <atomic>
#include <mutex>
#include <string>
#include <vector>

#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "grpcpp/grpcpp.h"
#include "service/ops/rpc_observer.h"
#include "service/tracktry_api/upstream_caller.h"
#include "service/translation/envelope.h"

namespace tracktry {

class UpstreamReactor final : public grpc::ServerUnaryReactor {
 public:
  // Runs with the reactor's lock held, only while the RPC is unfinished.
  using ResultHandler = absl::AnyInvocable<void(absl::StatusOr<Envelope>) &&>;

  // `upstream` and `observer` are not owned and must outlive the reactor.
  // The RPC deadline is the caller's, or now + `default_timeout` when the
  // caller sent none.
  UpstreamReactor(grpc::CallbackServerContext* context,
                  UpstreamCaller* upstream, RpcObserver* observer,
                  const char* method, absl::Duration default_timeout);

  // Starts one upstream call. `on_result` gets the envelope or the mapped
  // error; it may call Call() again and must end in Complete() once the RPC
  // has its answer. Does nothing once the RPC is finished.
  void Call(UpstreamRequest request, ResultHandler on_result);

  // Finishes the RPC with `status` (the response must be filled when it is
  // OK). Converted to grpc::Status here, once. Later calls are ignored.
  void Complete(const absl::Status& status);

  // The moment the RPC must be answered by.
  absl::Time deadline() const { return deadline_; }

  void OnCancel() override;
  void OnDone() override;

 private:
  void Unref();

  UpstreamCaller* const upstream_;
  RpcObserver* const observer_;
  const char* const method_;
  const absl::Time start_;
  absl::Time deadline_;
  std::string request_id_;

  // Recursive: result handlers run with it held and may call Call() or
  // Complete().
  std::recursive_mutex mu_;
  bool finished_ = false;
  std::vector<UpstreamCaller::CallId> in_flight_;
  int upstream_calls_ = 0;
  absl::StatusCode final_code_ = absl::StatusCode::kOk;

  // One reference for gRPC (dropped in OnDone) plus one per upstream call.
  std::atomic<int> refs_{1};
};

}  // namespace tracktry

#endif  // TRACKTRY_SERVICE_RPC_UPSTREAM_REACTOR_H_
