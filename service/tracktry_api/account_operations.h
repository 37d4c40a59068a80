// Copyright 2026 The tracktry-grpc Authors.
//
// Tracktry operations about carriers and the account rather than one
// tracking. Lifetimes and threading as in tracking_operations.h.
#ifndef TRACKTRY_SERVICE_TRACKTRY_API_ACCOUNT_OPERATIONS_H_
#define TRACKTRY_SERVICE_TRACKTRY_API_ACCOUNT_OPERATIONS_H_

#include "absl/time/time.h"
#include "service/tracktry_api/operation_call.h"
#include "service/tracktry_api/upstream_caller.h"
#include "tracktry/v1/tracking_service.pb.h"

namespace tracktry {
namespace api {

// GET /carriers: every carrier (none on 4031).
UpstreamCaller::CallId ListCarriers(UpstreamCaller* upstream,
                                    const v1::ListCarriersRequest& request,
                                    absl::Time deadline,
                                    v1::ListCarriersResponse* out,
                                    StatusCallback done);

// POST /carriers/detect: the candidate carriers of a number, the request's
// carrier_code (a preference) first. FAILED_PRECONDITION
// CARRIER_UNDETECTABLE when there is none.
UpstreamCaller::CallId DetectCarrier(UpstreamCaller* upstream,
                                     const v1::DetectCarrierRequest& request,
                                     absl::Time deadline,
                                     v1::DetectCarrierResponse* out,
                                     StatusCallback done);

// GET /trackings/getuserinfo.
UpstreamCaller::CallId GetAccountInfo(UpstreamCaller* upstream,
                                      absl::Time deadline,
                                      v1::GetAccountInfoResponse* out,
                                      StatusCallback done);

// POST /trackings/remote.
UpstreamCaller::CallId CheckRemoteAreas(
    UpstreamCaller* upstream, const v1::CheckRemoteAreasRequest& request,
    absl::Time deadline, v1::CheckRemoteAreasResponse* out,
    StatusCallback done);

// POST /trackings/costtime (none on 4031).
UpstreamCaller::CallId GetTransitTimes(
    UpstreamCaller* upstream, const v1::GetTransitTimesRequest& request,
    absl::Time deadline, v1::GetTransitTimesResponse* out, StatusCallback done);

}  // namespace api
}  // namespace tracktry

#endif  // TRACKTRY_SERVICE_TRACKTRY_API_ACCOUNT_OPERATIONS_H_
