// Copyright 2026 The tracktry-grpc Authors.
//
// Request validation, run before any upstream call so callers get a precise
// INVALID_ARGUMENT instead of an upstream meta.code (and no quota is spent).
//
// Every function returns OkStatus or the first violation found, built with
// InvalidFieldError (error_details.h): code INVALID_ARGUMENT, message
// "invalid <field path>: <rule>", ErrorInfo{reason "INVALID_ARGUMENT",
// metadata {field}} and a BadRequest with one FieldViolation. Field paths are
// the proto paths from the request root, such as "tracking.tracking_number",
// "trackings[3].carrier_code", "tracking_numbers[2]" or "page_size".
// Messages never echo the rejected value (it may be personal data).
//
// Rules (docs/errors.md has the same list):
//  - tracking_number: required, kMinTrackingNumberLength..
//    kMaxTrackingNumberLength characters of [0-9A-Za-z_-].
//  - carrier_code: 1..kMaxCarrierCodeLength characters of [0-9a-z_-]
//    (lower-case). Required for Get/Update/Delete/GetRealtime; optional for
//    Create (empty = auto-detect; required when auto_correct is true) and
//    DetectCarrier (a hint).
//  - destination_code, lang: exactly 2 ASCII letters when set.
//  - tracking_ship_date: YYYYMMDD, a real calendar date, year 1900-9999.
//  - order_create_time: "YYYY/M/D H:MM" (1-2 digit month, day and hour,
//    2-digit minutes), a real date and time.
//  - customer_email(s): at most kMaxEmailLength bytes, exactly one '@' with
//    text on both sides, no whitespace.
//  - free text (title, logistics_channel, customer_name, customer_phone,
//    order_id, tracking_postal_code, tracking_account_number,
//    tracking_destination_country): at most kMaxTextLength characters;
//    comment at most kMaxCommentLength characters (code points).
//  - no string field may contain a control character (U+0000-U+001F, U+007F).
//  - batches: 1..kMaxBatchSize items, each validated as for Create with its
//    index in the path.
//  - list: page_size >= 0 (values above the upstream maximum are coerced
//    later, not rejected); page_token at most kMaxPageTokenLength bytes;
//    status UNSPECIFIED or a defined value; each Timestamp valid (seconds in
//    0001-01-01..9999-12-31, nanos 0..999999999) and each min <= max;
//    tracking_numbers and order_ids at most kMaxListFilterValues each, each
//    element valid (order ids: non-empty text without ',').
//  - update: see ValidateUpdateTrackingRequest.
//  - request_id (create, batch): empty, or 1..kMaxRequestIdLength printable
//    ASCII characters (0x21-0x7E), e.g. a UUID.
//
// All functions are pure, thread-safe and cheap (plain character loops, no
// regex; field paths are only built for the error returned).
#ifndef TRACKTRY_SERVICE_VALIDATION_REQUEST_VALIDATOR_H_
#define TRACKTRY_SERVICE_VALIDATION_REQUEST_VALIDATOR_H_

#include <cstddef>

#include "absl/status/status.h"
#include "tracktry/v1/tracking_service.pb.h"

namespace tracktry {

inline constexpr size_t kMinTrackingNumberLength = 5;
inline constexpr size_t kMaxTrackingNumberLength = 50;
inline constexpr size_t kMaxCarrierCodeLength = 50;
inline constexpr size_t kMaxEmailLength = 200;
inline constexpr size_t kMaxTextLength = 255;
inline constexpr size_t kMaxCommentLength = 1024;
inline constexpr size_t kMaxPageTokenLength = 4096;
// BatchCreateTrackings accepts at most this many items per call (the server
// splits them into upstream calls of 40).
inline constexpr int kMaxBatchSize = 10000;
// CreateTracking / BatchCreateTrackings request_id (AIP-155) length cap.
inline constexpr size_t kMaxRequestIdLength = 128;
// ListTrackings: at most this many tracking_numbers and order_ids each.
inline constexpr int kMaxListFilterValues = 40;
// StopTrackingUpdates, CheckRemoteAreas, GetTransitTimes: items per call
// (one upstream call each, Tracktry's limit).
inline constexpr int kMaxItemsPerExtendedCall = 40;

// Fields of Tracking that UpdateTrackingRequest.update_mask may name.
inline constexpr const char* kUpdatableTrackingFields[] = {
    "title",
    "logistics_channel",
    "customer_name",
    "customer_emails",
    "customer_phone",
    "order_id",
    "destination_code",
    "archived",
};

// `tracking` is required and validated as a NewTracking under "tracking.".
absl::Status ValidateCreateTrackingRequest(
    const v1::CreateTrackingRequest& request);

// carrier_code and tracking_number required; lang optional.
absl::Status ValidateGetTrackingRequest(const v1::GetTrackingRequest& request);

// carrier_code and tracking_number required. update_mask paths must be in
// kUpdatableTrackingFields (else field "update_mask"); an empty mask means
// every updatable field of `tracking` that is not default. The fields that
// will be sent are validated ("tracking.title", "tracking.customer_emails[0]",
// ...); customer_emails holds at most one address. status_change must be a
// defined value (field "status_change"). Something must change: a non-empty
// mask, a non-default updatable field, or a status_change; otherwise field
// "update_mask".
absl::Status ValidateUpdateTrackingRequest(
    const v1::UpdateTrackingRequest& request);

// carrier_code and tracking_number required.
absl::Status ValidateDeleteTrackingRequest(
    const v1::DeleteTrackingRequest& request);

// 1..kMaxBatchSize items (field "trackings"), each as for Create under
// "trackings[i].".
absl::Status ValidateBatchCreateTrackingsRequest(
    const v1::BatchCreateTrackingsRequest& request);

// See the list rules above.
absl::Status ValidateListTrackingsRequest(
    const v1::ListTrackingsRequest& request);

// carrier_code and tracking_number required; the optional fields follow the
// format rules above.
absl::Status ValidateGetRealtimeTrackingRequest(
    const v1::GetRealtimeTrackingRequest& request);

// No fields; always OK.
absl::Status ValidateListCarriersRequest(
    const v1::ListCarriersRequest& request);

// tracking_number required; carrier_code optional (a hint).
absl::Status ValidateDetectCarrierRequest(
    const v1::DetectCarrierRequest& request);

// --- Extended RPCs. Lists: empty -> "at least one item required", too many
// -> "at most N items" (field = the list). ---

// carrier_code, tracking_number and new_carrier_code required (carrier codes
// and numbers as above).
absl::Status ValidateChangeTrackingCarrierRequest(
    const v1::ChangeTrackingCarrierRequest& request);

// Each bound a valid Timestamp; a min not after its max.
absl::Status ValidateCountTrackingsByStatusRequest(
    const v1::CountTrackingsByStatusRequest& request);

// 1..kMaxItemsPerExtendedCall trackings, each with carrier_code and
// tracking_number ("trackings[i].carrier_code").
absl::Status ValidateStopTrackingUpdatesRequest(
    const v1::StopTrackingUpdatesRequest& request);

// 1..kMaxItemsPerExtendedCall queries; country required; country and
// postcode free text; carrier_code optional.
absl::Status ValidateCheckRemoteAreasRequest(
    const v1::CheckRemoteAreasRequest& request);

// 1..kMaxItemsPerExtendedCall queries; carrier_code, origin and destination
// required (origin/destination free text).
absl::Status ValidateGetTransitTimesRequest(
    const v1::GetTransitTimesRequest& request);

// 1..kMaxBatchSize trackings, each with carrier_code and tracking_number.
absl::Status ValidateBatchDeleteTrackingsRequest(
    const v1::BatchDeleteTrackingsRequest& request);

// 1..kMaxBatchSize updates ("updates[i]."): carrier_code and tracking_number
// required; title, logistics_channel, customer_name, order_id free text;
// customer_email an address; destination_code 2 letters; status_change a
// defined value.
absl::Status ValidateBatchUpdateTrackingsRequest(
    const v1::BatchUpdateTrackingsRequest& request);

}  // namespace tracktry

#endif  // TRACKTRY_SERVICE_VALIDATION_REQUEST_VALIDATOR_H_
