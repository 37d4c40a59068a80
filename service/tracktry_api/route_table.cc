// Copyright 2026 The tracktry-grpc Authors.
#include "service/tracktry_api/route_table.h"

#include <algorithm>
#include <cstddef>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
#include "service/tracktry_api/upstream_request.h"
#include "service/transport/url_encoding.h"

namespace tracktry {
namespace {

constexpr auto kGet = "GET";
constexpr auto kPost = "POST";
constexpr bool kRead = true;
constexpr bool kWrite = false;
constexpr bool kInvalidates = true;
constexpr bool kKeeps = false;

// In Endpoint order (checked by route_table_test).
constexpr Route kRoutes[] = {
    {Endpoint::kCreateTracking, "create", kPost, "/trackings/post",
     RateClass::kDefault, kWrite, CacheClass::kNone, kInvalidates},
    {Endpoint::kGetTracking, "get", kGet,
     "/trackings/{carrier}/{number}[/{lang}]", RateClass::kDefault, kRead,
     CacheClass::kTracking, kKeeps},
    {Endpoint::kUpdateTracking, "update", "PUT",
     "/trackings/{carrier}/{number}", RateClass::kDefault, kWrite,
     CacheClass::kNone, kInvalidates},
    {Endpoint::kDeleteTracking, "delete", "DELETE",
     "/trackings/{carrier}/{number}", RateClass::kDefault, kWrite,
     CacheClass::kNone, kInvalidates},
    {Endpoint::kBatchCreate, "batch", kPost, "/trackings/batch",
     RateClass::kDefault, kWrite, CacheClass::kNone, kInvalidates},
    {Endpoint::kListTrackings, "list", kGet, "/trackings/get", RateClass::kList,
     kRead, CacheClass::kNone, kKeeps},
    {Endpoint::kRealtime, "realtime", kPost, "/trackings/realtime",
     RateClass::kRealtime, kRead, CacheClass::kNone, kInvalidates},
    {Endpoint::kListCarriers, "carriers", kGet, "/carriers",
     RateClass::kDefault, kRead, CacheClass::kCarriers, kKeeps},
    {Endpoint::kDetectCarrier, "detect", kPost, "/carriers/detect",
     RateClass::kDefault, kRead, CacheClass::kNone, kKeeps},
    {Endpoint::kUpdateCarrier, "update_carrier", kPost, "/trackings/update",
     RateClass::kDefault, kWrite, CacheClass::kNone, kInvalidates},
    {Endpoint::kUserInfo, "userinfo", kGet, "/trackings/getuserinfo",
     RateClass::kDefault, kRead, CacheClass::kNone, kKeeps},
    {Endpoint::kStatusNumber, "status_number", kGet,
     "/trackings/getstatusnumber", RateClass::kDefault, kRead,
     CacheClass::kNone, kKeeps},
    {Endpoint::kNotUpdate, "not_update", kPost, "/trackings/notupdate",
     RateClass::kDefault, kWrite, CacheClass::kNone, kInvalidates},
    {Endpoint::kRemote, "remote", kPost, "/trackings/remote",
     RateClass::kDefault, kRead, CacheClass::kNone, kKeeps},
    {Endpoint::kCostTime, "cost_time", kPost, "/trackings/costtime",
     RateClass::kDefault, kRead, CacheClass::kNone, kKeeps},
    {Endpoint::kBatchDelete, "batch_delete", kPost, "/trackings/delete",
     RateClass::kDefault, kWrite, CacheClass::kNone, kInvalidates},
    {Endpoint::kUpdateMore, "update_more", kPost, "/trackings/updatemore",
     RateClass::kDefault, kWrite, CacheClass::kNone, kInvalidates},
};

constexpr Route kUnknownRoute = {
    Endpoint::kGetTracking, "unknown", kGet, "/", RateClass::kDefault, kWrite,
    CacheClass::kNone,      kKeeps};

}  // namespace

absl::Span<const Route> AllRoutes() { return kRoutes; }

const Route& RouteOf(Endpoint endpoint) {
  const size_t index = static_cast<size_t>(endpoint);
  if (index >= std::size(kRoutes)) return kUnknownRoute;
  return kRoutes[index];
}

const char* EndpointName(Endpoint endpoint) { return RouteOf(endpoint).name; }

bool IsIdempotent(Endpoint endpoint) { return RouteOf(endpoint).idempotent; }

bool AnswerReadAsTracking(Endpoint endpoint) {
  switch (endpoint) {
    case Endpoint::kGetTracking:
    case Endpoint::kRealtime:
    case Endpoint::kCreateTracking:
    case Endpoint::kUpdateTracking:
      return true;
    default:
      return false;
  }
}

RateClass RateClassOf(Endpoint endpoint) {
  return RouteOf(endpoint).rate_class;
}

const char* RateClassName(RateClass rate_class) {
  switch (rate_class) {
    case RateClass::kDefault:
      return "default";
    case RateClass::kList:
      return "list";
    case RateClass::kRealtime:
      return "realtime";
  }
  return "unknown";
}

std::string RenderPath(const UpstreamRequest& request) {
  constexpr absl::string_view kOptionalLang = "[/{lang}]";
  absl::string_view path = RouteOf(request.endpoint).path;
  const bool takes_lang = absl::ConsumeSuffix(&path, kOptionalLang);
  // One pass over the template: literal text is copied, "{carrier}" and
  // "{number}" are replaced by their percent-encoded keys, and any other
  // text in braces is kept as it is.
  std::string rendered;
  rendered.reserve(path.size() + request.carrier.size() + 32);
  while (!path.empty()) {
    const size_t open = path.find('{');
    rendered.append(path.data(), std::min(open, path.size()));
    if (open == absl::string_view::npos) break;
    path.remove_prefix(open);
    if (absl::ConsumePrefix(&path, "{carrier}")) {
      rendered += UrlEncode(request.carrier);
    } else if (absl::ConsumePrefix(&path, "{number}")) {
      if (!request.tracking_numbers.empty()) {
        rendered += UrlEncode(request.tracking_numbers.front());
      }
    } else {
      rendered += '{';
      path.remove_prefix(1);
    }
  }
  if (takes_lang && !request.lang.empty()) {
    absl::StrAppend(&rendered, "/", UrlEncode(request.lang));
  }
  return rendered;
}

}  // namespace tracktry
