// Copyright 2026 The tracktry-grpc Authors.
//
// Turns a TrackingRecord into what Tracktry shows at a given emulated time:
// the computed status (EvaluateTracking) and the JSON tracking object
// (RenderTracking) with Tracktry's field names, types and quirks. Pure
// functions; thread-compatible.
#ifndef TRACKTRY_EMULATOR_TRACKING_RENDERER_H_
#define TRACKTRY_EMULATOR_TRACKING_RENDERER_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "emulator/envelope.h"
#include "emulator/tracking_record.h"

namespace tracktry::emulator {

// A new tracking stays "pending" (no events shown) this long unless a
// realtime query polls it earlier.
inline constexpr int64_t kFirstPollDelaySeconds = 60;

// The state of a tracking at one instant.
struct TrackingState {
  // pending, notfound, transit, pickup, delivered, undelivered, exception
  // or expired.
  std::string status;
  // e.g. "transit001"; nullopt for pending and expired.
  std::optional<std::string> substatus;
  // Events visible now, oldest first (pointers into the record).
  std::vector<const Checkpoint*> visible;
  // updated_at: max(created_at, modified_at, first poll, newest event).
  int64_t updated_at = 0;
};

TrackingState EvaluateTracking(const TrackingRecord& record, int64_t now_unix);

struct RenderOptions {
  // Apply the record's per-tracking quirks (email array, null
  // destination_info).
  bool quirks = true;
  // Realtime answer: destination_info is null and every event is listed in
  // origin_info; adds the realtime-only fields.
  bool realtime = false;
};

// The full tracking object (GET single, list items, PUT, realtime).
OrderedJson RenderTracking(const TrackingRecord& record, int64_t now_unix,
                           const RenderOptions& options);

// The short create result of POST /trackings/post and batch, with the
// literal string "null" for absent customer_email/customer_name/order_id.
OrderedJson RenderCreateResult(const TrackingRecord& record);

// True if `status` is one of Tracktry's eight status strings.
bool IsKnownStatus(const std::string& status);

}  // namespace tracktry::emulator

#endif  // TRACKTRY_EMULATOR_TRACKING_RENDERER_H_
