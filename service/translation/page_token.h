// Copyright 2026 The tracktry-grpc Authors.
//
// Opaque ListTrackings page tokens (AIP-158). A token records the next
// upstream page, the page size it was issued for, and a fingerprint of the
// request's filters so that a token cannot be replayed with other filters.
//
// Format (version 1): base64url without padding of 33 bytes:
//   version byte (1) | page (int64 LE) | page_size (int64 LE) |
//   filter_fingerprint (uint64 LE) | FNV-1a-64 checksum of the previous bytes
//   (LE).
// The checksum detects corrupted or hand-edited tokens; it is not a secret
// MAC (the token carries nothing a caller may not see).
// Pure, never throw, thread-safe.
#ifndef TRACKTRY_SERVICE_TRANSLATION_PAGE_TOKEN_H_
#define TRACKTRY_SERVICE_TRANSLATION_PAGE_TOKEN_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "tracktry/v1/tracking_service.pb.h"

namespace tracktry {

// What a page token carries.
struct PageTokenState {
  // The upstream page to fetch next (1-based).
  int64_t page = 1;
  // The page size the token was issued for.
  int64_t page_size = 0;
  // ListFilterFingerprint of the request that produced the token.
  uint64_t filter_fingerprint = 0;
};

// A stable 64-bit hash of every field of `request` except page_token,
// page_size and view (which only says how much of each tracking to return):
// FNV-1a over the deterministic serialization of a copy with those fields
// cleared. Stable across processes and builds of the same proto.
uint64_t ListFilterFingerprint(
    const tracktry::v1::ListTrackingsRequest& request);

// The token for `state` (URL-safe characters only, 44 long).
std::string EncodePageToken(const PageTokenState& state);

// Decodes `token`.
// Errors: INVALID_ARGUMENT via InvalidFieldError("page_token", ...) when the
// token is not one EncodePageToken produced (bad encoding, length, version or
// checksum, page < 1, page_size < 0) or when its fingerprint differs from
// `expected_fingerprint` (the filters changed between pages).
absl::StatusOr<PageTokenState> DecodePageToken(absl::string_view token,
                                               uint64_t expected_fingerprint);

}  // namespace tracktry

#endif  // TRACKTRY_SERVICE_TRANSLATION_PAGE_TOKEN_H_
