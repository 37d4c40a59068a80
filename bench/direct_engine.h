// Copyright 2026 The tracktry-grpc Authors.
//
// DirectEngine: the baseline CallEngine. It makes the REST calls that each
// RPC of the mix stands for, straight to the Tracktry API (or emulator),
// through one libcurl multi handle on epoll (multi_socket API) with
// keep-alive connections, and parses each JSON answer as a REST client
// would. No thread per call.
#ifndef TRACKTRY_BENCH_DIRECT_ENGINE_H_
#define TRACKTRY_BENCH_DIRECT_ENGINE_H_

#include <curl/curl.h>

#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "bench/call_engine.h"
#include "bench/loadgen_options.h"

namespace tracktry::bench {

class DirectEngine final : public CallEngine {
 public:
  // `options` must outlive the engine. Aborts if epoll or libcurl cannot be
  // initialised.
  explicit DirectEngine(const LoadgenOptions& options);
  ~DirectEngine() override;

  // Operations without a REST form (health, watch) complete at once as
  // UNSUPPORTED.
  void Start(const WorkItem& item, int64_t start_ns) override;
  void Poll(int64_t deadline_ns, CompletionFn done) override;
  int64_t outstanding() const override {
    return static_cast<int64_t>(calls_.size() + immediate_.size());
  }
  void CancelAll() override;

  struct Call;

 private:
  static int OnSocket(CURL* easy, curl_socket_t fd, int what, void* self,
                      void* socket_data);
  static int OnTimer(CURLM* multi, long timeout_ms, void* self);  // NOLINT
  void Reap(CompletionFn done);
  std::string Classify(Call& call, CURLcode result);

  const LoadgenOptions& options_;
  CURLM* multi_ = nullptr;
  int epoll_fd_ = -1;
  curl_slist* headers_ = nullptr;
  // -1: no timer; otherwise MonotonicNanos() when libcurl wants a timeout.
  int64_t timer_ns_ = -1;
  std::unordered_map<CURL*, std::unique_ptr<Call>> calls_;
  std::vector<std::unique_ptr<Call>> immediate_;
  std::vector<CURL*> idle_;
  std::string create_nonce_;
  // Prefix of --fresh-batches numbers.
  std::string batch_nonce_;
  int64_t update_counter_ = 0;
};

}  // namespace tracktry::bench

#endif  // TRACKTRY_BENCH_DIRECT_ENGINE_H_
