// Copyright 2026 The tracktry-grpc Authors.
#include "bench/forward_floor_service.h"

#include <algorithm>
#include <string>
#include <utility>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "service/tracktry_api/tracking_operations.h"

namespace tracktry::bench {

ForwardFloorService::ForwardFloorService(HttpTransport* transport,
                                         TracktryClientOptions client)
    : transport_(transport), client_(transport, std::move(client)) {}

grpc::ServerUnaryReactor* ForwardFloorService::GetTracking(
    grpc::CallbackServerContext* context, const v1::GetTrackingRequest* request,
    v1::GetTrackingResponse* /*response*/) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  const absl::Duration left =
      absl::FromChrono(context->deadline()) - absl::Now();
  HttpRequest http = client_.BuildHttpRequest(
      api::GetTrackingCall(*request),
      std::clamp(left, absl::Milliseconds(1), absl::Seconds(30)));
  transport_->Start(
      std::move(http), [reactor](absl::StatusOr<HttpResponse> answer) {
        if (!answer.ok()) {
          reactor->Finish(grpc::Status(grpc::StatusCode::UNAVAILABLE,
                                       std::string(answer.status().message())));
        } else if (answer->status_code != 200) {
          reactor->Finish(grpc::Status(
              grpc::StatusCode::UNKNOWN,
              absl::StrCat("upstream HTTP status ", answer->status_code)));
        } else {
          reactor->Finish(grpc::Status::OK);
        }
      });
  return reactor;
}

}  // namespace tracktry::bench
