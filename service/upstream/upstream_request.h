// Copyright 2026 The tracktry-grpc Authors.
//
// UpstreamRequest: one Tracktry REST call, before the transport details
// (base URL, API key header, timeout) are added by TracktryClient.
#ifndef TRACKTRY_SERVICE_UPSTREAM_UPSTREAM_REQUEST_H_
#define TRACKTRY_SERVICE_UPSTREAM_UPSTREAM_REQUEST_H_

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
};

// Stable lower-case name of `endpoint` ("create", "get", "update",
// "delete", "batch", "list", "realtime", "carriers", "detect").
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
};

// Percent-encodes `value` for use in a path segment or query value.
std::string UrlEncode(const std::string& value);

}  // namespace tracktry

#endif  // TRACKTRY_SERVICE_UPSTREAM_UPSTREAM_REQUEST_H_
