// Copyright 2026 The tracktry-grpc Authors.
//
// Pure helpers for BatchCreateTrackings: split the request into upstream
// chunks and merge the chunk outcomes back into one result per item, in
// request order.
#ifndef TRACKTRY_SERVICE_TRACKTRY_API_BATCH_ASSEMBLER_H_
#define TRACKTRY_SERVICE_TRACKTRY_API_BATCH_ASSEMBLER_H_

#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "service/translation/batch_translation.h"
#include "tracktry/v1/tracking_service.pb.h"

namespace tracktry {

// Request indices grouped into consecutive chunks of at most `chunk_size`.
std::vector<std::vector<int>> ChunkIndices(int item_count, int chunk_size);

// The ItemStatus for `status` (code, message, ErrorInfo reason, metaCode).
v1::ItemStatus ItemStatusFromStatus(const absl::Status& status);

// Fills `response` with one result per item of `items`. `outcomes[i]` is
// the upstream answer (or the whole-call error) for `chunks[i]`. Upstream
// results are matched to items by tracking number (case-insensitive): first
// entries whose carrier code equals the item's, then, for the items still
// unmatched, any entry for the number (the upstream may correct or detect
// the carrier); created entries before rejected ones. Each entry is used
// once; an item the upstream did not mention gets UNKNOWN
// UPSTREAM_NO_RESULT.
//
// Returns OK when at least one chunk was answered; when every chunk failed
// as a whole, returns the first chunk's error (the RPC fails).
absl::Status AssembleBatchResponse(
    const google::protobuf::RepeatedPtrField<v1::NewTracking>& items,
    const std::vector<std::vector<int>>& chunks,
    const std::vector<absl::StatusOr<BatchOutcome>>& outcomes,
    v1::BatchCreateTrackingsResponse* response);

}  // namespace tracktry

#endif  // TRACKTRY_SERVICE_TRACKTRY_API_BATCH_ASSEMBLER_H_
