// Copyright 2026 The tracktry-grpc Authors.
//
// AsyncCall: one RPC on gRPC's async API, from the request that waits for
// it to the moment gRPC is done with it. A call is armed on a completion
// queue (CompletionQueueThreads); when an RPC arrives it arms its successor
// and runs the method's handler, which attaches an RpcReactor (or rejects
// the RPC through RpcContext::FinishNow). From then on the reactor drives it:
// Finish() and Write() may come from any thread, and the call reports back
// OnCancel, OnWriteDone and, last, OnDone.
//
// The call deletes itself after OnDone, once gRPC's "done" event, the
// finish and every write have completed; OnDone runs on the queue's thread.
// The handler must lead to exactly one Finish(), as with gRPC's
// callback reactors; a call never finished is never deleted.
//
// Subclasses (AsyncUnaryCall, AsyncServerStreamCall) hold the typed request,
// response and writer.
#ifndef TRACKTRY_SERVICE_RPC_ASYNC_CALL_H_
#define TRACKTRY_SERVICE_RPC_ASYNC_CALL_H_

#include <atomic>
#include <mutex>
#include <optional>

#include "google/protobuf/message_lite.h"
#include "grpcpp/completion_queue.h"
#include "grpcpp/support/status.h"
#include "service/rpc/completion_queue_threads.h"
#include "service/rpc/rpc_context.h"

namespace tracktry {

class RpcReactor;

class AsyncCall {
 public:
  AsyncCall(const AsyncCall&) = delete;
  AsyncCall& operator=(const AsyncCall&) = delete;

  // The reactor serving the RPC (RpcReactor's constructor). In the handler.
  void Attach(RpcReactor* reactor) { reactor_ = reactor; }
  // Finishes the RPC with `status` (a unary RPC sends its response with an
  // OK status). Any thread; the first call counts. Waits for a write in
  // flight.
  void Finish(const grpc::Status& status);
  // Writes `message` on a server stream. Any thread; one write at a time,
  // ignored after Finish().
  void Write(const google::protobuf::MessageLite* message);

 protected:
  // Counts itself on `threads` and asks for the "done" event. The subclass
  // then requests its RPC with request_tag().
  AsyncCall(grpc::ServerCompletionQueue* queue,
            CompletionQueueThreads* threads);
  virtual ~AsyncCall() = default;

  RpcContext* context() { return &context_; }
  grpc::ServerCompletionQueue* queue() const { return queue_; }
  CompletionQueueThreads* threads() const { return threads_; }
  void* request_tag() { return &request_tag_; }

  // Arms a new call for the same method on the same queue.
  virtual void Rearm() = 0;
  // Runs the method's handler.
  virtual void Handle() = 0;
  // Sends the status (and a unary RPC's response) with `tag`.
  virtual void SendStatus(const grpc::Status& status, void* tag) = 0;
  // Sends one stream message with `tag`. Unary calls never get here.
  virtual void SendMessage(const google::protobuf::MessageLite& message,
                           void* tag) = 0;

 private:
  // Completion-queue events.
  void OnRequest(bool ok);
  void OnDoneEvent(bool ok);
  void OnFinishSent(bool ok);
  void OnWriteSent(bool ok);

  // Lets go of one reference; the last runs OnDone and deletes the call.
  // Only on the queue's thread.
  void Unref();

  grpc::ServerCompletionQueue* const queue_;
  CompletionQueueThreads* const threads_;
  RpcContext context_;
  CompletionTag request_tag_;
  CompletionTag done_tag_;
  CompletionTag finish_tag_;
  CompletionTag write_tag_;
  // Set in the handler, on the queue's thread, before any event that reads
  // it.
  RpcReactor* reactor_ = nullptr;

  // Held while an operation is issued (see async_call.cc).
  std::mutex mu_;
  bool finish_called_ = false;                   // Guarded by mu_.
  bool write_in_flight_ = false;                 // Guarded by mu_.
  std::optional<grpc::Status> deferred_finish_;  // Guarded by mu_.

  // The "done" event, the finish owed (then in flight) and each write in
  // flight.
  std::atomic<int> refs_{2};
};

}  // namespace tracktry

#endif  // TRACKTRY_SERVICE_RPC_ASYNC_CALL_H_
