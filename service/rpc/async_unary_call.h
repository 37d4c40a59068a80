// Copyright 2026 The tracktry-grpc Authors.
//
// AsyncUnaryCall: an AsyncCall of a unary method. Its request and response
// live on one google::protobuf::Arena per call, so a response built in
// place (a Tracking with its `raw` Struct is hundreds of nodes) allocates by
// bumping a pointer and is freed at once with the call.
#ifndef TRACKTRY_SERVICE_RPC_ASYNC_UNARY_CALL_H_
#define TRACKTRY_SERVICE_RPC_ASYNC_UNARY_CALL_H_

#include <cstddef>
#include <functional>

#include "google/protobuf/arena.h"
#include "grpcpp/support/async_unary_call.h"
#include "service/rpc/async_call.h"

namespace tracktry {

// How to request one unary method and what serves it.
template <typename Request, typename Response>
struct UnaryMethod {
  // Requests the next RPC of the method (a generated Request<Method>).
  std::function<void(grpc::ServerContext*, Request*,
                     grpc::ServerAsyncResponseWriter<Response>*,
                     grpc::ServerCompletionQueue*, void*)>
      request;
  // The handler: attaches a reactor (or rejects) for each RPC.
  std::function<void(RpcContext*, const Request*, Response*)> handle;
  // The first block of each call's arena (0: protobuf's default); large
  // enough for a typical answer, the call then makes one allocation for
  // all of its messages.
  size_t arena_block_bytes = 0;
};

template <typename Request, typename Response>
class AsyncUnaryCall final : public AsyncCall {
 public:
  using Method = UnaryMethod<Request, Response>;

  // Arms a call of `method` (which must outlive it) on `queue`.
  static void Arm(const Method* method, grpc::ServerCompletionQueue* queue,
                  CompletionQueueThreads* threads) {
    new AsyncUnaryCall(method, queue, threads);
  }

 private:
  AsyncUnaryCall(const Method* method, grpc::ServerCompletionQueue* queue,
                 CompletionQueueThreads* threads)
      : AsyncCall(queue, threads),
        method_(method),
        arena_(ArenaOptionsFor(*method)),
        request_(google::protobuf::Arena::CreateMessage<Request>(&arena_)),
        response_(google::protobuf::Arena::CreateMessage<Response>(&arena_)),
        writer_(context()) {
    method_->request(context(), request_, &writer_, queue, request_tag());
  }

  static google::protobuf::ArenaOptions ArenaOptionsFor(const Method& method) {
    google::protobuf::ArenaOptions options;
    if (method.arena_block_bytes > 0) {
      options.start_block_size = method.arena_block_bytes;
    }
    return options;
  }

  void Rearm() override { Arm(method_, queue(), threads()); }
  void Handle() override { method_->handle(context(), request_, response_); }
  void SendStatus(const grpc::Status& status, void* tag) override {
    writer_.Finish(*response_, status, tag);
  }
  void SendMessage(const google::protobuf::MessageLite& /*message*/,
                   void* /*tag*/) override {}

  const Method* const method_;
  google::protobuf::Arena arena_;
  Request* const request_;
  Response* const response_;
  grpc::ServerAsyncResponseWriter<Response> writer_;
};

}  // namespace tracktry

#endif  // TRACKTRY_SERVICE_RPC_ASYNC_UNARY_CALL_H_
