// Copyright 2026 The tracktry-grpc Authors.
//
// RpcContext: the grpc::ServerContext of one RPC served on gRPC's async API
// (see AsyncCall). Handlers read the caller's metadata and deadline from it
// as from any ServerContext, and hand it to the reactor that serves the RPC
// (RpcReactor), which attaches itself to the call through it.
// RpcContext::FinishNow answers without a reactor.
#ifndef TRACKTRY_SERVICE_RPC_RPC_CONTEXT_H_
#define TRACKTRY_SERVICE_RPC_RPC_CONTEXT_H_

#include "grpcpp/server_context.h"
#include "grpcpp/support/status.h"

namespace tracktry {

class AsyncCall;

class RpcContext final : public grpc::ServerContext {
 public:
  // `call` owns the context.
  explicit RpcContext(AsyncCall* call) : call_(call) {}

  AsyncCall* call() const { return call_; }

  // Finishes the RPC at once with `status`, without a reactor: for RPCs
  // answered or refused by the handler itself (a unary response must be
  // filled first when `status` is OK).
  void FinishNow(const grpc::Status& status);

 private:
  AsyncCall* const call_;
};

}  // namespace tracktry

#endif  // TRACKTRY_SERVICE_RPC_RPC_CONTEXT_H_
