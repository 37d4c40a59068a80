// Copyright 2026 The tracktry-grpc Authors.
#include "service/server/tracktry_server.h"

#include <algorithm>
#include <chrono>
#include <memory>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "grpc/health/v1/health.pb.h"
#include "grpcpp/ext/proto_server_reflection_plugin.h"
#include "grpcpp/health_check_service_interface.h"
#include "grpcpp/impl/server_builder_option.h"
#include "service/errors/grpc_status.h"
#include "service/ops/server_credentials.h"
#include "service/ops/upstream_stats_metrics.h"
#include "service/tracktry_api/tracking_operations.h"
#include "service/tracktry_api/tracking_read_combiner.h"
#include "service/transport/curl_multi_transport.h"
#include "service/upstream/redis_token_bucket_store.h"

namespace tracktry {
namespace {

// Feeds each real upstream call to the metrics and to readiness (a rejected
// API key makes the pod unready).
class UpstreamReadinessObserver final : public UpstreamCallObserver {
 public:
  UpstreamReadinessObserver(MetricsRegistry* metrics,
                            ReadinessController* readiness)
      : metrics_(metrics), readiness_(readiness) {}
  void OnUpstreamStarted(Endpoint endpoint) override {
    metrics_->OnUpstreamStarted(endpoint);
  }
  void OnUpstreamFinished(Endpoint endpoint, const absl::Status& status,
                          const UpstreamOutcome& outcome,
                          absl::Duration latency) override {
    metrics_->OnUpstreamFinished(endpoint, status, outcome, latency);
    readiness_->OnUpstreamResult(status);
  }

 private:
  MetricsRegistry* const metrics_;
  ReadinessController* const readiness_;
};

// Drops the reflection plugin from one ServerBuilder. The plugin factory is
// registered process-wide by InitProtoReflectionServerBuilderPlugin(), so
// without this a server started with reflection off would still serve it
// once any earlier server in the process had turned it on.
class WithoutReflectionOption final : public grpc::ServerBuilderOption {
 public:
  void UpdateArguments(grpc::ChannelArguments*) override {}
  void UpdatePlugins(std::vector<std::unique_ptr<grpc::ServerBuilderPlugin>>*
                         plugins) override {
    using grpc::reflection::ProtoServerReflectionPlugin;
    plugins->erase(
        std::remove_if(
            plugins->begin(), plugins->end(),
            [](const std::unique_ptr<grpc::ServerBuilderPlugin>& plugin) {
              return dynamic_cast<ProtoServerReflectionPlugin*>(plugin.get()) !=
                     nullptr;
            }),
        plugins->end());
  }
};

}  // namespace

absl::StatusOr<std::unique_ptr<TracktryServer>> TracktryServer::Start(
    const ServerOptions& options, std::unique_ptr<HttpTransport> transport,
    JsonLogger* logger) {
  std::unique_ptr<TracktryServer> server(new TracktryServer());
  TracktryServer* const self = server.get();
  // Ops: metrics, liveness/readiness, credentials, caller authentication.
  server->metrics_ = std::make_unique<MetricsRegistry>(kServiceName);
  ReadinessOptions readiness_options;
  readiness_options.service_name = kServiceName;
  readiness_options.probe_interval = options.readiness_probe_interval;
  server->readiness_ = std::make_unique<ReadinessController>(readiness_options);
  TlsFiles tls_files;
  tls_files.cert_file = options.tls_cert_file;
  tls_files.key_file = options.tls_key_file;
  tls_files.client_ca_file = options.tls_client_ca_file;
  absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> credentials =
      MakeServerCredentials(tls_files);
  if (!credentials.ok()) return credentials.status();
  if (!options.auth_tokens_file.empty()) {
    absl::StatusOr<std::unique_ptr<BearerTokenAuthenticator>> authenticator =
        BearerTokenAuthenticator::FromFile(options.auth_tokens_file);
    if (!authenticator.ok()) return authenticator.status();
    server->authenticator_ = std::move(*authenticator);
  }
  if (transport == nullptr) {
    CurlMultiTransport::Options transport_options;
    transport_options.max_connections_per_host =
        options.max_upstream_connections;
    transport = std::make_unique<CurlMultiTransport>(transport_options);
  }
  server->transport_ = std::move(transport);
  server->client_ = std::make_unique<TracktryClient>(server->transport_.get(),
                                                     options.upstream);
  // Upstream chain, bottom to top: client_ -> instrumented_ (metrics per
  // real HTTP call, API-key readiness) -> the resilience layers -> service.
  server->upstream_observer_ = std::make_unique<UpstreamReadinessObserver>(
      server->metrics_.get(), server->readiness_.get());
  server->instrumented_ = std::make_unique<InstrumentedUpstreamCaller>(
      server->client_.get(), server->upstream_observer_.get());
  UpstreamCaller* upstream = server->instrumented_.get();
  // --- Upstream discipline: rate shaping (service/upstream/rate_shaper.h).
  // instrumented_ -> rate_shaper_ -> (retry / circuit breaker / cache
  // layers) -> service. The shaper sits lowest so every real upstream call,
  // retries included, takes a token; instrumented_ below it counts only
  // calls that really go out. One scheduler serves every layer that waits.
  server->scheduler_ = std::make_unique<Scheduler>();
  {
    RateShaperOptions rate_options = options.rate_shaping;
    if (rate_options.account_id.empty()) {
      // Redis keys carry a hash of the key, never the key.
      rate_options.account_id = AccountIdFromApiKey(options.upstream.api_key);
    }
    if (absl::Status valid = ValidateRateShaperOptions(rate_options);
        !valid.ok()) {
      return valid;
    }
    if (logger != nullptr) {
      const auto& limits = rate_options.limits;
      logger->Info("rate shaping",
                   {{"enabled", rate_options.enabled},
                    {"rate_default", limits[0].rate},
                    {"rate_list", limits[1].rate},
                    {"rate_realtime", limits[2].rate},
                    {"burst", limits[0].burst},
                    {"safety", rate_options.safety},
                    {"jitter_compensation", rate_options.jitter_compensation},
                    {"share", rate_options.share},
                    {"read_batching", options.read_batching.enabled},
                    {"read_batch_max", options.read_batching.max_numbers},
                    {"redis", rate_options.redis_address.empty()
                                  ? "off"
                                  : rate_options.redis_address}});
    }
    // Read batching (docs/read-batching.md): queued GetTracking reads share
    // one list call.
    if (options.read_batching.enabled) {
      rate_options.read_combiner = std::make_shared<TrackingReadCombiner>(
          options.read_batching.max_numbers);
    }
    server->rate_shaper_ = std::make_unique<RateShaper>(
        upstream, server->scheduler_.get(), std::move(rate_options));
    upstream = server->rate_shaper_.get();
  }
  // --- end of rate shaping.
  // --- Upstream resilience (README "Upstream failures"), above the shaper:
  // rate_shaper_ -> circuit_breaker_ -> retrying_ -> caching_ ->
  // idempotency_ -> service. Retries pass through the breaker (each attempt
  // counts) and the shaper (each attempt takes a token); the cache and
  // coalescing sit above the retries, so one shared read retries once for
  // all its waiters.
  server->circuit_breaker_ = std::make_unique<CircuitBreaker>(
      upstream, server->scheduler_.get(), options.circuit);
  // An open circuit turns readiness NOT_SERVING until the cool-down ends.
  server->circuit_breaker_->SetStateListener([self](CircuitState state) {
    self->readiness_->SetCircuitOpen(state == CircuitState::kOpen);
  });
  server->retrying_ = std::make_unique<RetryingCaller>(
      server->circuit_breaker_.get(), server->scheduler_.get(), options.retry);
  server->caching_ = std::make_unique<CachingCaller>(
      server->retrying_.get(), server->scheduler_.get(), options.cache);
  server->idempotency_ = std::make_unique<IdempotencyStore>(
      server->caching_.get(), server->scheduler_.get(), options.idempotency);
  upstream = server->idempotency_.get();
  // --- end of upstream resilience.
  // Their counters, read at every /metrics scrape.
  RegisterUpstreamStatsMetrics(
      server->metrics_.get(), server->rate_shaper_.get(),
      server->circuit_breaker_.get(), server->retrying_.get(),
      server->caching_.get(), server->idempotency_.get());
  // While the key is rejected, re-check it with one cheap read that skips
  // every resilience layer (a cache or an open circuit would hide the
  // answer).
  server->readiness_->SetProbe([self] {
    UpstreamRequest probe;
    probe.endpoint = Endpoint::kListCarriers;
    self->instrumented_->Send(std::move(probe), absl::Now() + absl::Seconds(10),
                              [](absl::StatusOr<Envelope>) {});
  });
  if (logger != nullptr) {
    server->access_log_ = std::make_unique<AccessLogObserver>(logger);
  }
  server->observers_.Add(server->access_log_.get());
  server->observers_.Add(server->metrics_.get());
  RpcObserver* observer = &server->observers_;
  server->service_ = std::make_unique<TrackingServiceImpl>(upstream, observer,
                                                           options.service);
  // --- Live updates: WatchTracking pollers share the upstream chain.
  server->watch_hub_ = std::make_unique<WatchHub>(
      upstream, server->scheduler_.get(), options.watch);
  server->service_->SetWatchHub(server->watch_hub_.get());
  // --- end of live updates.
  grpc::Service* tracking_service = server->service_.get();
  if (server->authenticator_ != nullptr) {
    server->auth_service_ = std::make_unique<AuthenticatingTrackingService>(
        server->service_.get(), server->authenticator_.get(), observer);
    tracking_service = server->auth_service_.get();
  }
  server->metrics_->AddCallbackMetric(
      {"tracktry_live",
       "1 while the process serves (health \"\").",
       prometheus::MetricType::Gauge,
       {},
       [self] { return self->readiness_->live() ? 1.0 : 0.0; }});
  server->metrics_->AddCallbackMetric(
      {"tracktry_ready",
       "1 while ready for traffic (health tracktry.v1.TrackingService).",
       prometheus::MetricType::Gauge,
       {},
       [self] { return self->readiness_->ready() ? 1.0 : 0.0; }});
  SetSecretsToRedact({options.upstream.api_key, options.webhook_email});

  grpc::EnableDefaultHealthCheckService(true);
  if (options.enable_reflection) {
    grpc::reflection::InitProtoReflectionServerBuilderPlugin();
    // Links health.proto into the descriptor pool so reflection can
    // describe grpc.health.v1.Health.
    (void)grpc::health::v1::HealthCheckRequest::descriptor();
  }
  grpc::ServerBuilder builder;
  if (!options.enable_reflection) {
    builder.SetOption(std::make_unique<WithoutReflectionOption>());
  }
  builder.AddListeningPort(options.listen_address, *credentials,
                           &server->port_);
  builder.RegisterService(tracking_service);
  // Limits and connection management (README "Operating").
  builder.SetMaxReceiveMessageSize(options.max_message_bytes);
  builder.SetMaxSendMessageSize(options.max_message_bytes);
  builder.AddChannelArgument(GRPC_ARG_MAX_CONCURRENT_STREAMS,
                             options.max_concurrent_streams);
  builder.AddChannelArgument(
      GRPC_ARG_KEEPALIVE_TIME_MS,
      static_cast<int>(absl::ToInt64Milliseconds(options.keepalive_time)));
  builder.AddChannelArgument(
      GRPC_ARG_KEEPALIVE_TIMEOUT_MS,
      static_cast<int>(absl::ToInt64Milliseconds(options.keepalive_timeout)));
  if (options.max_connection_age > absl::ZeroDuration()) {
    builder.AddChannelArgument(GRPC_ARG_MAX_CONNECTION_AGE_MS,
                               static_cast<int>(absl::ToInt64Milliseconds(
                                   options.max_connection_age)));
    builder.AddChannelArgument(GRPC_ARG_MAX_CONNECTION_AGE_GRACE_MS,
                               static_cast<int>(absl::ToInt64Milliseconds(
                                   options.max_connection_age_grace)));
  }
  // Accept client keepalive pings down to every 30 s (the bundled client
  // pings every 60 s) instead of answering them with GOAWAY too_many_pings.
  builder.AddChannelArgument(
      GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS, 30000);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  server->server_ = builder.BuildAndStart();
  if (server->server_ == nullptr || server->port_ == 0) {
    return absl::UnavailableError(
        absl::StrCat("cannot listen on ", options.listen_address));
  }
  server->readiness_->Attach(server->server_->GetHealthCheckService());
  if (!options.metrics_listen_address.empty()) {
    absl::StatusOr<std::unique_ptr<MetricsHttpServer>> metrics_server =
        MetricsHttpServer::Start(options.metrics_listen_address,
                                 server->metrics_->collectable());
    if (!metrics_server.ok()) return metrics_server.status();
    server->metrics_server_ = std::move(*metrics_server);
  }
  // --- Live updates: the webhook receiver (off unless --webhook-listen).
  if (!options.webhook_listen_address.empty()) {
    WebhookReceiverOptions webhook_options;
    webhook_options.listen_address = options.webhook_listen_address;
    webhook_options.email = options.webhook_email;
    webhook_options.max_skew = options.webhook_max_skew;
    webhook_options.dedupe_ttl = options.webhook_dedupe_ttl;
    // A push is the tracking's newest state: it replaces the cached
    // GetTracking answer, so reads see it at once.
    CachingCaller* cache = server->caching_.get();
    webhook_options.on_accepted = [cache](const nlohmann::json& data,
                                          const v1::Tracking& tracking) {
      v1::GetTrackingRequest read;
      read.set_carrier_code(tracking.carrier_code());
      read.set_tracking_number(tracking.tracking_number());
      cache->Refresh(api::GetTrackingCall(read), SuccessEnvelope(data));
    };
    absl::StatusOr<std::unique_ptr<WebhookReceiver>> webhook =
        WebhookReceiver::Start(std::move(webhook_options),
                               server->watch_hub_.get());
    if (!webhook.ok()) return webhook.status();
    server->webhook_ = std::move(*webhook);
    // The receiver outlives every scrape: the metrics endpoint stops first.
    const WebhookReceiver* receiver = server->webhook_.get();
    for (const auto& [outcome, count] :
         {std::make_pair("accepted", &WebhookStats::accepted),
          std::make_pair("duplicate", &WebhookStats::duplicates),
          std::make_pair("unauthorized", &WebhookStats::unauthorized),
          std::make_pair("malformed", &WebhookStats::malformed)}) {
      server->metrics_->AddCallbackMetric(
          {"tracktry_webhook_pushes_total",
           "Webhook pushes received, by outcome (accepted = verified and "
           "first seen).",
           prometheus::MetricType::Counter,
           {{"outcome", outcome}},
           [receiver, count = count] {
             return static_cast<double>(receiver->stats().*count);
           }});
    }
  }
  return server;
}

TracktryServer::~TracktryServer() {
  Shutdown(absl::ZeroDuration());
  if (server_ != nullptr) server_->Wait();
  // No probe may start once members go away; the health service goes with
  // server_.
  if (readiness_ != nullptr) {
    readiness_->Stop();
    readiness_->Detach();
  }
  metrics_server_.reset();
  webhook_.reset();
  // Members go in reverse order; the transport goes last, delivering
  // CANCELLED to any upstream completion a finished reactor still awaits.
}

void TracktryServer::SetServing(bool serving) {
  if (server_ == nullptr) return;
  grpc::HealthCheckServiceInterface* health = server_->GetHealthCheckService();
  if (health == nullptr) return;
  health->SetServingStatus(serving);
  health->SetServingStatus(kServiceName, serving);
}

void TracktryServer::StartDraining() {
  if (readiness_ != nullptr) readiness_->SetDraining();
}

void TracktryServer::Shutdown(absl::Duration grace) {
  if (shut_down_ || server_ == nullptr) return;
  shut_down_ = true;
  StartDraining();
  server_->Shutdown(std::chrono::system_clock::now() +
                    absl::ToChronoNanoseconds(grace));
}

void TracktryServer::Wait() {
  if (server_ != nullptr) server_->Wait();
}

}  // namespace tracktry
