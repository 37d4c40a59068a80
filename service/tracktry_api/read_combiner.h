// Copyright 2026 The tracktry-grpc Authors.
//
// ReadCombiner: how several queued upstream reads can be answered by one
// upstream call. The rate shaper (service/upstream/rate_shaper.h) asks it,
// when a token is granted to a queued read, which other queued reads may go
// in the same call, builds that call with Combine() and hands each read its
// part of the answer with Split(). The shaper knows nothing about Tracktry;
// the implementation (TrackingReadCombiner) lives in the API layer, which
// knows the routes, their queries and how to read their answers.
#ifndef TRACKTRY_SERVICE_TRACKTRY_API_READ_COMBINER_H_
#define TRACKTRY_SERVICE_TRACKTRY_API_READ_COMBINER_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/cord.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/types/span.h"
#include "service/tracktry_api/route_table.h"
#include "service/tracktry_api/upstream_request.h"
#include "service/translation/envelope.h"

namespace tracktry {

// Implementations are immutable and thread-safe.
class ReadCombiner {
 public:
  ReadCombiner() = default;
  ReadCombiner(const ReadCombiner&) = delete;
  ReadCombiner& operator=(const ReadCombiner&) = delete;
  virtual ~ReadCombiner() = default;

  // Requests with the same non-empty key may be answered by one combined
  // call; "" = `request` always goes out on its own.
  virtual std::string CombineKey(const UpstreamRequest& request) const = 0;

  // The most requests one combined call may answer (below 2: combining is
  // off).
  virtual int max_members() const = 0;

  // The endpoint of every combined call. Its rate class's token is spent by
  // a combined call in addition to the one its first member was given.
  virtual Endpoint combined_endpoint() const = 0;

  // The one call answering `members` (2..max_members() requests with the
  // same CombineKey, in queue order).
  virtual UpstreamRequest Combine(
      absl::Span<const UpstreamRequest> members) const = 0;

  // The combined call's result, per member, in the order of `members` (the
  // span given to Combine()): for each, exactly what its own call would have
  // returned (an envelope shaped like that call's answer, or the error the
  // status table gives for that call's outcome).
  virtual std::vector<absl::StatusOr<Envelope>> Split(
      const absl::StatusOr<Envelope>& answer,
      absl::Span<const UpstreamRequest> members) const = 0;
};

// The errors the members of one combined call get are one upstream
// outcome. The rate shaper marks them with the combined call's number (a
// status payload) so that a layer counting upstream failures counts that
// outcome once, not once per member (CircuitBreaker). That layer takes the
// mark off, so it never leaves the upstream chain.
inline constexpr char kSharedOutcomeUrl[] =
    "type.tracktry.internal/SharedUpstreamOutcome";

inline absl::Status WithSharedOutcome(absl::Status status, uint64_t call) {
  if (!status.ok())
    status.SetPayload(kSharedOutcomeUrl, absl::Cord(absl::StrCat(call)));
  return status;
}

// The mark of `*status`, removed from it; nullopt when it has none.
inline std::optional<uint64_t> TakeSharedOutcome(absl::Status* status) {
  const auto mark = status->GetPayload(kSharedOutcomeUrl);  // absl::optional
  if (!mark.has_value()) return std::nullopt;
  status->ErasePayload(kSharedOutcomeUrl);
  uint64_t call = 0;
  if (!absl::SimpleAtoi(std::string(*mark), &call)) return std::nullopt;
  return call;
}

}  // namespace tracktry

#endif  // TRACKTRY_SERVICE_TRACKTRY_API_READ_COMBINER_H_
