// Copyright 2026 The tracktry-grpc Authors.
//
// The extended TrackingService RPCs (reference section 2.9) and
// ExportTrackings. Declared in tracking_service_impl.h.
#include <algorithm>
#include <utility>

#include "common/error_details.h"
#include "service/rpc/export_trackings_reactor.h"
#include "service/rpc/tracking_service_impl.h"
#include "service/tracktry_api/account_operations.h"
#include "service/tracktry_api/batch_operations.h"
#include "service/tracktry_api/list_operations.h"
#include "service/tracktry_api/tracking_operations.h"
#include "service/translation/page_token.h"
#include "service/validation/request_validator.h"

namespace tracktry {
namespace {

// Upstream deadline of one export page when the caller set no deadline.
constexpr absl::Duration kExportPageTimeout = absl::Seconds(30);

}  // namespace

void TrackingServiceImpl::ChangeTrackingCarrier(
    RpcContext* context, const v1::ChangeTrackingCarrierRequest* request,
    v1::ChangeTrackingCarrierResponse* response) {
  Serve(
      context, "ChangeTrackingCarrier",
      ValidateChangeTrackingCarrierRequest(*request),
      [=](UpstreamCaller* upstream, absl::Time deadline, StatusCallback done) {
        api::ChangeTrackingCarrier(upstream, *request, deadline, response,
                                   std::move(done));
      });
}

void TrackingServiceImpl::GetAccountInfo(
    RpcContext* context, const v1::GetAccountInfoRequest* request,
    v1::GetAccountInfoResponse* response) {
  Serve(
      context, "GetAccountInfo", absl::OkStatus(),
      [=](UpstreamCaller* upstream, absl::Time deadline, StatusCallback done) {
        api::GetAccountInfo(upstream, deadline, response, std::move(done));
      });
}

void TrackingServiceImpl::CountTrackingsByStatus(
    RpcContext* context, const v1::CountTrackingsByStatusRequest* request,
    v1::CountTrackingsByStatusResponse* response) {
  Serve(
      context, "CountTrackingsByStatus",
      ValidateCountTrackingsByStatusRequest(*request),
      [=](UpstreamCaller* upstream, absl::Time deadline, StatusCallback done) {
        api::CountTrackingsByStatus(upstream, *request, deadline, response,
                                    std::move(done));
      });
}

void TrackingServiceImpl::StopTrackingUpdates(
    RpcContext* context, const v1::StopTrackingUpdatesRequest* request,
    v1::StopTrackingUpdatesResponse* response) {
  Serve(
      context, "StopTrackingUpdates",
      ValidateStopTrackingUpdatesRequest(*request),
      [=](UpstreamCaller* upstream, absl::Time deadline, StatusCallback done) {
        api::StopTrackingUpdates(upstream, *request, deadline, response,
                                 std::move(done));
      });
}

void TrackingServiceImpl::CheckRemoteAreas(
    RpcContext* context, const v1::CheckRemoteAreasRequest* request,
    v1::CheckRemoteAreasResponse* response) {
  Serve(
      context, "CheckRemoteAreas", ValidateCheckRemoteAreasRequest(*request),
      [=](UpstreamCaller* upstream, absl::Time deadline, StatusCallback done) {
        api::CheckRemoteAreas(upstream, *request, deadline, response,
                              std::move(done));
      });
}

void TrackingServiceImpl::GetTransitTimes(
    RpcContext* context, const v1::GetTransitTimesRequest* request,
    v1::GetTransitTimesResponse* response) {
  Serve(
      context, "GetTransitTimes", ValidateGetTransitTimesRequest(*request),
      [=](UpstreamCaller* upstream, absl::Time deadline, StatusCallback done) {
        api::GetTransitTimes(upstream, *request, deadline, response,
                             std::move(done));
      });
}

void TrackingServiceImpl::BatchDeleteTrackings(
    RpcContext* context, const v1::BatchDeleteTrackingsRequest* request,
    v1::BatchDeleteTrackingsResponse* response) {
  Serve(
      context, "BatchDeleteTrackings",
      ValidateBatchDeleteTrackingsRequest(*request),
      [=](UpstreamCaller* upstream, absl::Time deadline, StatusCallback done) {
        api::BatchDeleteTrackings(upstream, *request, options_.batch_chunk_size,
                                  deadline, response, std::move(done));
      });
}

void TrackingServiceImpl::BatchUpdateTrackings(
    RpcContext* context, const v1::BatchUpdateTrackingsRequest* request,
    v1::BatchUpdateTrackingsResponse* response) {
  Serve(
      context, "BatchUpdateTrackings",
      ValidateBatchUpdateTrackingsRequest(*request),
      [=](UpstreamCaller* upstream, absl::Time deadline, StatusCallback done) {
        api::BatchUpdateTrackings(upstream, *request, options_.batch_chunk_size,
                                  deadline, response, std::move(done));
      });
}

void TrackingServiceImpl::ExportTrackings(
    RpcContext* context, const v1::ExportTrackingsRequest* request) {
  const uint64_t fingerprint = ListFilterFingerprint(request->filter());
  ExportCursor start;
  start.page.filter_fingerprint = fingerprint;
  start.page.page = 1;
  start.page.page_size =
      request->filter().page_size() > 0
          ? std::min(request->filter().page_size(), options_.max_page_size)
          : options_.default_page_size;
  absl::Status valid = ValidateListTrackingsRequest(request->filter());
  if (valid.ok() && !request->filter().page_token().empty()) {
    valid = InvalidFieldError("filter.page_token",
                              "not used by ExportTrackings; use cursor");
  }
  if (valid.ok() && !request->cursor().empty()) {
    absl::StatusOr<ExportCursor> decoded =
        DecodeExportCursor(request->cursor(), fingerprint);
    if (decoded.ok()) {
      start = *decoded;
    } else {
      valid = decoded.status();
    }
  }
  auto* reactor =
      new ExportTrackingsReactor(context, upstream_, observer_,
                                 request->filter(), start, kExportPageTimeout);
  if (!valid.ok()) {
    reactor->Fail(valid);
  } else {
    reactor->Start();
  }
}

}  // namespace tracktry
