// Copyright 2026 The tracktry-grpc Authors.
#include "service/ops/upstream_health.h"

#include <optional>

#include "common/error_details.h"
#include "service/tracktry_api/route_table.h"

namespace tracktry {

UpstreamHealth::UpstreamHealth(JsonLogger* logger) : logger_(logger) {}

void UpstreamHealth::OnUpstreamFinished(Endpoint endpoint,
                                        const absl::Status& status,
                                        const UpstreamOutcome& outcome,
                                        absl::Duration latency) {
  bool rejected;
  if (status.ok()) {
    rejected = false;
  } else {
    std::optional<google::rpc::ErrorInfo> info = GetErrorInfo(status);
    if (!info.has_value()) return;
    if (info->reason() == kApiKeyRejectedReason) {
      rejected = true;
    } else if (outcome.meta_code.has_value()) {
      rejected = false;
    } else {
      return;
    }
  }
  if (key_rejected_.exchange(rejected) == rejected || logger_ == nullptr) {
    return;
  }
  if (rejected) {
    logger_->Error(
        "upstream rejects the API key; calls fail with "
        "UPSTREAM_API_KEY_REJECTED until the key is fixed",
        {{"endpoint", EndpointName(endpoint)}});
  } else {
    logger_->Info("upstream accepts the API key again",
                  {{"endpoint", EndpointName(endpoint)}});
  }
}

}  // namespace tracktry
