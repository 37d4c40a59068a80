// Copyright 2026 The tracktry-grpc Authors.
//
// Pure helpers for the batch operations: split a request into upstream
// chunks, and merge the chunk outcomes back into one result per item, in
// request order.
#ifndef TRACKTRY_SERVICE_TRACKTRY_API_BATCH_ASSEMBLER_H_
#define TRACKTRY_SERVICE_TRACKTRY_API_BATCH_ASSEMBLER_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "service/translation/batch_outcome.h"
#include "tracktry/v1/tracking_service.pb.h"

namespace tracktry {

// Request indices grouped into consecutive chunks of at most `chunk_size`.
std::vector<std::vector<int>> ChunkIndices(int item_count, int chunk_size);

// What identifies a batch item in the upstream's answer.
struct BatchItemKey {
  std::string tracking_number;
  std::string carrier_code;
};

// One item's result: its status, and for an item the upstream created or
// changed, the tracking it echoed (empty otherwise).
struct BatchItemOutcome {
  v1::ItemStatus status;
  v1::Tracking tracking;
};

// Fills `*out` with one outcome per item of `items`. `outcomes[i]` is the
// upstream answer (or the whole-call error) for `chunks[i]`. Upstream results
// are matched to items by tracking number (case-insensitive): first entries
// whose carrier code equals the item's, then, for the items still unmatched,
// any entry for the number (the upstream may correct or detect the carrier);
// echoed trackings before rejected entries. Each entry is used once; an item
// the upstream did not mention gets UNKNOWN UPSTREAM_NO_RESULT, and the items
// of a failed chunk get that chunk's error.
//
// Returns OK when at least one chunk was answered; when every chunk failed
// as a whole, returns the first chunk's error (the RPC fails).
absl::Status MatchBatchOutcomes(
    const std::vector<BatchItemKey>& items,
    const std::vector<std::vector<int>>& chunks,
    std::vector<absl::StatusOr<BatchOutcome>> outcomes,
    std::vector<BatchItemOutcome>* out);

// MatchBatchOutcomes for BatchCreateTrackings: fills `response` (reset
// first) with one result per item and the created/failed counts.
absl::Status AssembleBatchResponse(
    const google::protobuf::RepeatedPtrField<v1::NewTracking>& items,
    const std::vector<std::vector<int>>& chunks,
    const std::vector<absl::StatusOr<BatchOutcome>>& outcomes,
    v1::BatchCreateTrackingsResponse* response);

}  // namespace tracktry

#endif  // TRACKTRY_SERVICE_TRACKTRY_API_BATCH_ASSEMBLER_H_
