// Copyright 2026 The tracktry-grpc Authors.
//
// The route table: every Tracktry REST endpoint this service calls, with
// what the layers below need to know about it (HTTP method, path template,
// rate class, whether it may be retried, cached, and which cached reads it
// makes stale). This is the only place that spells a REST path; the API
// layer picks a route by Endpoint and fills structured keys
// (UpstreamRequest), and TracktryClient renders the path from them.
#ifndef TRACKTRY_SERVICE_TRACKTRY_API_ROUTE_TABLE_H_
#define TRACKTRY_SERVICE_TRACKTRY_API_ROUTE_TABLE_H_

#include <string>

#include "absl/types/span.h"

namespace tracktry {

struct UpstreamRequest;

// The Tracktry operation a request performs.
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
  kUpdateCarrier,
  kUserInfo,
  kStatusNumber,
  kNotUpdate,
  kRemote,
  kCostTime,
  kBatchDelete,
  kUpdateMore,
};

// Tracktry limits request rates per class of endpoint (reference 1.3):
// /trackings/realtime, /trackings/get, and everything else.
enum class RateClass { kDefault = 0, kList = 1, kRealtime = 2 };
inline constexpr int kRateClassCount = 3;

// Which read-cache lifetime applies to an endpoint's answers.
enum class CacheClass {
  kNone,      // never cached (it may still be coalesced when idempotent)
  kTracking,  // one tracking (CacheOptions::tracking_ttl)
  kCarriers,  // the carrier list (CacheOptions::carriers_ttl)
};

struct Route {
  Endpoint endpoint;
  // Stable lower-case name (metrics labels, cache keys, logs).
  const char* name;
  // "GET", "POST", "PUT" or "DELETE".
  const char* method;
  // Path relative to the base URL. Placeholders, filled from the request's
  // structured keys and percent-encoded: {carrier}, {number} (the first
  // tracking number); a trailing "[/{lang}]" becomes "/<lang>" when the
  // request has a lang and disappears otherwise.
  const char* path;
  RateClass rate_class;
  // Only reads: safe to retry and to share among identical calls.
  bool idempotent;
  CacheClass cache_class;
  // A finished call (whatever its result) makes cached reads of its
  // tracking numbers stale: writes, and realtime (it refreshes the
  // upstream's stored tracking).
  bool invalidates_reads;
};

// Every route, in Endpoint order.
absl::Span<const Route> AllRoutes();

// The route of `endpoint` (a value outside the enum gets a route named
// "unknown").
const Route& RouteOf(Endpoint endpoint);

// Whether every reader of an answer of `endpoint` reads it as a tracking
// (the first tracking of its data: get, realtime, create, update), so its
// envelope keeps the tape the tracking is translated from and builds no
// document (EnvelopeData::kTape).
bool AnswerReadAsTracking(Endpoint endpoint);

// Shorthands for RouteOf(endpoint).name / .idempotent / .rate_class.
const char* EndpointName(Endpoint endpoint);
bool IsIdempotent(Endpoint endpoint);
RateClass RateClassOf(Endpoint endpoint);

// "default", "list", "realtime".
const char* RateClassName(RateClass rate_class);

// The path of `request` (relative to the base URL, starting with '/'), from
// its route's template and structured keys; query not included.
std::string RenderPath(const UpstreamRequest& request);

}  // namespace tracktry

#endif  // TRACKTRY_SERVICE_TRACKTRY_API_ROUTE_TABLE_H_
