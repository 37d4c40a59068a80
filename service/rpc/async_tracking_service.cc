// Copyright 2026 The tracktry-grpc Authors.
#include "service/rpc/async_tracking_service.h"

#include "absl/strings/string_view.h"

namespace tracktry {
namespace {

// Calls waiting per completion queue: enough for a burst of the hot reads
// to be matched at once; one for the rest.
constexpr int kArmedHot = 16;
constexpr int kArmedOther = 1;
// The first arena block of the answers that carry trackings: one
// GetTracking answer fits.
constexpr size_t kTrackingArenaBlock = 8192;

int ArmedFor(const char* method) {
  const absl::string_view name(method);
  return name == "GetTracking" ? kArmedHot : kArmedOther;
}

size_t ArenaBlockFor(const char* method) {
  const absl::string_view name(method);
  return name == "GetTracking" || name == "GetRealtimeTracking" ||
                 name == "ListTrackings"
             ? kTrackingArenaBlock
             : 0;
}

}  // namespace

AsyncTrackingService::AsyncTrackingService(TrackingHandlers* handlers) {
  v1::TrackingService::AsyncService* const service = &service_;
#define TRACKTRY_ADD_UNARY(Method)                                         \
  methods_.AddUnary<v1::Method##Request, v1::Method##Response>(            \
      {[service](                                                          \
           grpc::ServerContext* context, v1::Method##Request* request,     \
           grpc::ServerAsyncResponseWriter<v1::Method##Response>* writer,  \
           grpc::ServerCompletionQueue* queue, void* tag) {                \
         service->Request##Method(context, request, writer, queue, queue,  \
                                  tag);                                    \
       },                                                                  \
       [handlers](RpcContext* context, const v1::Method##Request* request, \
                  v1::Method##Response* response) {                        \
         handlers->Method(context, request, response);                     \
       },                                                                  \
       ArenaBlockFor(#Method)},                                            \
      ArmedFor(#Method));
#define TRACKTRY_ADD_SERVER_STREAM(Method)                                   \
  methods_.AddServerStream<v1::Method##Request, v1::Method##Response>(       \
      {[service](grpc::ServerContext* context, v1::Method##Request* request, \
                 grpc::ServerAsyncWriter<v1::Method##Response>* writer,      \
                 grpc::ServerCompletionQueue* queue, void* tag) {            \
         service->Request##Method(context, request, writer, queue, queue,    \
                                  tag);                                      \
       },                                                                    \
       [handlers](RpcContext* context, const v1::Method##Request* request) { \
         handlers->Method(context, request);                                 \
       }},                                                                   \
      ArmedFor(#Method));
  TRACKTRY_TRACKING_SERVICE_RPCS(TRACKTRY_ADD_UNARY, TRACKTRY_ADD_SERVER_STREAM)
#undef TRACKTRY_ADD_UNARY
#undef TRACKTRY_ADD_SERVER_STREAM
}

}  // namespace tracktry
