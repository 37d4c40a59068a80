// Copyright 2026 The tracktry-grpc Authors.
//
// AsyncServerStreamCall: an AsyncCall of a server-streaming method.
#ifndef TRACKTRY_SERVICE_RPC_ASYNC_SERVER_STREAM_CALL_H_
#define TRACKTRY_SERVICE_RPC_ASYNC_SERVER_STREAM_CALL_H_

#include <functional>

#include "grpcpp/support/async_stream.h"
#include "service/rpc/async_call.h"

namespace tracktry {

// How to request one server-streaming method and what serves it.
template <typename Request, typename Response>
struct ServerStreamMethod {
  // Requests the next RPC of the method (a generated Request<Method>).
  std::function<void(grpc::ServerContext*, Request*,
                     grpc::ServerAsyncWriter<Response>*,
                     grpc::ServerCompletionQueue*, void*)>
      request;
  // The handler: attaches a WriteReactor<Response> (or rejects).
  std::function<void(RpcContext*, const Request*)> handle;
};

template <typename Request, typename Response>
class AsyncServerStreamCall final : public AsyncCall {
 public:
  using Method = ServerStreamMethod<Request, Response>;

  // Arms a call of `method` (which must outlive it) on `queue`.
  static void Arm(const Method* method, grpc::ServerCompletionQueue* queue,
                  CompletionQueueThreads* threads) {
    new AsyncServerStreamCall(method, queue, threads);
  }

 private:
  AsyncServerStreamCall(const Method* method,
                        grpc::ServerCompletionQueue* queue,
                        CompletionQueueThreads* threads)
      : AsyncCall(queue, threads), method_(method), writer_(context()) {
    method_->request(context(), &request_, &writer_, queue, request_tag());
  }

  void Rearm() override { Arm(method_, queue(), threads()); }
  void Handle() override { method_->handle(context(), &request_); }
  void SendStatus(const grpc::Status& status, void* tag) override {
    writer_.Finish(status, tag);
  }
  void SendMessage(const google::protobuf::MessageLite& message,
                   void* tag) override {
    writer_.Write(static_cast<const Response&>(message), tag);
  }

  const Method* const method_;
  Request request_;
  grpc::ServerAsyncWriter<Response> writer_;
};

}  // namespace tracktry

#endif  // TRACKTRY_SERVICE_RPC_ASYNC_SERVER_STREAM_CALL_H_
