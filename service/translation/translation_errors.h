// Copyright 2026 The tracktry-grpc Authors.
//
// The error every translation function returns for upstream JSON it cannot
// use.
#ifndef TRACKTRY_SERVICE_TRANSLATION_TRANSLATION_ERRORS_H_
#define TRACKTRY_SERVICE_TRANSLATION_TRANSLATION_ERRORS_H_

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace tracktry {

// ErrorInfo.reason of MalformedResponseError.
inline constexpr char kUpstreamMalformedReason[] =
    "UPSTREAM_MALFORMED_RESPONSE";

// INTERNAL "upstream sent a malformed response: <what>" with ErrorInfo
// reason UPSTREAM_MALFORMED_RESPONSE. `what` is a short fixed note, never
// upstream content.
absl::Status MalformedResponseError(absl::string_view what);

}  // namespace tracktry

#endif  // TRACKTRY_SERVICE_TRANSLATION_TRANSLATION_ERRORS_H_
