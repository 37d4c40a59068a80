// Copyright 2026 The tracktry-grpc Authors.
//
// Translation of Tracktry tracking objects (reference section 3) into
// tracktry.v1.Tracking, normalising the upstream quirks:
//   * "null" strings and JSON null become empty strings / unset fields;
//   * customer_email may be a string (possibly "" or "null") or an array;
//   * itemTimeLength/stayTimeLength/substatus_num may be ints, numeric
//     strings or null; archived/track_update may be bools or "true"/"false";
//   * created_at/updated_at are ISO-8601 with a zone ("Z", "+08:00",
//     "+0800"); unparseable or missing values leave the Timestamp unset;
//   * origin_info/destination_info may be null (-> unset) and trackinfo may be
//     null (-> no checkpoints); an object whose members are all null is still
//     set;
//   * latest_checkpoint is the newest of the heads of the origin and
//     destination checkpoint lists (compared as carrier-local times;
//     unparseable dates lose against parseable ones; ties and fully
//     unparseable heads prefer the destination leg);
//   * raw holds the whole input object as a google.protobuf.Struct (see
//     json_struct.h for the conversion rules and depth cap), only in the
//     FULL view: reads pass their request's TrackingView (unset = BASIC,
//     no raw); the default argument, FULL, is the view of the answers of
//     writes (create and update echoes, batch results) and webhook pushes.
//
// All functions are pure, never throw and accept any JSON value. Thread-safe.
//
// This header also makes the rest of the JSON -> proto API visible
// (ListPageFromData, BatchOutcomeFromData, CarriersFromData,
// StatusFromString/StatusToString) for callers that include only it.
#ifndef TRACKTRY_SERVICE_TRANSLATION_TRACKING_TRANSLATION_H_
#define TRACKTRY_SERVICE_TRANSLATION_TRACKING_TRANSLATION_H_

#include <vector>

#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"
#include "service/translation/batch_translation.h"
#include "service/translation/carrier_translation.h"
#include "service/translation/json_tape.h"
#include "service/translation/list_translation.h"
#include "service/translation/status_strings.h"
#include "tracktry/v1/tracking_service.pb.h"

namespace tracktry {

// Whether a tracking in `view` carries `raw`: TRACKING_VIEW_FULL only.
bool ViewIncludesRaw(tracktry::v1::TrackingView view);

// One tracking object, in `view`.
// Errors: INTERNAL / UPSTREAM_MALFORMED_RESPONSE when `object` is not a JSON
// object or has no usable tracking_number (a non-empty string or an integer).
absl::StatusOr<tracktry::v1::Tracking> TrackingFromJson(
    const nlohmann::json& object,
    tracktry::v1::TrackingView view = tracktry::v1::TRACKING_VIEW_FULL);

// The same, written into `*out`, which must be empty (a field the object
// leaves empty is not written at all), e.g. a message on the response's
// arena. On error `*out` is left unchanged.
absl::Status FillTrackingFromJson(
    const nlohmann::json& object, tracktry::v1::Tracking* out,
    tracktry::v1::TrackingView view = tracktry::v1::TRACKING_VIEW_FULL);
// The same from a tape node: the result the document of the same text gives.
absl::Status FillTrackingFromJson(
    const JsonNode& object, tracktry::v1::Tracking* out,
    tracktry::v1::TrackingView view = tracktry::v1::TRACKING_VIEW_FULL);

// The trackings in the `data` of a get/realtime/create response, which may
// be one tracking object, an array of them, {"items": [...]} (items may be
// null), null or [] (-> empty vector).
// Errors: INTERNAL / UPSTREAM_MALFORMED_RESPONSE for any other shape or when
// an element fails TrackingFromJson.
absl::StatusOr<std::vector<tracktry::v1::Tracking>> TrackingsFromData(
    const nlohmann::json& data,
    tracktry::v1::TrackingView view = tracktry::v1::TRACKING_VIEW_FULL);

// The first tracking of TrackingsFromData(data), written into `*out` (which
// must be empty, as for FillTrackingFromJson) without building the others.
// Returns false (and leaves `*out` unchanged) when `data` holds no tracking;
// fails exactly when TrackingsFromData does.
absl::StatusOr<bool> FirstTrackingFromData(
    const nlohmann::json& data, tracktry::v1::Tracking* out,
    tracktry::v1::TrackingView view = tracktry::v1::TRACKING_VIEW_FULL);
// The same from a tape node: the result the document of the same text gives.
absl::StatusOr<bool> FirstTrackingFromData(
    const JsonNode& data, tracktry::v1::Tracking* out,
    tracktry::v1::TrackingView view = tracktry::v1::TRACKING_VIEW_FULL);

}  // namespace tracktry

#endif  // TRACKTRY_SERVICE_TRANSLATION_TRACKING_TRANSLATION_H_
