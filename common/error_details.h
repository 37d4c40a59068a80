// Copyright 2026 The tracktry-grpc Authors.
//
// absl::Status values that carry google.rpc error details (AIP-193) as
// payloads. Payloads are keyed by the detail's type URL and hold the
// serialized message, so the gRPC edge (ToGrpcStatus) can copy them into
// google.rpc.Status.details unchanged.
#ifndef TRACKTRY_COMMON_ERROR_DETAILS_H_
#define TRACKTRY_COMMON_ERROR_DETAILS_H_

#include <map>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "google/rpc/error_details.pb.h"

namespace tracktry {

// ErrorInfo.domain of every error this service returns.
inline constexpr char kErrorDomain[] = "tracktry.v1";

// Payload keys (type URLs) used on absl::Status.
inline constexpr char kErrorInfoUrl[] =
    "type.googleapis.com/google.rpc.ErrorInfo";
inline constexpr char kRetryInfoUrl[] =
    "type.googleapis.com/google.rpc.RetryInfo";
inline constexpr char kBadRequestUrl[] =
    "type.googleapis.com/google.rpc.BadRequest";

// An error with `code`, `message` and an ErrorInfo{reason, domain,
// metadata}. `reason` is UPPER_SNAKE_CASE; metadata keys are lowerCamelCase.
// `code` must not be kOk.
absl::Status MakeError(absl::StatusCode code, absl::string_view message,
                       absl::string_view reason,
                       const std::map<std::string, std::string>& metadata = {});

// Returns `status` with a RetryInfo{retry_delay} payload (replacing any).
absl::Status WithRetryDelay(absl::Status status, absl::Duration retry_delay);

// INVALID_ARGUMENT naming `field` (a request field path such as
// "tracking.tracking_number" or "trackings[3].carrier_code") in the message,
// with ErrorInfo{reason "INVALID_ARGUMENT", metadata {field}} and a
// BadRequest with one FieldViolation.
absl::Status InvalidFieldError(absl::string_view field,
                               absl::string_view description);

// NOT_FOUND "tracking <carrier>/<number> not found" with ErrorInfo{reason
// "TRACKING_NOT_FOUND", metadata {carrierCode, trackingNumber}}: the answer
// when the upstream has no such tracking but did not say so with an error
// code (an empty list, 4031, or a poll that found nothing).
absl::Status TrackingNotFoundError(absl::string_view carrier_code,
                                   absl::string_view tracking_number);

// Returns `status` with a BadRequest holding one FieldViolation{field,
// description} (replacing any BadRequest). A no-op for an OK status.
absl::Status WithFieldViolation(absl::Status status, absl::string_view field,
                                absl::string_view description);

// Detail accessors; nullopt when the status has no such payload.
std::optional<google::rpc::ErrorInfo> GetErrorInfo(const absl::Status& status);
std::optional<absl::Duration> GetRetryDelay(const absl::Status& status);
std::optional<google::rpc::BadRequest> GetBadRequest(
    const absl::Status& status);

}  // namespace tracktry

#endif  // TRACKTRY_COMMON_ERROR_DETAILS_H_
