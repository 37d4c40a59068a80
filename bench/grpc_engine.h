// Copyright 2026 The tracktry-grpc Authors.
//
// GrpcEngine: a CallEngine over the generated async stubs and ONE
// CompletionQueue polled by the load loop's thread: no thread per call.
// A waker thread ends a Poll() at its deadline to the microsecond (a timerfd
// then a gRPC alarm due at once): the completion queue's own deadlines are
// whole milliseconds, which would delay every open-loop send to the next
// millisecond tick and count that delay as latency.
#ifndef TRACKTRY_BENCH_GRPC_ENGINE_H_
#define TRACKTRY_BENCH_GRPC_ENGINE_H_

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <unordered_set>
#include <vector>

#include "bench/call_engine.h"
#include "bench/loadgen_options.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpcpp/alarm.h"
#include "grpcpp/grpcpp.h"
#include "tracktry/v1/tracking_service.grpc.pb.h"

namespace tracktry::bench {

class GrpcEngine final : public CallEngine {
 public:
  // Opens options.channels channels to options.target (each its own
  // connection). `options` must outlive the engine.
  explicit GrpcEngine(const LoadgenOptions& options);
  // Cancels and drains anything still outstanding.
  ~GrpcEngine() override;

  void Start(const WorkItem& item, int64_t start_ns) override;
  void Poll(int64_t deadline_ns, CompletionFn done) override;
  int64_t outstanding() const override {
    return static_cast<int64_t>(calls_.size());
  }
  void CancelAll() override;

  // Waits up to `timeout` for every channel to connect.
  bool WaitForConnected(absl::Duration timeout);

  struct Call;

 private:
  // Starts a unary call of `stub`'s `prepare` method.
  template <typename Stub, typename Request, typename Response>
  void Launch(Op op, int64_t key, int64_t start_ns, size_t channel, bool repeat,
              Stub* stub,
              std::unique_ptr<grpc::ClientAsyncResponseReader<Response>> (
                  Stub::*prepare)(grpc::ClientContext*, const Request&,
                                  grpc::CompletionQueue*),
              Request request);
  void StartWatch(const WorkItem& item, int64_t start_ns, size_t channel);
  // --repeat-unknown: starts the repeat of a finished create or batch whose
  // outcome the server could not know.
  void MaybeRepeat(const Call& call, const std::string& reason);
  std::string RequestId(const char* op, int64_t key) const;
  // Makes the waker post a tag to cq_ at `deadline_ns` (MonotonicNanos).
  void ArmWake(int64_t deadline_ns);
  void WakerLoop();

  const LoadgenOptions& options_;
  std::vector<std::shared_ptr<grpc::Channel>> channels_;
  std::vector<std::unique_ptr<v1::TrackingService::Stub>> stubs_;
  std::vector<std::unique_ptr<grpc::health::v1::Health::Stub>> health_stubs_;
  grpc::CompletionQueue cq_;
  std::unordered_set<Call*> calls_;
  size_t next_channel_ = 0;
  std::string create_nonce_;
  // Prefix of --fresh-batches numbers.
  std::string batch_nonce_;
  int64_t update_counter_ = 0;
  bool cancelled_ = false;
  int timer_fd_ = -1;
  int64_t armed_ns_ = -1;  // the deadline timer_fd_ is set to, -1 = none
  std::atomic<bool> stopping_{false};
  std::thread waker_;
};

}  // namespace tracktry::bench

#endif  // TRACKTRY_BENCH_GRPC_ENGINE_H_
