// Copyright 2026 The tracktry-grpc Authors.
#include "service/tracktry_api/tracking_operations.h"

#include <string>
#include <utility>

#include "common/error_details.h"
#include "common/status_macros.h"
#include "google/protobuf/arena.h"
#include "service/tracktry_api/request_id.h"
#include "service/translation/extended_translation.h"
#include "service/translation/request_translation.h"
#include "service/translation/tracking_translation.h"

namespace tracktry {
namespace api {
namespace {

// A call about one tracking: its carrier and number as structured keys.
UpstreamRequest SingleTrackingCall(Endpoint endpoint,
                                   const std::string& carrier_code,
                                   const std::string& tracking_number) {
  UpstreamRequest call;
  call.endpoint = endpoint;
  call.carrier = carrier_code;
  call.tracking_numbers.push_back(tracking_number);
  return call;
}

// Reads the first tracking of `envelope` into `*out`, in `view`; false when
// the answer holds none (4031 "empty" included). Writes echo in FULL.
absl::StatusOr<bool> ReadFirstTracking(
    const Envelope& envelope, v1::Tracking* out,
    v1::TrackingView view = v1::TRACKING_VIEW_FULL) {
  if (IsEmptyAnswer(envelope)) return false;
  // Straight from the tape where there is one: no document is built.
  if (const JsonNode* data = envelope.data_tape()) {
    return FirstTrackingFromData(*data, out, view);
  }
  return FirstTrackingFromData(envelope.data(), out, view);
}

// ReadFirstTracking, with NOT_FOUND for an answer without a tracking.
absl::Status ReadFoundTracking(const Envelope& envelope,
                               const std::string& carrier_code,
                               const std::string& tracking_number,
                               v1::TrackingView view, v1::Tracking* out) {
  absl::StatusOr<bool> found = ReadFirstTracking(envelope, out, view);
  if (!found.ok()) return found.status();
  if (!*found) return TrackingNotFoundError(carrier_code, tracking_number);
  return absl::OkStatus();
}

// The AnswerMemo keys of the serialized GetTracking answers, one per view
// (UNSPECIFIED is BASIC).
constexpr int kBasicTrackingForm = 1;
constexpr int kFullTrackingForm = 2;

// First block of the arena a tracking is built on for serialization: a
// tracking with checkpoints fits, so building it allocates nothing.
constexpr size_t kTrackingArenaBlock = 8192;

}  // namespace

UpstreamCaller::CallId CreateTracking(UpstreamCaller* upstream,
                                      const v1::CreateTrackingRequest& request,
                                      absl::Time deadline, v1::Tracking* out,
                                      StatusCallback done) {
  const v1::NewTracking& tracking = request.tracking();
  UpstreamRequest call =
      SingleTrackingCall(Endpoint::kCreateTracking, tracking.carrier_code(),
                         tracking.tracking_number());
  call.body = SerializeBody(CreateTrackingBody(tracking));
  // AIP-155: a repeat of the request_id replays the first answer.
  RequestIdKeyOf("CreateTracking", request).Apply(0, &call);
  return SendAndRead(
      upstream, std::move(call), deadline,
      [&tracking, out](const Envelope& envelope) -> absl::Status {
        absl::StatusOr<bool> echoed = ReadFirstTracking(envelope, out);
        if (!echoed.ok()) return echoed.status();
        if (!*echoed) {
          // Accepted without an echo: answer with what was registered.
          out->set_tracking_number(tracking.tracking_number());
          out->set_carrier_code(tracking.carrier_code());
          out->set_status(v1::TRACKING_STATUS_PENDING);
          out->set_raw_status("pending");
        }
        return absl::OkStatus();
      },
      std::move(done));
}

UpstreamRequest GetTrackingCall(const v1::GetTrackingRequest& request) {
  UpstreamRequest call =
      SingleTrackingCall(Endpoint::kGetTracking, request.carrier_code(),
                         request.tracking_number());
  call.lang = request.lang();
  call.bypass_cache = request.bypass_cache();
  return call;
}

UpstreamCaller::CallId GetTracking(UpstreamCaller* upstream,
                                   const v1::GetTrackingRequest& request,
                                   absl::Time deadline, v1::Tracking* out,
                                   StatusCallback done) {
  return SendAndRead(
      upstream, GetTrackingCall(request), deadline,
      [&request, out](const Envelope& envelope) {
        return ReadFoundTracking(envelope, request.carrier_code(),
                                 request.tracking_number(), request.view(),
                                 out);
      },
      std::move(done));
}

absl::StatusOr<SerializedTracking> SerializedTrackingFromAnswer(
    const Envelope& answer, const v1::GetTrackingRequest& request) {
  const int form =
      ViewIncludesRaw(request.view()) ? kFullTrackingForm : kBasicTrackingForm;
  if (answer.memo != nullptr) {
    if (SerializedTracking bytes = answer.memo->Find(form)) return bytes;
  }
  // Built on a stack block (freed with it), serialized once.
  alignas(8) char block[kTrackingArenaBlock];
  google::protobuf::ArenaOptions options;
  options.initial_block = block;
  options.initial_block_size = sizeof(block);
  google::protobuf::Arena arena(options);
  auto* tracking = google::protobuf::Arena::CreateMessage<v1::Tracking>(&arena);
  if (absl::Status status = ReadFoundTracking(answer, request.carrier_code(),
                                              request.tracking_number(),
                                              request.view(), tracking);
      !status.ok()) {
    // Not remembered: NOT_FOUND names the request's carrier and number.
    return status;
  }
  std::string bytes;
  tracking->SerializeToString(&bytes);
  if (answer.memo == nullptr) {
    return std::make_shared<const std::string>(std::move(bytes));
  }
  return answer.memo->Insert(form, std::move(bytes));
}

UpstreamCaller::CallId GetSerializedTracking(
    UpstreamCaller* upstream, const v1::GetTrackingRequest& request,
    absl::Time deadline, SerializedTrackingCallback done) {
  return upstream->Send(
      GetTrackingCall(request), deadline,
      [&request,
       done = std::move(done)](absl::StatusOr<Envelope> answer) mutable {
        if (answer.ok()) {
          std::move(done)(SerializedTrackingFromAnswer(*answer, request));
        } else {
          std::move(done)(answer.status());
        }
      });
}

UpstreamCaller::CallId GetTracking(UpstreamCaller* upstream,
                                   const v1::GetTrackingRequest& request,
                                   absl::Time deadline, v1::Tracking* out,
                                   nlohmann::json* data, StatusCallback done) {
  return SendAndRead(
      upstream, GetTrackingCall(request), deadline,
      [&request, out, data](const Envelope& envelope) {
        RETURN_IF_ERROR(ReadFoundTracking(envelope, request.carrier_code(),
                                          request.tracking_number(),
                                          request.view(), out));
        *data = envelope.data_copy();
        return absl::OkStatus();
      },
      std::move(done));
}

UpstreamCaller::CallId UpdateTracking(UpstreamCaller* upstream,
                                      const v1::UpdateTrackingRequest& request,
                                      absl::Time deadline, v1::Tracking* out,
                                      StatusCallback done) {
  absl::StatusOr<nlohmann::json> body = UpdateTrackingBody(request);
  if (!body.ok()) {
    std::move(done)(body.status());
    return 0;
  }
  UpstreamRequest call =
      SingleTrackingCall(Endpoint::kUpdateTracking, request.carrier_code(),
                         request.tracking_number());
  call.body = SerializeBody(*body);
  return SendAndRead(
      upstream, std::move(call), deadline,
      [&request, out](const Envelope& envelope) -> absl::Status {
        absl::StatusOr<bool> echoed = ReadFirstTracking(envelope, out);
        if (!echoed.ok()) return echoed.status();
        if (!*echoed) {
          out->set_carrier_code(request.carrier_code());
          out->set_tracking_number(request.tracking_number());
        }
        return absl::OkStatus();
      },
      std::move(done));
}

UpstreamCaller::CallId DeleteTracking(UpstreamCaller* upstream,
                                      const v1::DeleteTrackingRequest& request,
                                      absl::Time deadline,
                                      StatusCallback done) {
  return SendAndRead(
      upstream,
      SingleTrackingCall(Endpoint::kDeleteTracking, request.carrier_code(),
                         request.tracking_number()),
      deadline, [](const Envelope&) { return absl::OkStatus(); },
      std::move(done));
}

UpstreamCaller::CallId GetRealtimeTracking(
    UpstreamCaller* upstream, const v1::GetRealtimeTrackingRequest& request,
    absl::Time deadline, v1::Tracking* out, StatusCallback done) {
  UpstreamRequest call = SingleTrackingCall(
      Endpoint::kRealtime, request.carrier_code(), request.tracking_number());
  call.lang = request.lang();
  call.body = SerializeBody(RealtimeBody(request));
  return SendAndRead(
      upstream, std::move(call), deadline,
      [&request, out](const Envelope& envelope) {
        return ReadFoundTracking(envelope, request.carrier_code(),
                                 request.tracking_number(), request.view(),
                                 out);
      },
      std::move(done));
}

UpstreamCaller::CallId ChangeTrackingCarrier(
    UpstreamCaller* upstream, const v1::ChangeTrackingCarrierRequest& request,
    absl::Time deadline, v1::ChangeTrackingCarrierResponse* out,
    StatusCallback done) {
  UpstreamRequest call =
      SingleTrackingCall(Endpoint::kUpdateCarrier, request.carrier_code(),
                         request.tracking_number());
  call.body = SerializeBody(ChangeCarrierBody(request));
  return SendAndRead(
      upstream, std::move(call), deadline,
      [&request, out](const Envelope& envelope) {
        return ChangeCarrierFromData(envelope.data(), request, out);
      },
      std::move(done));
}

}  // namespace api
}  // namespace tracktry
