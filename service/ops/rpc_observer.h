// Copyright 2026 The tracktry-grpc Authors.
//
// RpcObserver: receives one record per finished RPC (access logs, metrics).
#ifndef TRACKTRY_SERVICE_OPS_RPC_OBSERVER_H_
#define TRACKTRY_SERVICE_OPS_RPC_OBSERVER_H_

#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"

namespace tracktry {

struct RpcRecord {
  // Full method name, e.g. "GetTracking".
  const char* method = "";
  absl::StatusCode code = absl::StatusCode::kOk;
  absl::Duration latency;
  int upstream_calls = 0;
  // The caller's x-request-id metadata, if any.
  std::string request_id;
};

// Implementations must be thread-safe and must not block.
class RpcObserver {
 public:
  virtual ~RpcObserver() = default;
  virtual void OnRpcStarted(const char* method) {}
  virtual void OnRpcFinished(const RpcRecord& record) = 0;
};

}  // namespace tracktry

#endif  // TRACKTRY_SERVICE_OPS_RPC_OBSERVER_H_
