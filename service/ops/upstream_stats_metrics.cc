// Copyright 2026 The tracktry-grpc Authors.
#include "service/ops/upstream_stats_metrics.h"

#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

namespace tracktry {
namespace {

using prometheus::MetricType;

void Add(MetricsRegistry* metrics, const char* name, const char* help,
         MetricType type, std::map<std::string, std::string> labels,
         std::function<double()> read) {
  metrics->AddCallbackMetric(
      {name, help, type, std::move(labels), std::move(read)});
}

// Upper bounds of the batch size histogram's buckets (+Inf added).
constexpr double kBatchSizeBounds[] = {2, 5, 10, 20, 30, 40};

void RegisterReadBatchingMetrics(MetricsRegistry* metrics,
                                 const RateShaper* rate_shaper) {
  Add(metrics, "tracktry_read_batches_total",
      "Upstream list calls that answered several GetTracking reads at once "
      "(read batching).",
      MetricType::Counter, {}, [rate_shaper] {
        return static_cast<double>(rate_shaper->Stats().batching.batches);
      });
  Add(metrics, "tracktry_read_batched_reads_total",
      "GetTracking reads answered by a batched list call.", MetricType::Counter,
      {}, [rate_shaper] {
        return static_cast<double>(rate_shaper->Stats().batching.batched_reads);
      });
  Add(metrics, "tracktry_read_batch_no_list_token_total",
      "Reads that could have been batched but went out alone: no list-class "
      "token at that moment.",
      MetricType::Counter, {}, [rate_shaper] {
        return static_cast<double>(
            rate_shaper->Stats().batching.no_extra_token);
      });
  Add(metrics, "tracktry_read_batch_detached_total",
      "Batched reads that left before the answer (deadline or "
      "cancellation).",
      MetricType::Counter, {}, [rate_shaper] {
        return static_cast<double>(rate_shaper->Stats().batching.detached);
      });
  MetricsRegistry::CallbackHistogram size;
  size.name = "tracktry_read_batch_size";
  size.help = "Reads per batched list call.";
  size.read = [rate_shaper] {
    const std::vector<int64_t> sizes =
        rate_shaper->Stats().batching.batch_sizes;
    prometheus::ClientMetric::Histogram histogram;
    for (const double bound : kBatchSizeBounds) {
      histogram.bucket.push_back({0, bound});
    }
    histogram.bucket.push_back({0, std::numeric_limits<double>::infinity()});
    for (size_t n = 0; n < sizes.size(); ++n) {
      const uint64_t count = static_cast<uint64_t>(sizes[n]);
      histogram.sample_count += count;
      histogram.sample_sum += static_cast<double>(n) * count;
      for (prometheus::ClientMetric::Bucket& bucket : histogram.bucket) {
        if (static_cast<double>(n) <= bucket.upper_bound) {
          bucket.cumulative_count += count;
        }
      }
    }
    return histogram;
  };
  metrics->AddCallbackHistogram(std::move(size));
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
    if (rate_shaper->options().read_combiner != nullptr) {
      RegisterReadBatchingMetrics(metrics, rate_shaper);
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
        {"tracktry_cache_expired_total", &CacheStats::expired},
    };
    for (const auto& [name, field] : counters) {
      Add(metrics, name, "Response cache counter (docs/operating.md, Metrics).",
          MetricType::Counter, {}, [caching, field = field] {
            return static_cast<double>(caching->stats().*field);
          });
    }
    Add(metrics, "tracktry_cache_entries", "Responses in the cache.",
        MetricType::Gauge, {},
        [caching] { return static_cast<double>(caching->stats().entries); });
    Add(metrics, "tracktry_cache_bytes",
        "Memory held by the cache (estimated heap bytes).", MetricType::Gauge,
        {}, [caching] { return static_cast<double>(caching->stats().bytes); });
    Add(metrics, "tracktry_cache_max_bytes",
        "The cache's byte cap (--cache-max-bytes, or a share of the memory "
        "limit).",
        MetricType::Gauge, {},
        [caching] { return static_cast<double>(caching->stats().max_bytes); });
  }
  if (idempotency != nullptr) {
    Add(metrics, "tracktry_idempotent_replays_total",
        "Creates answered from the idempotency store (same request_id).",
        MetricType::Counter, {},
        [idempotency] { return static_cast<double>(idempotency->replays()); });
  }
}

}  // namespace tracktry
