// Copyright 2026 The tracktry-grpc Authors.
#include "service/rpc/async_call.h"

#include <utility>

#include "service/rpc/rpc_reactor.h"

namespace tracktry {

AsyncCall::AsyncCall(grpc::ServerCompletionQueue* queue,
                     CompletionQueueThreads* threads)
    : queue_(queue),
      threads_(threads),
      context_(this),
      request_tag_(CompletionTag::For<AsyncCall, &AsyncCall::OnRequest>(this)),
      done_tag_(CompletionTag::For<AsyncCall, &AsyncCall::OnDoneEvent>(this)),
      finish_tag_(
          CompletionTag::For<AsyncCall, &AsyncCall::OnFinishSent>(this)),
      write_tag_(CompletionTag::For<AsyncCall, &AsyncCall::OnWriteSent>(this)) {
  threads_->CallStarted();
  // Before the request: gRPC delivers it only for an RPC that arrived.
  context_.AsyncNotifyWhenDone(&done_tag_);
}

void AsyncCall::OnRequest(bool ok) {
  if (!ok) {
    // The server is shutting down: no RPC came, and none will.
    CompletionQueueThreads* const threads = threads_;
    delete this;
    threads->CallEnded();
    return;
  }
  Rearm();
  Handle();
}

void AsyncCall::OnDoneEvent(bool /*ok*/) {
  if (context_.IsCancelled() && reactor_ != nullptr) {
    bool finished;
    {
      std::lock_guard<std::mutex> lock(mu_);
      finished = finish_called_;
    }
    if (!finished) reactor_->OnCancel();
  }
  Unref();
}

// Finish() and Write() issue their operation with mu_ held, and the
// completion events take mu_ before they let go of the call: so the call
// cannot go while another thread is still issuing on it, and it always goes
// on its queue's thread, where no lock of the reactor's is held.
void AsyncCall::Finish(const grpc::Status& status) {
  std::lock_guard<std::mutex> lock(mu_);
  if (finish_called_) return;
  finish_called_ = true;
  if (write_in_flight_) {
    deferred_finish_ = status;
    return;
  }
  SendStatus(status, &finish_tag_);
}

void AsyncCall::OnFinishSent(bool /*ok*/) {
  { std::lock_guard<std::mutex> lock(mu_); }
  Unref();
}

void AsyncCall::Write(const google::protobuf::MessageLite* message) {
  std::lock_guard<std::mutex> lock(mu_);
  if (finish_called_ || write_in_flight_) return;
  write_in_flight_ = true;
  refs_.fetch_add(1, std::memory_order_relaxed);
  SendMessage(*message, &write_tag_);
}

void AsyncCall::OnWriteSent(bool ok) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    write_in_flight_ = false;
    if (deferred_finish_.has_value()) {
      SendStatus(*deferred_finish_, &finish_tag_);
      deferred_finish_.reset();
    }
  }
  if (reactor_ != nullptr) reactor_->OnWriteDone(ok);
  Unref();
}

void AsyncCall::Unref() {
  if (refs_.fetch_sub(1, std::memory_order_acq_rel) != 1) return;
  if (reactor_ != nullptr) reactor_->OnDone();
  CompletionQueueThreads* const threads = threads_;
  delete this;
  threads->CallEnded();
}

}  // namespace tracktry
