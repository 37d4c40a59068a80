// Copyright 2026 The tracktry-grpc Authors.
#include "service/rpc/tracking_service_impl.h"

#include <algorithm>
#include <memory>
#include <utility>

#include "service/rpc/serialized_field.h"
#include "service/tracktry_api/account_operations.h"
#include "service/tracktry_api/batch_operations.h"
#include "service/tracktry_api/list_operations.h"
#include "service/tracktry_api/tracking_operations.h"
#include "service/translation/page_token.h"
#include "service/validation/request_validator.h"

namespace tracktry {

TrackingServiceImpl::TrackingServiceImpl(UpstreamCaller* upstream,
                                         RpcObserver* observer,
                                         TrackingServiceOptions options)
    : upstream_(upstream), observer_(observer), options_(std::move(options)) {}

void TrackingServiceImpl::CreateTracking(
    RpcContext* context, const v1::CreateTrackingRequest* request,
    v1::CreateTrackingResponse* response) {
  Serve(
      context, "CreateTracking", ValidateCreateTrackingRequest(*request),
      [=](UpstreamCaller* upstream, absl::Time deadline, StatusCallback done) {
        api::CreateTracking(upstream, *request, deadline,
                            response->mutable_tracking(), std::move(done));
      });
}

// The answer is the tracking's serialized bytes, shared with the cache
// entry it came from (api::SerializedTracking): gRPC sends them as the
// `tracking` field without a proto copy or a second serialization
// (SetSerializedField).
void TrackingServiceImpl::GetTracking(RpcContext* context,
                                      const v1::GetTrackingRequest* request,
                                      v1::GetTrackingResponse* response) {
  const absl::Status valid = ValidateGetTrackingRequest(*request);
  if (valid.ok() && cached_reads_ != nullptr) {
    // A fresh cached answer is served right here: no upstream call, no hand
    // off to another thread.
    if (std::shared_ptr<const Envelope> hit =
            cached_reads_->Peek(api::GetTrackingCall(*request))) {
      auto* reactor =
          new UpstreamReactor(context, upstream_, observer_, "GetTracking",
                              options_.default_deadline);
      absl::StatusOr<api::SerializedTracking> tracking =
          api::SerializedTrackingFromAnswer(*hit, *request);
      if (tracking.ok()) {
        SetSerializedField(response,
                           v1::GetTrackingResponse::kTrackingFieldNumber,
                           **tracking);
      }
      reactor->Complete(tracking.status());
      return;
    }
  }
  Serve(
      context, "GetTracking", valid,
      [=](UpstreamCaller* upstream, absl::Time deadline, StatusCallback done) {
        api::GetSerializedTracking(
            upstream, *request, deadline,
            [response, done = std::move(done)](
                absl::StatusOr<api::SerializedTracking> tracking) mutable {
              if (tracking.ok()) {
                SetSerializedField(
                    response, v1::GetTrackingResponse::kTrackingFieldNumber,
                    **tracking);
              }
              std::move(done)(tracking.status());
            });
      });
}

void TrackingServiceImpl::UpdateTracking(
    RpcContext* context, const v1::UpdateTrackingRequest* request,
    v1::UpdateTrackingResponse* response) {
  Serve(
      context, "UpdateTracking", ValidateUpdateTrackingRequest(*request),
      [=](UpstreamCaller* upstream, absl::Time deadline, StatusCallback done) {
        api::UpdateTracking(upstream, *request, deadline,
                            response->mutable_tracking(), std::move(done));
      });
}

void TrackingServiceImpl::DeleteTracking(
    RpcContext* context, const v1::DeleteTrackingRequest* request,
    v1::DeleteTrackingResponse* response) {
  Serve(
      context, "DeleteTracking", ValidateDeleteTrackingRequest(*request),
      [=](UpstreamCaller* upstream, absl::Time deadline, StatusCallback done) {
        api::DeleteTracking(upstream, *request, deadline, std::move(done));
      });
}

void TrackingServiceImpl::BatchCreateTrackings(
    RpcContext* context, const v1::BatchCreateTrackingsRequest* request,
    v1::BatchCreateTrackingsResponse* response) {
  Serve(
      context, "BatchCreateTrackings",
      ValidateBatchCreateTrackingsRequest(*request),
      [=](UpstreamCaller* upstream, absl::Time deadline, StatusCallback done) {
        api::BatchCreateTrackings(upstream, *request, options_.batch_chunk_size,
                                  deadline, response, std::move(done));
      });
}

void TrackingServiceImpl::ListTrackings(RpcContext* context,
                                        const v1::ListTrackingsRequest* request,
                                        v1::ListTrackingsResponse* response) {
  // The page to read: the first one, or the one the page token names.
  const uint64_t fingerprint = ListFilterFingerprint(*request);
  PageTokenState page;
  page.filter_fingerprint = fingerprint;
  page.page = 1;
  page.page_size = request->page_size() > 0
                       ? std::min(request->page_size(), options_.max_page_size)
                       : options_.default_page_size;
  absl::Status valid = ValidateListTrackingsRequest(*request);
  if (valid.ok() && !request->page_token().empty()) {
    absl::StatusOr<PageTokenState> decoded =
        DecodePageToken(request->page_token(), fingerprint);
    // Pages are numbered upstream, so the size of the first page sticks.
    if (decoded.ok()) page = *decoded;
    valid = decoded.status();
  }
  Serve(
      context, "ListTrackings", valid,
      [=](UpstreamCaller* upstream, absl::Time deadline, StatusCallback done) {
        auto result = std::make_shared<api::TrackingsPage>();
        api::ListTrackingsPage(
            upstream, *request, page.page, page.page_size, deadline,
            result.get(),
            [result, page, response,
             done = std::move(done)](absl::Status status) mutable {
              if (status.ok()) {
                for (v1::Tracking& tracking : result->trackings) {
                  *response->add_trackings() = std::move(tracking);
                }
                response->set_total_size(result->total);
                if (result->more) {
                  PageTokenState next = page;
                  next.page = page.page + 1;
                  response->set_next_page_token(EncodePageToken(next));
                }
              }
              std::move(done)(status);
            });
      });
}

void TrackingServiceImpl::GetRealtimeTracking(
    RpcContext* context, const v1::GetRealtimeTrackingRequest* request,
    v1::GetRealtimeTrackingResponse* response) {
  Serve(
      context, "GetRealtimeTracking",
      ValidateGetRealtimeTrackingRequest(*request),
      [=](UpstreamCaller* upstream, absl::Time deadline, StatusCallback done) {
        api::GetRealtimeTracking(upstream, *request, deadline,
                                 response->mutable_tracking(), std::move(done));
      },
      options_.realtime_deadline);
}

void TrackingServiceImpl::ListCarriers(RpcContext* context,
                                       const v1::ListCarriersRequest* request,
                                       v1::ListCarriersResponse* response) {
  Serve(
      context, "ListCarriers", ValidateListCarriersRequest(*request),
      [=](UpstreamCaller* upstream, absl::Time deadline, StatusCallback done) {
        api::ListCarriers(upstream, *request, deadline, response,
                          std::move(done));
      });
}

void TrackingServiceImpl::DetectCarrier(RpcContext* context,
                                        const v1::DetectCarrierRequest* request,
                                        v1::DetectCarrierResponse* response) {
  Serve(
      context, "DetectCarrier", ValidateDetectCarrierRequest(*request),
      [=](UpstreamCaller* upstream, absl::Time deadline, StatusCallback done) {
        api::DetectCarrier(upstream, *request, deadline, response,
                           std::move(done));
      });
}

}  // namespace tracktry
