// Copyright 2026 The tracktry-grpc Authors.
//
// RouteTable: maps (method, path) of a Tracktry API request to a route.
// Paths are accepted under both /v1 and /v2. Table-driven, so new routes are
// one line each. Immutable after construction; thread-safe.
#ifndef TRACKTRY_EMULATOR_ROUTE_TABLE_H_
#define TRACKTRY_EMULATOR_ROUTE_TABLE_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace tracktry::emulator {

enum class RouteId {
  kUnknown,
  kCreate,         // POST   /trackings/post
  kGet,            // GET    /trackings/{carrier}/{number}[/{lang}]
  kUpdate,         // PUT    /trackings/{carrier}/{number}
  kDelete,         // DELETE /trackings/{carrier}/{number}
  kBatch,          // POST   /trackings/batch
  kList,           // GET    /trackings/get (POST with a JSON body too)
  kRealtime,       // POST   /trackings/realtime
  kCarriers,       // GET    /carriers
  kDetect,         // POST   /carriers/detect
  kUpdateCarrier,  // POST   /trackings/update
  kUserInfo,       // GET    /trackings/getuserinfo
  kStatusNumber,   // GET    /trackings/getstatusnumber
  kNotUpdate,      // POST   /trackings/notupdate
  kRemote,         // POST   /trackings/remote
  kCostTime,       // POST   /trackings/costtime
  kBatchDelete,    // POST   /trackings/delete
  kUpdateMore,     // POST   /trackings/updatemore
};

// Stable route name used by fault rules and stats ("create", "get", ...,
// "update_carrier", "userinfo", "status_number", "not_update", "remote",
// "cost_time", "batch_delete", "update_more", "unknown").
const char* RouteName(RouteId id);

struct RouteMatch {
  RouteId id = RouteId::kUnknown;
  // 0 when matched; 404 if no pattern matches the path; 405 if a pattern
  // matches but not for this method.
  int error = 404;
  // Path parameters (empty when the route has none).
  std::string carrier;
  std::string number;
  std::string lang;
  // The path without the /v1 or /v2 prefix ("" if the prefix is missing).
  std::string relative_path;
  // For 405: the methods the path supports, e.g. "GET, PUT, DELETE".
  std::string allowed_methods;

  const char* name() const { return RouteName(id); }
};

class RouteTable {
 public:
  RouteTable();

  // Matches `method` (upper-case) and the decoded `path`.
  RouteMatch Match(absl::string_view method, absl::string_view path) const;

 private:
  struct Route {
    std::string method;
    // Segments; ":carrier", ":number" and ":lang" capture.
    std::vector<std::string> segments;
    RouteId id;
  };

  std::vector<Route> routes_;
};

}  // namespace tracktry::emulator

#endif  // TRACKTRY_EMULATOR_ROUTE_TABLE_H_
