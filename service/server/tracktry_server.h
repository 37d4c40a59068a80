// Copyright 2026 The tracktry-grpc Authors.
//
// TracktryServer: assembles transport, Tracktry client, TrackingService,
// health and reflection into a running grpc::Server.
#ifndef TRACKTRY_SERVICE_SERVER_TRACKTRY_SERVER_H_
#define TRACKTRY_SERVICE_SERVER_TRACKTRY_SERVER_H_

#include <memory>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "grpcpp/grpcpp.h"
#include "service/fleet/fleet.h"
#include "service/live/push_applier.h"
#include "service/live/watch_hub.h"
#include "service/live/webhook_receiver.h"
#include "service/ops/access_log_observer.h"
#include "service/ops/bearer_token_authenticator.h"
#include "service/ops/fan_out_rpc_observer.h"
#include "service/ops/json_logger.h"
#include "service/ops/metrics_http_server.h"
#include "service/ops/metrics_registry.h"
#include "service/ops/readiness_controller.h"
#include "service/ops/secret_file_watcher.h"
#include "service/ops/upstream_health.h"
#include "service/rpc/async_tracking_service.h"
#include "service/rpc/authenticating_tracking_service.h"
#include "service/rpc/completion_queue_threads.h"
#include "service/rpc/health_service.h"
#include "service/rpc/tracking_service_impl.h"
#include "service/server/server_options.h"
#include "service/transport/http_transport.h"
#include "service/upstream/caching_caller.h"
#include "service/upstream/circuit_breaker.h"
#include "service/upstream/idempotency_store.h"
#include "service/upstream/instrumented_upstream_caller.h"
#include "service/upstream/rate_shaper.h"
#include "service/upstream/retrying_caller.h"
#include "service/upstream/scheduler.h"
#include "service/upstream/tracktry_client.h"

namespace tracktry {

// The health-checked service name (besides "").
inline constexpr char kServiceName[] = "tracktry.v1.TrackingService";

class TracktryServer {
 public:
  // Starts serving. `transport` may be null, in which case a libcurl multi
  // transport is created from `options`. `logger` is not owned, may be null
  // (no access log) and must outlive the server.
  static absl::StatusOr<std::unique_ptr<TracktryServer>> Start(
      const ServerOptions& options, std::unique_ptr<HttpTransport> transport,
      JsonLogger* logger);

  ~TracktryServer();

  // The bound port (useful with port 0).
  int port() const { return port_; }

  // Sets the health status of "" and kServiceName (tests; production
  // readiness is decided by readiness()).
  void SetServing(bool serving);

  // Health "" and kServiceName become NOT_SERVING; the server still serves
  // (SIGTERM: load balancers stop routing during --shutdown-delay).
  void StartDraining();

  // Liveness/readiness state behind the health service.
  ReadinessController& readiness() { return *readiness_; }
  // What the upstream answers say about its state (API key).
  const UpstreamHealth& upstream_health() const { return *upstream_health_; }
  // The Prometheus metrics (always collected; served when
  // metrics_listen_address is set).
  MetricsRegistry& metrics() { return *metrics_; }
  // The bound /metrics port, 0 when metrics are not served.
  int metrics_port() const {
    return metrics_server_ != nullptr ? metrics_server_->port() : 0;
  }

  // Graceful stop: health NOT_SERVING, stop accepting, wait up to `grace`
  // for in-flight RPCs, then cancel the rest. Idempotent.
  void Shutdown(absl::Duration grace);

  // Blocks until the server has shut down.
  void Wait();

  TracktryClient* client() { return client_.get(); }
  // The upstream rate shaper (stats for metrics and tests).
  RateShaper* rate_shaper() { return rate_shaper_.get(); }
  // Fleet mode: the tier shared with the other replicas in Redis; null
  // without --redis-address or with --fleet=off.
  fleet::Fleet* fleet() { return fleet_.get(); }
  // The resilience layers (state and stats for metrics and tests).
  CircuitBreaker* circuit_breaker() { return circuit_breaker_.get(); }
  RetryingCaller* retrying() { return retrying_.get(); }
  CachingCaller* cache() { return caching_.get(); }
  IdempotencyStore* idempotency() { return idempotency_.get(); }
  grpc::Server* grpc_server() { return server_.get(); }
  // The shared WatchTracking pollers.
  WatchHub* watch_hub() { return watch_hub_.get(); }
  // The webhook receiver, null when --webhook-listen is empty; its bound
  // port (0 when off).
  WebhookReceiver* webhook() { return webhook_.get(); }
  int webhook_port() const {
    return webhook_ != nullptr ? webhook_->port() : 0;
  }

 private:
  TracktryServer() = default;
  // Secret rotation: watches the API key file and the tokens file.
  // Start(), step by step.
  absl::Status BuildOps(const ServerOptions& options, JsonLogger* logger);
  absl::Status BuildUpstreamChain(const ServerOptions& options,
                                  std::unique_ptr<HttpTransport> transport,
                                  JsonLogger* logger);
  void BuildService(const ServerOptions& options);
  void BuildFleet(const ServerOptions& options, JsonLogger* logger);
  absl::Status StartGrpcServer(const ServerOptions& options);
  absl::Status StartMetricsEndpoint(const ServerOptions& options);
  absl::Status StartWebhook(const ServerOptions& options);
  absl::Status StartSecretReloading(const ServerOptions& options,
                                    JsonLogger* logger);

  // Declared before the transport: upstream completions delivered while
  // the transport shuts down still report to them.
  std::unique_ptr<MetricsRegistry> metrics_;
  std::unique_ptr<ReadinessController> readiness_;
  std::unique_ptr<UpstreamHealth> upstream_health_;
  std::unique_ptr<HttpTransport> transport_;
  std::unique_ptr<TracktryClient> client_;
  std::unique_ptr<UpstreamCallObserver> upstream_observer_;
  // Immediately above client_: sees every real upstream call once.
  std::unique_ptr<InstrumentedUpstreamCaller> instrumented_;
  // Upstream discipline. The scheduler is shared by every decorator that
  // waits and is declared before them, so it outlives them all.
  std::unique_ptr<Scheduler> scheduler_;
  // Fleet mode (service/fleet): declared before everything that uses it
  // (cache, request_ids, watch hub, push applier), so it outlives them;
  // stopped first in the destructor, so no message reaches them while they
  // go.
  std::unique_ptr<fleet::Fleet> fleet_;
  // Rate shaping (token buckets, 429 pause), right above instrumented_.
  std::unique_ptr<RateShaper> rate_shaper_;
  // Resilience, bottom to top (see Start()); destroyed top first, each
  // cancelling and awaiting its calls while the layers below still exist.
  std::unique_ptr<CircuitBreaker> circuit_breaker_;
  std::unique_ptr<RetryingCaller> retrying_;
  std::unique_ptr<CachingCaller> caching_;
  std::unique_ptr<IdempotencyStore> idempotency_;
  std::unique_ptr<AccessLogObserver> access_log_;
  FanOutRpcObserver observers_;
  std::unique_ptr<BearerTokenAuthenticator> authenticator_;
  // Live updates: the shared WatchTracking pollers (above the upstream
  // chain and scheduler, destroyed after the gRPC server).
  std::unique_ptr<WatchHub> watch_hub_;
  std::unique_ptr<TrackingServiceImpl> service_;
  std::unique_ptr<AuthenticatingTrackingService> auth_service_;
  // Both services on gRPC's async API, served from rpc_queues_ (destroyed
  // after server_, once every call is gone).
  std::unique_ptr<AsyncTrackingService> async_service_;
  std::unique_ptr<HealthService> health_;
  std::unique_ptr<CompletionQueueThreads> rpc_queues_;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<MetricsHttpServer> metrics_server_;
  // What an accepted webhook push does (re-read or trust); above the
  // upstream chain and the hub, below the receiver that feeds it.
  std::unique_ptr<PushApplier> push_applier_;
  // Webhook receiver (--webhook-listen); feeds push_applier_.
  std::unique_ptr<WebhookReceiver> webhook_;
  int port_ = 0;
  bool shut_down_ = false;
  // Secret rotation (null when off). Declared last: stopped first of the
  // members (after the destructor has stopped the metrics endpoint that
  // reads their stats), while everything their callbacks touch (client,
  // readiness, instrumented_, authenticator) still exists.
  std::unique_ptr<SecretFileWatcher> api_key_watcher_;
  std::unique_ptr<SecretFileWatcher> tokens_watcher_;
};

}  // namespace tracktry

#endif  // TRACKTRY_SERVICE_SERVER_TRACKTRY_SERVER_H_
