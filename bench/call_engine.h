// Copyright 2026 The tracktry-grpc Authors.
//
// CallEngine: starts calls without blocking and reports their completions;
// implemented over a gRPC CompletionQueue (GrpcEngine) and over a libcurl
// multi handle (DirectEngine). LoadLoop paces calls through it.
#ifndef TRACKTRY_BENCH_CALL_ENGINE_H_
#define TRACKTRY_BENCH_CALL_ENGINE_H_

#include <cstdint>
#include <string>

#include "absl/functional/function_ref.h"
#include "bench/rpc_mix.h"

namespace tracktry::bench {

// What a call does: the operation and the key-space index it targets
// (ignored by operations without a key).
struct WorkItem {
  Op op = Op::kGet;
  int64_t key = 0;
};

struct Completion {
  Op op = Op::kGet;
  // The WorkItem's key.
  int64_t key = 0;
  // Caller-supplied start (the intended start in open loop) and the time
  // the completion was observed, both MonotonicNanos().
  int64_t start_ns = 0;
  int64_t end_ns = 0;
  // "OK" or the failure's name (gRPC code name, META_<code>, HTTP_<status>,
  // CURL_<error>).
  std::string code;
  // gRPC failures: the ErrorInfo reason of the status details ("" if none).
  std::string reason;
  // MonotonicNanos() by which the call had to end (its deadline); 0 = none.
  int64_t deadline_ns = 0;
  // A repeat the engine made by itself (--repeat-unknown), not a call of
  // the plan: reported as "<op>_repeat" and not counted against it.
  bool repeat = false;
  // Streams (watch): not a latency sample.
  bool stream = false;
};

using CompletionFn = absl::FunctionRef<void(const Completion&)>;

// Single-threaded: all methods are called from one thread.
class CallEngine {
 public:
  virtual ~CallEngine() = default;

  // Starts `item`; never blocks on the network. `start_ns` is echoed back.
  virtual void Start(const WorkItem& item, int64_t start_ns) = 0;

  // Waits until at least one call completes or `deadline_ns` passes, then
  // reports every completion available without waiting further.
  virtual void Poll(int64_t deadline_ns, CompletionFn done) = 0;

  // Calls started and not yet reported.
  virtual int64_t outstanding() const = 0;

  // Cancels every outstanding call (their completions may still be
  // reported by later Poll() calls).
  virtual void CancelAll() = 0;
};

// CLOCK_MONOTONIC in nanoseconds.
int64_t MonotonicNanos();

}  // namespace tracktry::bench

#endif  // TRACKTRY_BENCH_CALL_ENGINE_H_
