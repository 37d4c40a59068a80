// Copyright 2026 The tracktry-grpc Authors.
#include "emulator/route_table.h"

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace tracktry::emulator {
namespace {

std::vector<std::string> Split(absl::string_view path) {
  return absl::StrSplit(path, '/', absl::SkipEmpty());
}

}  // namespace

const char* RouteName(RouteId id) {
  switch (id) {
    case RouteId::kUnknown:
      return "unknown";
    case RouteId::kCreate:
      return "create";
    case RouteId::kGet:
      return "get";
    case RouteId::kUpdate:
      return "update";
    case RouteId::kDelete:
      return "delete";
    case RouteId::kBatch:
      return "batch";
    case RouteId::kList:
      return "list";
    case RouteId::kRealtime:
      return "realtime";
    case RouteId::kCarriers:
      return "carriers";
    case RouteId::kDetect:
      return "detect";
    case RouteId::kUpdateCarrier:
      return "update_carrier";
    case RouteId::kUserInfo:
      return "userinfo";
    case RouteId::kStatusNumber:
      return "status_number";
    case RouteId::kNotUpdate:
      return "not_update";
    case RouteId::kRemote:
      return "remote";
    case RouteId::kCostTime:
      return "cost_time";
    case RouteId::kBatchDelete:
      return "batch_delete";
    case RouteId::kUpdateMore:
      return "update_more";
  }
  return "unknown";
}

RouteTable::RouteTable() {
  const auto add = [this](const char* method, const char* pattern, RouteId id) {
    routes_.push_back({method, Split(pattern), id});
  };
  // Fixed paths first: "/trackings/get" must not be read as carrier "get".
  add("POST", "/trackings/post", RouteId::kCreate);
  add("POST", "/trackings/batch", RouteId::kBatch);
  add("GET", "/trackings/get", RouteId::kList);
  add("POST", "/trackings/get", RouteId::kList);
  add("POST", "/trackings/realtime", RouteId::kRealtime);
  add("POST", "/trackings/update", RouteId::kUpdateCarrier);
  add("GET", "/trackings/getuserinfo", RouteId::kUserInfo);
  add("GET", "/trackings/getstatusnumber", RouteId::kStatusNumber);
  add("POST", "/trackings/notupdate", RouteId::kNotUpdate);
  add("POST", "/trackings/remote", RouteId::kRemote);
  add("POST", "/trackings/costtime", RouteId::kCostTime);
  add("POST", "/trackings/delete", RouteId::kBatchDelete);
  add("POST", "/trackings/updatemore", RouteId::kUpdateMore);
  add("GET", "/carriers", RouteId::kCarriers);
  add("POST", "/carriers/detect", RouteId::kDetect);
  add("GET", "/trackings/:carrier/:number", RouteId::kGet);
  add("PUT", "/trackings/:carrier/:number", RouteId::kUpdate);
  add("DELETE", "/trackings/:carrier/:number", RouteId::kDelete);
  add("GET", "/trackings/:carrier/:number/:lang", RouteId::kGet);
}

RouteMatch RouteTable::Match(absl::string_view method,
                             absl::string_view path) const {
  RouteMatch result;
  absl::string_view relative;
  if (absl::StartsWith(path, "/v1/") || absl::StartsWith(path, "/v2/")) {
    relative = path.substr(3);
  } else {
    return result;
  }
  result.relative_path = std::string(relative);
  const std::vector<std::string> segments = Split(relative);
  std::vector<std::string> allowed;
  // A fixed path shadows the parameterized ones for every method, so that
  // e.g. PUT /trackings/get is a 405 rather than an update of carrier "get".
  bool fixed_matched = false;
  for (const Route& route : routes_) {
    if (route.segments.size() != segments.size()) continue;
    bool fixed = true;
    bool ok = true;
    RouteMatch candidate;
    for (size_t i = 0; i < segments.size() && ok; ++i) {
      const std::string& want = route.segments[i];
      if (!want.empty() && want[0] == ':') {
        fixed = false;
        if (want == ":carrier") candidate.carrier = segments[i];
        if (want == ":number") candidate.number = segments[i];
        if (want == ":lang") candidate.lang = segments[i];
      } else if (want != segments[i]) {
        ok = false;
      }
    }
    if (!ok) continue;
    if (!fixed && fixed_matched) continue;
    if (fixed) fixed_matched = true;
    if (route.method != method) {
      if (std::find(allowed.begin(), allowed.end(), route.method) ==
          allowed.end()) {
        allowed.push_back(route.method);
      }
      continue;
    }
    candidate.id = route.id;
    candidate.error = 0;
    candidate.relative_path = result.relative_path;
    return candidate;
  }
  if (!allowed.empty()) {
    result.error = 405;
    result.allowed_methods = absl::StrJoin(allowed, ", ");
  }
  return result;
}

}  // namespace tracktry::emulator
