// Copyright 2026 The tracktry-grpc Authors.
//
// AsyncMethods: the methods of one async gRPC service (a generated
// AsyncService), each with its handler, and how many calls of it wait on
// each completion queue. Arm() puts them on the queues once the server was
// built; from then on each arriving RPC arms its successor (AsyncCall).
//
// EXAMPLE:
//   methods.AddUnary<v1::GetTrackingRequest, v1::GetTrackingResponse>(
//       [service](auto... args) { service->RequestGetTracking(args...); },
//       [handlers](RpcContext* c, auto* request, auto* response) { ... });
#ifndef TRACKTRY_SERVICE_RPC_ASYNC_METHODS_H_
#define TRACKTRY_SERVICE_RPC_ASYNC_METHODS_H_

#include <cstddef>
#include <functional>
#include <memory>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"
#include "service/rpc/async_server_stream_call.h"
#include "service/rpc/async_unary_call.h"
#include "service/rpc/completion_queue_threads.h"

namespace tracktry {

class AsyncMethods {
 public:
  template <typename Request, typename Response>
  void AddUnary(UnaryMethod<Request, Response> method, int armed = 1) {
    auto owned = std::make_shared<const UnaryMethod<Request, Response>>(
        std::move(method));
    Add(armed, [owned](grpc::ServerCompletionQueue* queue,
                       CompletionQueueThreads* threads) {
      AsyncUnaryCall<Request, Response>::Arm(owned.get(), queue, threads);
    });
  }

  template <typename Request, typename Response>
  void AddServerStream(ServerStreamMethod<Request, Response> method,
                       int armed = 1) {
    auto owned = std::make_shared<const ServerStreamMethod<Request, Response>>(
        std::move(method));
    Add(armed, [owned](grpc::ServerCompletionQueue* queue,
                       CompletionQueueThreads* threads) {
      AsyncServerStreamCall<Request, Response>::Arm(owned.get(), queue,
                                                    threads);
    });
  }

  // Arms every method on every queue of `threads`. Once, after the server
  // was built. The methods must outlive every call (until threads->Stop()).
  void Arm(CompletionQueueThreads* threads) const;

 private:
  using Armer = std::function<void(grpc::ServerCompletionQueue*,
                                   CompletionQueueThreads*)>;
  void Add(int armed, Armer armer) {
    armers_.emplace_back(armed, std::move(armer));
  }

  std::vector<std::pair<int, Armer>> armers_;
};

}  // namespace tracktry

#endif  // TRACKTRY_SERVICE_RPC_ASYNC_METHODS_H_
