// Copyright 2026 The tracktry-grpc Authors.
//
// Percent-encoding of URL parts (RFC 3986 unreserved characters are kept).
#ifndef TRACKTRY_SERVICE_TRANSPORT_URL_ENCODING_H_
#define TRACKTRY_SERVICE_TRANSPORT_URL_ENCODING_H_

#include <string>

#include "absl/strings/string_view.h"

namespace tracktry {

// Percent-encodes `value` for use in a path segment or query value.
std::string UrlEncode(absl::string_view value);

}  // namespace tracktry

#endif  // TRACKTRY_SERVICE_TRANSPORT_URL_ENCODING_H_
