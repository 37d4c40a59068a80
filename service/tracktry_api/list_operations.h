// Copyright 2026 The tracktry-grpc Authors.
//
// Tracktry operations that read the account's trackings in bulk. Lifetimes
// and threading as in tracking_operations.h.
#ifndef TRACKTRY_SERVICE_TRACKTRY_API_LIST_OPERATIONS_H_
#define TRACKTRY_SERVICE_TRACKTRY_API_LIST_OPERATIONS_H_

#include <cstdint>
#include <vector>

#include "absl/time/time.h"
#include "service/tracktry_api/operation_call.h"
#include "service/tracktry_api/upstream_caller.h"
#include "tracktry/v1/tracking_service.pb.h"

namespace tracktry {
namespace api {

// One page of the account's trackings.
struct TrackingsPage {
  std::vector<v1::Tracking> trackings;
  // Matching trackings in all pages as the upstream reports it (0 when it
  // did not say).
  int64_t total = 0;
  // Whether a next page may hold more.
  bool more = false;
};

// GET /trackings/get with `filter`'s criteria, page `page` (1-based) of
// `page_size`, each tracking in `filter.view()`. An empty answer (4031) is
// an empty last page. Without a total, a full page means there may be
// more.
UpstreamCaller::CallId ListTrackingsPage(UpstreamCaller* upstream,
                                         const v1::ListTrackingsRequest& filter,
                                         int64_t page, int64_t page_size,
                                         absl::Time deadline,
                                         TrackingsPage* out,
                                         StatusCallback done);

// GET /trackings/getstatusnumber: counts per status (none on 4031).
UpstreamCaller::CallId CountTrackingsByStatus(
    UpstreamCaller* upstream, const v1::CountTrackingsByStatusRequest& request,
    absl::Time deadline, v1::CountTrackingsByStatusResponse* out,
    StatusCallback done);

}  // namespace api
}  // namespace tracktry

#endif  // TRACKTRY_SERVICE_TRACKTRY_API_LIST_OPERATIONS_H_
