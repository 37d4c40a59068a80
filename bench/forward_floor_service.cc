// Copyright 2026 The tracktry-grpc Authors.
#include "bench/forward_floor_service.h"

#include <algorithm>
#include <chrono>
#include <string>
#include <utility>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "service/transport/url_encoding.h"

namespace tracktry::bench {

ForwardFloorService::ForwardFloorService(HttpTransport* transport,
                                         std::string base_url,
                                         std::string api_key)
    : transport_(transport),
      base_url_(std::move(base_url)),
      api_key_(std::move(api_key)) {}

grpc::ServerUnaryReactor* ForwardFloorService::GetTracking(
    grpc::CallbackServerContext* context, const v1::GetTrackingRequest* request,
    v1::GetTrackingResponse* /*response*/) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  HttpRequest http;
  http.url =
      absl::StrCat(base_url_, "/trackings/", UrlEncode(request->carrier_code()),
                   "/", UrlEncode(request->tracking_number()));
  http.headers.emplace_back("Content-Type", "application/json");
  http.headers.emplace_back("Tracktry-Api-Key", api_key_);
  const absl::Time deadline = absl::FromChrono(context->deadline());
  http.timeout = std::min(absl::Seconds(30), deadline - absl::Now());
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
