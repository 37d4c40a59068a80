// Copyright 2026 The tracktry-grpc Authors.
#include "service/tracktry_api/list_operations.h"

#include <utility>

#include "service/translation/extended_translation.h"
#include "service/translation/list_translation.h"
#include "service/translation/request_translation.h"

namespace tracktry {
namespace api {

UpstreamCaller::CallId ListTrackingsPage(UpstreamCaller* upstream,
                                         const v1::ListTrackingsRequest& filter,
                                         int64_t page, int64_t page_size,
                                         absl::Time deadline,
                                         TrackingsPage* out,
                                         StatusCallback done) {
  UpstreamRequest call;
  call.endpoint = Endpoint::kListTrackings;
  call.query = ListTrackingsQuery(filter, page, page_size);
  return SendAndRead(
      upstream, std::move(call), deadline,
      [page, page_size, view = filter.view(),
       out](const Envelope& envelope) -> absl::Status {
        out->trackings.clear();
        out->total = 0;
        out->more = false;
        // Empty: not an error, and the end of the collection.
        if (IsEmptyAnswer(envelope)) return absl::OkStatus();
        absl::StatusOr<ListPage> list = ListPageFromData(envelope.data(), view);
        if (!list.ok()) return list.status();
        const int64_t returned = static_cast<int64_t>(list->items.size());
        out->trackings = std::move(list->items);
        out->total = list->total;
        out->more =
            returned > 0 && (list->total > 0 ? page * page_size < list->total
                                             : returned >= page_size);
        return absl::OkStatus();
      },
      std::move(done));
}

UpstreamCaller::CallId CountTrackingsByStatus(
    UpstreamCaller* upstream, const v1::CountTrackingsByStatusRequest& request,
    absl::Time deadline, v1::CountTrackingsByStatusResponse* out,
    StatusCallback done) {
  UpstreamRequest call;
  call.endpoint = Endpoint::kStatusNumber;
  call.query = StatusNumberQuery(request);
  return SendAndRead(
      upstream, std::move(call), deadline,
      [out](const Envelope& envelope) {
        if (IsEmptyAnswer(envelope)) return absl::OkStatus();
        return StatusCountsFromData(envelope.data(), out);
      },
      std::move(done));
}

}  // namespace api
}  // namespace tracktry
