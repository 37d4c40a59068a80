// Copyright 2026 The tracktry-grpc Authors.
#include "service/rpc/completion_queue_threads.h"

#include <pthread.h>

#include <algorithm>
#include <string>

namespace tracktry {

CompletionQueueThreads::CompletionQueueThreads(int count)
    : count_(std::max(1, count)) {}

CompletionQueueThreads::~CompletionQueueThreads() { Stop(); }

void CompletionQueueThreads::AddTo(grpc::ServerBuilder* builder) {
  for (int i = 0; i < count_; ++i) {
    queues_.push_back(builder->AddCompletionQueue());
  }
}

void CompletionQueueThreads::Start() {
  for (size_t i = 0; i < queues_.size(); ++i) {
    grpc::ServerCompletionQueue* queue = queues_[i].get();
    threads_.emplace_back([queue] {
      void* tag = nullptr;
      bool ok = false;
      while (queue->Next(&tag, &ok)) static_cast<CompletionTag*>(tag)->Run(ok);
    });
    // Named here, not by the thread itself: the name is in place when
    // Start() returns (a thread may not have run yet by then).
    const std::string name = "rpc-cq-" + std::to_string(i);
    pthread_setname_np(threads_.back().native_handle(), name.c_str());
  }
}

void CompletionQueueThreads::CallEnded() {
  if (live_calls_.fetch_sub(1, std::memory_order_acq_rel) == 1) {
    std::lock_guard<std::mutex> lock(mu_);
    no_calls_.notify_all();
  }
}

void CompletionQueueThreads::Stop() {
  {
    std::unique_lock<std::mutex> lock(mu_);
    if (stopped_) return;
    stopped_ = true;
    no_calls_.wait(lock, [this] {
      return live_calls_.load(std::memory_order_acquire) == 0;
    });
  }
  for (auto& queue : queues_) queue->Shutdown();
  for (auto& thread : threads_) thread.join();
  if (threads_.empty()) {
    // Never started: drain here (a queue must be drained before it goes).
    for (auto& queue : queues_) {
      void* tag = nullptr;
      bool ok = false;
      while (queue->Next(&tag, &ok)) {
      }
    }
  }
  threads_.clear();
}

}  // namespace tracktry
