// Copyright 2026 The tracktry-grpc Authors.
//
// InstrumentedUpstreamCaller: an UpstreamCaller decorator that sits
// immediately above TracktryClient (below rate shaping, retries, circuit
// breaking and caching), so it sees every real HTTP call exactly once and
// reports it to an UpstreamCallObserver (the Prometheus metrics, in
// service/ops): endpoint, HTTP status and meta.code, latency.
#ifndef TRACKTRY_SERVICE_UPSTREAM_INSTRUMENTED_UPSTREAM_CALLER_H_
#define TRACKTRY_SERVICE_UPSTREAM_INSTRUMENTED_UPSTREAM_CALLER_H_

#include <optional>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "service/tracktry_api/upstream_caller.h"
#include "service/translation/envelope.h"

namespace tracktry {

// What an upstream answer says about the HTTP exchange: the HTTP status
// (0 when unknown, e.g. a transport failure) and meta.code (if any). Read
// from the envelope on success, from the upstream status table's ErrorInfo
// otherwise.
struct UpstreamOutcome {
  int http_status = 0;
  std::optional<int> meta_code;
};

UpstreamOutcome OutcomeOf(const absl::StatusOr<Envelope>& result);

// Receives one report per real upstream call. Thread-safe; must not block.
class UpstreamCallObserver {
 public:
  virtual ~UpstreamCallObserver() = default;
  virtual void OnUpstreamStarted(Endpoint endpoint) = 0;
  // `status` is the call's result (OK for an answered call).
  virtual void OnUpstreamFinished(Endpoint endpoint, const absl::Status& status,
                                  const UpstreamOutcome& outcome,
                                  absl::Duration latency) = 0;
};

// Thread-safe. `inner` is not owned and must outlive this object;
// `observer` may be null, is not owned and must outlive every callback of
// every call (declare it before the transport).
class InstrumentedUpstreamCaller final : public UpstreamCaller {
 public:
  InstrumentedUpstreamCaller(UpstreamCaller* inner,
                             UpstreamCallObserver* observer);

  CallId Send(UpstreamRequest request, absl::Time deadline,
              EnvelopeCallback done) override;
  void Cancel(CallId id) override;

 private:
  UpstreamCaller* const inner_;
  UpstreamCallObserver* const observer_;
};

}  // namespace tracktry

#endif  // TRACKTRY_SERVICE_UPSTREAM_INSTRUMENTED_UPSTREAM_CALLER_H_
