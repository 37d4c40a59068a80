// Copyright 2026 The tracktry-grpc Authors.
//
// RegisterFleetMetrics: the fleet tier's state and counters as Prometheus
// series, read at every scrape:
//   tracktry_fleet_redis_up{connection}               gauge (1 = ready)
//   tracktry_fleet_redis_connects_total{connection}   counter
//   tracktry_fleet_redis_connect_failures_total{connection} counter
//   tracktry_fleet_redis_disconnects_total{connection} counter
//   tracktry_fleet_redis_timeouts_total               counter
//   tracktry_fleet_redis_unavailable_total            counter (failed fast)
//   tracktry_fleet_cache_lookups_total{outcome}       counter (hit, lead,
//                                                     follow, miss, error)
//   tracktry_fleet_cache_fills_total                  counter
//   tracktry_fleet_invalidations_total{direction}     counter (sent,
//                                                     received)
//   tracktry_fleet_invalidation_ack_timeouts_total    counter
//   tracktry_fleet_request_ids_total{outcome}         counter (first, done,
//                                                     running, reused, error)
//   tracktry_fleet_watch_polls_total{outcome}         counter (polled,
//                                                     skipped, error)
//   tracktry_fleet_bus_messages_total                 counter
#ifndef TRACKTRY_SERVICE_FLEET_FLEET_METRICS_H_
#define TRACKTRY_SERVICE_FLEET_FLEET_METRICS_H_

#include "service/fleet/fleet.h"
#include "service/ops/metrics_registry.h"

namespace tracktry::fleet {

// `fleet` is not owned and must outlive every scrape.
void RegisterFleetMetrics(MetricsRegistry* metrics, const Fleet* fleet);

}  // namespace tracktry::fleet

#endif  // TRACKTRY_SERVICE_FLEET_FLEET_METRICS_H_
