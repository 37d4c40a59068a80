// Copyright 2026 The tracktry-grpc Authors.
//
// Tracktry operations on one tracking. Each takes the typed request,
// sends its upstream call through `upstream` by `deadline`, writes the typed
// result into `*out` and then calls `done` once with OK or the error (the
// upstream status table's, or NOT_FOUND / INTERNAL from reading the
// answer). They return the upstream call's id (0 when none was started and
// `done` already ran). `request` and `out` must stay valid until `done` has
// run, or until `upstream` has dropped the completion (the RPC call scope drops
// completions that arrive after its RPC finished). Requests are assumed
// valid (service/validation runs first).
#ifndef TRACKTRY_SERVICE_TRACKTRY_API_TRACKING_OPERATIONS_H_
#define TRACKTRY_SERVICE_TRACKTRY_API_TRACKING_OPERATIONS_H_

#include "absl/time/time.h"
#include "service/tracktry_api/operation_call.h"
#include "service/tracktry_api/upstream_caller.h"
#include "service/tracktry_api/upstream_request.h"
#include "tracktry/v1/tracking_service.pb.h"

namespace tracktry {
namespace api {

// POST /trackings/post. The created tracking as the upstream echoes it, or
// (accepted without an echo) what was registered, status PENDING. With a
// request_id, the call carries the AIP-155 idempotency key.
UpstreamCaller::CallId CreateTracking(UpstreamCaller* upstream,
                                      const v1::CreateTrackingRequest& request,
                                      absl::Time deadline, v1::Tracking* out,
                                      StatusCallback done);

// GET /trackings/{carrier}/{number}[/{lang}]. NOT_FOUND
// (TRACKING_NOT_FOUND) when the answer holds no tracking (4031 or no data).
UpstreamCaller::CallId GetTracking(UpstreamCaller* upstream,
                                   const v1::GetTrackingRequest& request,
                                   absl::Time deadline, v1::Tracking* out,
                                   StatusCallback done);

// GetTracking that also keeps the answer's `data` in `*data` (a webhook
// re-read shares it with the other replicas in fleet mode). `data` must
// stay valid as `out` does.
UpstreamCaller::CallId GetTracking(UpstreamCaller* upstream,
                                   const v1::GetTrackingRequest& request,
                                   absl::Time deadline, v1::Tracking* out,
                                   nlohmann::json* data, StatusCallback done);

// The upstream call GetTracking sends (also the cache entry a verified
// webhook push refreshes).
UpstreamRequest GetTrackingCall(const v1::GetTrackingRequest& request);

// PUT /trackings/{carrier}/{number}. The updated tracking as echoed, or
// just its carrier and number when the upstream echoes nothing.
UpstreamCaller::CallId UpdateTracking(UpstreamCaller* upstream,
                                      const v1::UpdateTrackingRequest& request,
                                      absl::Time deadline, v1::Tracking* out,
                                      StatusCallback done);

// DELETE /trackings/{carrier}/{number}.
UpstreamCaller::CallId DeleteTracking(UpstreamCaller* upstream,
                                      const v1::DeleteTrackingRequest& request,
                                      absl::Time deadline, StatusCallback done);

// POST /trackings/realtime: the carrier is queried live. NOT_FOUND as for
// GetTracking.
UpstreamCaller::CallId GetRealtimeTracking(
    UpstreamCaller* upstream, const v1::GetRealtimeTrackingRequest& request,
    absl::Time deadline, v1::Tracking* out, StatusCallback done);

// POST /trackings/update: moves a tracking to another carrier.
UpstreamCaller::CallId ChangeTrackingCarrier(
    UpstreamCaller* upstream, const v1::ChangeTrackingCarrierRequest& request,
    absl::Time deadline, v1::ChangeTrackingCarrierResponse* out,
    StatusCallback done);

}  // namespace api
}  // namespace tracktry

#endif  // TRACKTRY_SERVICE_TRACKTRY_API_TRACKING_OPERATIONS_H_
