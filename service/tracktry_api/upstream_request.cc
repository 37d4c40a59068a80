// Copyright 2026 The tracktry-grpc Authors.
#include "service/tracktry_api/upstream_request.h"

namespace tracktry {

const char* EndpointName(Endpoint endpoint) {
  switch (endpoint) {
    case Endpoint::kCreateTracking:
      return "create";
    case Endpoint::kGetTracking:
      return "get";
    case Endpoint::kUpdateTracking:
      return "update";
    case Endpoint::kDeleteTracking:
      return "delete";
    case Endpoint::kBatchCreate:
      return "batch";
    case Endpoint::kListTrackings:
      return "list";
    case Endpoint::kRealtime:
      return "realtime";
    case Endpoint::kListCarriers:
      return "carriers";
    case Endpoint::kDetectCarrier:
      return "detect";
    case Endpoint::kUpdateCarrier:
      return "update_carrier";
    case Endpoint::kUserInfo:
      return "userinfo";
    case Endpoint::kStatusNumber:
      return "status_number";
    case Endpoint::kNotUpdate:
      return "not_update";
    case Endpoint::kRemote:
      return "remote";
    case Endpoint::kCostTime:
      return "cost_time";
    case Endpoint::kBatchDelete:
      return "batch_delete";
    case Endpoint::kUpdateMore:
      return "update_more";
  }
  return "unknown";
}

bool IsIdempotent(Endpoint endpoint) {
  switch (endpoint) {
    case Endpoint::kGetTracking:
    case Endpoint::kListTrackings:
    case Endpoint::kRealtime:
    case Endpoint::kListCarriers:
    case Endpoint::kDetectCarrier:
    case Endpoint::kUserInfo:
    case Endpoint::kStatusNumber:
    case Endpoint::kRemote:
    case Endpoint::kCostTime:
      return true;
    default:
      return false;
  }
}

}  // namespace tracktry
