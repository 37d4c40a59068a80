// Copyright 2026 The tracktry-grpc Authors.
//
// Translation of tracktry.v1 requests into Tracktry request bodies and query
// parameters. No validation happens here (the validation layer runs first);
// fields with empty/default values are omitted. Pure, thread-safe, never
// throw.
#ifndef TRACKTRY_SERVICE_TRANSLATION_REQUEST_TRANSLATION_H_
#define TRACKTRY_SERVICE_TRANSLATION_REQUEST_TRANSLATION_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"
#include "tracktry/v1/tracking_service.pb.h"

namespace tracktry {

// Body of POST /trackings/post: an object with the upstream field names of
// reference section 2.1 for every non-empty field; auto_correct true is sent
// as "auto_correct": 1.
nlohmann::json CreateTrackingBody(const tracktry::v1::NewTracking& tracking);

// Body of POST /trackings/batch: a JSON array with one CreateTrackingBody
// per item, in order. tracking_destination_country is sent under both
// "tracking_destination_country" and "specialNumberDestination" (the batch
// page's name). Null pointers are skipped; the pointees are not retained.
nlohmann::json BatchCreateBody(
    const std::vector<const tracktry::v1::NewTracking*>& items);

// Body of PUT /trackings/{carrier_code}/{tracking_number}.
//
// update_mask paths are relative to `tracking` (a leading "tracking." is
// tolerated): title, logistics_channel, customer_name, customer_emails,
// customer_phone, order_id, destination_code, archived. A named field is sent
// even when empty (to clear it). customer_emails becomes the string
// "customer_email" (at most one element; none -> ""). archived is sent as the
// string "true"/"false". An empty mask sends every updatable field that has a
// non-default value. status_change DELIVERED/EXCEPTION/REVERT adds
// "status": 4/7/8.
//
// Errors (INVALID_ARGUMENT via InvalidFieldError):
//   "update_mask": unknown or read-only path, or nothing to update at all;
//   "tracking.customer_emails": more than one address;
//   "status_change": a value outside the enum.
absl::StatusOr<nlohmann::json> UpdateTrackingBody(
    const tracktry::v1::UpdateTrackingRequest& request);

// Query parameters of GET /trackings/get, unescaped (the caller URL-encodes),
// in this order: page, limit (each only when > 0), status, created_at_min,
// created_at_max, update_time_min, update_time_max, order_created_time_min,
// order_created_time_max (unix seconds; minimums round up, maximums round
// down, so sub-second bounds stay inclusive-correct), numbers, orders
// (comma-joined), archived ("true"/"false" when set), lang. Unset filters are
// omitted; request.page_size and request.page_token are ignored.
std::vector<std::pair<std::string, std::string>> ListTrackingsQuery(
    const tracktry::v1::ListTrackingsRequest& request, int64_t page,
    int64_t limit);

// Body of POST /trackings/realtime; tracking_destination_country is sent as
// "specialNumberDestination".
nlohmann::json RealtimeBody(
    const tracktry::v1::GetRealtimeTrackingRequest& request);

// Body of POST /carriers/detect: {"tracking_number": ...}. The request's
// carrier_code is a local preference and is not sent.
nlohmann::json DetectCarrierBody(
    const tracktry::v1::DetectCarrierRequest& request);

}  // namespace tracktry

#endif  // TRACKTRY_SERVICE_TRANSLATION_REQUEST_TRANSLATION_H_
