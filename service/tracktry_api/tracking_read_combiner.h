// Copyright 2026 The tracktry-grpc Authors.
//
// TrackingReadCombiner: answers up to 40 GetTracking reads of different
// tracking numbers with one GET /trackings/get?numbers=... (docs/
// read-batching.md).
//
//   * Which reads combine: GetTracking calls of one tracking number with a
//     carrier, without query or body, of the same `lang` (one lang per list
//     call). bypass_cache reads combine too (the flag only matters to the
//     cache above the shaper).
//   * The combined call: kListTrackings with `numbers` = the members'
//     numbers (exact duplicates sent once, in queue order), `lang` when the
//     members have one, page 1 and the largest page (2000), built with the
//     same query translation as ListTrackings.
//   * Split: each member gets the item of the answer whose tracking_number
//     equals its number (case-insensitively; an exact-case match wins) and
//     whose carrier_code equals its carrier, as the envelope of a single GET
//     (meta 200 "Success", data = that tracking object), so that every layer
//     above reads and caches it as it would the single GET's answer. A
//     member the answer lacks (including an empty 4031 answer) gets the
//     status table's NOT_FOUND for meta.code 4017, as the single GET would
//     have. When the combined call failed, every member gets its error.
//     Answers whose `data` has no list shape fail every member with INTERNAL
//     UPSTREAM_MALFORMED_RESPONSE; a malformed item (not an object, no
//     tracking_number) fails only the members left unmatched, since it may
//     have been theirs; so does a full page (2000 items, there may be more).
#ifndef TRACKTRY_SERVICE_TRACKTRY_API_TRACKING_READ_COMBINER_H_
#define TRACKTRY_SERVICE_TRACKTRY_API_TRACKING_READ_COMBINER_H_

#include <string>
#include <vector>

#include "service/tracktry_api/read_combiner.h"

namespace tracktry {

// The most numbers one GET /trackings/get may filter on (reference 2.6).
inline constexpr int kMaxNumbersPerListCall = 40;

// Read batching in the rate shaper (--read-batching, --read-batch-max).
struct ReadBatchingOptions {
  bool enabled = true;
  // Most reads one list call answers, 1..kMaxNumbersPerListCall (1 = off).
  int max_numbers = kMaxNumbersPerListCall;
};

class TrackingReadCombiner final : public ReadCombiner {
 public:
  // `max_numbers` is clamped to [1, kMaxNumbersPerListCall].
  explicit TrackingReadCombiner(int max_numbers = kMaxNumbersPerListCall);

  std::string CombineKey(const UpstreamRequest& request) const override;
  int max_members() const override { return max_numbers_; }
  Endpoint combined_endpoint() const override {
    return Endpoint::kListTrackings;
  }
  UpstreamRequest Combine(
      absl::Span<const UpstreamRequest> members) const override;
  std::vector<absl::StatusOr<Envelope>> Split(
      const absl::StatusOr<Envelope>& answer,
      absl::Span<const UpstreamRequest> members) const override;

 private:
  const int max_numbers_;
};

}  // namespace tracktry

#endif  // TRACKTRY_SERVICE_TRACKTRY_API_TRACKING_READ_COMBINER_H_
