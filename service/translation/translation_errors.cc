// Copyright 2026 The tracktry-grpc Authors.
#include "service/translation/translation_errors.h"

#include "absl/strings/str_cat.h"
#include "common/error_details.h"

namespace tracktry {

absl::Status MalformedResponseError(absl::string_view what) {
  return MakeError(absl::StatusCode::kInternal,
                   absl::StrCat("upstream sent a malformed response: ", what),
                   kUpstreamMalformedReason);
}

}  // namespace tracktry
