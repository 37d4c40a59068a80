// Copyright 2026 The tracktry-grpc Authors.
#include "service/ops/upstream_stats_metrics.h"

#include <string>

namespace tracktry {
namespace {

using prometheus::MetricType;

void Add(MetricsRegistry* metrics, const char* name, const char* help,
         MetricType type, std::map<std::string, std::string> labels,
         std::function<double()> read) {
  metrics->AddCallbackMetric(
      {name, help, type, std::move(labels), std::move(read)});
}

}  // namespace

void RegisterUpstreamStatsMetrics(MetricsRegistry* metrics,
                                  const RateShaper* rate_shaper,
                                  const CircuitBreaker* circuit_breaker,
                                  const RetryingCaller* retrying,
                                  const CachingCaller* caching,
                                  const IdempotencyStore* idempotency) {
  if (rate_shaper != nullptr) {
    for (int i = 0; i < kRateClassCount; ++i) {
      const std::map<std::string, std::string> labels = {
          {"class", RateClassName(static_cast<RateClass>(i))}};
      Add(metrics, "tracktry_rate_limit_forwarded_total",
          "Upstream calls that passed the rate shaper.", MetricType::Counter,
          labels, [rate_shaper, i] {
            return static_cast<double>(
                rate_shaper->Stats().classes[i].forwarded);
          });
      Add(metrics, "tracktry_rate_limit_rejected_total",
          "Calls failed in the rate shaper's queue (could not be sent in "
          "time).",
          MetricType::Counter, labels, [rate_shaper, i] {
            return static_cast<double>(
                rate_shaper->Stats().classes[i].rejected);
          });
      Add(metrics, "tracktry_rate_limit_wait_seconds_total",
          "Time forwarded calls waited for a rate-limit token.",
          MetricType::Counter, labels, [rate_shaper, i] {
            return absl::ToDoubleSeconds(
                rate_shaper->Stats().classes[i].total_wait);
          });
      Add(metrics, "tracktry_rate_limit_queued",
          "Calls waiting for a rate-limit token.", MetricType::Gauge, labels,
          [rate_shaper, i] {
            return static_cast<double>(rate_shaper->Stats().classes[i].queued);
          });
    }
    Add(metrics, "tracktry_rate_limit_upstream_429_total",
        "Upstream answers that said the rate limit was hit.",
        MetricType::Counter, {}, [rate_shaper] {
          return static_cast<double>(
              rate_shaper->Stats().upstream_rate_limited);
        });
    Add(metrics, "tracktry_rate_limit_pauses_total",
        "Pauses of all upstream calls after a rate limit.", MetricType::Counter,
        {}, [rate_shaper] {
          return static_cast<double>(rate_shaper->Stats().pauses);
        });
    // Fleet mode: the buckets shared through Redis, and the fallback to
    // local buckets (rate x share) while Redis is unreachable.
    Add(metrics, "tracktry_rate_limit_shared",
        "1 while the rate-limit buckets are shared with the other replicas "
        "through Redis; 0 = local buckets (no Redis, or Redis unreachable).",
        MetricType::Gauge, {}, [rate_shaper] {
          return rate_shaper->Stats().store.shared ? 1.0 : 0.0;
        });
    const std::pair<const char*, int64_t TokenBucketStoreStats::*> store[] = {
        {"tracktry_rate_limit_redis_errors_total",
         &TokenBucketStoreStats::redis_errors},
        {"tracktry_rate_limit_fallbacks_total",
         &TokenBucketStoreStats::fallbacks},
        {"tracktry_rate_limit_redis_connects_total",
         &TokenBucketStoreStats::connects},
    };
    for (const auto& [name, field] : store) {
      Add(metrics, name,
          "Rate-limit bucket store in Redis: failed operations, switches to "
          "the local fallback buckets, (re)connections.",
          MetricType::Counter, {}, [rate_shaper, field = field] {
            return static_cast<double>(rate_shaper->Stats().store.*field);
          });
    }
  }
  if (circuit_breaker != nullptr) {
    Add(metrics, "tracktry_circuit_open",
        "1 while the upstream circuit breaker is open.", MetricType::Gauge, {},
        [circuit_breaker] { return circuit_breaker->is_open() ? 1.0 : 0.0; });
    Add(metrics, "tracktry_circuit_opened_total",
        "Times the upstream circuit breaker opened.", MetricType::Counter, {},
        [circuit_breaker] {
          return static_cast<double>(circuit_breaker->times_opened());
        });
    Add(metrics, "tracktry_circuit_rejected_total",
        "Calls failed fast by the open circuit.", MetricType::Counter, {},
        [circuit_breaker] {
          return static_cast<double>(circuit_breaker->rejected());
        });
  }
  if (retrying != nullptr) {
    Add(metrics, "tracktry_upstream_attempts_total",
        "Upstream call attempts made by the retry layer.", MetricType::Counter,
        {}, [retrying] { return static_cast<double>(retrying->attempts()); });
    Add(metrics, "tracktry_upstream_retries_total", "Upstream call retries.",
        MetricType::Counter, {},
        [retrying] { return static_cast<double>(retrying->retries()); });
  }
  if (caching != nullptr) {
    const std::pair<const char*, int64_t CacheStats::*> counters[] = {
        {"tracktry_cache_hits_total", &CacheStats::hits},
        {"tracktry_cache_misses_total", &CacheStats::misses},
        {"tracktry_cache_coalesced_total", &CacheStats::coalesced},
        {"tracktry_cache_invalidations_total", &CacheStats::invalidations},
        {"tracktry_cache_evictions_total", &CacheStats::evictions},
    };
    for (const auto& [name, field] : counters) {
      Add(metrics, name, "Response cache counter (see README Metrics).",
          MetricType::Counter, {}, [caching, field = field] {
            return static_cast<double>(caching->stats().*field);
          });
    }
    Add(metrics, "tracktry_cache_entries", "Responses in the cache.",
        MetricType::Gauge, {},
        [caching] { return static_cast<double>(caching->stats().entries); });
    Add(metrics, "tracktry_cache_bytes", "Bytes held by the cache.",
        MetricType::Gauge, {},
        [caching] { return static_cast<double>(caching->stats().bytes); });
  }
  if (idempotency != nullptr) {
    Add(metrics, "tracktry_idempotent_replays_total",
        "Creates answered from the idempotency store (same request_id).",
        MetricType::Counter, {},
        [idempotency] { return static_cast<double>(idempotency->replays()); });
  }
}

}  // namespace tracktry
