// Copyright 2026 The tracktry-grpc Authors.
//
// GrpcEngine: a CallEngine over the generated async stubs and ONE
// CompletionQueue polled by the load loop's thread: no thread per call.
#ifndef TRACKTRY_BENCH_GRPC_ENGINE_H_
#define TRACKTRY_BENCH_GRPC_ENGINE_H_

#include <memory>
#include <unordered_set>
#include <vector>

#include "bench/call_engine.h"
#include "bench/loadgen_options.h"
#include "grpc/health/v1/health.grpc.pb.h"
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
  template <typename Request, typename Response, typename Prepare>
  void Launch(std::unique_ptr<Call> call, Request request, Prepare prepare);

  const LoadgenOptions& options_;
  std::vector<std::shared_ptr<grpc::Channel>> channels_;
  std::vector<std::unique_ptr<v1::TrackingService::Stub>> stubs_;
  std::vector<std::unique_ptr<grpc::health::v1::Health::Stub>> health_stubs_;
  grpc::CompletionQueue cq_;
  std::unordered_set<Call*> calls_;
  size_t next_channel_ = 0;
  std::string create_nonce_;
};

}  // namespace tracktry::bench

#endif  // TRACKTRY_BENCH_GRPC_ENGINE_H_
