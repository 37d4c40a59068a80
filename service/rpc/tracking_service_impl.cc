// Copyright 2026 The tracktry-grpc Authors.
#include "service/rpc/tracking_service_impl.h"

#include <algorithm>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/error_details.h"
#include "service/tracktry_api/batch_assembler.h"
#include "service/translation/batch_translation.h"
#include "service/translation/carrier_translation.h"
#include "service/translation/list_translation.h"
#include "service/translation/page_token.h"
#include "service/translation/request_translation.h"
#include "service/translation/tracking_translation.h"
#include "service/transport/url_encoding.h"
#include "service/upstream/idempotency_store.h"
#include "service/validation/request_validator.h"

namespace tracktry {
namespace {

// Tracktry answers meta.code 4031 ("successful but empty") where a list is
// empty and sometimes where a lookup found nothing.
constexpr int kMetaEmpty = 4031;

std::string TrackingPath(const std::string& carrier_code,
                         const std::string& tracking_number) {
  return absl::StrCat("/trackings/", UrlEncode(carrier_code), "/",
                      UrlEncode(tracking_number));
}

// Writes the first tracking of `envelope` into `*out` (built in place: for
// GetTracking and GetRealtimeTracking it lives on the call's arena); NOT_FOUND
// when there is none.
absl::Status FirstTrackingInto(const Envelope& envelope,
                               const std::string& carrier_code,
                               const std::string& tracking_number,
                               v1::Tracking* out) {
  absl::StatusOr<bool> found = envelope.meta_code == kMetaEmpty
                                   ? false
                                   : FirstTrackingFromData(envelope.data, out);
  if (!found.ok()) return found.status();
  if (!*found) return TrackingNotFoundError(carrier_code, tracking_number);
  return absl::OkStatus();
}

}  // namespace

TrackingServiceImpl::TrackingServiceImpl(UpstreamCaller* upstream,
                                         RpcObserver* observer,
                                         TrackingServiceOptions options)
    : upstream_(upstream), observer_(observer), options_(std::move(options)) {
  SetMessageAllocatorFor_GetTracking(&get_tracking_allocator_);
  SetMessageAllocatorFor_GetRealtimeTracking(&realtime_allocator_);
}

UpstreamReactor* TrackingServiceImpl::NewReactor(
    grpc::CallbackServerContext* context, const char* method,
    absl::Duration default_deadline) const {
  return new UpstreamReactor(context, upstream_, observer_, method,
                             default_deadline);
}

grpc::ServerUnaryReactor* TrackingServiceImpl::CreateTracking(
    grpc::CallbackServerContext* context,
    const v1::CreateTrackingRequest* request,
    v1::CreateTrackingResponse* response) {
  UpstreamReactor* reactor =
      NewReactor(context, "CreateTracking", options_.default_deadline);
  if (absl::Status status = ValidateCreateTrackingRequest(*request);
      !status.ok()) {
    reactor->Complete(status);
    return reactor;
  }
  UpstreamRequest upstream;
  upstream.endpoint = Endpoint::kCreateTracking;
  upstream.method = "POST";
  upstream.path = "/trackings/post";
  upstream.body = CreateTrackingBody(request->tracking());
  if (!request->request_id().empty()) {
    // AIP-155: a repeat of this request_id replays the first answer.
    v1::CreateTrackingRequest unkeyed = *request;
    unkeyed.clear_request_id();
    upstream.idempotency_key =
        absl::StrCat("CreateTracking/", request->request_id());
    upstream.idempotency_fingerprint = RequestFingerprint(unkeyed);
  }
  reactor->Call(std::move(upstream), [reactor, request, response](
                                         absl::StatusOr<Envelope> envelope) {
    if (!envelope.ok()) return reactor->Complete(envelope.status());
    absl::StatusOr<std::vector<v1::Tracking>> trackings =
        envelope->meta_code == kMetaEmpty ? std::vector<v1::Tracking>()
                                          : TrackingsFromData(envelope->data);
    if (!trackings.ok()) return reactor->Complete(trackings.status());
    v1::Tracking* tracking = response->mutable_tracking();
    if (!trackings->empty()) {
      *tracking = std::move(trackings->front());
    } else {
      // Accepted without an echo: answer with what was registered.
      tracking->set_tracking_number(request->tracking().tracking_number());
      tracking->set_carrier_code(request->tracking().carrier_code());
      tracking->set_status(v1::TRACKING_STATUS_PENDING);
      tracking->set_raw_status("pending");
    }
    reactor->Complete(absl::OkStatus());
  });
  return reactor;
}

grpc::ServerUnaryReactor* TrackingServiceImpl::GetTracking(
    grpc::CallbackServerContext* context, const v1::GetTrackingRequest* request,
    v1::GetTrackingResponse* response) {
  UpstreamReactor* reactor =
      NewReactor(context, "GetTracking", options_.default_deadline);
  if (absl::Status status = ValidateGetTrackingRequest(*request);
      !status.ok()) {
    reactor->Complete(status);
    return reactor;
  }
  UpstreamRequest upstream;
  upstream.endpoint = Endpoint::kGetTracking;
  upstream.method = "GET";
  upstream.path =
      TrackingPath(request->carrier_code(), request->tracking_number());
  if (!request->lang().empty()) {
    absl::StrAppend(&upstream.path, "/", UrlEncode(request->lang()));
  }
  upstream.bypass_cache = request->bypass_cache();
  reactor->Call(std::move(upstream), [reactor, request, response](
                                         absl::StatusOr<Envelope> envelope) {
    if (!envelope.ok()) return reactor->Complete(envelope.status());
    reactor->Complete(FirstTrackingInto(*envelope, request->carrier_code(),
                                        request->tracking_number(),
                                        response->mutable_tracking()));
  });
  return reactor;
}

grpc::ServerUnaryReactor* TrackingServiceImpl::UpdateTracking(
    grpc::CallbackServerContext* context,
    const v1::UpdateTrackingRequest* request,
    v1::UpdateTrackingResponse* response) {
  UpstreamReactor* reactor =
      NewReactor(context, "UpdateTracking", options_.default_deadline);
  if (absl::Status status = ValidateUpdateTrackingRequest(*request);
      !status.ok()) {
    reactor->Complete(status);
    return reactor;
  }
  absl::StatusOr<nlohmann::json> body = UpdateTrackingBody(*request);
  if (!body.ok()) {
    reactor->Complete(body.status());
    return reactor;
  }
  UpstreamRequest upstream;
  upstream.endpoint = Endpoint::kUpdateTracking;
  upstream.method = "PUT";
  upstream.path =
      TrackingPath(request->carrier_code(), request->tracking_number());
  upstream.body = std::move(*body);
  reactor->Call(std::move(upstream), [reactor, request, response](
                                         absl::StatusOr<Envelope> envelope) {
    if (!envelope.ok()) return reactor->Complete(envelope.status());
    absl::StatusOr<std::vector<v1::Tracking>> trackings =
        envelope->meta_code == kMetaEmpty ? std::vector<v1::Tracking>()
                                          : TrackingsFromData(envelope->data);
    if (!trackings.ok()) return reactor->Complete(trackings.status());
    if (!trackings->empty()) {
      *response->mutable_tracking() = std::move(trackings->front());
    } else {
      response->mutable_tracking()->set_carrier_code(request->carrier_code());
      response->mutable_tracking()->set_tracking_number(
          request->tracking_number());
    }
    reactor->Complete(absl::OkStatus());
  });
  return reactor;
}

grpc::ServerUnaryReactor* TrackingServiceImpl::DeleteTracking(
    grpc::CallbackServerContext* context,
    const v1::DeleteTrackingRequest* request,
    v1::DeleteTrackingResponse* response) {
  UpstreamReactor* reactor =
      NewReactor(context, "DeleteTracking", options_.default_deadline);
  if (absl::Status status = ValidateDeleteTrackingRequest(*request);
      !status.ok()) {
    reactor->Complete(status);
    return reactor;
  }
  UpstreamRequest upstream;
  upstream.endpoint = Endpoint::kDeleteTracking;
  upstream.method = "DELETE";
  upstream.path =
      TrackingPath(request->carrier_code(), request->tracking_number());
  reactor->Call(std::move(upstream),
                [reactor](absl::StatusOr<Envelope> envelope) {
                  reactor->Complete(envelope.status());
                });
  return reactor;
}

grpc::ServerUnaryReactor* TrackingServiceImpl::BatchCreateTrackings(
    grpc::CallbackServerContext* context,
    const v1::BatchCreateTrackingsRequest* request,
    v1::BatchCreateTrackingsResponse* response) {
  UpstreamReactor* reactor =
      NewReactor(context, "BatchCreateTrackings", options_.default_deadline);
  if (absl::Status status = ValidateBatchCreateTrackingsRequest(*request);
      !status.ok()) {
    reactor->Complete(status);
    return reactor;
  }
  // Shared by the chunk completions; they run under the reactor's lock.
  struct BatchState {
    std::vector<std::vector<int>> chunks;
    std::vector<absl::StatusOr<BatchOutcome>> outcomes;
    size_t remaining = 0;
  };
  auto state = std::make_shared<BatchState>();
  state->chunks =
      ChunkIndices(request->trackings_size(), options_.batch_chunk_size);
  state->outcomes.assign(state->chunks.size(),
                         absl::UnknownError("chunk not answered"));
  state->remaining = state->chunks.size();
  uint64_t fingerprint = 0;
  if (!request->request_id().empty()) {
    v1::BatchCreateTrackingsRequest unkeyed = *request;
    unkeyed.clear_request_id();
    fingerprint = RequestFingerprint(unkeyed);
  }
  for (size_t c = 0; c < state->chunks.size(); ++c) {
    std::vector<const v1::NewTracking*> items;
    for (int index : state->chunks[c]) {
      items.push_back(&request->trackings(index));
    }
    UpstreamRequest upstream;
    upstream.endpoint = Endpoint::kBatchCreate;
    upstream.method = "POST";
    upstream.path = "/trackings/batch";
    upstream.body = BatchCreateBody(items);
    if (!request->request_id().empty()) {
      // AIP-155: each chunk's answer is replayed on a repeat.
      upstream.idempotency_key =
          absl::StrCat("BatchCreateTrackings/", request->request_id());
      upstream.idempotency_fingerprint = fingerprint;
      upstream.idempotency_part = static_cast<int>(c);
    }
    reactor->Call(std::move(upstream), [reactor, request, response, state,
                                        c](absl::StatusOr<Envelope> envelope) {
      if (!envelope.ok()) {
        state->outcomes[c] = envelope.status();
      } else if (envelope->meta_code == kMetaEmpty) {
        state->outcomes[c] = BatchOutcome();
      } else {
        state->outcomes[c] = BatchOutcomeFromData(envelope->data);
      }
      if (--state->remaining > 0) return;
      reactor->Complete(AssembleBatchResponse(
          request->trackings(), state->chunks, state->outcomes, response));
    });
  }
  return reactor;
}

grpc::ServerUnaryReactor* TrackingServiceImpl::ListTrackings(
    grpc::CallbackServerContext* context,
    const v1::ListTrackingsRequest* request,
    v1::ListTrackingsResponse* response) {
  UpstreamReactor* reactor =
      NewReactor(context, "ListTrackings", options_.default_deadline);
  if (absl::Status status = ValidateListTrackingsRequest(*request);
      !status.ok()) {
    reactor->Complete(status);
    return reactor;
  }
  const uint64_t fingerprint = ListFilterFingerprint(*request);
  PageTokenState page;
  page.filter_fingerprint = fingerprint;
  page.page = 1;
  page.page_size = request->page_size() > 0
                       ? std::min(request->page_size(), options_.max_page_size)
                       : options_.default_page_size;
  if (!request->page_token().empty()) {
    absl::StatusOr<PageTokenState> decoded =
        DecodePageToken(request->page_token(), fingerprint);
    if (!decoded.ok()) {
      reactor->Complete(decoded.status());
      return reactor;
    }
    // Pages are numbered upstream, so the size of the first page sticks.
    page = *decoded;
  }
  UpstreamRequest upstream;
  upstream.endpoint = Endpoint::kListTrackings;
  upstream.method = "GET";
  upstream.path = "/trackings/get";
  upstream.query = ListTrackingsQuery(*request, page.page, page.page_size);
  reactor->Call(std::move(upstream), [reactor, response,
                                      page](absl::StatusOr<Envelope> envelope) {
    if (!envelope.ok()) return reactor->Complete(envelope.status());
    if (envelope->meta_code == kMetaEmpty) {
      // Empty result: not an error, and the end of the collection.
      return reactor->Complete(absl::OkStatus());
    }
    absl::StatusOr<ListPage> list = ListPageFromData(envelope->data);
    if (!list.ok()) return reactor->Complete(list.status());
    const int64_t returned = static_cast<int64_t>(list->items.size());
    for (v1::Tracking& tracking : list->items) {
      *response->add_trackings() = std::move(tracking);
    }
    response->set_total_size(list->total);
    const bool more = list->total > 0 ? page.page * page.page_size < list->total
                                      : returned >= page.page_size;
    if (more && returned > 0) {
      PageTokenState next = page;
      next.page = page.page + 1;
      response->set_next_page_token(EncodePageToken(next));
    }
    reactor->Complete(absl::OkStatus());
  });
  return reactor;
}

grpc::ServerUnaryReactor* TrackingServiceImpl::GetRealtimeTracking(
    grpc::CallbackServerContext* context,
    const v1::GetRealtimeTrackingRequest* request,
    v1::GetRealtimeTrackingResponse* response) {
  UpstreamReactor* reactor =
      NewReactor(context, "GetRealtimeTracking", options_.realtime_deadline);
  if (absl::Status status = ValidateGetRealtimeTrackingRequest(*request);
      !status.ok()) {
    reactor->Complete(status);
    return reactor;
  }
  UpstreamRequest upstream;
  upstream.endpoint = Endpoint::kRealtime;
  upstream.method = "POST";
  upstream.path = "/trackings/realtime";
  upstream.body = RealtimeBody(*request);
  reactor->Call(std::move(upstream), [reactor, request, response](
                                         absl::StatusOr<Envelope> envelope) {
    if (!envelope.ok()) return reactor->Complete(envelope.status());
    reactor->Complete(FirstTrackingInto(*envelope, request->carrier_code(),
                                        request->tracking_number(),
                                        response->mutable_tracking()));
  });
  return reactor;
}

grpc::ServerUnaryReactor* TrackingServiceImpl::ListCarriers(
    grpc::CallbackServerContext* context,
    const v1::ListCarriersRequest* request,
    v1::ListCarriersResponse* response) {
  UpstreamReactor* reactor =
      NewReactor(context, "ListCarriers", options_.default_deadline);
  if (absl::Status status = ValidateListCarriersRequest(*request);
      !status.ok()) {
    reactor->Complete(status);
    return reactor;
  }
  UpstreamRequest upstream;
  upstream.endpoint = Endpoint::kListCarriers;
  upstream.method = "GET";
  upstream.path = "/carriers";
  upstream.bypass_cache = request->bypass_cache();
  reactor->Call(std::move(upstream),
                [reactor, response](absl::StatusOr<Envelope> envelope) {
                  if (!envelope.ok())
                    return reactor->Complete(envelope.status());
                  if (envelope->meta_code == kMetaEmpty) {
                    return reactor->Complete(absl::OkStatus());
                  }
                  absl::StatusOr<std::vector<v1::Carrier>> carriers =
                      CarriersFromData(envelope->data);
                  if (!carriers.ok())
                    return reactor->Complete(carriers.status());
                  for (v1::Carrier& carrier : *carriers) {
                    *response->add_carriers() = std::move(carrier);
                  }
                  reactor->Complete(absl::OkStatus());
                });
  return reactor;
}

grpc::ServerUnaryReactor* TrackingServiceImpl::DetectCarrier(
    grpc::CallbackServerContext* context,
    const v1::DetectCarrierRequest* request,
    v1::DetectCarrierResponse* response) {
  UpstreamReactor* reactor =
      NewReactor(context, "DetectCarrier", options_.default_deadline);
  if (absl::Status status = ValidateDetectCarrierRequest(*request);
      !status.ok()) {
    reactor->Complete(status);
    return reactor;
  }
  UpstreamRequest upstream;
  upstream.endpoint = Endpoint::kDetectCarrier;
  upstream.method = "POST";
  upstream.path = "/carriers/detect";
  upstream.body = DetectCarrierBody(*request);
  reactor->Call(std::move(upstream), [reactor, request, response](
                                         absl::StatusOr<Envelope> envelope) {
    if (!envelope.ok()) return reactor->Complete(envelope.status());
    absl::StatusOr<std::vector<v1::Carrier>> carriers =
        envelope->meta_code == kMetaEmpty ? std::vector<v1::Carrier>()
                                          : CarriersFromData(envelope->data);
    if (!carriers.ok()) return reactor->Complete(carriers.status());
    if (carriers->empty()) {
      return reactor->Complete(MakeError(
          absl::StatusCode::kFailedPrecondition,
          "no carrier matches this tracking number; pass carrier_code",
          "CARRIER_UNDETECTABLE"));
    }
    // A preferred carrier among the candidates goes first.
    const std::string hint = absl::AsciiStrToLower(request->carrier_code());
    std::stable_partition(carriers->begin(), carriers->end(),
                          [&hint](const v1::Carrier& carrier) {
                            return !hint.empty() && carrier.code() == hint;
                          });
    for (v1::Carrier& carrier : *carriers) {
      *response->add_carriers() = std::move(carrier);
    }
    reactor->Complete(absl::OkStatus());
  });
  return reactor;
}

}  // namespace tracktry
