// Copyright 2026 The tracktry-grpc Authors.
//
// InstrumentedUpstreamCaller: an UpstreamCaller decorator that sits
// immediately above TracktryClient (below rate shaping, retries, circuit
// breaking and caching), so it sees every real HTTP call exactly once:
// each call is counted in MetricsRegistry by endpoint, HTTP status and
// meta.code with its latency, and its outcome is fed to the
// ReadinessController (a rejected API key makes the pod unready).
#ifndef TRACKTRY_SERVICE_UPSTREAM_INSTRUMENTED_UPSTREAM_CALLER_H_
#define TRACKTRY_SERVICE_UPSTREAM_INSTRUMENTED_UPSTREAM_CALLER_H_

#include <optional>

#include "absl/status/statusor.h"
#include "service/ops/metrics_registry.h"
#include "service/ops/readiness_controller.h"
#include "service/tracktry_api/upstream_caller.h"
#include "service/translation/envelope.h"

namespace tracktry {

// What an upstream answer says about the HTTP exchange: the HTTP status
// (0 when unknown, e.g. a transport failure) and meta.code (if any). Read
// from the envelope on success, from the ErrorInfo metadata (httpStatus,
// metaCode) of the upstream status table otherwise.
struct UpstreamOutcome {
  int http_status = 0;
  std::optional<int> meta_code;
};
UpstreamOutcome OutcomeOf(const absl::StatusOr<Envelope>& result);

// Thread-safe. `inner` is not owned and must outlive this object;
// `metrics` and `readiness` may be null, are not owned and must outlive
// every callback of every call (declare them before the transport).
class InstrumentedUpstreamCaller final : public UpstreamCaller {
 public:
  InstrumentedUpstreamCaller(UpstreamCaller* inner, MetricsRegistry* metrics,
                             ReadinessController* readiness);

  CallId Send(UpstreamRequest request, absl::Time deadline,
              EnvelopeCallback done) override;
  void Cancel(CallId id) override;

 private:
  UpstreamCaller* const inner_;
  MetricsRegistry* const metrics_;
  ReadinessController* const readiness_;
};

}  // namespace tracktry

#endif  // TRACKTRY_SERVICE_UPSTREAM_INSTRUMENTED_UPSTREAM_CALLER_H_
