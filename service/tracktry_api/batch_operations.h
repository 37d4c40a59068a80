// Copyright 2026 The tracktry-grpc Authors.
//
// Tracktry operations on many trackings at once. The batch ones split the
// request into chunks of at most `chunk_size` items (Tracktry accepts 40
// per call), send every chunk at once and merge the answers into one result
// per item, in request order (see MatchBatchOutcomes): the RPC fails only
// when every chunk failed as a whole. Lifetimes and threading as in
// tracking_operations.h; `done` runs once, after the last chunk answered.
#ifndef TRACKTRY_SERVICE_TRACKTRY_API_BATCH_OPERATIONS_H_
#define TRACKTRY_SERVICE_TRACKTRY_API_BATCH_OPERATIONS_H_

#include "absl/time/time.h"
#include "service/tracktry_api/operation_call.h"
#include "service/tracktry_api/upstream_caller.h"
#include "tracktry/v1/tracking_service.pb.h"

namespace tracktry {
namespace api {

// POST /trackings/batch per chunk. With a request_id, each chunk carries the
// AIP-155 key (its answer is replayed on a repeat).
void BatchCreateTrackings(UpstreamCaller* upstream,
                          const v1::BatchCreateTrackingsRequest& request,
                          int chunk_size, absl::Time deadline,
                          v1::BatchCreateTrackingsResponse* out,
                          StatusCallback done);

// POST /trackings/delete per chunk.
void BatchDeleteTrackings(UpstreamCaller* upstream,
                          const v1::BatchDeleteTrackingsRequest& request,
                          int chunk_size, absl::Time deadline,
                          v1::BatchDeleteTrackingsResponse* out,
                          StatusCallback done);

// POST /trackings/updatemore per chunk.
void BatchUpdateTrackings(UpstreamCaller* upstream,
                          const v1::BatchUpdateTrackingsRequest& request,
                          int chunk_size, absl::Time deadline,
                          v1::BatchUpdateTrackingsResponse* out,
                          StatusCallback done);

// POST /trackings/notupdate (one call: the counts are the upstream's).
void StopTrackingUpdates(UpstreamCaller* upstream,
                         const v1::StopTrackingUpdatesRequest& request,
                         absl::Time deadline,
                         v1::StopTrackingUpdatesResponse* out,
                         StatusCallback done);

}  // namespace api
}  // namespace tracktry

#endif  // TRACKTRY_SERVICE_TRACKTRY_API_BATCH_OPERATIONS_H_
