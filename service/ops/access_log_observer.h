// Copyright 2026 The tracktry-grpc Authors.
//
// AccessLogObserver: writes one JSON access line per finished RPC.
#ifndef TRACKTRY_SERVICE_OPS_ACCESS_LOG_OBSERVER_H_
#define TRACKTRY_SERVICE_OPS_ACCESS_LOG_OBSERVER_H_

#include "service/ops/json_logger.h"
#include "service/ops/rpc_observer.h"

namespace tracktry {

// Thread-safe. `logger` is not owned and must outlive the observer.
class AccessLogObserver final : public RpcObserver {
 public:
  explicit AccessLogObserver(JsonLogger* logger) : logger_(logger) {}
  void OnRpcFinished(const RpcRecord& record) override;

 private:
  JsonLogger* const logger_;
};

}  // namespace tracktry

#endif  // TRACKTRY_SERVICE_OPS_ACCESS_LOG_OBSERVER_H_
