// Copyright 2026 The tracktry-grpc Authors.
//
// UpstreamHealth: what the real upstream calls say about the upstream's
// state, for metrics and logs (not for readiness; see ReadinessController).
// Today: whether the upstream rejects the API key. The last answer that
// says something about the key decides: ErrorInfo reason
// UPSTREAM_API_KEY_REJECTED sets it; OK, or an error carrying an upstream
// meta.code (e.g. 4017 not found: the key got the request that far),
// clears it; errors without one (transport, HTTP 5xx/429, open circuit)
// change nothing. Each change is logged once.
#ifndef TRACKTRY_SERVICE_OPS_UPSTREAM_HEALTH_H_
#define TRACKTRY_SERVICE_OPS_UPSTREAM_HEALTH_H_

#include <atomic>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "service/ops/json_logger.h"
#include "service/upstream/instrumented_upstream_caller.h"

namespace tracktry {

// ErrorInfo.reason that marks a rejected upstream API key.
inline constexpr char kApiKeyRejectedReason[] = "UPSTREAM_API_KEY_REJECTED";

// Thread-safe. `logger` may be null; not owned; must outlive this object.
class UpstreamHealth final : public UpstreamCallObserver {
 public:
  explicit UpstreamHealth(JsonLogger* logger);

  void OnUpstreamStarted(Endpoint endpoint) override {}
  void OnUpstreamFinished(Endpoint endpoint, const absl::Status& status,
                          const UpstreamOutcome& outcome,
                          absl::Duration latency) override;

  bool api_key_rejected() const { return key_rejected_.load(); }

 private:
  JsonLogger* const logger_;
  std::atomic<bool> key_rejected_{false};
};

}  // namespace tracktry

#endif  // TRACKTRY_SERVICE_OPS_UPSTREAM_HEALTH_H_
