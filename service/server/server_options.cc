// Copyright 2026 The tracktry-grpc Authors.
//
// tracktry-server's flags: each one is an Abseil flag (type, default, help)
// and a row of one table (FlagTable) naming its environment variable, its
// validation and the ServerOptions field it fills. ParseServerOptions
// tokenises the command line itself, sets the flags through their
// absl::CommandLineFlag (so Abseil does the typed parsing), applies the
// table and restores the flags' previous values; ServerUsage() is generated
// from the same table.
#include "service/server/server_options.h"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>
#include <type_traits>
#include <utility>

#include "absl/base/const_init.h"
#include "absl/container/flat_hash_map.h"
#include "absl/flags/commandlineflag.h"
#include "absl/flags/flag.h"
#include "absl/flags/reflection.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "service/upstream/redis_token_bucket_store.h"

namespace tracktry {
namespace {

// A boolean written on|off (also true/false, 1/0, yes/no): --rate-limit.
struct OnOff {
  bool on = true;
};

bool AbslParseFlag(absl::string_view text, OnOff* value, std::string* error) {
  const std::string lower = absl::AsciiStrToLower(text);
  if (lower == "on" || lower == "true" || lower == "1" || lower == "yes") {
    value->on = true;
    return true;
  }
  if (lower == "off" || lower == "false" || lower == "0" || lower == "no") {
    value->on = false;
    return true;
  }
  *error = "expected on or off";
  return false;
}

std::string AbslUnparseFlag(OnOff value) { return value.on ? "on" : "off"; }

}  // namespace
}  // namespace tracktry

// --- The flags. An Abseil flag name is the command-line name with '_' for
// '-' (FLAGS_batch_chunk_size is --batch-chunk-size). Defaults are the
// ServerOptions defaults (tests/server/server_options_test.cc checks).
// Service and upstream API.
ABSL_FLAG(std::string, listen, "0.0.0.0:50051", "gRPC listen address");
ABSL_FLAG(std::string, provider, "tracktry",
          "upstream API preset, which sets the base URL and the key header: "
          "tracktry, trackingmore-v2, 51tracking-v2 or trackru");
ABSL_FLAG(std::string, base_url, "",
          "upstream base URL; empty = the --provider's "
          "(https://api.tracktry.com/v1 for tracktry)");
ABSL_FLAG(std::string, api_key_file, "",
          "file holding the upstream API key (surrounding whitespace is "
          "stripped), or set the key itself in the TRACKTRY_API_KEY "
          "environment variable; no flag holds the key, so it never shows in "
          "ps");
ABSL_FLAG(absl::Duration, secret_reload_interval, absl::Seconds(5),
          "how often the API key file and the auth tokens file are checked "
          "for changes (a rotated Secret applies without a restart); 0 = "
          "never");
ABSL_FLAG(std::string, api_key_header, "",
          "HTTP header carrying the API key; empty = the --provider's "
          "(Tracktry-Api-Key for tracktry)");
ABSL_FLAG(absl::Duration, default_deadline, absl::Seconds(30),
          "deadline of an RPC whose caller sets none");
ABSL_FLAG(absl::Duration, realtime_deadline, absl::Seconds(60),
          "same, for GetRealtimeTracking");
ABSL_FLAG(int, batch_chunk_size, 40, "items per upstream batch call");
ABSL_FLAG(int, max_page_size, 2000, "ListTrackings page size cap");
ABSL_FLAG(int, max_upstream_connections, 0,
          "upstream connections per host, 0 = unlimited");
ABSL_FLAG(int, max_response_bytes, 8 << 20, "largest upstream response body");
ABSL_FLAG(bool, reflection, true, "serve gRPC server reflection");
// Operations.
ABSL_FLAG(absl::Duration, shutdown_grace, absl::Seconds(10),
          "time in-flight RPCs get to finish on SIGTERM");
ABSL_FLAG(absl::Duration, shutdown_delay, absl::ZeroDuration(),
          "time health reports NOT_SERVING before the listener closes on "
          "SIGTERM, so load balancers stop routing here first");
ABSL_FLAG(std::string, metrics_listen, "",
          "Prometheus /metrics listen address; empty = off");
ABSL_FLAG(absl::Duration, log_flush_interval, absl::Milliseconds(100),
          "INFO log lines (one per RPC) are written in batches this often; "
          "warnings and errors at once; 0 = every line at once");
ABSL_FLAG(std::string, tls_cert, "",
          "TLS certificate chain (PEM); serve TLS with --tls-key");
ABSL_FLAG(std::string, tls_key, "", "TLS private key (PEM)");
ABSL_FLAG(std::string, tls_client_ca, "",
          "require client certificates signed by this CA bundle (mutual TLS)");
ABSL_FLAG(std::string, auth_tokens_file, "",
          "bearer tokens callers must send, one per line; empty = no caller "
          "authentication");
ABSL_FLAG(int, max_message_bytes, 16 << 20,
          "largest request or response message");
ABSL_FLAG(int, max_concurrent_streams, 1024,
          "concurrent RPCs (HTTP/2 streams) per client connection");
ABSL_FLAG(int, rpc_threads, 1,
          "gRPC completion queues, one thread each, that serve every RPC");
ABSL_FLAG(absl::Duration, keepalive_time, absl::Minutes(5),
          "keepalive ping interval on idle connections");
ABSL_FLAG(absl::Duration, keepalive_timeout, absl::Seconds(20),
          "keepalive ping timeout");
ABSL_FLAG(absl::Duration, max_connection_age, absl::Minutes(10),
          "connections are closed (GOAWAY) at this age, so clients behind an "
          "L4 balancer reconnect and spread out; 0 = never");
ABSL_FLAG(absl::Duration, max_connection_age_grace, absl::Seconds(30),
          "time in-flight RPCs get after that");
// Upstream rate shaping.
ABSL_FLAG(tracktry::OnOff, rate_limit, tracktry::OnOff{true},
          "keep upstream calls within the account's rate limits");
ABSL_FLAG(double, rate_default, 1.0,
          "requests/s to every endpoint but list and realtime");
ABSL_FLAG(double, rate_list, 1.0, "requests/s to /trackings/get");
ABSL_FLAG(double, rate_realtime, 3.0, "requests/s to /trackings/realtime");
ABSL_FLAG(int, rate_burst, 1, "back-to-back requests per rate class");
ABSL_FLAG(double, rate_safety, 0.97,
          "fraction of each rate actually used, absorbs jitter");
ABSL_FLAG(double, rate_share, 1.0,
          "this replica's fraction of the account while the buckets are not "
          "shared in Redis (no --redis-address, or Redis unavailable)");
ABSL_FLAG(double, rate_jitter_compensation, 0.1,
          "a slow call delays the next call of its class by its extra "
          "latency, at most this fraction of the interval; 0 = off");
ABSL_FLAG(absl::Duration, rate_limit_pause, absl::Seconds(120),
          "pause of all upstream calls after a 429 without Retry-After");
ABSL_FLAG(absl::Duration, rate_min_call_time, absl::Milliseconds(100),
          "time a request must have left before its deadline when it leaves "
          "the queue");
ABSL_FLAG(std::string, rate_account, "",
          "account id in Redis keys; empty = a hash of the API key");
ABSL_FLAG(tracktry::OnOff, read_batching, tracktry::OnOff{true},
          "answer GetTracking reads of different numbers that wait for a "
          "rate token together, with one list call (GET "
          "/trackings/get?numbers=); needs --rate-limit");
ABSL_FLAG(int, read_batch_max, 40, "most reads one batched list call answers");
// Fleet mode: Redis.
ABSL_FLAG(std::string, redis_address, "",
          "Redis server all replicas share (the rate buckets; with --fleet "
          "also the cache, request_ids and watch pollers); empty = off");
ABSL_FLAG(std::string, redis_user, "",
          "Redis 6+ ACL user to authenticate as; empty = the default user");
ABSL_FLAG(std::string, redis_password_file, "",
          "file holding the Redis password (surrounding whitespace is "
          "stripped; never logged); empty = no AUTH");
ABSL_FLAG(std::string, redis_namespace, "tracktry",
          "first part of every Redis key, so that deployments can share one "
          "Redis");
ABSL_FLAG(tracktry::OnOff, fleet, tracktry::OnOff{true},
          "with --redis-address, also share the read cache, identical reads, "
          "request_ids and watch pollers among the replicas; off = only the "
          "rate buckets");
ABSL_FLAG(absl::Duration, fleet_timeout, absl::Milliseconds(100),
          "longest wait for one shared-tier Redis operation; past it the "
          "replica serves from local state");
ABSL_FLAG(absl::Duration, fleet_lease, absl::Seconds(3),
          "lease of a shared read or request_id run, renewed while it runs; "
          "a replica that dies holding one delays the others this long at "
          "most");
// Upstream resilience.
ABSL_FLAG(int, retry_max_attempts, 3,
          "attempts per idempotent read, 1 = no retry");
ABSL_FLAG(absl::Duration, retry_initial_backoff, absl::Milliseconds(100),
          "first back-off cap, doubled per retry");
ABSL_FLAG(absl::Duration, retry_max_backoff, absl::Seconds(2),
          "largest back-off");
ABSL_FLAG(absl::Duration, retry_attempt_timeout, absl::Seconds(10),
          "longest single attempt");
ABSL_FLAG(int, circuit_failures, 5,
          "consecutive upstream failures that open the circuit, 0 = no "
          "circuit breaker");
ABSL_FLAG(absl::Duration, circuit_cooldown, absl::Seconds(10),
          "time the open circuit fails fast before a probe");
ABSL_FLAG(absl::Duration, cache_ttl, absl::Seconds(60),
          "GetTracking cache TTL, 0 = off");
ABSL_FLAG(absl::Duration, carriers_cache_ttl, absl::Hours(24),
          "ListCarriers cache TTL, 0 = off");
ABSL_FLAG(int, cache_max_entries, 100000, "cache entries, 0 = no cache");
ABSL_FLAG(int, cache_max_bytes, -1,
          "memory the cached answers may take, in bytes; -1 = a quarter of "
          "the container's memory limit (cgroup), or 268435456 without one; "
          "0 = cache nothing");
ABSL_FLAG(bool, coalesce, true,
          "share one upstream call among identical concurrent reads");
ABSL_FLAG(absl::Duration, idempotency_ttl, absl::Hours(1),
          "how long a request_id's answer is replayed, 0 = off");
ABSL_FLAG(int, idempotency_max_keys, 100000, "request_ids remembered");
// Live updates.
ABSL_FLAG(absl::Duration, watch_interval, absl::Seconds(60),
          "WatchTracking: time between upstream polls of a watched tracking");
ABSL_FLAG(std::string, webhook_listen, "",
          "webhook receiver listen address; empty = off");
ABSL_FLAG(std::string, webhook_email, "",
          "HMAC key of webhook signatures: the account's login e-mail (never "
          "logged)");
ABSL_FLAG(absl::Duration, webhook_max_skew, absl::Seconds(300),
          "largest accepted difference between a push's timeStr and now");
ABSL_FLAG(bool, webhook_trust_push_body, false,
          "apply a verified push's body as sent instead of re-reading the "
          "tracking upstream (the signature does not cover the body)");
ABSL_FLAG(absl::Duration, webhook_dedupe_ttl, absl::Minutes(10),
          "how long a push is remembered to ignore repeats");

namespace tracktry {
namespace {

// Validation of a flag's typed value.
template <typename T>
struct Rule {
  // Null = every value that parses is valid.
  std::function<bool(const T&)> valid;
  // The error for a value that does not parse or is not valid.
  std::string expected;
  // The valid range in the usage, "" = none worth saying.
  std::string hint;
};

template <typename T>
Rule<T> Any(std::string expected) {
  return {nullptr, std::move(expected), ""};
}

Rule<std::string> AnyText() { return Any<std::string>(""); }

Rule<bool> Boolean() { return Any<bool>("expected true or false"); }

Rule<OnOff> OnOffSwitch() { return Any<OnOff>("expected on or off"); }

Rule<int> IntIn(int min, int max) {
  return {[min, max](const int& n) { return n >= min && n <= max; },
          absl::StrCat("expected an integer in [", min, ", ", max, "]"),
          absl::StrCat(min, "..", max)};
}

Rule<double> RequestsPerSecond() {
  return {[](const double& rate) { return rate > 0 && rate <= 1e6; },
          "expected requests per second in (0, 1e6]", "in (0, 1e6]"};
}

// A fraction in (0, 1], or [0, 1] when `zero_ok`.
Rule<double> Fraction(bool zero_ok) {
  return {[zero_ok](const double& f) {
            return (zero_ok ? f >= 0 : f > 0) && f <= 1;
          },
          zero_ok ? "expected a fraction in [0, 1]"
                  : "expected a fraction in (0, 1]",
          zero_ok ? "in [0, 1]" : "in (0, 1]"};
}

Rule<absl::Duration> NonNegativeDuration() {
  return {[](const absl::Duration& d) { return d >= absl::ZeroDuration(); },
          "expected a duration such as 30s or 500ms", ""};
}

Rule<absl::Duration> PositiveDuration() {
  return {[](const absl::Duration& d) { return d > absl::ZeroDuration(); },
          "expected a positive duration such as 30s or 500ms", "> 0"};
}

Rule<absl::Duration> DurationAtLeast(absl::Duration min) {
  const std::string text = absl::FormatDuration(min);
  return {[min](const absl::Duration& d) { return d >= min; },
          absl::StrCat("expected a duration of at least ", text),
          absl::StrCat("at least ", text)};
}

Rule<std::string> HostPortOrEmpty() {
  return {[](const std::string& address) {
            return address.empty() || ParseHostPort(address).ok();
          },
          "expected host:port (or [v6]:port)", ""};
}

Rule<std::string> KeyPrefix() {
  return {[](const std::string& prefix) {
            return !prefix.empty() &&
                   std::none_of(prefix.begin(), prefix.end(), [](char c) {
                     return absl::ascii_isspace(static_cast<unsigned char>(c));
                   });
          },
          "expected a non-empty prefix without spaces", ""};
}

// Contents of the file at `path`, whitespace-stripped. The error names the
// file (`what`, e.g. "API key file") and the path, never the contents.
absl::StatusOr<std::string> ReadSecretFile(absl::string_view what,
                                           const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    return absl::InvalidArgumentError(
        absl::StrCat("cannot read ", what, " ", path));
  }
  std::stringstream buffer;
  buffer << in.rdbuf();
  return std::string(absl::StripAsciiWhitespace(buffer.str()));
}

// One row of the table: a flag, its environment variable and what it fills.
struct FlagBinding {
  // The Abseil flag; ParseFrom sets it.
  absl::CommandLineFlag* flag = nullptr;
  // Command-line name ("batch-chunk-size").
  std::string name;
  // Environment variable, "" = none.
  std::string env;
  // Value placeholder in the usage.
  std::string value_name;
  // Validation error text and usage hint (from the Rule).
  std::string expected;
  std::string hint;
  // Checks the flag's current value and puts it into the options; the error
  // message says what was expected.
  std::function<absl::Status(ServerOptions&)> apply;
};

// `set(options, value)` returns void, or absl::Status when it can fail.
template <typename T, typename Set>
FlagBinding Bind(const absl::Flag<T>& flag, std::string env,
                 std::string value_name, Rule<T> rule, Set set) {
  FlagBinding binding;
  const absl::string_view flag_name =
      absl::GetFlagReflectionHandle(flag).Name();
  binding.flag = absl::FindCommandLineFlag(flag_name);
  binding.name = absl::StrReplaceAll(flag_name, {{"_", "-"}});
  binding.env = std::move(env);
  binding.value_name = std::move(value_name);
  binding.expected = rule.expected;
  binding.hint = rule.hint;
  binding.apply = [&flag, valid = std::move(rule.valid),
                   expected = rule.expected,
                   set = std::move(set)](ServerOptions& options) {
    const T value = absl::GetFlag(flag);
    if (valid != nullptr && !valid(value)) {
      return absl::InvalidArgumentError(expected);
    }
    if constexpr (std::is_void_v<
                      std::invoke_result_t<Set, ServerOptions&, const T&>>) {
      set(options, value);
      return absl::OkStatus();
    } else {
      return set(options, value);
    }
  };
  return binding;
}

struct FlagSection {
  std::string title;
  std::vector<FlagBinding> flags;
};

constexpr char kNoEnv[] = "";

// The table. Order matters where one flag builds on another: --provider
// comes before --base-url and --api-key-header (which override it).
std::vector<FlagSection> MakeFlagTable() {
  using O = ServerOptions;
  using D = absl::Duration;
  std::vector<FlagSection> table;
  table.push_back(
      {"Service and upstream API",
       {
           Bind(FLAGS_listen, "TRACKTRY_LISTEN", "ADDR", AnyText(),
                [](O& o, const std::string& v) { o.listen_address = v; }),
           Bind(FLAGS_provider, "TRACKTRY_PROVIDER", "NAME", AnyText(),
                [](O& o, const std::string& v) {
                  return ApplyProviderPreset(v, &o.upstream);
                }),
           Bind(FLAGS_base_url, "TRACKTRY_BASE_URL", "URL", AnyText(),
                [](O& o, const std::string& v) {
                  if (!v.empty()) o.upstream.base_url = v;
                }),
           Bind(FLAGS_api_key_file, "TRACKTRY_API_KEY_FILE", "PATH", AnyText(),
                [](O& o, const std::string& v) -> absl::Status {
                  if (v.empty()) return absl::OkStatus();
                  absl::StatusOr<std::string> key =
                      ReadSecretFile("API key file", v);
                  if (!key.ok()) return key.status();
                  o.upstream.api_key = *std::move(key);
                  // Re-read when it changes (a mounted Secret).
                  o.api_key_file = v;
                  return absl::OkStatus();
                }),
           Bind(FLAGS_secret_reload_interval, "TRACKTRY_SECRET_RELOAD_INTERVAL",
                "DUR", NonNegativeDuration(),
                [](O& o, const D& v) { o.secret_reload_interval = v; }),
           Bind(FLAGS_api_key_header, "TRACKTRY_API_KEY_HEADER", "NAME",
                AnyText(),
                [](O& o, const std::string& v) {
                  if (!v.empty()) o.upstream.api_key_header = v;
                }),
           Bind(FLAGS_default_deadline, kNoEnv, "DUR", NonNegativeDuration(),
                [](O& o, const D& v) { o.service.default_deadline = v; }),
           Bind(FLAGS_realtime_deadline, kNoEnv, "DUR", NonNegativeDuration(),
                [](O& o, const D& v) { o.service.realtime_deadline = v; }),
           Bind(FLAGS_batch_chunk_size, kNoEnv, "N", IntIn(1, 40),
                [](O& o, const int& v) { o.service.batch_chunk_size = v; }),
           Bind(FLAGS_max_page_size, kNoEnv, "N", IntIn(1, 2000),
                [](O& o, const int& v) {
                  o.service.max_page_size = v;
                  o.service.default_page_size =
                      std::min(o.service.default_page_size, v);
                }),
           Bind(FLAGS_max_upstream_connections, kNoEnv, "N", IntIn(0, 100000),
                [](O& o, const int& v) { o.max_upstream_connections = v; }),
           Bind(FLAGS_max_response_bytes, kNoEnv, "BYTES", IntIn(1024, 1 << 30),
                [](O& o, const int& v) {
                  o.upstream.max_response_bytes = static_cast<size_t>(v);
                }),
           Bind(FLAGS_reflection, "TRACKTRY_REFLECTION", "BOOL", Boolean(),
                [](O& o, const bool& v) { o.enable_reflection = v; }),
       }});
  table.push_back(
      {"Operations: lifecycle, metrics, security, limits",
       {
           Bind(FLAGS_shutdown_grace, "TRACKTRY_SHUTDOWN_GRACE", "DUR",
                NonNegativeDuration(),
                [](O& o, const D& v) { o.shutdown_grace = v; }),
           Bind(FLAGS_shutdown_delay, "TRACKTRY_SHUTDOWN_DELAY", "DUR",
                NonNegativeDuration(),
                [](O& o, const D& v) { o.shutdown_delay = v; }),
           Bind(FLAGS_metrics_listen, "TRACKTRY_METRICS_LISTEN", "ADDR",
                AnyText(),
                [](O& o, const std::string& v) {
                  o.metrics_listen_address = v;
                }),
           Bind(FLAGS_log_flush_interval, "TRACKTRY_LOG_FLUSH_INTERVAL", "DUR",
                NonNegativeDuration(),
                [](O& o, const D& v) { o.log_flush_interval = v; }),
           Bind(FLAGS_tls_cert, "TRACKTRY_TLS_CERT", "PATH", AnyText(),
                [](O& o, const std::string& v) { o.tls_cert_file = v; }),
           Bind(FLAGS_tls_key, "TRACKTRY_TLS_KEY", "PATH", AnyText(),
                [](O& o, const std::string& v) { o.tls_key_file = v; }),
           Bind(FLAGS_tls_client_ca, "TRACKTRY_TLS_CLIENT_CA", "PATH",
                AnyText(),
                [](O& o, const std::string& v) { o.tls_client_ca_file = v; }),
           Bind(FLAGS_auth_tokens_file, "TRACKTRY_AUTH_TOKENS_FILE", "PATH",
                AnyText(),
                [](O& o, const std::string& v) { o.auth_tokens_file = v; }),
           Bind(FLAGS_max_message_bytes, kNoEnv, "BYTES", IntIn(1024, 1 << 30),
                [](O& o, const int& v) { o.max_message_bytes = v; }),
           Bind(FLAGS_max_concurrent_streams, kNoEnv, "N", IntIn(1, 1 << 20),
                [](O& o, const int& v) { o.max_concurrent_streams = v; }),
           Bind(FLAGS_rpc_threads, kNoEnv, "N", IntIn(1, 64),
                [](O& o, const int& v) { o.rpc_threads = v; }),
           Bind(FLAGS_keepalive_time, kNoEnv, "DUR",
                DurationAtLeast(absl::Seconds(10)),
                [](O& o, const D& v) { o.keepalive_time = v; }),
           Bind(FLAGS_keepalive_timeout, kNoEnv, "DUR",
                DurationAtLeast(absl::Seconds(1)),
                [](O& o, const D& v) { o.keepalive_timeout = v; }),
           Bind(FLAGS_max_connection_age, kNoEnv, "DUR", NonNegativeDuration(),
                [](O& o, const D& v) { o.max_connection_age = v; }),
           Bind(FLAGS_max_connection_age_grace, kNoEnv, "DUR",
                NonNegativeDuration(),
                [](O& o, const D& v) { o.max_connection_age_grace = v; }),
       }});
  const auto set_rate = [](RateClass rate_class) {
    return [rate_class](O& o, const double& v) {
      o.rate_shaping.limits[static_cast<size_t>(rate_class)].rate = v;
    };
  };
  table.push_back(
      {"Upstream rate shaping (per account; docs/upstream-discipline.md)",
       {
           Bind(FLAGS_rate_limit, "TRACKTRY_RATE_LIMIT", "on|off",
                OnOffSwitch(),
                [](O& o, const OnOff& v) { o.rate_shaping.enabled = v.on; }),
           Bind(FLAGS_rate_default, "TRACKTRY_RATE_DEFAULT", "RPS",
                RequestsPerSecond(), set_rate(RateClass::kDefault)),
           Bind(FLAGS_rate_list, "TRACKTRY_RATE_LIST", "RPS",
                RequestsPerSecond(), set_rate(RateClass::kList)),
           Bind(FLAGS_rate_realtime, "TRACKTRY_RATE_REALTIME", "RPS",
                RequestsPerSecond(), set_rate(RateClass::kRealtime)),
           Bind(FLAGS_rate_burst, "TRACKTRY_RATE_BURST", "N", IntIn(1, 1000),
                [](O& o, const int& v) {
                  for (TokenBucketLimit& limit : o.rate_shaping.limits) {
                    limit.burst = v;
                  }
                }),
           Bind(FLAGS_rate_safety, "TRACKTRY_RATE_SAFETY", "F",
                Fraction(/*zero_ok=*/false),
                [](O& o, const double& v) { o.rate_shaping.safety = v; }),
           Bind(FLAGS_rate_share, "TRACKTRY_RATE_SHARE", "F",
                Fraction(/*zero_ok=*/false),
                [](O& o, const double& v) { o.rate_shaping.share = v; }),
           Bind(FLAGS_rate_jitter_compensation,
                "TRACKTRY_RATE_JITTER_COMPENSATION", "F",
                Fraction(/*zero_ok=*/true),
                [](O& o, const double& v) {
                  o.rate_shaping.jitter_compensation = v;
                }),
           Bind(FLAGS_rate_limit_pause, "TRACKTRY_RATE_LIMIT_PAUSE", "DUR",
                NonNegativeDuration(),
                [](O& o, const D& v) { o.rate_shaping.default_pause = v; }),
           Bind(FLAGS_rate_min_call_time, "TRACKTRY_RATE_MIN_CALL_TIME", "DUR",
                NonNegativeDuration(),
                [](O& o, const D& v) { o.rate_shaping.min_call_time = v; }),
           Bind(FLAGS_rate_account, "TRACKTRY_RATE_ACCOUNT", "ID", AnyText(),
                [](O& o, const std::string& v) {
                  o.rate_shaping.account_id = v;
                }),
           Bind(FLAGS_read_batching, "TRACKTRY_READ_BATCHING", "on|off",
                OnOffSwitch(),
                [](O& o, const OnOff& v) { o.read_batching.enabled = v.on; }),
           Bind(FLAGS_read_batch_max, "TRACKTRY_READ_BATCH_MAX", "N",
                IntIn(1, kMaxNumbersPerListCall),
                [](O& o, const int& v) { o.read_batching.max_numbers = v; }),
       }});
  table.push_back(
      {"Fleet mode: rate buckets, cache, request_ids, watchers in Redis",
       {
           Bind(FLAGS_redis_address, "TRACKTRY_REDIS_ADDRESS", "HOST:PORT",
                HostPortOrEmpty(),
                [](O& o, const std::string& v) {
                  o.rate_shaping.redis_address = v;
                }),
           Bind(FLAGS_redis_user, "TRACKTRY_REDIS_USER", "USER", AnyText(),
                [](O& o, const std::string& v) {
                  o.rate_shaping.redis_user = v;
                }),
           Bind(FLAGS_redis_password_file, "TRACKTRY_REDIS_PASSWORD_FILE",
                "PATH", AnyText(),
                [](O& o, const std::string& v) -> absl::Status {
                  if (v.empty()) return absl::OkStatus();
                  absl::StatusOr<std::string> password =
                      ReadSecretFile("Redis password file", v);
                  if (!password.ok()) return password.status();
                  o.rate_shaping.redis_password = *std::move(password);
                  return absl::OkStatus();
                }),
           Bind(FLAGS_redis_namespace, "TRACKTRY_REDIS_NAMESPACE", "PREFIX",
                KeyPrefix(),
                [](O& o, const std::string& v) {
                  o.rate_shaping.redis_namespace = v;
                }),
           Bind(FLAGS_fleet, "TRACKTRY_FLEET", "on|off", OnOffSwitch(),
                [](O& o, const OnOff& v) { o.fleet.enabled = v.on; }),
           Bind(FLAGS_fleet_timeout, "TRACKTRY_FLEET_TIMEOUT", "DUR",
                DurationAtLeast(absl::Milliseconds(1)),
                [](O& o, const D& v) { o.fleet.timeout = v; }),
           Bind(FLAGS_fleet_lease, "TRACKTRY_FLEET_LEASE", "DUR",
                DurationAtLeast(absl::Milliseconds(100)),
                [](O& o, const D& v) { o.fleet.lease_time = v; }),
       }});
  table.push_back(
      {"Upstream resilience (docs/upstream-discipline.md)",
       {
           Bind(FLAGS_retry_max_attempts, "TRACKTRY_RETRY_MAX_ATTEMPTS", "N",
                IntIn(1, 10),
                [](O& o, const int& v) { o.retry.max_attempts = v; }),
           Bind(FLAGS_retry_initial_backoff, kNoEnv, "DUR",
                NonNegativeDuration(),
                [](O& o, const D& v) { o.retry.initial_backoff = v; }),
           Bind(FLAGS_retry_max_backoff, kNoEnv, "DUR", NonNegativeDuration(),
                [](O& o, const D& v) { o.retry.max_backoff = v; }),
           Bind(FLAGS_retry_attempt_timeout, "TRACKTRY_RETRY_ATTEMPT_TIMEOUT",
                "DUR", PositiveDuration(),
                [](O& o, const D& v) { o.retry.attempt_timeout = v; }),
           Bind(FLAGS_circuit_failures, "TRACKTRY_CIRCUIT_FAILURES", "N",
                IntIn(0, 1000000),
                [](O& o, const int& v) { o.circuit.failure_threshold = v; }),
           Bind(FLAGS_circuit_cooldown, "TRACKTRY_CIRCUIT_COOLDOWN", "DUR",
                PositiveDuration(),
                [](O& o, const D& v) { o.circuit.cooldown = v; }),
           Bind(FLAGS_cache_ttl, "TRACKTRY_CACHE_TTL", "DUR",
                NonNegativeDuration(),
                [](O& o, const D& v) { o.cache.tracking_ttl = v; }),
           Bind(FLAGS_carriers_cache_ttl, "TRACKTRY_CARRIERS_CACHE_TTL", "DUR",
                NonNegativeDuration(),
                [](O& o, const D& v) { o.cache.carriers_ttl = v; }),
           Bind(FLAGS_cache_max_entries, "TRACKTRY_CACHE_MAX_ENTRIES", "N",
                IntIn(0, 100000000),
                [](O& o, const int& v) {
                  o.cache.max_entries = static_cast<size_t>(v);
                }),
           Bind(FLAGS_cache_max_bytes, "TRACKTRY_CACHE_MAX_BYTES", "BYTES",
                IntIn(-1, 2147483647),
                [](O& o, const int& v) {
                  if (v >= 0) o.cache.max_bytes = static_cast<size_t>(v);
                }),
           Bind(FLAGS_coalesce, "TRACKTRY_COALESCE", "BOOL", Boolean(),
                [](O& o, const bool& v) { o.cache.coalesce = v; }),
           Bind(FLAGS_idempotency_ttl, "TRACKTRY_IDEMPOTENCY_TTL", "DUR",
                NonNegativeDuration(),
                [](O& o, const D& v) { o.idempotency.ttl = v; }),
           Bind(FLAGS_idempotency_max_keys, kNoEnv, "N", IntIn(1, 100000000),
                [](O& o, const int& v) {
                  o.idempotency.max_keys = static_cast<size_t>(v);
                }),
       }});
  table.push_back(
      {"Live updates (docs/api.md)",
       {
           Bind(FLAGS_watch_interval, "TRACKTRY_WATCH_INTERVAL", "DUR",
                PositiveDuration(),
                [](O& o, const D& v) { o.watch.interval = v; }),
           Bind(FLAGS_webhook_listen, "TRACKTRY_WEBHOOK_LISTEN", "ADDR",
                AnyText(),
                [](O& o, const std::string& v) {
                  o.webhook_listen_address = v;
                }),
           Bind(FLAGS_webhook_email, "TRACKTRY_WEBHOOK_EMAIL", "EMAIL",
                AnyText(),
                [](O& o, const std::string& v) { o.webhook_email = v; }),
           Bind(FLAGS_webhook_max_skew, "TRACKTRY_WEBHOOK_MAX_SKEW", "DUR",
                PositiveDuration(),
                [](O& o, const D& v) { o.webhook_max_skew = v; }),
           Bind(FLAGS_webhook_trust_push_body,
                "TRACKTRY_WEBHOOK_TRUST_PUSH_BODY", "BOOL", Boolean(),
                [](O& o, const bool& v) { o.webhook_trust_push_body = v; }),
           Bind(FLAGS_webhook_dedupe_ttl, "TRACKTRY_WEBHOOK_DEDUPE_TTL", "DUR",
                PositiveDuration(),
                [](O& o, const D& v) { o.webhook_dedupe_ttl = v; }),
       }});
  return table;
}

const std::vector<FlagSection>& FlagTable() {
  static const std::vector<FlagSection>* const table =
      new std::vector<FlagSection>(MakeFlagTable());
  return *table;
}

// Table rows by command-line name.
const FlagBinding* FindBinding(absl::string_view name) {
  static const auto* const by_name = [] {
    auto* map = new absl::flat_hash_map<std::string, const FlagBinding*>();
    for (const FlagSection& section : FlagTable()) {
      for (const FlagBinding& binding : section.flags) {
        map->emplace(binding.name, &binding);
      }
    }
    return map;
  }();
  auto it = by_name->find(name);
  return it == by_name->end() ? nullptr : it->second;
}

// A flag's value and where it came from ("" = the command line, else the
// environment variable).
struct FlagValue {
  std::string text;
  std::string env;
};

absl::Status BadFlag(const FlagBinding& binding, absl::string_view from_env,
                     absl::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat(
      "flag --", binding.name,
      from_env.empty() ? "" : absl::StrCat(" (from ", from_env, ")"), ": ",
      why));
}

bool IsHelp(absl::string_view arg) {
  return arg == "--help" || arg == "-h" || absl::StartsWith(arg, "--help=");
}

// Serializes ParseServerOptions: the flag values are process-wide. A
// std::mutex (pthread) rather than absl::Mutex: Debian's Abseil is not built
// with TSan, so an absl::Mutex would order nothing for ThreadSanitizer and
// every concurrent parse would show up as a race on the flags.
std::mutex& ParseMutex() {
  static std::mutex mu;
  return mu;
}

// Saves the table's flag values and puts them back on destruction, like
// absl::FlagSaver but without its stderr line per restored flag ("Restore
// saved value of ..."): ParseServerOptions sets every flag on each call.
// Values round-trip exactly through the flags' own unparse/parse.
class TableFlagSaver {
 public:
  TableFlagSaver() {
    for (const FlagSection& section : FlagTable()) {
      for (const FlagBinding& binding : section.flags) {
        saved_.emplace_back(binding.flag, binding.flag->CurrentValue());
      }
    }
  }
  ~TableFlagSaver() {
    for (auto& [flag, value] : saved_) {
      std::string error;
      flag->ParseFrom(value, &error);
    }
  }
  TableFlagSaver(const TableFlagSaver&) = delete;
  TableFlagSaver& operator=(const TableFlagSaver&) = delete;

 private:
  std::vector<std::pair<absl::CommandLineFlag*, std::string>> saved_;
};

// Usage layout: descriptions start at this column, lines end before kWidth.
constexpr size_t kColumn = 34;
constexpr size_t kWidth = 80;

// `text` split where a line may break: at spaces, except around " = "
// ("0 = off") and inside a range ("(0, 1]").
std::vector<std::string> UsageWords(absl::string_view text) {
  std::vector<std::string> units;
  bool glue_next = false;
  for (absl::string_view word :
       absl::StrSplit(text, ' ', absl::SkipWhitespace())) {
    if (!units.empty() && (glue_next || word == "=")) {
      absl::StrAppend(&units.back(), " ", word);
    } else {
      units.emplace_back(word);
    }
    glue_next = word == "=" || ((word.front() == '(' || word.front() == '[') &&
                                word.back() == ',');
  }
  return units;
}

// Appends `left` padded to kColumn (or alone on its line when longer) and
// `text` word-wrapped at kWidth, continuation lines indented to kColumn.
void AppendUsageEntry(std::string* out, absl::string_view left,
                      absl::string_view text) {
  std::string line(left);
  if (line.size() + 2 > kColumn) {
    absl::StrAppend(out, line, "\n");
    line.clear();
  }
  line.resize(kColumn, ' ');
  bool line_has_words = false;
  for (const std::string& word : UsageWords(text)) {
    if (line_has_words && line.size() + 1 + word.size() > kWidth) {
      absl::StrAppend(out, line, "\n");
      line.assign(kColumn, ' ');
      line_has_words = false;
    }
    absl::StrAppend(&line, line_has_words ? " " : "", word);
    line_has_words = true;
  }
  absl::StrAppend(out, line, "\n");
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
  return absl::InvalidArgumentError(
      absl::StrCat("unknown provider (known: ", known, ")"));
}

std::vector<ServerFlagInfo> ServerFlags() {
  std::vector<ServerFlagInfo> flags;
  for (const FlagSection& section : FlagTable()) {
    for (const FlagBinding& binding : section.flags) {
      ServerFlagInfo info;
      info.name = binding.name;
      info.env = binding.env;
      info.section = section.title;
      info.value_name = binding.value_name;
      info.help = binding.flag->Help();
      if (!binding.hint.empty())
        absl::StrAppend(&info.help, ", ", binding.hint);
      info.default_value = binding.flag->DefaultValue();
      flags.push_back(std::move(info));
    }
  }
  return flags;
}

std::string ServerUsage() {
  std::string usage = R"(usage: tracktry-server [flags]

Serves tracktry.v1.TrackingService over gRPC in front of the Tracktry REST API.

Flags take the forms --name=value and --name value. A flag's environment
variable is in brackets: it applies when the flag is not given and the
variable is not empty (flags win). Defaults are in parentheses.
)";
  std::string section;
  for (const ServerFlagInfo& flag : ServerFlags()) {
    if (flag.section != section) {
      section = flag.section;
      absl::StrAppend(&usage, "\n", section, ":\n");
    }
    std::string text = flag.help;
    if (!flag.env.empty()) absl::StrAppend(&text, " [", flag.env, "]");
    if (!flag.default_value.empty()) {
      absl::StrAppend(&text, " (", flag.default_value, ")");
    }
    AppendUsageEntry(
        &usage, absl::StrCat("  --", flag.name, "=", flag.value_name), text);
  }
  absl::StrAppend(&usage, "\nOther:\n");
  AppendUsageEntry(&usage, "  --help, -h", "this text");
  return usage;
}

absl::StatusOr<ServerOptions> ParseServerOptions(
    const std::vector<std::string>& args, const EnvLookup& env) {
  // --help wins over every other flag, even malformed ones.
  if (std::any_of(args.begin(), args.end(), IsHelp)) {
    return absl::CancelledError("help requested");
  }
  // The value of each flag given: the environment first, then the command
  // line (a later occurrence wins).
  std::map<const FlagBinding*, FlagValue> values;
  for (const FlagSection& section : FlagTable()) {
    for (const FlagBinding& binding : section.flags) {
      if (binding.env.empty()) continue;
      if (std::optional<std::string> value = env(binding.env);
          value.has_value() && !value->empty()) {
        values[&binding] = {*std::move(value), binding.env};
      }
    }
  }
  for (size_t i = 0; i < args.size(); ++i) {
    absl::string_view arg = args[i];
    if (!absl::ConsumePrefix(&arg, "--")) {
      return absl::InvalidArgumentError(
          absl::StrCat("unexpected argument: ", args[i]));
    }
    const size_t eq = arg.find('=');
    const absl::string_view name = arg.substr(0, eq);
    const FlagBinding* binding = FindBinding(name);
    if (binding == nullptr) {
      // Only the name: the value could be a secret (--api-key=...).
      return absl::InvalidArgumentError(absl::StrCat("unknown flag --", name));
    }
    if (eq != absl::string_view::npos) {
      values[binding] = {std::string(arg.substr(eq + 1)), ""};
    } else if (i + 1 < args.size()) {
      values[binding] = {args[++i], ""};
    } else {
      return BadFlag(*binding, "", "missing value");
    }
  }

  // Set the Abseil flags (typed parsing), read them into the options, and
  // restore them: the flag values are process state, this is a function.
  const std::lock_guard<std::mutex> lock(ParseMutex());
  const TableFlagSaver saver;
  for (const FlagSection& section : FlagTable()) {
    for (const FlagBinding& binding : section.flags) {
      std::string error;
      // From the default, whatever was set before this call (the saver
      // puts that back).
      if (!binding.flag->ParseFrom(binding.flag->DefaultValue(), &error)) {
        return absl::InternalError(
            absl::StrCat("flag --", binding.name, ": bad default: ", error));
      }
      auto value = values.find(&binding);
      if (value != values.end() &&
          !binding.flag->ParseFrom(value->second.text, &error)) {
        return BadFlag(binding, value->second.env, binding.expected);
      }
    }
  }
  ServerOptions options;
  for (const FlagSection& section : FlagTable()) {
    for (const FlagBinding& binding : section.flags) {
      if (absl::Status status = binding.apply(options); !status.ok()) {
        auto value = values.find(&binding);
        return BadFlag(binding, value == values.end() ? "" : value->second.env,
                       status.message());
      }
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
