// Copyright 2026 The tracktry-grpc Authors.
#include "service/translation/status_strings.h"

#include <string>

#include "absl/strings/ascii.h"

namespace tracktry {

using tracktry::v1::TrackingStatus;

TrackingStatus StatusFromString(absl::string_view status) {
  const absl::string_view trimmed = absl::StripAsciiWhitespace(status);
  if (trimmed.empty() || trimmed.size() > 16) {
    return tracktry::v1::TRACKING_STATUS_UNSPECIFIED;
  }
  const std::string lower = absl::AsciiStrToLower(trimmed);
  if (lower == "pending") return tracktry::v1::TRACKING_STATUS_PENDING;
  if (lower == "notfound" || lower == "not found" || lower == "not_found") {
    return tracktry::v1::TRACKING_STATUS_NOT_FOUND;
  }
  if (lower == "transit") return tracktry::v1::TRACKING_STATUS_TRANSIT;
  if (lower == "pickup") return tracktry::v1::TRACKING_STATUS_PICKUP;
  if (lower == "delivered") return tracktry::v1::TRACKING_STATUS_DELIVERED;
  if (lower == "undelivered") return tracktry::v1::TRACKING_STATUS_UNDELIVERED;
  if (lower == "exception") return tracktry::v1::TRACKING_STATUS_EXCEPTION;
  if (lower == "expired") return tracktry::v1::TRACKING_STATUS_EXPIRED;
  return tracktry::v1::TRACKING_STATUS_UNSPECIFIED;
}

absl::string_view StatusToString(TrackingStatus status) {
  switch (status) {
    case tracktry::v1::TRACKING_STATUS_PENDING:
      return "pending";
    case tracktry::v1::TRACKING_STATUS_NOT_FOUND:
      return "notfound";
    case tracktry::v1::TRACKING_STATUS_TRANSIT:
      return "transit";
    case tracktry::v1::TRACKING_STATUS_PICKUP:
      return "pickup";
    case tracktry::v1::TRACKING_STATUS_DELIVERED:
      return "delivered";
    case tracktry::v1::TRACKING_STATUS_UNDELIVERED:
      return "undelivered";
    case tracktry::v1::TRACKING_STATUS_EXCEPTION:
      return "exception";
    case tracktry::v1::TRACKING_STATUS_EXPIRED:
      return "expired";
    default:
      return "";
  }
}

}  // namespace tracktry
