// Copyright 2026 The tracktry-grpc Authors.
#include "service/ops/access_log_observer.h"

#include <string>

#include "absl/status/status.h"

namespace tracktry {

void AccessLogObserver::OnRpcFinished(const RpcRecord& record) {
  // Written directly, in the order nlohmann's sorted keys gave: a line per
  // RPC built as an nlohmann object cost ~15 k instructions.
  std::string members;
  members.reserve(128);
  JsonLogger::AppendStringMember("code", absl::StatusCodeToString(record.code),
                                 &members);
  JsonLogger::AppendFixedMember(
      "latency_ms", absl::ToDoubleMilliseconds(record.latency), &members);
  if (!record.request_id.empty()) {
    JsonLogger::AppendStringMember("request_id", record.request_id, &members);
  }
  JsonLogger::AppendStringMember("rpc", record.method, &members);
  JsonLogger::AppendIntMember("upstream_calls", record.upstream_calls,
                              &members);
  logger_->LogMembers("INFO", "rpc finished", members);
}

}  // namespace tracktry
