// Copyright 2026 The tracktry-grpc Authors.
#include "service/upstream/instrumented_upstream_caller.h"

#include <utility>

#include "absl/strings/numbers.h"
#include "absl/time/clock.h"
#include "common/error_details.h"

namespace tracktry {

UpstreamOutcome OutcomeOf(const absl::StatusOr<Envelope>& result) {
  UpstreamOutcome outcome;
  if (result.ok()) {
    // TracktryClient only parses envelopes of 2xx answers.
    outcome.http_status = 200;
    outcome.meta_code = result->meta_code;
    return outcome;
  }
  std::optional<google::rpc::ErrorInfo> info = GetErrorInfo(result.status());
  if (!info.has_value()) return outcome;
  const auto& metadata = info->metadata();
  if (auto it = metadata.find("httpStatus"); it != metadata.end()) {
    int value = 0;
    if (absl::SimpleAtoi(it->second, &value)) outcome.http_status = value;
  }
  if (auto it = metadata.find("metaCode"); it != metadata.end()) {
    int value = 0;
    if (absl::SimpleAtoi(it->second, &value)) outcome.meta_code = value;
  }
  return outcome;
}

InstrumentedUpstreamCaller::InstrumentedUpstreamCaller(
    UpstreamCaller* inner, MetricsRegistry* metrics,
    ReadinessController* readiness)
    : inner_(inner), metrics_(metrics), readiness_(readiness) {}

UpstreamCaller::CallId InstrumentedUpstreamCaller::Send(UpstreamRequest request,
                                                        absl::Time deadline,
                                                        EnvelopeCallback done) {
  const Endpoint endpoint = request.endpoint;
  const absl::Time start = absl::Now();
  if (metrics_ != nullptr) metrics_->OnUpstreamStarted(endpoint);
  return inner_->Send(
      std::move(request), deadline,
      [this, endpoint, start,
       done = std::move(done)](absl::StatusOr<Envelope> result) mutable {
        if (metrics_ != nullptr) {
          const UpstreamOutcome outcome = OutcomeOf(result);
          metrics_->OnUpstreamFinished(endpoint, outcome.http_status,
                                       outcome.meta_code, absl::Now() - start);
        }
        if (readiness_ != nullptr)
          readiness_->OnUpstreamResult(result.status());
        std::move(done)(std::move(result));
      });
}

void InstrumentedUpstreamCaller::Cancel(CallId id) { inner_->Cancel(id); }

}  // namespace tracktry
