// Copyright 2026 The tracktry-grpc Authors.
#include "service/tracktry_api/batch_operations.h"

#include <cstddef>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

#include "absl/functional/any_invocable.h"
#include "service/tracktry_api/batch_assembler.h"
#include "service/tracktry_api/request_id.h"
#include "service/translation/batch_translation.h"
#include "service/translation/extended_translation.h"
#include "service/translation/request_translation.h"

namespace tracktry {
namespace api {
namespace {

using ChunkOutcomes = std::vector<absl::StatusOr<BatchOutcome>>;
// Turns the chunk outcomes (in chunk order) into the result; its status is
// the operation's.
using FinishChunks = absl::AnyInvocable<absl::Status(ChunkOutcomes) &&>;

// What the chunk completions share; they may run on different threads.
struct ChunkRun {
  std::mutex mu;
  ChunkOutcomes outcomes;
  size_t remaining = 0;
  FinishChunks finish;
  StatusCallback done;
};

absl::StatusOr<BatchOutcome> ChunkOutcomeOf(absl::StatusOr<Envelope> envelope) {
  if (!envelope.ok()) return envelope.status();
  if (IsEmptyAnswer(*envelope)) return BatchOutcome();
  return BatchOutcomeFromData(envelope->data());
}

// Sends every call of `calls` at once; when the last one has answered,
// `finish` gets their outcomes and its status goes to `done`.
void RunChunks(UpstreamCaller* upstream, std::vector<UpstreamRequest> calls,
               absl::Time deadline, FinishChunks finish, StatusCallback done) {
  auto run = std::make_shared<ChunkRun>();
  run->outcomes.assign(calls.size(), absl::UnknownError("chunk not answered"));
  run->remaining = calls.size();
  run->finish = std::move(finish);
  run->done = std::move(done);
  if (calls.empty()) {
    std::move(run->done)(std::move(run->finish)(ChunkOutcomes()));
    return;
  }
  for (size_t c = 0; c < calls.size(); ++c) {
    upstream->Send(std::move(calls[c]), deadline,
                   [run, c](absl::StatusOr<Envelope> envelope) {
                     absl::StatusOr<BatchOutcome> outcome =
                         ChunkOutcomeOf(std::move(envelope));
                     {
                       std::lock_guard<std::mutex> lock(run->mu);
                       run->outcomes[c] = std::move(outcome);
                       if (--run->remaining > 0) return;
                     }
                     std::move(run->done)(
                         std::move(run->finish)(std::move(run->outcomes)));
                   });
  }
}

// One call per chunk of `item_count` items: `endpoint`, the numbers of the
// chunk's items as keys, and the body `body_of(chunk)`.
template <typename NumberOf, typename BodyOf>
std::vector<UpstreamRequest> ChunkCalls(
    Endpoint endpoint, const std::vector<std::vector<int>>& chunks,
    NumberOf number_of, BodyOf body_of) {
  std::vector<UpstreamRequest> calls;
  calls.reserve(chunks.size());
  for (const std::vector<int>& chunk : chunks) {
    UpstreamRequest call;
    call.endpoint = endpoint;
    for (int index : chunk) call.tracking_numbers.push_back(number_of(index));
    call.body = SerializeBody(body_of(chunk));
    calls.push_back(std::move(call));
  }
  return calls;
}

// Fills `results` from the matched outcomes; returns how many succeeded.
int FillItemResults(
    const std::vector<BatchItemKey>& keys,
    const std::vector<BatchItemOutcome>& outcomes,
    google::protobuf::RepeatedPtrField<v1::BatchItemResult>* results) {
  int succeeded = 0;
  results->Clear();
  for (size_t i = 0; i < keys.size(); ++i) {
    v1::BatchItemResult* result = results->Add();
    result->set_index(static_cast<int>(i));
    result->set_tracking_number(keys[i].tracking_number);
    result->set_carrier_code(keys[i].carrier_code);
    *result->mutable_status() = outcomes[i].status;
    if (outcomes[i].status.code() == 0) ++succeeded;
  }
  return succeeded;
}

// A delete/update batch: one call per chunk of `keys`; when all answered,
// per-item results go to `results` and `set_counts(succeeded)` runs.
template <typename BodyOf, typename SetCounts>
void RunItemBatch(
    UpstreamCaller* upstream, Endpoint endpoint, std::vector<BatchItemKey> keys,
    int chunk_size, absl::Time deadline, BodyOf body_of,
    google::protobuf::RepeatedPtrField<v1::BatchItemResult>* results,
    SetCounts set_counts, StatusCallback done) {
  std::vector<std::vector<int>> chunks =
      ChunkIndices(static_cast<int>(keys.size()), chunk_size);
  std::vector<UpstreamRequest> calls = ChunkCalls(
      endpoint, chunks,
      [&keys](int index) { return keys[index].tracking_number; }, body_of);
  RunChunks(
      upstream, std::move(calls), deadline,
      [keys = std::move(keys), chunks = std::move(chunks), results,
       set_counts](ChunkOutcomes outcomes) mutable {
        std::vector<BatchItemOutcome> matched;
        absl::Status status =
            MatchBatchOutcomes(keys, chunks, std::move(outcomes), &matched);
        set_counts(FillItemResults(keys, matched, results));
        return status;
      },
      std::move(done));
}

}  // namespace

void BatchCreateTrackings(UpstreamCaller* upstream,
                          const v1::BatchCreateTrackingsRequest& request,
                          int chunk_size, absl::Time deadline,
                          v1::BatchCreateTrackingsResponse* out,
                          StatusCallback done) {
  std::vector<std::vector<int>> chunks =
      ChunkIndices(request.trackings_size(), chunk_size);
  std::vector<UpstreamRequest> calls = ChunkCalls(
      Endpoint::kBatchCreate, chunks,
      [&request](int index) {
        return request.trackings(index).tracking_number();
      },
      [&request](const std::vector<int>& chunk) {
        std::vector<const v1::NewTracking*> items;
        for (int index : chunk) items.push_back(&request.trackings(index));
        return BatchCreateBody(items);
      });
  // AIP-155: each chunk's answer is replayed on a repeat.
  const RequestIdKey key = RequestIdKeyOf("BatchCreateTrackings", request);
  for (size_t c = 0; c < calls.size(); ++c) {
    key.Apply(static_cast<int>(c), &calls[c]);
  }
  RunChunks(
      upstream, std::move(calls), deadline,
      [&request, chunks = std::move(chunks), out](ChunkOutcomes outcomes) {
        return AssembleBatchResponse(request.trackings(), chunks, outcomes,
                                     out);
      },
      std::move(done));
}

void BatchDeleteTrackings(UpstreamCaller* upstream,
                          const v1::BatchDeleteTrackingsRequest& request,
                          int chunk_size, absl::Time deadline,
                          v1::BatchDeleteTrackingsResponse* out,
                          StatusCallback done) {
  std::vector<BatchItemKey> keys;
  for (const v1::TrackingRef& ref : request.trackings()) {
    keys.push_back({ref.tracking_number(), ref.carrier_code()});
  }
  RunItemBatch(
      upstream, Endpoint::kBatchDelete, std::move(keys), chunk_size, deadline,
      [&request](const std::vector<int>& chunk) {
        std::vector<const v1::TrackingRef*> refs;
        for (int index : chunk) refs.push_back(&request.trackings(index));
        return TrackingRefsBody(refs);
      },
      out->mutable_results(),
      [&request, out](int deleted) {
        out->set_deleted_count(deleted);
        out->set_failed_count(request.trackings_size() - deleted);
      },
      std::move(done));
}

void BatchUpdateTrackings(UpstreamCaller* upstream,
                          const v1::BatchUpdateTrackingsRequest& request,
                          int chunk_size, absl::Time deadline,
                          v1::BatchUpdateTrackingsResponse* out,
                          StatusCallback done) {
  std::vector<BatchItemKey> keys;
  for (const v1::TrackingUpdate& update : request.updates()) {
    keys.push_back({update.tracking_number(), update.carrier_code()});
  }
  RunItemBatch(
      upstream, Endpoint::kUpdateMore, std::move(keys), chunk_size, deadline,
      [&request](const std::vector<int>& chunk) {
        std::vector<const v1::TrackingUpdate*> updates;
        for (int index : chunk) updates.push_back(&request.updates(index));
        return UpdateMoreBody(updates);
      },
      out->mutable_results(),
      [&request, out](int updated) {
        out->set_updated_count(updated);
        out->set_failed_count(request.updates_size() - updated);
      },
      std::move(done));
}

void StopTrackingUpdates(UpstreamCaller* upstream,
                         const v1::StopTrackingUpdatesRequest& request,
                         absl::Time deadline,
                         v1::StopTrackingUpdatesResponse* out,
                         StatusCallback done) {
  std::vector<const v1::TrackingRef*> refs;
  UpstreamRequest call;
  call.endpoint = Endpoint::kNotUpdate;
  for (const v1::TrackingRef& ref : request.trackings()) {
    refs.push_back(&ref);
    call.tracking_numbers.push_back(ref.tracking_number());
  }
  call.body = SerializeBody(TrackingRefsBody(refs));
  SendAndRead(
      upstream, std::move(call), deadline,
      [out](const Envelope& envelope) {
        return StopUpdatesFromData(envelope.data(), out);
      },
      std::move(done));
}

}  // namespace api
}  // namespace tracktry
