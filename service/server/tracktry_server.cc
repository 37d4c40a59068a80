// Copyright 2026 The tracktry-grpc Authors.
#include "service/server/tracktry_server.h"

#include <algorithm>
#include <chrono>
#include <memory>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "grpc/health/v1/health.pb.h"
#include "grpcpp/ext/proto_server_reflection_plugin.h"
#include "grpcpp/health_check_service_interface.h"
#include "grpcpp/impl/server_builder_option.h"
#include "service/errors/grpc_status.h"
#include "service/errors/secret_redaction.h"
#include "service/fleet/fleet_metrics.h"
#include "service/ops/memory_limit.h"
#include "service/ops/server_credentials.h"
#include "service/ops/upstream_health.h"
#include "service/ops/upstream_stats_metrics.h"
#include "service/tracktry_api/tracking_operations.h"
#include "service/tracktry_api/tracking_read_combiner.h"
#include "service/transport/curl_multi_transport.h"
#include "service/upstream/redis_token_bucket_store.h"

namespace tracktry {
namespace {

// Feeds each real upstream call to the metrics and to the upstream health
// (API key state: metric and log line).
class UpstreamObservers final : public UpstreamCallObserver {
 public:
  UpstreamObservers(MetricsRegistry* metrics, UpstreamHealth* health)
      : metrics_(metrics), health_(health) {}
  void OnUpstreamStarted(Endpoint endpoint) override {
    metrics_->OnUpstreamStarted(endpoint);
  }
  void OnUpstreamFinished(Endpoint endpoint, const absl::Status& status,
                          const UpstreamOutcome& outcome,
                          absl::Duration latency) override {
    metrics_->OnUpstreamFinished(endpoint, status, outcome, latency);
    health_->OnUpstreamFinished(endpoint, status, outcome, latency);
  }

 private:
  MetricsRegistry* const metrics_;
  UpstreamHealth* const health_;
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

// --- Cache memory sizing (docs/operating.md): an unset cache.max_bytes
// becomes a share of the container's memory limit.
CacheOptions WithCacheByteCap(CacheOptions cache,
                              const std::string& cgroup_root,
                              JsonLogger* logger) {
  if (cache.max_bytes.has_value()) return cache;
  const std::optional<uint64_t> limit = ReadCgroupMemoryLimit(cgroup_root);
  cache.max_bytes = CacheBytesForMemoryLimit(limit, kDefaultCacheMaxBytes);
  if (logger != nullptr) {
    logger->Info("cache size", {{"max_bytes", *cache.max_bytes},
                                {"memory_limit",
                                 limit.has_value() ? nlohmann::json(*limit)
                                                   : nlohmann::json("none")}});
  }
  return cache;
}
// --- end of cache memory sizing.

}  // namespace

// --- Secret rotation (docs/operating.md "Secret rotation"): the API key
// file and the tokens file are re-read when they change; a bad new value
// keeps the old one.
absl::Status TracktryServer::StartSecretReloading(const ServerOptions& options,
                                                  JsonLogger* logger) {
  // The key and the tokens must be long enough to be redacted safely.
  if (!options.upstream.api_key.empty()) {
    if (absl::Status valid =
            CheckSecret("the API key (TRACKTRY_API_KEY or --api-key-file)",
                        options.upstream.api_key);
        !valid.ok()) {
      return valid;
    }
  }
  if (options.secret_reload_interval <= absl::ZeroDuration()) {
    return absl::OkStatus();
  }
  std::vector<std::pair<std::string, const SecretFileWatcher*>> watched;
  if (!options.api_key_file.empty()) {
    SecretFileWatcherOptions watch;
    watch.path = options.api_key_file;
    watch.name = "api_key";
    watch.interval = options.secret_reload_interval;
    const std::shared_ptr<SecretValue> key = client_->api_key_holder();
    const std::string what =
        absl::StrCat("the API key in ", options.api_key_file);
    TracktryServer* const self = this;
    absl::StatusOr<std::unique_ptr<SecretFileWatcher>> watcher =
        SecretFileWatcher::Start(
            std::move(watch),
            [key, what, self, logger](const std::string& content) {
              const std::string value(absl::StripAsciiWhitespace(content));
              if (absl::Status valid = CheckSecret(what, value); !valid.ok()) {
                return valid;
              }
              if (value == key->Get()) return absl::OkStatus();
              // Redacted before it is ever sent, so an upstream echo of the
              // new key is caught; the old key stays redacted too.
              AddSecretToRedact(value);
              if (logger != nullptr) logger->AddSecret(value);
              key->Set(value);
              // While the old key is reported rejected, check the new one
              // at once (one cheap read below the cache and the breaker),
              // so the metric and the log clear without waiting for
              // traffic.
              if (self->upstream_health_->api_key_rejected()) {
                UpstreamRequest probe;
                probe.endpoint = Endpoint::kListCarriers;
                self->instrumented_->Send(std::move(probe),
                                          absl::Now() + absl::Seconds(10),
                                          [](absl::StatusOr<Envelope>) {});
              }
              return absl::OkStatus();
            },
            logger);
    if (!watcher.ok()) return watcher.status();
    api_key_watcher_ = std::move(*watcher);
    watched.emplace_back("api_key", api_key_watcher_.get());
  }
  if (authenticator_ != nullptr) {
    SecretFileWatcherOptions watch;
    watch.path = options.auth_tokens_file;
    watch.name = "auth_tokens";
    watch.interval = options.secret_reload_interval;
    BearerTokenAuthenticator* const authenticator = authenticator_.get();
    const std::string source =
        absl::StrCat("auth tokens file ", options.auth_tokens_file);
    absl::StatusOr<std::unique_ptr<SecretFileWatcher>> watcher =
        SecretFileWatcher::Start(
            std::move(watch),
            [authenticator, source](const std::string& content) {
              absl::StatusOr<std::vector<std::string>> tokens =
                  BearerTokenAuthenticator::ParseTokens(content, source);
              if (!tokens.ok()) return tokens.status();
              authenticator->SetTokens(*tokens);
              return absl::OkStatus();
            },
            logger);
    if (!watcher.ok()) return watcher.status();
    tokens_watcher_ = std::move(*watcher);
    watched.emplace_back("auth_tokens", tokens_watcher_.get());
  }
  for (const auto& [name, watcher] : watched) {
    for (const auto& [outcome, count] :
         {std::make_pair("applied", &SecretFileWatcherStats::reloads),
          std::make_pair("rejected", &SecretFileWatcherStats::rejected),
          std::make_pair("unreadable", &SecretFileWatcherStats::read_errors)}) {
      metrics_->AddCallbackMetric(
          {"tracktry_secret_reloads_total",
           "Changes of a secret file, by outcome (applied; rejected: the old "
           "value stays; unreadable: checks that could not read the file).",
           prometheus::MetricType::Counter,
           {{"secret", name}, {"outcome", outcome}},
           [watcher = watcher, count = count] {
             return static_cast<double>(watcher->stats().*count);
           }});
    }
  }
  return absl::OkStatus();
}
// --- end of secret rotation.

absl::StatusOr<std::unique_ptr<TracktryServer>> TracktryServer::Start(
    const ServerOptions& options, std::unique_ptr<HttpTransport> transport,
    JsonLogger* logger) {
  std::unique_ptr<TracktryServer> server(new TracktryServer());
  RETURN_IF_ERROR(server->BuildOps(options, logger));
  RETURN_IF_ERROR(
      server->BuildUpstreamChain(options, std::move(transport), logger));
  server->BuildService(options);
  server->BuildFleet(options, logger);
  // After the initial secrets are registered for redaction (BuildService):
  // a reloaded key is added to them.
  RETURN_IF_ERROR(server->StartSecretReloading(options, logger));
  RETURN_IF_ERROR(server->StartGrpcServer(options));
  RETURN_IF_ERROR(server->StartMetricsEndpoint(options));
  RETURN_IF_ERROR(server->StartWebhook(options));
  return server;
}

absl::Status TracktryServer::BuildOps(const ServerOptions& options,
                                      JsonLogger* logger) {
  metrics_ = std::make_unique<MetricsRegistry>(kServiceName);
  readiness_ = std::make_unique<ReadinessController>(kServiceName);
  upstream_health_ = std::make_unique<UpstreamHealth>(logger);
  if (!options.auth_tokens_file.empty()) {
    ASSIGN_OR_RETURN(authenticator_, BearerTokenAuthenticator::FromFile(
                                         options.auth_tokens_file));
  }
  if (logger != nullptr) {
    access_log_ = std::make_unique<AccessLogObserver>(logger);
  }
  observers_.Add(access_log_.get());
  observers_.Add(metrics_.get());
  TracktryServer* const self = this;
  metrics_->AddCallbackMetric(
      {"tracktry_live",
       "1 while the process serves (health \"\").",
       prometheus::MetricType::Gauge,
       {},
       [self] { return self->readiness_->live() ? 1.0 : 0.0; }});
  metrics_->AddCallbackMetric(
      {"tracktry_ready",
       "1 while ready for traffic (health tracktry.v1.TrackingService).",
       prometheus::MetricType::Gauge,
       {},
       [self] { return self->readiness_->ready() ? 1.0 : 0.0; }});
  // Upstream states that used to change readiness (docs/operating.md).
  metrics_->AddCallbackMetric(
      {"tracktry_upstream_api_key_rejected",
       "1 while the upstream rejects the API key (last answer about it).",
       prometheus::MetricType::Gauge,
       {},
       [self] {
         return self->upstream_health_->api_key_rejected() ? 1.0 : 0.0;
       }});
  return absl::OkStatus();
}

absl::Status TracktryServer::BuildUpstreamChain(
    const ServerOptions& options, std::unique_ptr<HttpTransport> transport,
    JsonLogger* logger) {
  // Bottom to top: transport_ -> client_ -> instrumented_ (metrics and the
  // API-key state per real HTTP call) -> rate_shaper_ -> circuit_breaker_
  // -> retrying_ -> caching_ -> idempotency_ -> the API layer. The shaper
  // sits lowest so every real upstream call, retries included, takes a
  // token; retries pass through the breaker (each attempt counts); the
  // cache and coalescing sit above the retries, so one shared read retries
  // once for all its waiters. One scheduler serves every layer that waits.
  if (transport == nullptr) {
    CurlMultiTransport::Options transport_options;
    transport_options.max_connections_per_host =
        options.max_upstream_connections;
    transport = std::make_unique<CurlMultiTransport>(transport_options);
  }
  transport_ = std::move(transport);
  client_ =
      std::make_unique<TracktryClient>(transport_.get(), options.upstream);
  upstream_observer_ = std::make_unique<UpstreamObservers>(
      metrics_.get(), upstream_health_.get());
  instrumented_ = std::make_unique<InstrumentedUpstreamCaller>(
      client_.get(), upstream_observer_.get());
  scheduler_ = std::make_unique<Scheduler>();
  RateShaperOptions rate_options = options.rate_shaping;
  if (rate_options.account_id.empty()) {
    // Redis keys carry a hash of the key, never the key.
    rate_options.account_id = AccountIdFromApiKey(options.upstream.api_key);
  }
  RETURN_IF_ERROR(ValidateRateShaperOptions(rate_options));
  if (logger != nullptr) {
    // Fleet mode: a line when the buckets stop or start being shared.
    rate_options.on_redis_state = [logger,
                                   share = rate_options.share](bool shared) {
      if (shared) {
        logger->Info("rate buckets shared through Redis again");
      } else {
        logger->Warning(
            "Redis unreachable: rate buckets fall back to local state at "
            "rate x share",
            {{"share", share}});
      }
    };
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
  rate_shaper_ = std::make_unique<RateShaper>(
      instrumented_.get(), scheduler_.get(), std::move(rate_options));
  circuit_breaker_ = std::make_unique<CircuitBreaker>(
      rate_shaper_.get(), scheduler_.get(), options.circuit);
  // Circuit changes are logged (and exported as tracktry_circuit_open);
  // they do not change readiness (see ReadinessController).
  if (logger != nullptr) {
    circuit_breaker_->SetStateListener([logger](CircuitState state) {
      if (state == CircuitState::kOpen) {
        logger->Warning(
            "upstream circuit open: calls fail fast with "
            "UNAVAILABLE CIRCUIT_OPEN until a probe succeeds");
      } else if (state == CircuitState::kClosed) {
        logger->Info("upstream circuit closed");
      }
    });
  }
  retrying_ = std::make_unique<RetryingCaller>(circuit_breaker_.get(),
                                               scheduler_.get(), options.retry);
  caching_ = std::make_unique<CachingCaller>(
      retrying_.get(), scheduler_.get(),
      WithCacheByteCap(options.cache, options.cgroup_root, logger));
  idempotency_ = std::make_unique<IdempotencyStore>(
      caching_.get(), scheduler_.get(), options.idempotency);
  // Their counters, read at every /metrics scrape.
  RegisterUpstreamStatsMetrics(metrics_.get(), rate_shaper_.get(),
                               circuit_breaker_.get(), retrying_.get(),
                               caching_.get(), idempotency_.get());
  TracktryServer* const self = this;
  metrics_->AddCallbackMetric(
      {"tracktry_rate_limit_paused",
       "1 while upstream calls are paused after an upstream 429.",
       prometheus::MetricType::Gauge,
       {},
       [self] {
         return absl::Now() < self->rate_shaper_->Stats().paused_until ? 1.0
                                                                       : 0.0;
       }});
  return absl::OkStatus();
}

void TracktryServer::BuildService(const ServerOptions& options) {
  UpstreamCaller* const upstream = idempotency_.get();
  service_ = std::make_unique<TrackingServiceImpl>(upstream, &observers_,
                                                   options.service);
  // Live updates: WatchTracking pollers share the upstream chain.
  watch_hub_ =
      std::make_unique<WatchHub>(upstream, scheduler_.get(), options.watch);
  service_->SetWatchHub(watch_hub_.get());
  // Cache hits of GetTracking are answered on the gRPC thread.
  service_->SetCachedReads(caching_.get());
  // A verified webhook push is a hint (re-read upstream) unless the operator
  // trusts push bodies; see PushApplier. In fleet mode it also applies the
  // pushes other replicas received.
  PushApplierOptions push_options;
  push_options.trust_push_body = options.webhook_trust_push_body;
  push_applier_ = std::make_unique<PushApplier>(upstream, watch_hub_.get(),
                                                caching_.get(), push_options);
  if (authenticator_ != nullptr) {
    auth_service_ = std::make_unique<AuthenticatingTrackingService>(
        service_.get(), authenticator_.get(), &observers_);
  }
  SetSecretsToRedact({options.upstream.api_key, options.webhook_email});
}

void TracktryServer::BuildFleet(const ServerOptions& options,
                                JsonLogger* logger) {
  // Fleet mode (docs/fleet-mode.md): with --redis-address (and --fleet=on)
  // the read cache's second level and single flight, request_id records and
  // watch pollers are shared with every replica through Redis, with the
  // rate buckets' credentials and namespace; keys are under
  // "<namespace>:<account id>". Applied webhook pushes travel on the fleet
  // bus (kind 'p') to every replica.
  if (options.rate_shaping.redis_address.empty() || !options.fleet.enabled) {
    return;
  }
  fleet::FleetOptions fleet_options;
  fleet_options.address = options.rate_shaping.redis_address;
  fleet_options.user = options.rate_shaping.redis_user;
  fleet_options.password = options.rate_shaping.redis_password;
  fleet_options.key_prefix =
      absl::StrCat(options.rate_shaping.redis_namespace, ":",
                   options.rate_shaping.account_id.empty()
                       ? AccountIdFromApiKey(options.upstream.api_key)
                       : options.rate_shaping.account_id);
  fleet_options.timeout = options.fleet.timeout;
  fleet_options.lease_time = options.fleet.lease_time;
  if (logger != nullptr) {
    fleet_options.on_state = [logger](const std::string& connection, bool up) {
      if (up) {
        logger->Info("fleet tier: Redis connection ready",
                     {{"connection", connection}});
      } else {
        logger->Warning(
            "fleet tier: Redis connection lost, serving from local state",
            {{"connection", connection}});
      }
    };
  }
  fleet_ = std::make_unique<fleet::Fleet>(std::move(fleet_options));
  fleet::Fleet* const fleet = fleet_.get();
  caching_->SetSharedTier(fleet->cache());
  idempotency_->SetSharedRecords(fleet->idempotency());
  watch_hub_->SetFleetLink(fleet->leases());
  // What this replica applied from a push goes to the others, which apply
  // it the same way (their cache entry, then their watchers).
  PushApplier* const applier = push_applier_.get();
  applier->SetShare([fleet](const nlohmann::json& data) {
    fleet->bus()->Publish(
        'p',
        data.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
        absl::InfiniteFuture());
  });
  fleet->bus()->Subscribe(
      'p', [applier](const fleet::FleetBus::Message& message) {
        if (message.own) return;
        const absl::string_view payload = message.payload;
        applier->ApplyShared(nlohmann::json::parse(payload.begin(),
                                                   payload.end(), nullptr,
                                                   /*allow_exceptions=*/false));
      });
  fleet::RegisterFleetMetrics(metrics_.get(), fleet);
  fleet->Start();
}

absl::Status TracktryServer::StartGrpcServer(const ServerOptions& options) {
  TlsFiles tls_files;
  tls_files.cert_file = options.tls_cert_file;
  tls_files.key_file = options.tls_key_file;
  tls_files.client_ca_file = options.tls_client_ca_file;
  ASSIGN_OR_RETURN(std::shared_ptr<grpc::ServerCredentials> credentials,
                   MakeServerCredentials(tls_files));
  // Health is our own HealthService, on the same queues as the tracking
  // service: gRPC's default one would bring its callback threads back.
  grpc::EnableDefaultHealthCheckService(false);
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
  builder.AddListeningPort(options.listen_address, credentials, &port_);
  async_service_ = std::make_unique<AsyncTrackingService>(
      auth_service_ != nullptr
          ? static_cast<TrackingHandlers*>(auth_service_.get())
          : service_.get());
  health_ = std::make_unique<HealthService>();
  rpc_queues_ = std::make_unique<CompletionQueueThreads>(options.rpc_threads);
  builder.RegisterService(async_service_->grpc_service());
  builder.RegisterService(health_->grpc_service());
  rpc_queues_->AddTo(&builder);
  // Limits and connection management (docs/operating.md).
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
  server_ = builder.BuildAndStart();
  if (server_ == nullptr || port_ == 0) {
    return absl::UnavailableError(
        absl::StrCat("cannot listen on ", options.listen_address));
  }
  rpc_queues_->Start();
  async_service_->methods().Arm(rpc_queues_.get());
  health_->methods().Arm(rpc_queues_.get());
  readiness_->Attach(health_.get());
  return absl::OkStatus();
}

absl::Status TracktryServer::StartMetricsEndpoint(
    const ServerOptions& options) {
  if (options.metrics_listen_address.empty()) return absl::OkStatus();
  ASSIGN_OR_RETURN(metrics_server_,
                   MetricsHttpServer::Start(options.metrics_listen_address,
                                            metrics_->collectable()));
  return absl::OkStatus();
}

absl::Status TracktryServer::StartWebhook(const ServerOptions& options) {
  if (options.webhook_listen_address.empty()) return absl::OkStatus();
  PushApplier* const applier = push_applier_.get();
  WebhookReceiverOptions webhook_options;
  webhook_options.listen_address = options.webhook_listen_address;
  webhook_options.email = options.webhook_email;
  webhook_options.max_skew = options.webhook_max_skew;
  webhook_options.dedupe_ttl = options.webhook_dedupe_ttl;
  webhook_options.on_accepted = [applier](const nlohmann::json& data,
                                          const v1::Tracking& tracking) {
    applier->Apply(data, tracking);
  };
  ASSIGN_OR_RETURN(webhook_,
                   WebhookReceiver::Start(std::move(webhook_options)));
  // The receiver outlives every scrape: the metrics endpoint stops first.
  const WebhookReceiver* const receiver = webhook_.get();
  for (const auto& [outcome, count] :
       {std::make_pair("accepted", &WebhookStats::accepted),
        std::make_pair("duplicate", &WebhookStats::duplicates),
        std::make_pair("unauthorized", &WebhookStats::unauthorized),
        std::make_pair("malformed", &WebhookStats::malformed)}) {
    metrics_->AddCallbackMetric(
        {"tracktry_webhook_pushes_total",
         "Webhook pushes received, by outcome (accepted = verified and first "
         "seen).",
         prometheus::MetricType::Counter,
         {{"outcome", outcome}},
         [receiver, count = count] {
           return static_cast<double>(receiver->stats().*count);
         }});
  }
  for (const auto& [outcome, count] :
       {std::make_pair("trusted", &PushApplierStats::trusted),
        std::make_pair("reread", &PushApplierStats::rereads),
        std::make_pair("reread_failed", &PushApplierStats::reread_failures),
        std::make_pair("from_replica", &PushApplierStats::shared)}) {
    metrics_->AddCallbackMetric(
        {"tracktry_webhook_applied_total",
         "Accepted webhook pushes by how they were applied: re-read upstream "
         "(the default), trusted as sent, or applied as another replica "
         "shared it (fleet mode).",
         prometheus::MetricType::Counter,
         {{"outcome", outcome}},
         [applier, count = count] {
           return static_cast<double>(applier->stats().*count);
         }});
  }
  return absl::OkStatus();
}

TracktryServer::~TracktryServer() {
  Shutdown(absl::ZeroDuration());
  if (server_ != nullptr) server_->Wait();
  if (rpc_queues_ != nullptr) rpc_queues_->Stop();
  if (readiness_ != nullptr) readiness_->Detach();
  metrics_server_.reset();
  webhook_.reset();
  // Fleet mode: no news from other replicas while the members go; what
  // they still ask of the tier fails fast.
  if (fleet_ != nullptr) fleet_->Stop();
  // Members go in reverse order; the transport goes last, delivering
  // CANCELLED to any upstream completion a finished reactor still awaits.
}

void TracktryServer::SetServing(bool serving) {
  if (health_ == nullptr) return;
  health_->SetServingStatus(serving);
  health_->SetServingStatus(kServiceName, serving);
}

void TracktryServer::StartDraining() {
  if (readiness_ != nullptr) readiness_->SetDraining();
}

void TracktryServer::Shutdown(absl::Duration grace) {
  if (shut_down_ || server_ == nullptr) return;
  shut_down_ = true;
  StartDraining();
  health_->Shutdown();
  server_->Shutdown(std::chrono::system_clock::now() +
                    absl::ToChronoNanoseconds(grace));
  // Every call is cancelled or done: the queues can go.
  rpc_queues_->Stop();
}

void TracktryServer::Wait() {
  if (server_ != nullptr) server_->Wait();
}

}  // namespace tracktry
