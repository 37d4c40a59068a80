// Copyright 2026 The tracktry-grpc Authors.
//
// UpstreamRequest: one Tracktry REST call, before the transport details
// (base URL, API key header, timeout) are added by TracktryClient.
#ifndef TRACKTRY_SERVICE_TRACKTRY_API_UPSTREAM_REQUEST_H_
#define TRACKTRY_SERVICE_TRACKTRY_API_UPSTREAM_REQUEST_H_

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "nlohmann/json.hpp"

namespace tracktry {

// The Tracktry endpoint a request goes to. Rate limits, retries and caching
// are decided per endpoint.
enum class Endpoint {
  kCreateTracking,
  kGetTracking,
  kUpdateTracking,
  kDeleteTracking,
  kBatchCreate,
  kListTrackings,
  kRealtime,
  kListCarriers,
  kDetectCarrier,
  // Extended routes (reference section 2.9).
  kUpdateCarrier,  // POST /trackings/update
  kUserInfo,       // GET /trackings/getuserinfo
  kStatusNumber,   // GET /trackings/getstatusnumber
  kNotUpdate,      // POST /trackings/notupdate
  kRemote,         // POST /trackings/remote
  kCostTime,       // POST /trackings/costtime
  kBatchDelete,    // POST /trackings/delete
  kUpdateMore,     // POST /trackings/updatemore
};

// Stable lower-case name of `endpoint` ("create", "get", "update",
// "delete", "batch", "list", "realtime", "carriers", "detect",
// "update_carrier", "userinfo", "status_number", "not_update", "remote",
// "cost_time", "batch_delete", "update_more").
const char* EndpointName(Endpoint endpoint);

// True for endpoints that only read and may be retried safely.
bool IsIdempotent(Endpoint endpoint);

struct UpstreamRequest {
  Endpoint endpoint = Endpoint::kGetTracking;
  // "GET", "POST", "PUT" or "DELETE".
  std::string method = "GET";
  // Path relative to the base URL, starting with '/'; path segments taken
  // from user input must already be percent-encoded (see UrlEncode).
  std::string path;
  // Query parameters, unencoded.
  std::vector<std::pair<std::string, std::string>> query;
  // JSON body, if any.
  std::optional<nlohmann::json> body;
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
