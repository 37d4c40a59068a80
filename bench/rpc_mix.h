// Copyright 2026 The tracktry-grpc Authors.
//
// RpcMix: the weighted choice of operations a load run issues.
#ifndef TRACKTRY_BENCH_RPC_MIX_H_
#define TRACKTRY_BENCH_RPC_MIX_H_

#include <cstdint>
#include <random>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace tracktry::bench {

// One operation of the mix. In direct mode each maps to the REST call that
// the RPC makes (see DirectEngine).
enum class Op {
  kGet,       // GetTracking / GET /trackings/{carrier}/{number}
  kList,      // ListTrackings / GET /trackings/get?page=1&limit=N
  kCreate,    // CreateTracking / POST /trackings/post (fresh numbers)
  kCarriers,  // ListCarriers / GET /carriers
  kDetect,    // DetectCarrier / POST /carriers/detect
  kRealtime,  // GetRealtimeTracking / POST /trackings/realtime
  kBatch,     // BatchCreateTrackings / POST /trackings/batch
  kHealth,    // grpc.health.v1.Health/Check (gRPC only)
  kUpdate,    // UpdateTracking (title) / PUT /trackings/{carrier}/{number}
  kWatch,     // WatchTracking, held --watch-hold (gRPC only)
};

// The lower-case name used in --rpc-mix and in reports.
const char* OpName(Op op);

// Immutable after Parse; Pick() is const and thread-compatible.
class RpcMix {
 public:
  // "get:8,list:1,create:1"; a missing weight means 1; weights are
  // non-negative integers with a positive sum. INVALID_ARGUMENT otherwise.
  static absl::StatusOr<RpcMix> Parse(absl::string_view spec);

  // An operation drawn with probability weight / total.
  Op Pick(std::mt19937_64& rng) const;

  const std::vector<std::pair<Op, int>>& entries() const { return entries_; }
  bool Contains(Op op) const;

 private:
  std::vector<std::pair<Op, int>> entries_;
  int total_ = 0;
};

}  // namespace tracktry::bench

#endif  // TRACKTRY_BENCH_RPC_MIX_H_
