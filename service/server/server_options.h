// Copyright 2026 The tracktry-grpc Authors.
//
// ServerOptions: everything tracktry-server is configured with, read from
// flags and environment variables (flags win).
#ifndef TRACKTRY_SERVICE_SERVER_SERVER_OPTIONS_H_
#define TRACKTRY_SERVICE_SERVER_SERVER_OPTIONS_H_

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "service/live/watch_hub.h"
#include "service/rpc/tracking_service_impl.h"
#include "service/tracktry_api/tracking_read_combiner.h"
#include "service/upstream/caching_caller.h"
#include "service/upstream/circuit_breaker.h"
#include "service/upstream/idempotency_store.h"
#include "service/upstream/rate_shaper.h"
#include "service/upstream/retrying_caller.h"
#include "service/upstream/tracktry_client.h"

namespace tracktry {

// Fleet mode beyond the rate buckets (service/fleet): with --redis-address
// every replica shares the read cache (L2) and single flight, request_id
// records and watch pollers through the same Redis (same credentials and
// namespace as the rate buckets).
struct FleetModeOptions {
  // --fleet=on|off (TRACKTRY_FLEET); off = share only the rate buckets.
  bool enabled = true;
  // Longest wait for one Redis operation; past it the replica carries on
  // with local state (--fleet-timeout, TRACKTRY_FLEET_TIMEOUT).
  absl::Duration timeout = absl::Milliseconds(100);
  // Lease of a fleet-wide single flight or request_id run, renewed while
  // its holder works; a replica that dies holding one delays the others by
  // at most this (--fleet-lease, TRACKTRY_FLEET_LEASE).
  absl::Duration lease_time = absl::Seconds(3);
};

struct ServerOptions {
  // gRPC listen address (--listen, TRACKTRY_LISTEN).
  std::string listen_address = "0.0.0.0:50051";
  // Upstream: base URL (--base-url, TRACKTRY_BASE_URL), API key
  // (TRACKTRY_API_KEY, or a file via --api-key-file / TRACKTRY_API_KEY_FILE;
  // deliberately no flag holding the key itself, so it never shows in ps),
  // key header (--api-key-header, TRACKTRY_API_KEY_HEADER).
  TracktryClientOptions upstream;
  // The file the API key was read from ("" = the key came from
  // TRACKTRY_API_KEY, or from no file). The parser sets it with the key
  // for --api-key-file / TRACKTRY_API_KEY_FILE; the server re-reads the
  // file when it changes (docs/operating.md "Secret rotation").
  std::string api_key_file;
  // How often the API key file and --auth-tokens-file are checked for
  // changes; zero = never (--secret-reload-interval,
  // TRACKTRY_SECRET_RELOAD_INTERVAL).
  absl::Duration secret_reload_interval = absl::Seconds(5);
  // RPC behaviour (--default-deadline, --realtime-deadline,
  // --batch-chunk-size, --max-page-size).
  TrackingServiceOptions service;
  // Upstream rate shaping (service/upstream/rate_shaper.h): --rate-limit,
  // --rate-default, --rate-list, --rate-realtime, --rate-burst,
  // --rate-safety, --rate-share, --rate-jitter-compensation,
  // --rate-limit-pause, --rate-min-call-time, --rate-account (env
  // TRACKTRY_RATE_*). On by default, at the Tracktry account limits.
  // Fleet mode, the buckets shared in Redis: --redis-address,
  // --redis-user, --redis-password-file, --redis-namespace (env
  // TRACKTRY_REDIS_*). The Redis password is never logged.
  RateShaperOptions rate_shaping;
  // The rest of fleet mode (see FleetModeOptions): --fleet, --fleet-timeout,
  // --fleet-lease.
  FleetModeOptions fleet;
  // Read batching in the rate shaper (docs/read-batching.md):
  // --read-batching (on|off), --read-batch-max (env TRACKTRY_READ_*).
  ReadBatchingOptions read_batching;
  // Upstream resilience (docs/upstream-discipline.md), env TRACKTRY_<FLAG>:
  // retries of idempotent reads (--retry-max-attempts,
  // --retry-initial-backoff, --retry-max-backoff, --retry-attempt-timeout),
  // the circuit breaker (--circuit-failures, --circuit-cooldown), the read
  // cache and coalescing (--cache-ttl, --carriers-cache-ttl,
  // --cache-max-entries, --cache-max-bytes, --coalesce) and request_id
  // memory (--idempotency-ttl, --idempotency-max-keys).
  RetryOptions retry;
  CircuitBreakerOptions circuit;
  CacheOptions cache;
  IdempotencyOptions idempotency;
  // Where the container's memory limit is read when cache.max_bytes is
  // unset (the default cap is a share of it; service/ops/memory_limit.h).
  // No flag: tests point it at a fake cgroup directory.
  std::string cgroup_root = "/sys/fs/cgroup";
  // Upstream connections per host, 0 = unlimited (--max-upstream-connections).
  int max_upstream_connections = 0;
  // Grace period for in-flight RPCs on SIGTERM (--shutdown-grace).
  absl::Duration shutdown_grace = absl::Seconds(10);
  // gRPC server reflection (--reflection=true|false).
  bool enable_reflection = true;

  // --- Operations: lifecycle, metrics, security, limits. ---
  // Time between health NOT_SERVING and closing the listener on SIGTERM, so
  // load balancers stop routing first (--shutdown-delay,
  // TRACKTRY_SHUTDOWN_DELAY).
  absl::Duration shutdown_delay = absl::ZeroDuration();
  // Prometheus /metrics listen address, "" = off (--metrics-listen,
  // TRACKTRY_METRICS_LISTEN). The container image sets 0.0.0.0:9464.
  std::string metrics_listen_address;
  // How often buffered INFO log lines are written; 0 = each line at once
  // (--log-flush-interval, TRACKTRY_LOG_FLUSH_INTERVAL).
  absl::Duration log_flush_interval = absl::Milliseconds(100);
  // TLS certificate chain / key PEM files; both or neither (--tls-cert,
  // --tls-key, TRACKTRY_TLS_CERT, TRACKTRY_TLS_KEY).
  std::string tls_cert_file;
  std::string tls_key_file;
  // CA bundle for client certificates: mutual TLS (--tls-client-ca,
  // TRACKTRY_TLS_CLIENT_CA).
  std::string tls_client_ca_file;
  // Bearer tokens callers must present, one per line; "" = no caller
  // authentication (--auth-tokens-file, TRACKTRY_AUTH_TOKENS_FILE).
  std::string auth_tokens_file;
  // Largest request and response message (--max-message-bytes).
  int max_message_bytes = 16 << 20;
  // HTTP/2 streams (concurrent RPCs) per client connection
  // (--max-concurrent-streams).
  int max_concurrent_streams = 1024;
  // Completion queues serving every RPC, one thread each (--rpc-threads).
  // Handlers only start work and answers are sent by the thread that has
  // them, so one keeps up with the one-core libcurl loop.
  int rpc_threads = 1;
  // Server keepalive pings on idle connections and their timeout
  // (--keepalive-time, --keepalive-timeout).
  absl::Duration keepalive_time = absl::Minutes(5);
  absl::Duration keepalive_timeout = absl::Seconds(20);
  // Connections are closed (GOAWAY) after this age so clients behind an L4
  // balancer reconnect and spread out; in-flight RPCs get the grace
  // (--max-connection-age, --max-connection-age-grace; 0 = unlimited).
  absl::Duration max_connection_age = absl::Minutes(10);
  absl::Duration max_connection_age_grace = absl::Seconds(30);

  // --- Live updates (docs/api.md "WatchTracking"). ---
  // WatchTracking: time between upstream polls of a watched tracking
  // (--watch-interval, TRACKTRY_WATCH_INTERVAL).
  WatchHubOptions watch;
  // Webhook receiver listen address, "" = off (--webhook-listen,
  // TRACKTRY_WEBHOOK_LISTEN).
  std::string webhook_listen_address;
  // HMAC key of webhook signatures: the account login e-mail
  // (--webhook-email, TRACKTRY_WEBHOOK_EMAIL). Never logged.
  std::string webhook_email;
  // Largest accepted |now - timeStr| (--webhook-max-skew) and how long a
  // push is remembered for de-duplication (--webhook-dedupe-ttl).
  absl::Duration webhook_max_skew = absl::Seconds(300);
  absl::Duration webhook_dedupe_ttl = absl::Minutes(10);
  // Apply a verified push's body as sent instead of re-reading the tracking
  // upstream (--webhook-trust-push-body, TRACKTRY_WEBHOOK_TRUST_PUSH_BODY);
  // see PushApplier for the trade-off.
  bool webhook_trust_push_body = false;
};

// Looks up an environment variable; nullopt when unset.
using EnvLookup = std::function<std::optional<std::string>(const std::string&)>;

// The process environment.
std::optional<std::string> ProcessEnv(const std::string& name);

// Parses `args` (without argv[0]) and the environment. Flags take the forms
// --name=value and --name value; a flag's environment variable (see
// ServerFlags) applies when the flag is absent and the variable is set and
// not empty. Errors: INVALID_ARGUMENT naming the flag for an unknown flag, a
// bad value or an unreadable key or password file. A missing API key is not
// an error here (the emulator accepts any non-empty key; see main). --help
// (or -h) anywhere returns CANCELLED, whatever else is on the command line.
//
// Every flag is an Abseil flag (ABSL_FLAG in server_options.cc) that does
// the typed parsing; the process-wide flag values are restored before this
// returns, so it can be called any number of times, from any thread (calls
// are serialized). Never calls absl::ParseCommandLine.
absl::StatusOr<ServerOptions> ParseServerOptions(
    const std::vector<std::string>& args, const EnvLookup& env);

// One flag of tracktry-server, as the usage shows it.
struct ServerFlagInfo {
  // Command-line name without the dashes, e.g. "listen".
  std::string name;
  // Environment variable, "" = none.
  std::string env;
  // Usage section title.
  std::string section;
  // Placeholder of the value in the usage, e.g. "ADDR" in --listen=ADDR.
  std::string value_name;
  // The flag's help text, with its valid range where that says something
  // ("1..40", "in (0, 1]").
  std::string help;
  // The default as it would be written on the command line ("" = empty).
  std::string default_value;
};

// Every flag ParseServerOptions accepts except --help, in usage order.
std::vector<ServerFlagInfo> ServerFlags();

// Usage text for --help, generated from ServerFlags().
std::string ServerUsage();

// --- Provider presets (--provider, TRACKTRY_PROVIDER). ---
// A member of the TrackingMore-v2 API family: base URL and API-key header.
struct ProviderPreset {
  const char* name;
  const char* base_url;
  const char* api_key_header;
};

// Every preset: tracktry (default; https://api.tracktry.com/v1,
// Tracktry-Api-Key), trackingmore-v2 (https://api.trackingmore.com/v2,
// Trackingmore-Api-Key), 51tracking-v2 (https://api.51tracking.com/v2,
// Tracking-Api-Key), trackru (https://api.trackru.ru/v1, Api-Key).
const std::vector<ProviderPreset>& ProviderPresets();

// Sets upstream->base_url and upstream->api_key_header from the preset
// `name` (case-sensitive). ParseServerOptions applies it before explicit
// --base-url / --api-key-header, which override it.
// Errors: INVALID_ARGUMENT naming the known presets for an unknown name.
absl::Status ApplyProviderPreset(absl::string_view name,
                                 TracktryClientOptions* upstream);
// --- End of provider presets. ---

}  // namespace tracktry

#endif  // TRACKTRY_SERVICE_SERVER_SERVER_OPTIONS_H_
