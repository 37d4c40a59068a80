// Copyright 2026 The tracktry-grpc Authors.
#include "service/ops/access_log_observer.h"

#include "absl/status/status.h"

namespace tracktry {

void AccessLogObserver::OnRpcFinished(const RpcRecord& record) {
  nlohmann::json fields = {
      {"rpc", record.method},
      {"code", absl::StatusCodeToString(record.code)},
      {"latency_ms", absl::ToDoubleMilliseconds(record.latency)},
      {"upstream_calls", record.upstream_calls},
  };
  if (!record.request_id.empty()) fields["request_id"] = record.request_id;
  logger_->Info("rpc finished", fields);
}

}  // namespace tracktry
