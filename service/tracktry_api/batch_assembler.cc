// Copyright 2026 The tracktry-grpc Authors.
#include "service/tracktry_api/batch_assembler.h"

#include <algorithm>
#include <map>
#include <string>
#include <utility>

#include "absl/strings/ascii.h"
#include "common/error_details.h"
#include "service/errors/item_status.h"
#include "service/errors/upstream_status.h"

namespace tracktry {
namespace {

std::string Key(const std::string& number) {
  return absl::AsciiStrToLower(number);
}

// Pops an entry for `item`'s tracking number: with `exact_carrier`, the
// first whose carrier equals the item's (never for an item without a
// carrier); otherwise the first entry for the number. Returns false when
// there is none.
template <typename T, typename CarrierOf>
bool TakeMatch(std::multimap<std::string, T>& pool, const BatchItemKey& item,
               CarrierOf carrier_of, bool exact_carrier, T* out) {
  if (exact_carrier && item.carrier_code.empty()) return false;
  const std::string carrier = absl::AsciiStrToLower(item.carrier_code);
  auto [begin, end] = pool.equal_range(Key(item.tracking_number));
  for (auto it = begin; it != end; ++it) {
    if (!exact_carrier ||
        absl::AsciiStrToLower(carrier_of(it->second)) == carrier) {
      *out = std::move(it->second);
      pool.erase(it);
      return true;
    }
  }
  return false;
}

}  // namespace

std::vector<std::vector<int>> ChunkIndices(int item_count, int chunk_size) {
  std::vector<std::vector<int>> chunks;
  if (chunk_size <= 0) chunk_size = 1;
  for (int start = 0; start < item_count; start += chunk_size) {
    std::vector<int> chunk;
    for (int i = start; i < std::min(item_count, start + chunk_size); ++i) {
      chunk.push_back(i);
    }
    chunks.push_back(std::move(chunk));
  }
  return chunks;
}

absl::Status MatchBatchOutcomes(
    const std::vector<BatchItemKey>& items,
    const std::vector<std::vector<int>>& chunks,
    std::vector<absl::StatusOr<BatchOutcome>> outcomes,
    std::vector<BatchItemOutcome>* out) {
  std::vector<BatchItemOutcome>& results = *out;
  results.assign(items.size(), BatchItemOutcome());
  bool any_answered = false;
  absl::Status first_error;
  for (size_t c = 0; c < chunks.size() && c < outcomes.size(); ++c) {
    if (!outcomes[c].ok()) {
      if (first_error.ok()) first_error = outcomes[c].status();
      const v1::ItemStatus status = ToItemStatus(outcomes[c].status());
      for (int index : chunks[c]) results[index].status = status;
      continue;
    }
    any_answered = true;
    std::multimap<std::string, v1::Tracking> echoed;
    for (v1::Tracking& tracking : outcomes[c]->created) {
      echoed.emplace(Key(tracking.tracking_number()), std::move(tracking));
    }
    std::multimap<std::string, BatchItemError> errors;
    for (BatchItemError& error : outcomes[c]->errors) {
      errors.emplace(Key(error.tracking_number), std::move(error));
    }
    // Two passes, so that an item naming its carrier gets the entry with
    // that carrier even when an earlier item (without a carrier, or whose
    // carrier the upstream corrected) could also take it by number alone.
    std::vector<int> pending = chunks[c];
    for (bool exact_carrier : {true, false}) {
      std::vector<int> unmatched;
      for (int index : pending) {
        const BatchItemKey& item = items[index];
        BatchItemOutcome& result = results[index];
        BatchItemError error;
        if (TakeMatch(
                echoed, item,
                [](const v1::Tracking& t) { return t.carrier_code(); },
                exact_carrier, &result.tracking)) {
          result.status.set_code(0);
        } else if (TakeMatch(
                       errors, item,
                       [](const BatchItemError& e) { return e.carrier_code; },
                       exact_carrier, &error)) {
          UpstreamResult upstream;
          upstream.http_status = 200;
          upstream.meta_code = error.code;
          upstream.meta_message = error.message;
          absl::Status status = StatusFromUpstream(upstream);
          if (status.ok()) {
            // An "error" entry with a success code: report it as unknown.
            status =
                MakeError(absl::StatusCode::kUnknown,
                          "upstream listed the item as failed without a code",
                          "UPSTREAM_UNKNOWN_CODE");
          }
          result.status = ToItemStatus(status);
        } else if (exact_carrier) {
          unmatched.push_back(index);
        } else {
          result.status = ToItemStatus(
              MakeError(absl::StatusCode::kUnknown,
                        "upstream returned no result for this item",
                        "UPSTREAM_NO_RESULT"));
        }
      }
      pending = std::move(unmatched);
    }
  }
  if (!any_answered && !first_error.ok()) return first_error;
  return absl::OkStatus();
}

absl::Status AssembleBatchResponse(
    const google::protobuf::RepeatedPtrField<v1::NewTracking>& items,
    const std::vector<std::vector<int>>& chunks,
    const std::vector<absl::StatusOr<BatchOutcome>>& outcomes,
    v1::BatchCreateTrackingsResponse* response) {
  std::vector<BatchItemKey> keys;
  keys.reserve(items.size());
  for (const v1::NewTracking& item : items) {
    keys.push_back({item.tracking_number(), item.carrier_code()});
  }
  std::vector<BatchItemOutcome> matched;
  const absl::Status status =
      MatchBatchOutcomes(keys, chunks, outcomes, &matched);
  response->Clear();
  int created = 0;
  for (int i = 0; i < items.size(); ++i) {
    v1::BatchCreateResult* result = response->add_results();
    result->set_index(i);
    result->set_tracking_number(items[i].tracking_number());
    result->set_carrier_code(items[i].carrier_code());
    BatchItemOutcome& outcome = matched[i];
    if (outcome.status.code() == 0) {
      ++created;
      *result->mutable_tracking() = std::move(outcome.tracking);
    }
    *result->mutable_status() = std::move(outcome.status);
  }
  response->set_created_count(created);
  response->set_failed_count(items.size() - created);
  return status;
}

}  // namespace tracktry
