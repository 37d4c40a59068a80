// Copyright 2026 The tracktry-grpc Authors.
#include "service/server/server_options.h"

#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "service/upstream/redis_token_bucket_store.h"

namespace tracktry {
namespace {

absl::Status BadFlag(absl::string_view name, absl::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat("flag --", name, ": ", why));
}

absl::StatusOr<absl::Duration> ParseDurationValue(absl::string_view name,
                                                  const std::string& value) {
  absl::Duration duration;
  if (!absl::ParseDuration(value, &duration) ||
      duration < absl::ZeroDuration()) {
    return BadFlag(name, "expected a duration such as 30s or 500ms");
  }
  return duration;
}

absl::StatusOr<int> ParseIntValue(absl::string_view name,
                                  const std::string& value, int min, int max) {
  int result = 0;
  if (!absl::SimpleAtoi(value, &result) || result < min || result > max) {
    return BadFlag(
        name, absl::StrCat("expected an integer in [", min, ", ", max, "]"));
  }
  return result;
}

absl::StatusOr<bool> ParseBoolValue(absl::string_view name,
                                    const std::string& value) {
  const std::string lower = absl::AsciiStrToLower(value);
  if (lower == "true" || lower == "1" || lower == "yes") return true;
  if (lower == "false" || lower == "0" || lower == "no") return false;
  return BadFlag(name, "expected true or false");
}

absl::StatusOr<std::string> ReadKeyFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    return absl::InvalidArgumentError(
        absl::StrCat("cannot read API key file ", path));
  }
  std::stringstream buffer;
  buffer << in.rdbuf();
  return std::string(absl::StripAsciiWhitespace(buffer.str()));
}

}  // namespace

std::optional<std::string> ProcessEnv(const std::string& name) {
  const char* value = std::getenv(name.c_str());
  if (value == nullptr) return std::nullopt;
  return std::string(value);
}

const std::vector<ProviderPreset>& ProviderPresets() {
  static const std::vector<ProviderPreset>* const presets =
      new std::vector<ProviderPreset>{
          {"tracktry", "https://api.tracktry.com/v1", "Tracktry-Api-Key"},
          {"trackingmore-v2", "https://api.trackingmore.com/v2",
           "Trackingmore-Api-Key"},
          {"51tracking-v2", "https://api.51tracking.com/v2",
           "Tracking-Api-Key"},
          {"trackru", "https://api.trackru.ru/v1", "Api-Key"},
      };
  return *presets;
}

absl::Status ApplyProviderPreset(absl::string_view name,
                                 TracktryClientOptions* upstream) {
  std::string known;
  for (const ProviderPreset& preset : ProviderPresets()) {
    if (name == preset.name) {
      upstream->base_url = preset.base_url;
      upstream->api_key_header = preset.api_key_header;
      return absl::OkStatus();
    }
    absl::StrAppend(&known, known.empty() ? "" : ", ", preset.name);
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "bad value for --provider: unknown provider (known: ", known, ")"));
}

std::string ServerUsage() {
  return R"(usage: tracktry-server [flags]

Serves tracktry.v1.TrackingService over gRPC in front of the Tracktry REST API.

Flags (environment variable in brackets; flags win):
  --listen=ADDR               gRPC listen address [TRACKTRY_LISTEN] (0.0.0.0:50051)
  --provider=NAME             base URL + key header preset [TRACKTRY_PROVIDER]:
                              tracktry (default), trackingmore-v2, 51tracking-v2, trackru
  --base-url=URL              upstream base URL [TRACKTRY_BASE_URL] (https://api.tracktry.com/v1)
  --api-key-file=PATH         file holding the API key [TRACKTRY_API_KEY_FILE]
                              (or put the key itself in [TRACKTRY_API_KEY])
  --api-key-header=NAME       header carrying the key [TRACKTRY_API_KEY_HEADER] (Tracktry-Api-Key)
  --default-deadline=DUR      deadline when the caller sends none (30s)
  --realtime-deadline=DUR     same for GetRealtimeTracking (60s)
  --batch-chunk-size=N        items per upstream batch call, 1..40 (40)
  --max-page-size=N           ListTrackings page size cap, 1..2000 (2000)
  --max-upstream-connections=N  upstream connections per host, 0 = unlimited (0)
  --max-response-bytes=N      upstream body size cap (8388608)
  --shutdown-grace=DUR        time in-flight RPCs get on SIGTERM (10s)
  --reflection=BOOL           serve gRPC reflection [TRACKTRY_REFLECTION] (true)
  --shutdown-delay=DUR        NOT_SERVING before the listener closes on SIGTERM
                              [TRACKTRY_SHUTDOWN_DELAY] (0s)
  --readiness-probe-interval=DUR  upstream re-check while the key is rejected (30s)
  --metrics-listen=ADDR       Prometheus /metrics address, empty = off
                              [TRACKTRY_METRICS_LISTEN] ()
  --tls-cert=PATH             TLS certificate chain (PEM) [TRACKTRY_TLS_CERT]
  --tls-key=PATH              TLS private key (PEM) [TRACKTRY_TLS_KEY]
  --tls-client-ca=PATH        require client certificates signed by this CA
                              (mutual TLS) [TRACKTRY_TLS_CLIENT_CA]
  --auth-tokens-file=PATH     bearer tokens callers must send, one per line
                              [TRACKTRY_AUTH_TOKENS_FILE]
  --max-message-bytes=N       largest request/response message (16777216)
  --max-concurrent-streams=N  concurrent RPCs per connection (1024)
  --keepalive-time=DUR        server keepalive ping interval (5m)
  --keepalive-timeout=DUR     keepalive ping timeout (20s)
  --max-connection-age=DUR    close connections after this age, 0 = never (10m)
  --max-connection-age-grace=DUR  in-flight grace after that (30s)
Upstream rate shaping (per account; see README "Rate limits"):
  --rate-limit=on|off         shape upstream calls [TRACKTRY_RATE_LIMIT] (on)
  --rate-default=RPS          requests/s, all but list and realtime [TRACKTRY_RATE_DEFAULT] (1)
  --rate-list=RPS             requests/s to /trackings/get [TRACKTRY_RATE_LIST] (1)
  --rate-realtime=RPS         requests/s to /trackings/realtime [TRACKTRY_RATE_REALTIME] (3)
  --rate-burst=N              back-to-back requests per class [TRACKTRY_RATE_BURST] (1)
  --rate-safety=F             fraction of each rate used, absorbs jitter [TRACKTRY_RATE_SAFETY] (0.97)
  --rate-share=F              this replica's fraction without Redis [TRACKTRY_RATE_SHARE] (1.0)
  --rate-jitter-compensation=F  delay the next call by a slow call's extra latency,
                              at most F x the interval [TRACKTRY_RATE_JITTER_COMPENSATION] (0.1)
  --rate-limit-pause=DUR      pause after an upstream 429 without Retry-After
                              [TRACKTRY_RATE_LIMIT_PAUSE] (120s)
  --rate-min-call-time=DUR    time a request must have left when it leaves the
                              queue [TRACKTRY_RATE_MIN_CALL_TIME] (100ms)
  --redis-address=HOST:PORT   share the buckets with all replicas in Redis
                              [TRACKTRY_REDIS_ADDRESS] (off)
  --rate-account=ID           account id in Redis keys [TRACKTRY_RATE_ACCOUNT]
                              (a hash of the API key)
Upstream resilience (see README "Upstream failures"):
  --retry-max-attempts=N      attempts per idempotent read, 1 = no retry
                              [TRACKTRY_RETRY_MAX_ATTEMPTS] (3)
  --retry-initial-backoff=DUR  first back-off cap, doubled per retry (100ms)
  --retry-max-backoff=DUR     back-off cap (2s)
  --retry-attempt-timeout=DUR  longest single attempt [TRACKTRY_RETRY_ATTEMPT_TIMEOUT] (10s)
  --circuit-failures=N        consecutive upstream failures that open the
                              circuit, 0 = off [TRACKTRY_CIRCUIT_FAILURES] (5)
  --circuit-cooldown=DUR      fail-fast time before a probe [TRACKTRY_CIRCUIT_COOLDOWN] (10s)
  --cache-ttl=DUR             GetTracking cache TTL, 0 = off [TRACKTRY_CACHE_TTL] (60s)
  --carriers-cache-ttl=DUR    ListCarriers cache TTL, 0 = off
                              [TRACKTRY_CARRIERS_CACHE_TTL] (24h)
  --cache-max-entries=N       cache entries, 0 = no cache [TRACKTRY_CACHE_MAX_ENTRIES] (100000)
  --cache-max-bytes=N         approximate cache size [TRACKTRY_CACHE_MAX_BYTES] (268435456)
  --coalesce=BOOL             share one upstream call among identical
                              concurrent reads [TRACKTRY_COALESCE] (true)
  --idempotency-ttl=DUR       how long a request_id's answer is replayed,
                              0 = off [TRACKTRY_IDEMPOTENCY_TTL] (1h)
  --idempotency-max-keys=N    request_ids remembered (100000)
Live updates (see README "Live updates"):
  --watch-interval=DUR        WatchTracking upstream poll interval
                              [TRACKTRY_WATCH_INTERVAL] (60s)
  --webhook-listen=ADDR       webhook receiver address, empty = off
                              [TRACKTRY_WEBHOOK_LISTEN]
  --webhook-email=EMAIL       webhook HMAC key (account e-mail)
                              [TRACKTRY_WEBHOOK_EMAIL]
  --webhook-max-skew=DUR      oldest accepted timeStr (300s)
  --webhook-dedupe-ttl=DUR    repeated pushes ignored for (10m)
  --help                      this text
)";
}

absl::StatusOr<ServerOptions> ParseServerOptions(
    const std::vector<std::string>& args, const EnvLookup& env) {
  ServerOptions options;
  std::map<std::string, std::string> values;
  // Environment first, flags override.
  const std::pair<const char*, const char*> env_flags[] = {
      {"TRACKTRY_LISTEN", "listen"},
      {"TRACKTRY_BASE_URL", "base-url"},
      {"TRACKTRY_PROVIDER", "provider"},
      {"TRACKTRY_API_KEY_FILE", "api-key-file"},
      {"TRACKTRY_API_KEY_HEADER", "api-key-header"},
      {"TRACKTRY_REFLECTION", "reflection"},
      {"TRACKTRY_SHUTDOWN_GRACE", "shutdown-grace"},
      {"TRACKTRY_SHUTDOWN_DELAY", "shutdown-delay"},
      {"TRACKTRY_METRICS_LISTEN", "metrics-listen"},
      {"TRACKTRY_TLS_CERT", "tls-cert"},
      {"TRACKTRY_TLS_KEY", "tls-key"},
      {"TRACKTRY_TLS_CLIENT_CA", "tls-client-ca"},
      {"TRACKTRY_AUTH_TOKENS_FILE", "auth-tokens-file"},
      // Rate shaping.
      {"TRACKTRY_RATE_LIMIT", "rate-limit"},
      {"TRACKTRY_RATE_DEFAULT", "rate-default"},
      {"TRACKTRY_RATE_LIST", "rate-list"},
      {"TRACKTRY_RATE_REALTIME", "rate-realtime"},
      {"TRACKTRY_RATE_BURST", "rate-burst"},
      {"TRACKTRY_RATE_SAFETY", "rate-safety"},
      {"TRACKTRY_RATE_SHARE", "rate-share"},
      {"TRACKTRY_RATE_JITTER_COMPENSATION", "rate-jitter-compensation"},
      {"TRACKTRY_RATE_LIMIT_PAUSE", "rate-limit-pause"},
      {"TRACKTRY_RATE_MIN_CALL_TIME", "rate-min-call-time"},
      {"TRACKTRY_RATE_ACCOUNT", "rate-account"},
      {"TRACKTRY_REDIS_ADDRESS", "redis-address"},
      // Resilience.
      {"TRACKTRY_RETRY_MAX_ATTEMPTS", "retry-max-attempts"},
      {"TRACKTRY_RETRY_ATTEMPT_TIMEOUT", "retry-attempt-timeout"},
      {"TRACKTRY_CIRCUIT_FAILURES", "circuit-failures"},
      {"TRACKTRY_CIRCUIT_COOLDOWN", "circuit-cooldown"},
      {"TRACKTRY_CACHE_TTL", "cache-ttl"},
      {"TRACKTRY_CARRIERS_CACHE_TTL", "carriers-cache-ttl"},
      {"TRACKTRY_CACHE_MAX_ENTRIES", "cache-max-entries"},
      {"TRACKTRY_CACHE_MAX_BYTES", "cache-max-bytes"},
      {"TRACKTRY_COALESCE", "coalesce"},
      {"TRACKTRY_IDEMPOTENCY_TTL", "idempotency-ttl"},
      // Live updates.
      {"TRACKTRY_WATCH_INTERVAL", "watch-interval"},
      {"TRACKTRY_WEBHOOK_LISTEN", "webhook-listen"},
      {"TRACKTRY_WEBHOOK_EMAIL", "webhook-email"},
      {"TRACKTRY_WEBHOOK_MAX_SKEW", "webhook-max-skew"},
      {"TRACKTRY_WEBHOOK_DEDUPE_TTL", "webhook-dedupe-ttl"},
  };
  for (const auto& [variable, flag] : env_flags) {
    if (auto value = env(variable); value.has_value() && !value->empty()) {
      values[flag] = *value;
    }
  }
  // --help wins over every other flag, even malformed ones.
  for (const std::string& arg : args) {
    if (arg == "--help" || arg == "-h") {
      return absl::CancelledError("help requested");
    }
  }
  for (size_t i = 0; i < args.size(); ++i) {
    absl::string_view arg = args[i];
    if (!absl::ConsumePrefix(&arg, "--")) {
      return absl::InvalidArgumentError(
          absl::StrCat("unexpected argument: ", args[i]));
    }
    std::string name, value;
    if (const size_t eq = arg.find('='); eq != absl::string_view::npos) {
      name = std::string(arg.substr(0, eq));
      value = std::string(arg.substr(eq + 1));
    } else {
      name = std::string(arg);
      if (name == "help") {
        values[name] = "true";
        continue;
      }
      if (i + 1 >= args.size()) return BadFlag(name, "missing value");
      value = args[++i];
    }
    values[name] = value;
  }
  // The provider preset first: explicit --base-url / --api-key-header win.
  if (auto provider = values.find("provider"); provider != values.end()) {
    if (absl::Status status =
            ApplyProviderPreset(provider->second, &options.upstream);
        !status.ok()) {
      return status;
    }
  }
  for (const auto& [name, value] : values) {
    if (name == "listen") {
      options.listen_address = value;
    } else if (name == "provider") {
      // Applied before this loop.
    } else if (name == "base-url") {
      options.upstream.base_url = value;
    } else if (name == "api-key-file") {
      absl::StatusOr<std::string> key = ReadKeyFile(value);
      if (!key.ok()) return key.status();
      options.upstream.api_key = *key;
    } else if (name == "api-key-header") {
      options.upstream.api_key_header = value;
    } else if (name == "default-deadline") {
      auto d = ParseDurationValue(name, value);
      if (!d.ok()) return d.status();
      options.service.default_deadline = *d;
    } else if (name == "realtime-deadline") {
      auto d = ParseDurationValue(name, value);
      if (!d.ok()) return d.status();
      options.service.realtime_deadline = *d;
    } else if (name == "batch-chunk-size") {
      auto n = ParseIntValue(name, value, 1, 40);
      if (!n.ok()) return n.status();
      options.service.batch_chunk_size = *n;
    } else if (name == "max-page-size") {
      auto n = ParseIntValue(name, value, 1, 2000);
      if (!n.ok()) return n.status();
      options.service.max_page_size = *n;
      options.service.default_page_size =
          std::min(options.service.default_page_size, *n);
    } else if (name == "max-upstream-connections") {
      auto n = ParseIntValue(name, value, 0, 100000);
      if (!n.ok()) return n.status();
      options.max_upstream_connections = *n;
    } else if (name == "max-response-bytes") {
      auto n = ParseIntValue(name, value, 1024, 1 << 30);
      if (!n.ok()) return n.status();
      options.upstream.max_response_bytes = static_cast<size_t>(*n);
    } else if (name == "shutdown-grace") {
      auto d = ParseDurationValue(name, value);
      if (!d.ok()) return d.status();
      options.shutdown_grace = *d;
    } else if (name == "reflection") {
      auto b = ParseBoolValue(name, value);
      if (!b.ok()) return b.status();
      options.enable_reflection = *b;
    } else if (name == "shutdown-delay") {
      auto d = ParseDurationValue(name, value);
      if (!d.ok()) return d.status();
      options.shutdown_delay = *d;
    } else if (name == "readiness-probe-interval") {
      auto d = ParseDurationValue(name, value);
      if (!d.ok()) return d.status();
      if (*d <= absl::ZeroDuration()) return BadFlag(name, "must be positive");
      options.readiness_probe_interval = *d;
    } else if (name == "watch-interval" || name == "webhook-max-skew" ||
               name == "webhook-dedupe-ttl") {
      auto d = ParseDurationValue(name, value);
      if (!d.ok()) return d.status();
      if (*d <= absl::ZeroDuration()) return BadFlag(name, "must be positive");
      (name == "watch-interval"     ? options.watch.interval
       : name == "webhook-max-skew" ? options.webhook_max_skew
                                    : options.webhook_dedupe_ttl) = *d;
    } else if (name == "webhook-listen") {
      options.webhook_listen_address = value;
    } else if (name == "webhook-email") {
      options.webhook_email = value;
    } else if (name == "metrics-listen") {
      options.metrics_listen_address = value;
    } else if (name == "tls-cert") {
      options.tls_cert_file = value;
    } else if (name == "tls-key") {
      options.tls_key_file = value;
    } else if (name == "tls-client-ca") {
      options.tls_client_ca_file = value;
    } else if (name == "auth-tokens-file") {
      options.auth_tokens_file = value;
    } else if (name == "max-message-bytes") {
      auto n = ParseIntValue(name, value, 1024, 1 << 30);
      if (!n.ok()) return n.status();
      options.max_message_bytes = *n;
    } else if (name == "max-concurrent-streams") {
      auto n = ParseIntValue(name, value, 1, 1 << 20);
      if (!n.ok()) return n.status();
      options.max_concurrent_streams = *n;
    } else if (name == "keepalive-time") {
      auto d = ParseDurationValue(name, value);
      if (!d.ok()) return d.status();
      if (*d < absl::Seconds(10)) return BadFlag(name, "must be at least 10s");
      options.keepalive_time = *d;
    } else if (name == "keepalive-timeout") {
      auto d = ParseDurationValue(name, value);
      if (!d.ok()) return d.status();
      if (*d < absl::Seconds(1)) return BadFlag(name, "must be at least 1s");
      options.keepalive_timeout = *d;
    } else if (name == "max-connection-age") {
      auto d = ParseDurationValue(name, value);
      if (!d.ok()) return d.status();
      options.max_connection_age = *d;
    } else if (name == "max-connection-age-grace") {
      auto d = ParseDurationValue(name, value);
      if (!d.ok()) return d.status();
      options.max_connection_age_grace = *d;
    } else if (name == "rate-limit") {
      // Rate shaping (service/upstream/rate_shaper.h).
      const std::string lower = absl::AsciiStrToLower(value);
      if (lower == "on") {
        options.rate_shaping.enabled = true;
      } else if (lower == "off") {
        options.rate_shaping.enabled = false;
      } else {
        auto b = ParseBoolValue(name, value);
        if (!b.ok()) return BadFlag(name, "expected on or off");
        options.rate_shaping.enabled = *b;
      }
    } else if (name == "rate-default" || name == "rate-list" ||
               name == "rate-realtime") {
      double rate = 0;
      if (!absl::SimpleAtod(value, &rate) || !(rate > 0) || rate > 1e6) {
        return BadFlag(name, "expected requests per second in (0, 1e6]");
      }
      const RateClass rate_class = name == "rate-list" ? RateClass::kList
                                   : name == "rate-realtime"
                                       ? RateClass::kRealtime
                                       : RateClass::kDefault;
      options.rate_shaping.limits[static_cast<size_t>(rate_class)].rate = rate;
    } else if (name == "rate-burst") {
      auto n = ParseIntValue(name, value, 1, 1000);
      if (!n.ok()) return n.status();
      for (TokenBucketLimit& limit : options.rate_shaping.limits) {
        limit.burst = *n;
      }
    } else if (name == "rate-safety" || name == "rate-share") {
      double fraction = 0;
      if (!absl::SimpleAtod(value, &fraction) || !(fraction > 0) ||
          fraction > 1) {
        return BadFlag(name, "expected a fraction in (0, 1]");
      }
      (name == "rate-safety" ? options.rate_shaping.safety
                             : options.rate_shaping.share) = fraction;
    } else if (name == "rate-jitter-compensation") {
      double fraction = -1;
      if (!absl::SimpleAtod(value, &fraction) || !(fraction >= 0) ||
          fraction > 1) {
        return BadFlag(name, "expected a fraction in [0, 1]");
      }
      options.rate_shaping.jitter_compensation = fraction;
    } else if (name == "rate-limit-pause" || name == "rate-min-call-time") {
      auto d = ParseDurationValue(name, value);
      if (!d.ok()) return d.status();
      (name == "rate-limit-pause" ? options.rate_shaping.default_pause
                                  : options.rate_shaping.min_call_time) = *d;
    } else if (name == "rate-account") {
      options.rate_shaping.account_id = value;
    } else if (name == "redis-address") {
      if (!value.empty()) {
        auto host_port = ParseHostPort(value);
        if (!host_port.ok()) return BadFlag(name, host_port.status().message());
      }
      options.rate_shaping.redis_address = value;
    } else if (name == "retry-max-attempts") {
      // Upstream resilience (retrying_caller.h, circuit_breaker.h,
      // caching_caller.h, idempotency_store.h).
      auto n = ParseIntValue(name, value, 1, 10);
      if (!n.ok()) return n.status();
      options.retry.max_attempts = *n;
    } else if (name == "retry-initial-backoff" || name == "retry-max-backoff" ||
               name == "retry-attempt-timeout") {
      auto d = ParseDurationValue(name, value);
      if (!d.ok()) return d.status();
      if (name == "retry-attempt-timeout" && *d <= absl::ZeroDuration()) {
        return BadFlag(name, "must be positive");
      }
      (name == "retry-initial-backoff" ? options.retry.initial_backoff
       : name == "retry-max-backoff"   ? options.retry.max_backoff
                                       : options.retry.attempt_timeout) = *d;
    } else if (name == "circuit-failures") {
      auto n = ParseIntValue(name, value, 0, 1000000);
      if (!n.ok()) return n.status();
      options.circuit.failure_threshold = *n;
    } else if (name == "circuit-cooldown") {
      auto d = ParseDurationValue(name, value);
      if (!d.ok()) return d.status();
      if (*d <= absl::ZeroDuration()) return BadFlag(name, "must be positive");
      options.circuit.cooldown = *d;
    } else if (name == "cache-ttl" || name == "carriers-cache-ttl") {
      auto d = ParseDurationValue(name, value);
      if (!d.ok()) return d.status();
      (name == "cache-ttl" ? options.cache.tracking_ttl
                           : options.cache.carriers_ttl) = *d;
    } else if (name == "cache-max-entries") {
      auto n = ParseIntValue(name, value, 0, 100000000);
      if (!n.ok()) return n.status();
      options.cache.max_entries = static_cast<size_t>(*n);
    } else if (name == "cache-max-bytes") {
      auto n = ParseIntValue(name, value, 0, 2147483647);
      if (!n.ok()) return n.status();
      options.cache.max_bytes = static_cast<size_t>(*n);
    } else if (name == "coalesce") {
      auto b = ParseBoolValue(name, value);
      if (!b.ok()) return b.status();
      options.cache.coalesce = *b;
    } else if (name == "idempotency-ttl") {
      auto d = ParseDurationValue(name, value);
      if (!d.ok()) return d.status();
      options.idempotency.ttl = *d;
    } else if (name == "idempotency-max-keys") {
      auto n = ParseIntValue(name, value, 1, 100000000);
      if (!n.ok()) return n.status();
      options.idempotency.max_keys = static_cast<size_t>(*n);
    } else if (name == "help") {
      return absl::CancelledError("help requested");
    } else {
      return absl::InvalidArgumentError(absl::StrCat("unknown flag --", name));
    }
  }
  if (options.upstream.api_key.empty()) {
    if (auto key = env("TRACKTRY_API_KEY"); key.has_value()) {
      options.upstream.api_key = std::string(absl::StripAsciiWhitespace(*key));
    }
  }
  return options;
}

}  // namespace tracktry
