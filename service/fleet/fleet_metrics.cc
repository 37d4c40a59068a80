// Copyright 2026 The tracktry-grpc Authors.
#include "service/fleet/fleet_metrics.h"

#include <map>
#include <string>
#include <utility>

namespace tracktry::fleet {
namespace {

using prometheus::MetricType;

void Add(MetricsRegistry* metrics, const char* name, const char* help,
         MetricType type, std::map<std::string, std::string> labels,
         std::function<double()> read) {
  metrics->AddCallbackMetric(
      {name, help, type, std::move(labels), std::move(read)});
}

}  // namespace

void RegisterFleetMetrics(MetricsRegistry* metrics, const Fleet* fleet) {
  using ConnectionField = int64_t RedisConnectionStats::*;
  for (const char* connection : {"commands", "subscriber"}) {
    const bool commands = std::string(connection) == "commands";
    auto read = [fleet, commands](ConnectionField field) {
      const FleetStats stats = fleet->stats();
      return static_cast<double>(
          (commands ? stats.commands : stats.subscriber).*field);
    };
    const std::map<std::string, std::string> labels = {
        {"connection", connection}};
    Add(metrics, "tracktry_fleet_redis_up",
        "1 while the fleet tier's Redis connection is ready.",
        MetricType::Gauge, labels, [fleet, commands] {
          const FleetStats stats = fleet->stats();
          return (commands ? stats.commands : stats.subscriber).ready ? 1.0
                                                                      : 0.0;
        });
    Add(metrics, "tracktry_fleet_redis_connects_total",
        "Times the fleet tier's Redis connection became ready.",
        MetricType::Counter, labels,
        [read] { return read(&RedisConnectionStats::connects); });
    Add(metrics, "tracktry_fleet_redis_connect_failures_total",
        "Failed connection attempts to Redis (refused, timed out, AUTH).",
        MetricType::Counter, labels,
        [read] { return read(&RedisConnectionStats::connect_failures); });
    Add(metrics, "tracktry_fleet_redis_disconnects_total",
        "Ready Redis connections lost.", MetricType::Counter, labels,
        [read] { return read(&RedisConnectionStats::disconnects); });
  }
  Add(metrics, "tracktry_fleet_redis_timeouts_total",
      "Redis commands that did not answer within the fleet timeout.",
      MetricType::Counter, {}, [fleet] {
        return static_cast<double>(fleet->stats().commands.timeouts);
      });
  Add(metrics, "tracktry_fleet_redis_unavailable_total",
      "Redis commands refused at once because Redis was not connected "
      "(served from local state).",
      MetricType::Counter, {}, [fleet] {
        return static_cast<double>(fleet->stats().commands.unavailable);
      });
  const std::pair<const char*, int64_t SharedCacheStats::*> lookups[] = {
      {"hit", &SharedCacheStats::hits},
      {"lead", &SharedCacheStats::leads},
      {"follow", &SharedCacheStats::follows},
      {"miss", &SharedCacheStats::misses},
      {"error", &SharedCacheStats::errors},
  };
  for (const auto& [outcome, field] : lookups) {
    Add(metrics, "tracktry_fleet_cache_lookups_total",
        "Shared (L2) cache lookups by outcome.", MetricType::Counter,
        {{"outcome", outcome}}, [fleet, field = field] {
          return static_cast<double>(fleet->stats().cache.*field);
        });
  }
  Add(metrics, "tracktry_fleet_cache_fills_total",
      "Answers stored in the shared (L2) cache.", MetricType::Counter, {},
      [fleet] { return static_cast<double>(fleet->stats().cache.fills); });
  Add(metrics, "tracktry_fleet_invalidations_total",
      "Fleet-wide cache invalidations sent to / received from other replicas.",
      MetricType::Counter, {{"direction", "sent"}}, [fleet] {
        return static_cast<double>(fleet->stats().cache.invalidations_sent);
      });
  Add(metrics, "tracktry_fleet_invalidations_total",
      "Fleet-wide cache invalidations sent to / received from other replicas.",
      MetricType::Counter, {{"direction", "received"}}, [fleet] {
        return static_cast<double>(fleet->stats().cache.invalidations_received);
      });
  Add(metrics, "tracktry_fleet_invalidation_ack_timeouts_total",
      "Invalidations answered before every replica acknowledged them "
      "(a replica alive but slow).",
      MetricType::Counter, {}, [fleet] {
        return static_cast<double>(fleet->stats().cache.ack_timeouts);
      });
  const std::pair<const char*, int64_t SharedIdempotencyStats::*> ids[] = {
      {"first", &SharedIdempotencyStats::first},
      {"done", &SharedIdempotencyStats::done},
      {"running", &SharedIdempotencyStats::running},
      {"reused", &SharedIdempotencyStats::reused},
      {"error", &SharedIdempotencyStats::errors},
  };
  for (const auto& [outcome, field] : ids) {
    Add(metrics, "tracktry_fleet_request_ids_total",
        "Shared request_id record lookups by outcome.", MetricType::Counter,
        {{"outcome", outcome}}, [fleet, field = field] {
          return static_cast<double>(fleet->stats().idempotency.*field);
        });
  }
  const std::pair<const char*, int64_t FleetLeasesStats::*> polls[] = {
      {"polled", &FleetLeasesStats::polls},
      {"skipped", &FleetLeasesStats::skipped},
      {"error", &FleetLeasesStats::errors},
  };
  for (const auto& [outcome, field] : polls) {
    Add(metrics, "tracktry_fleet_watch_polls_total",
        "Watch poll turns by outcome (skipped: another replica holds the "
        "poll lease).",
        MetricType::Counter, {{"outcome", outcome}}, [fleet, field = field] {
          return static_cast<double>(fleet->stats().leases.*field);
        });
  }
  Add(metrics, "tracktry_fleet_bus_messages_total",
      "Messages received on the fleet bus.", MetricType::Counter, {},
      [fleet] { return static_cast<double>(fleet->stats().bus_messages); });
}

}  // namespace tracktry::fleet
