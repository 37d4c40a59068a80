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
    : transport_(transport), client_(transport, std::move(client)) {
  methods_.AddUnary<v1::GetTrackingRequest, v1::GetTrackingResponse>(
      {[this](grpc::ServerContext* context, v1::GetTrackingRequest* request,
              grpc::ServerAsyncResponseWriter<v1::GetTrackingResponse>* writer,
              grpc::ServerCompletionQueue* queue, void* tag) {
         service_.RequestGetTracking(context, request, writer, queue, queue,
                                     tag);
       },
       [this](RpcContext* context, const v1::GetTrackingRequest* request,
              v1::GetTrackingResponse* /*response*/) {
         GetTracking(context, request);
       }},
      /*armed=*/16);
}

void ForwardFloorService::AddTo(grpc::ServerBuilder* builder) {
  builder->RegisterService(&service_);
  queues_.AddTo(builder);
}

void ForwardFloorService::Start() {
  queues_.Start();
  methods_.Arm(&queues_);
}

void ForwardFloorService::GetTracking(RpcContext* context,
                                      const v1::GetTrackingRequest* request) {
  const absl::Duration left =
      absl::FromChrono(context->deadline()) - absl::Now();
  HttpRequest http = client_.BuildHttpRequest(
      api::GetTrackingCall(*request),
      std::clamp(left, absl::Milliseconds(1), absl::Seconds(30)));
  transport_->Start(std::move(http), [context](
                                         absl::StatusOr<HttpResponse> answer) {
    if (!answer.ok()) {
      context->FinishNow(grpc::Status(grpc::StatusCode::UNAVAILABLE,
                                      std::string(answer.status().message())));
    } else if (answer->status_code != 200) {
      context->FinishNow(grpc::Status(
          grpc::StatusCode::UNKNOWN,
          absl::StrCat("upstream HTTP status ", answer->status_code)));
    } else {
      context->FinishNow(grpc::Status::OK);
    }
  });
}

}  // namespace tracktry::bench
