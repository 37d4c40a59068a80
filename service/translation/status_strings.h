// Copyright 2026 The tracktry-grpc Authors.
//
// Conversion between Tracktry status strings ("pending", "notfound",
// "transit", "pickup", "delivered", "undelivered", "exception", "expired")
// and tracktry::v1::TrackingStatus. Pure, thread-safe.
#ifndef TRACKTRY_SERVICE_TRANSLATION_STATUS_STRINGS_H_
#define TRACKTRY_SERVICE_TRANSLATION_STATUS_STRINGS_H_

#include "absl/strings/string_view.h"
#include "tracktry/v1/tracking_service.pb.h"

namespace tracktry {

// The enum value of an upstream status string. Matching ignores ASCII case
// and surrounding blanks; "not found" and "not_found" are accepted as
// "notfound". Unknown or empty strings give TRACKING_STATUS_UNSPECIFIED.
tracktry::v1::TrackingStatus StatusFromString(absl::string_view status);

// The upstream string of `status` ("pending", ..., "expired"); "" for
// TRACKING_STATUS_UNSPECIFIED and values outside the enum. The view points
// to static storage.
absl::string_view StatusToString(tracktry::v1::TrackingStatus status);

}  // namespace tracktry

#endif  // TRACKTRY_SERVICE_TRANSLATION_STATUS_STRINGS_H_
