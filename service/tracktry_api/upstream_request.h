// Copyright 2026 The tracktry-grpc Authors.
//
// UpstreamRequest: one Tracktry REST call as the upstream chain sees it: the
// operation (its Route: method, path template, rate class, ...), the
// structured keys the chain decides by (carrier, tracking numbers, lang),
// and the wire parts the API layer built once (query, serialized JSON
// body). The base URL, API key header and timeout are added by
// TracktryClient.
#ifndef TRACKTRY_SERVICE_TRACKTRY_API_UPSTREAM_REQUEST_H_
#define TRACKTRY_SERVICE_TRACKTRY_API_UPSTREAM_REQUEST_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "service/tracktry_api/route_table.h"

namespace tracktry {

struct UpstreamRequest {
  Endpoint endpoint = Endpoint::kGetTracking;

  // --- Structured keys (cache and coalescing keys, invalidation tags,
  // batching); never parsed back out of the path or body.
  // The carrier code of a single-tracking call ("" when none); fills
  // {carrier} in the path template.
  std::string carrier;
  // Every tracking number the call reads or writes, as the caller gave
  // them; the first fills {number} in the path template.
  std::vector<std::string> tracking_numbers;
  // Language of a single-tracking read ("" = the account default).
  std::string lang;

  // --- Wire parts.
  // Query parameters, unencoded.
  std::vector<std::pair<std::string, std::string>> query;
  // Serialized JSON body; "" = none.
  std::string body;

  // Reads only: skip the read cache (the fresh answer refreshes it). See
  // CachingCaller.
  bool bypass_cache = false;
  // Non-idempotent calls only: the AIP-155 request_id scope, e.g.
  // "CreateTracking/<request_id>" ("" = none), a fingerprint of the whole
  // RPC request (without its request_id) and this call's part number within
  // the RPC (batch chunk index). See IdempotencyStore.
  std::string idempotency_key;
  uint64_t idempotency_fingerprint = 0;
  int idempotency_part = 0;
};

}  // namespace tracktry

#endif  // TRACKTRY_SERVICE_TRACKTRY_API_UPSTREAM_REQUEST_H_
