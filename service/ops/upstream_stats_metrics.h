// Copyright 2026 The tracktry-grpc Authors.
//
// RegisterUpstreamStatsMetrics: exports the upstream discipline layers'
// counters (read through their stats getters at every scrape) as
// Prometheus series:
//   tracktry_rate_limit_forwarded_total{class}        counter
//   tracktry_rate_limit_rejected_total{class}         counter
//   tracktry_rate_limit_wait_seconds_total{class}     counter (time queued)
//   tracktry_rate_limit_queued{class}                 gauge
//   tracktry_rate_limit_upstream_429_total            counter
//   tracktry_rate_limit_pauses_total                  counter
//   tracktry_rate_limit_shared                        gauge (1 = buckets
//                                                     shared in Redis)
//   tracktry_rate_limit_redis_errors_total / _fallbacks_total /
//   _redis_connects_total                             counters
//   tracktry_read_batches_total                       counter (with read
//   tracktry_read_batched_reads_total                 counter  batching on)
//   tracktry_read_batch_size                          histogram
//   tracktry_read_batch_no_list_token_total           counter
//   tracktry_read_batch_detached_total                counter
//   tracktry_circuit_open                             gauge (1 = open)
//   tracktry_circuit_opened_total                     counter
//   tracktry_circuit_rejected_total                   counter
//   tracktry_upstream_attempts_total                  counter
//   tracktry_upstream_retries_total                   counter
//   tracktry_cache_hits_total / _misses_total / _coalesced_total /
//   _invalidations_total / _evictions_total           counters
//   tracktry_cache_entries / tracktry_cache_bytes     gauges
//   tracktry_idempotent_replays_total                 counter
#ifndef TRACKTRY_SERVICE_OPS_UPSTREAM_STATS_METRICS_H_
#define TRACKTRY_SERVICE_OPS_UPSTREAM_STATS_METRICS_H_

#include "service/ops/metrics_registry.h"
#include "service/upstream/caching_caller.h"
#include "service/upstream/circuit_breaker.h"
#include "service/upstream/idempotency_store.h"
#include "service/upstream/rate_shaper.h"
#include "service/upstream/retrying_caller.h"

namespace tracktry {

// Any pointer may be null (its series are left out). None is owned; all
// must outlive every scrape of `metrics` (stop the metrics HTTP server
// first).
void RegisterUpstreamStatsMetrics(MetricsRegistry* metrics,
                                  const RateShaper* rate_shaper,
                                  const CircuitBreaker* circuit_breaker,
                                  const RetryingCaller* retrying,
                                  const CachingCaller* caching,
                                  const IdempotencyStore* idempotency);

}  // namespace tracktry

#endif  // TRACKTRY_SERVICE_OPS_UPSTREAM_STATS_METRICS_H_
