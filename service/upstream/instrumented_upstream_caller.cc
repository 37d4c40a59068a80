// Copyright 2026 The tracktry-grpc Authors.
#include "service/upstream/instrumented_upstream_caller.h"

#include <utility>

#include "service/errors/item_status.h"

namespace tracktry {

UpstreamOutcome OutcomeOf(const absl::StatusOr<Envelope>& result) {
  UpstreamOutcome outcome;
  if (result.ok()) {
    // TracktryClient only parses envelopes of 2xx answers.
    outcome.http_status = 200;
    outcome.meta_code = result->meta_code;
    return outcome;
  }
  outcome.http_status = UpstreamHttpStatusOf(result.status()).value_or(0);
  outcome.meta_code = UpstreamMetaCodeOf(result.status());
  return outcome;
}

InstrumentedUpstreamCaller::InstrumentedUpstreamCaller(
    UpstreamCaller* inner, UpstreamCallObserver* observer)
    : inner_(inner), observer_(observer) {}

UpstreamCaller::CallId InstrumentedUpstreamCaller::Send(UpstreamRequest request,
                                                        absl::Time deadline,
                                                        EnvelopeCallback done) {
  if (observer_ == nullptr) {
    return inner_->Send(std::move(request), deadline, std::move(done));
  }
  const Endpoint endpoint = request.endpoint;
  const absl::Time start = absl::Now();
  observer_->OnUpstreamStarted(endpoint);
  return inner_->Send(
      std::move(request), deadline,
      [this, endpoint, start,
       done = std::move(done)](absl::StatusOr<Envelope> result) mutable {
        observer_->OnUpstreamFinished(endpoint, result.status(),
                                      OutcomeOf(result), absl::Now() - start);
        std::move(done)(std::move(result));
      });
}

void InstrumentedUpstreamCaller::Cancel(CallId id) { inner_->Cancel(id); }

}  // namespace tracktry
