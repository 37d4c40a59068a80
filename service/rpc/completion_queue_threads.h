// Copyright 2026 The tracktry-grpc Authors.
//
// CompletionQueueThreads: the server's completion queues on gRPC's async
// API, one thread each calling Next(), and the count of the calls alive on
// them (AsyncCall), so that the queues are shut down only once no call can
// start another operation on them.
//
// Every RPC this server serves runs on these queues: the RPC's handler and
// its gRPC events run on its queue's thread, while finishing and writing may
// come from any thread (the libcurl loop finishes most calls). gRPC's
// callback API would instead hand each event to one of its own threads
// first; serving from our queues saves those thread switches
// (bench/RESULTS.md).
//
// Lifecycle: AddTo(builder) before BuildAndStart(); Start(); arm the calls
// (AsyncMethods::Arm); at the end the server's Shutdown() first, then
// Stop().
#ifndef TRACKTRY_SERVICE_RPC_COMPLETION_QUEUE_THREADS_H_
#define TRACKTRY_SERVICE_RPC_COMPLETION_QUEUE_THREADS_H_

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "grpcpp/completion_queue.h"
#include "grpcpp/server_builder.h"

namespace tracktry {

// What each completion-queue event carries: the function to run with the
// event's `ok`, and its target.
class CompletionTag {
 public:
  // A tag that runs (target->*kMethod)(ok).
  template <typename T, void (T::*kMethod)(bool)>
  static CompletionTag For(T* target) {
    return CompletionTag(target, [](void* self, bool ok) {
      (static_cast<T*>(self)->*kMethod)(ok);
    });
  }

  void Run(bool ok) { run_(target_, ok); }

 private:
  CompletionTag(void* target, void (*run)(void*, bool))
      : target_(target), run_(run) {}

  void* target_;
  void (*run_)(void*, bool);
};

class CompletionQueueThreads {
 public:
  // `count` queues (at least 1), each with its own thread.
  explicit CompletionQueueThreads(int count);
  // Stop()s.
  ~CompletionQueueThreads();

  CompletionQueueThreads(const CompletionQueueThreads&) = delete;
  CompletionQueueThreads& operator=(const CompletionQueueThreads&) = delete;

  // Adds the queues to `builder`. Once, before the server is built.
  void AddTo(grpc::ServerBuilder* builder);
  // Starts the threads. Once, after the server was built.
  void Start();
  // Waits until every call is gone (the server must be shut down, so no
  // call is pending any more), then shuts the queues down and joins their
  // threads. Idempotent.
  void Stop();

  const std::vector<std::unique_ptr<grpc::ServerCompletionQueue>>& queues()
      const {
    return queues_;
  }

  // AsyncCall's bookkeeping: a call was created / deleted.
  void CallStarted() { live_calls_.fetch_add(1, std::memory_order_relaxed); }
  void CallEnded();

 private:
  const int count_;
  std::vector<std::unique_ptr<grpc::ServerCompletionQueue>> queues_;
  std::vector<std::thread> threads_;
  std::atomic<int> live_calls_{0};
  std::mutex mu_;
  std::condition_variable no_calls_;
  bool stopped_ = false;
};

}  // namespace tracktry

#endif  // TRACKTRY_SERVICE_RPC_COMPLETION_QUEUE_THREADS_H_
