// Copyright 2026 The tracktry-grpc Authors.
//
// Translation of the `data` of POST /trackings/batch.
#ifndef TRACKTRY_SERVICE_TRANSLATION_BATCH_TRANSLATION_H_
#define TRACKTRY_SERVICE_TRANSLATION_BATCH_TRANSLATION_H_

#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"
#include "service/translation/batch_outcome.h"

namespace tracktry {

// Translates {"submitted","added","trackings":[...],"errors":[...]}.
//  * submitted/added may be integers or numeric strings; when absent,
//    submitted = created + errors and added = created.
//  * The created items are read from "trackings" (or "items").
//  * errors[] entries may be objects {tracking_number, carrier_code, code,
//    message}, envelope-like objects {"meta":{code,message},"data":{
//    tracking_number, carrier_code}} (data may also be a one-element array),
//    or JSON-encoded strings of either. A string that is not JSON becomes an
//    error with only `message` set (at most 512 bytes). Entries of other types
//    and blank/"null" strings are skipped. A lone entry in place of the array
//    is accepted.
//  * `data` as a plain array is the older illustration: every element is a
//    created tracking. null or [] gives an empty outcome.
// Errors: INTERNAL / UPSTREAM_MALFORMED_RESPONSE for any other shape or a
// malformed created item. Pure, never throws, thread-safe.
absl::StatusOr<BatchOutcome> BatchOutcomeFromData(const nlohmann::json& data);

}  // namespace tracktry

#endif  // TRACKTRY_SERVICE_TRANSLATION_BATCH_TRANSLATION_H_
