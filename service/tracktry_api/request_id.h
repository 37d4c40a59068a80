// Copyright 2026 The tracktry-grpc Authors.
//
// AIP-155 request_id keying of the write operations that may be repeated
// safely (CreateTracking, BatchCreateTrackings): the key IdempotencyStore
// remembers answers by.
#ifndef TRACKTRY_SERVICE_TRACKTRY_API_REQUEST_ID_H_
#define TRACKTRY_SERVICE_TRACKTRY_API_REQUEST_ID_H_

#include <cstdint>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/message.h"
#include "service/tracktry_api/upstream_request.h"

namespace tracktry {

// A stable 64-bit fingerprint of `message` (deterministic serialization).
// Clear the request_id before calling.
uint64_t RequestFingerprint(const google::protobuf::Message& message);

// The idempotency key of one RPC: scope "<method>/<request_id>" ("" when the
// request has no request_id) and a fingerprint of the request without it.
struct RequestIdKey {
  std::string scope;
  uint64_t fingerprint = 0;

  // Tags `call` as part `part` of this RPC (no-op without a request_id).
  void Apply(int part, UpstreamRequest* call) const {
    if (scope.empty()) return;
    call->idempotency_key = scope;
    call->idempotency_fingerprint = fingerprint;
    call->idempotency_part = part;
  }
};

// The key of `request` (a message with a `request_id` field) for `method`.
template <typename Request>
RequestIdKey RequestIdKeyOf(absl::string_view method, const Request& request) {
  RequestIdKey key;
  if (request.request_id().empty()) return key;
  Request unkeyed = request;
  unkeyed.clear_request_id();
  key.scope = absl::StrCat(method, "/", request.request_id());
  key.fingerprint = RequestFingerprint(unkeyed);
  return key;
}

}  // namespace tracktry

#endif  // TRACKTRY_SERVICE_TRACKTRY_API_REQUEST_ID_H_
