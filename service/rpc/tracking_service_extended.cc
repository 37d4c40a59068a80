// Copyright 2026 The tracktry-grpc Authors.
//
// The extended TrackingService RPCs (reference section 2.9) and
// ExportTrackings. Declared in tracking_service_impl.h.
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/error_details.h"
#include "service/rpc/export_trackings_reactor.h"
#include "service/rpc/tracking_service_impl.h"
#include "service/tracktry_api/batch_assembler.h"
#include "service/translation/batch_translation.h"
#include "service/translation/extended_translation.h"
#include "service/validation/request_validator.h"

namespace tracktry {
namespace {

// Tracktry answers meta.code 4031 ("successful but empty").
constexpr int kMetaEmpty = 4031;
// Upstream deadline of one export page when the caller set no deadline.
constexpr absl::Duration kExportPageTimeout = absl::Seconds(30);

// Shared by the chunk completions of a batch; they run under the reactor's
// lock.
struct ChunkedState {
  std::vector<std::vector<int>> chunks;
  std::vector<absl::StatusOr<BatchOutcome>> outcomes;
  size_t remaining = 0;
};

// Assembles per-item results for a delete/update batch by reusing the
// BatchCreate matcher on (number, carrier) pairs. Returns the RPC status;
// `*succeeded` gets the number of OK items.
absl::Status AssembleItemResults(
    const std::vector<std::pair<std::string, std::string>>& items,
    const ChunkedState& state,
    google::protobuf::RepeatedPtrField<v1::BatchItemResult>* results,
    int* succeeded) {
  google::protobuf::RepeatedPtrField<v1::NewTracking> as_new;
  for (const auto& [number, carrier] : items) {
    v1::NewTracking* item = as_new.Add();
    item->set_tracking_number(number);
    item->set_carrier_code(carrier);
  }
  v1::BatchCreateTrackingsResponse assembled;
  absl::Status status =
      AssembleBatchResponse(as_new, state.chunks, state.outcomes, &assembled);
  if (!status.ok()) return status;
  *succeeded = 0;
  for (v1::BatchCreateResult& created : *assembled.mutable_results()) {
    v1::BatchItemResult* result = results->Add();
    result->set_index(created.index());
    result->set_tracking_number(created.tracking_number());
    result->set_carrier_code(created.carrier_code());
    *result->mutable_status() = std::move(*created.mutable_status());
    if (result->status().code() == 0) ++*succeeded;
  }
  return absl::OkStatus();
}

// Runs a delete/update batch: one upstream POST to `path` per chunk of
// `chunk_size` items (body from `body_of(chunk indices)`), all chunks at
// once; when the last chunk answers, fills `results` in request order,
// passes the number of OK items to `set_counts` and completes `reactor`.
// `items` are the (number, carrier) pairs of the request, in order.
void RunChunkedBatch(
    UpstreamReactor* reactor, Endpoint endpoint, const char* path,
    int chunk_size, std::vector<std::pair<std::string, std::string>> items,
    const std::function<nlohmann::json(const std::vector<int>&)>& body_of,
    google::protobuf::RepeatedPtrField<v1::BatchItemResult>* results,
    std::function<void(int)> set_counts) {
  auto state = std::make_shared<ChunkedState>();
  state->chunks = ChunkIndices(static_cast<int>(items.size()), chunk_size);
  state->outcomes.assign(state->chunks.size(),
                         absl::UnknownError("chunk not answered"));
  state->remaining = state->chunks.size();
  auto shared_items =
      std::make_shared<const std::vector<std::pair<std::string, std::string>>>(
          std::move(items));
  for (size_t c = 0; c < state->chunks.size(); ++c) {
    UpstreamRequest upstream;
    upstream.endpoint = endpoint;
    upstream.method = "POST";
    upstream.path = path;
    upstream.body = body_of(state->chunks[c]);
    reactor->Call(
        std::move(upstream), [reactor, state, c, shared_items, results,
                              set_counts](absl::StatusOr<Envelope> envelope) {
          if (!envelope.ok()) {
            state->outcomes[c] = envelope.status();
          } else if (envelope->meta_code == kMetaEmpty) {
            state->outcomes[c] = BatchOutcome();
          } else {
            state->outcomes[c] = BatchOutcomeFromData(envelope->data);
          }
          if (--state->remaining > 0) return;
          int succeeded = 0;
          absl::Status status =
              AssembleItemResults(*shared_items, *state, results, &succeeded);
          set_counts(succeeded);
          reactor->Complete(status);
        });
  }
}

}  // namespace

grpc::ServerUnaryReactor* TrackingServiceImpl::ChangeTrackingCarrier(
    grpc::CallbackServerContext* context,
    const v1::ChangeTrackingCarrierRequest* request,
    v1::ChangeTrackingCarrierResponse* response) {
  UpstreamReactor* reactor =
      NewReactor(context, "ChangeTrackingCarrier", options_.default_deadline);
  if (absl::Status status = ValidateChangeTrackingCarrierRequest(*request);
      !status.ok()) {
    reactor->Complete(status);
    return reactor;
  }
  UpstreamRequest upstream;
  upstream.endpoint = Endpoint::kUpdateCarrier;
  upstream.method = "POST";
  upstream.path = "/trackings/update";
  upstream.body = ChangeCarrierBody(*request);
  reactor->Call(std::move(upstream), [reactor, request, response](
                                         absl::StatusOr<Envelope> envelope) {
    if (!envelope.ok()) return reactor->Complete(envelope.status());
    reactor->Complete(
        ChangeCarrierFromData(envelope->data, *request, response));
  });
  return reactor;
}

grpc::ServerUnaryReactor* TrackingServiceImpl::GetAccountInfo(
    grpc::CallbackServerContext* context,
    const v1::GetAccountInfoRequest* request,
    v1::GetAccountInfoResponse* response) {
  UpstreamReactor* reactor =
      NewReactor(context, "GetAccountInfo", options_.default_deadline);
  UpstreamRequest upstream;
  upstream.endpoint = Endpoint::kUserInfo;
  upstream.method = "GET";
  upstream.path = "/trackings/getuserinfo";
  reactor->Call(std::move(upstream), [reactor, response](
                                         absl::StatusOr<Envelope> envelope) {
    if (!envelope.ok()) return reactor->Complete(envelope.status());
    reactor->Complete(AccountInfoFromData(envelope->data, response));
  });
  return reactor;
}

grpc::ServerUnaryReactor* TrackingServiceImpl::CountTrackingsByStatus(
    grpc::CallbackServerContext* context,
    const v1::CountTrackingsByStatusRequest* request,
    v1::CountTrackingsByStatusResponse* response) {
  UpstreamReactor* reactor =
      NewReactor(context, "CountTrackingsByStatus", options_.default_deadline);
  if (absl::Status status = ValidateCountTrackingsByStatusRequest(*request);
      !status.ok()) {
    reactor->Complete(status);
    return reactor;
  }
  UpstreamRequest upstream;
  upstream.endpoint = Endpoint::kStatusNumber;
  upstream.method = "GET";
  upstream.path = "/trackings/getstatusnumber";
  upstream.query = StatusNumberQuery(*request);
  reactor->Call(std::move(upstream), [reactor, response](
                                         absl::StatusOr<Envelope> envelope) {
    if (!envelope.ok()) return reactor->Complete(envelope.status());
    if (envelope->meta_code == kMetaEmpty) {
      return reactor->Complete(absl::OkStatus());
    }
    reactor->Complete(StatusCountsFromData(envelope->data, response));
  });
  return reactor;
}

grpc::ServerUnaryReactor* TrackingServiceImpl::StopTrackingUpdates(
    grpc::CallbackServerContext* context,
    const v1::StopTrackingUpdatesRequest* request,
    v1::StopTrackingUpdatesResponse* response) {
  UpstreamReactor* reactor =
      NewReactor(context, "StopTrackingUpdates", options_.default_deadline);
  if (absl::Status status = ValidateStopTrackingUpdatesRequest(*request);
      !status.ok()) {
    reactor->Complete(status);
    return reactor;
  }
  std::vector<const v1::TrackingRef*> refs;
  for (const v1::TrackingRef& ref : request->trackings()) refs.push_back(&ref);
  UpstreamRequest upstream;
  upstream.endpoint = Endpoint::kNotUpdate;
  upstream.method = "POST";
  upstream.path = "/trackings/notupdate";
  upstream.body = TrackingRefsBody(refs);
  reactor->Call(std::move(upstream), [reactor, response](
                                         absl::StatusOr<Envelope> envelope) {
    if (!envelope.ok()) return reactor->Complete(envelope.status());
    reactor->Complete(StopUpdatesFromData(envelope->data, response));
  });
  return reactor;
}

grpc::ServerUnaryReactor* TrackingServiceImpl::CheckRemoteAreas(
    grpc::CallbackServerContext* context,
    const v1::CheckRemoteAreasRequest* request,
    v1::CheckRemoteAreasResponse* response) {
  UpstreamReactor* reactor =
      NewReactor(context, "CheckRemoteAreas", options_.default_deadline);
  if (absl::Status valid = ValidateCheckRemoteAreasRequest(*request);
      !valid.ok()) {
    reactor->Complete(valid);
    return reactor;
  }
  UpstreamRequest upstream;
  upstream.endpoint = Endpoint::kRemote;
  upstream.method = "POST";
  upstream.path = "/trackings/remote";
  upstream.body = RemoteAreasBody(*request);
  reactor->Call(std::move(upstream), [reactor, response](
                                         absl::StatusOr<Envelope> envelope) {
    if (!envelope.ok()) return reactor->Complete(envelope.status());
    reactor->Complete(RemoteAreasFromData(envelope->data, response));
  });
  return reactor;
}

grpc::ServerUnaryReactor* TrackingServiceImpl::GetTransitTimes(
    grpc::CallbackServerContext* context,
    const v1::GetTransitTimesRequest* request,
    v1::GetTransitTimesResponse* response) {
  UpstreamReactor* reactor =
      NewReactor(context, "GetTransitTimes", options_.default_deadline);
  if (absl::Status valid = ValidateGetTransitTimesRequest(*request);
      !valid.ok()) {
    reactor->Complete(valid);
    return reactor;
  }
  UpstreamRequest upstream;
  upstream.endpoint = Endpoint::kCostTime;
  upstream.method = "POST";
  upstream.path = "/trackings/costtime";
  upstream.body = TransitTimesBody(*request);
  reactor->Call(std::move(upstream), [reactor, response](
                                         absl::StatusOr<Envelope> envelope) {
    if (!envelope.ok()) return reactor->Complete(envelope.status());
    if (envelope->meta_code == kMetaEmpty) {
      return reactor->Complete(absl::OkStatus());
    }
    reactor->Complete(TransitTimesFromData(envelope->data, response));
  });
  return reactor;
}

grpc::ServerUnaryReactor* TrackingServiceImpl::BatchDeleteTrackings(
    grpc::CallbackServerContext* context,
    const v1::BatchDeleteTrackingsRequest* request,
    v1::BatchDeleteTrackingsResponse* response) {
  UpstreamReactor* reactor =
      NewReactor(context, "BatchDeleteTrackings", options_.default_deadline);
  if (absl::Status status = ValidateBatchDeleteTrackingsRequest(*request);
      !status.ok()) {
    reactor->Complete(status);
    return reactor;
  }
  std::vector<std::pair<std::string, std::string>> items;
  for (const v1::TrackingRef& ref : request->trackings()) {
    items.emplace_back(ref.tracking_number(), ref.carrier_code());
  }
  RunChunkedBatch(
      reactor, Endpoint::kBatchDelete, "/trackings/delete",
      options_.batch_chunk_size, std::move(items),
      [request](const std::vector<int>& chunk) {
        std::vector<const v1::TrackingRef*> refs;
        for (int index : chunk) refs.push_back(&request->trackings(index));
        return TrackingRefsBody(refs);
      },
      response->mutable_results(),
      [request, response](int deleted) {
        response->set_deleted_count(deleted);
        response->set_failed_count(request->trackings_size() - deleted);
      });
  return reactor;
}

grpc::ServerUnaryReactor* TrackingServiceImpl::BatchUpdateTrackings(
    grpc::CallbackServerContext* context,
    const v1::BatchUpdateTrackingsRequest* request,
    v1::BatchUpdateTrackingsResponse* response) {
  UpstreamReactor* reactor =
      NewReactor(context, "BatchUpdateTrackings", options_.default_deadline);
  if (absl::Status status = ValidateBatchUpdateTrackingsRequest(*request);
      !status.ok()) {
    reactor->Complete(status);
    return reactor;
  }
  std::vector<std::pair<std::string, std::string>> items;
  for (const v1::TrackingUpdate& update : request->updates()) {
    items.emplace_back(update.tracking_number(), update.carrier_code());
  }
  RunChunkedBatch(
      reactor, Endpoint::kUpdateMore, "/trackings/updatemore",
      options_.batch_chunk_size, std::move(items),
      [request](const std::vector<int>& chunk) {
        std::vector<const v1::TrackingUpdate*> updates;
        for (int index : chunk) updates.push_back(&request->updates(index));
        return UpdateMoreBody(updates);
      },
      response->mutable_results(),
      [request, response](int updated) {
        response->set_updated_count(updated);
        response->set_failed_count(request->updates_size() - updated);
      });
  return reactor;
}

grpc::ServerWriteReactor<v1::ExportTrackingsResponse>*
TrackingServiceImpl::ExportTrackings(
    grpc::CallbackServerContext* context,
    const v1::ExportTrackingsRequest* request) {
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
  return reactor;
}

}  // namespace tracktry
