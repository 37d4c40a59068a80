// Copyright 2026 The tracktry-grpc Authors.
//
// Text hygiene for error messages: everything that ends up in a
// google.rpc.Status must be valid UTF-8 (proto3 string fields are checked by
// parsers) and bounded in size.
#ifndef TRACKTRY_SERVICE_ERRORS_SAFE_TEXT_H_
#define TRACKTRY_SERVICE_ERRORS_SAFE_TEXT_H_

#include <cstddef>
#include <string>

#include "absl/strings/string_view.h"

namespace tracktry {

// Returns `text` as valid UTF-8 of at most `max_bytes` bytes: invalid byte
// sequences become '?', and the result is cut at a code point boundary (never
// in the middle of a multi-byte character). When `replace_control` is true,
// ASCII control characters (0x00-0x1F, 0x7F) become a space, so untrusted
// text cannot forge extra log lines. Pure; thread-safe.
std::string SafeText(absl::string_view text, size_t max_bytes,
                     bool replace_control = true);

// Length in bytes of the longest prefix of `text` that is valid UTF-8.
size_t ValidUtf8PrefixLength(absl::string_view text);

}  // namespace tracktry

#endif  // TRACKTRY_SERVICE_ERRORS_SAFE_TEXT_H_
