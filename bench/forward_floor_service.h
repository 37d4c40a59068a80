// Copyright 2026 The tracktry-grpc Authors.
//
// ForwardFloorService: the least an uncached GetTracking can cost in
// tracktry-server's architecture, served by tracktry-forward-floor for
// bench/run's scenario 1. Like the server, its GetTracking handler builds
// the upstream request with the API layer (api::GetTrackingCall) and the
// client (TracktryClient::BuildHttpRequest: route table, key header), starts
// it on a CurlMultiTransport (prepared on the completion-queue thread, the
// transfer run by the transport thread) and finishes the RPC from the
// transport thread when the answer arrives. It is served the server's way
// too: gRPC's async API, one completion queue and thread of its own
// (AsyncMethods, CompletionQueueThreads). Unlike the server it
// neither parses nor translates the answer, and has no upstream chain
// (cache, coalescing, retries, breaker, shaper), no access log and no
// metrics: the answer is OK with an empty tracking whenever the upstream
// answered HTTP 200 (the body is not read, so Tracktry's errors-as-200 are
// OK too), UNAVAILABLE when the transfer failed and UNKNOWN for any other
// HTTP status. A benchmark floor, not a product.
#ifndef TRACKTRY_BENCH_FORWARD_FLOOR_SERVICE_H_
#define TRACKTRY_BENCH_FORWARD_FLOOR_SERVICE_H_

#include "grpcpp/grpcpp.h"
#include "service/rpc/async_methods.h"
#include "service/rpc/completion_queue_threads.h"
#include "service/rpc/rpc_context.h"
#include "service/transport/http_transport.h"
#include "service/upstream/tracktry_client.h"
#include "tracktry/v1/tracking_service.grpc.pb.h"

namespace tracktry::bench {

class ForwardFloorService final {
 public:
  // `transport` is not owned and must outlive the service. `client`
  // builds the HTTP requests (its base URL and key); it never sends.
  ForwardFloorService(HttpTransport* transport, TracktryClientOptions client);

  // Registers the service and its completion queue; before BuildAndStart.
  void AddTo(grpc::ServerBuilder* builder);
  // Serves; after BuildAndStart.
  void Start();
  // After the server's Shutdown(): waits for the calls in flight.
  void Stop() { queues_.Stop(); }

 private:
  void GetTracking(RpcContext* context, const v1::GetTrackingRequest* request);

  HttpTransport* const transport_;
  const TracktryClient client_;
  v1::TrackingService::AsyncService service_;
  AsyncMethods methods_;
  CompletionQueueThreads queues_{1};
};

}  // namespace tracktry::bench

#endif  // TRACKTRY_BENCH_FORWARD_FLOOR_SERVICE_H_
