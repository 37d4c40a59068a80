// Copyright 2026 The tracktry-grpc Authors.
//
// Fleet: the shared tier of fleet mode, on one Redis. It owns one event-loop
// thread, two asynchronous connections (commands; pub/sub subscriber), the
// bus on channel "<prefix>:bus", and the components the upstream chain and
// the live updates plug in through their own interfaces:
//   cache()        SharedReadTier       -> CachingCaller (L2 + single flight)
//   idempotency()  SharedRequestRecords -> IdempotencyStore (request_id)
//   leases()       WatchFleetLink       -> WatchHub (one poller per tracking)
//   bus()          anything else (webhook pushes: kind 'p')
// Every key starts with `key_prefix` ("<namespace>:<account id>"); the
// credentials and namespace are the ones the rate buckets use. When Redis is
// unreachable or slow every operation fails fast or within `timeout` and
// the callers carry on with local state; the connections come back by
// themselves (see RedisConnection).
#ifndef TRACKTRY_SERVICE_FLEET_FLEET_H_
#define TRACKTRY_SERVICE_FLEET_FLEET_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "absl/time/time.h"
#include "service/fleet/event_loop.h"
#include "service/fleet/fleet_bus.h"
#include "service/fleet/fleet_leases.h"
#include "service/fleet/fleet_wait_list.h"
#include "service/fleet/redis_connection.h"
#include "service/fleet/shared_cache.h"
#include "service/fleet/shared_idempotency.h"

namespace tracktry::fleet {

struct FleetOptions {
  // Redis "host:port" and credentials (AUTH [user] password; never logged).
  std::string address;
  std::string user;
  std::string password;
  // "<namespace>:<account id>" (never the API key itself).
  std::string key_prefix;
  // Longest wait for one Redis operation.
  absl::Duration timeout = absl::Milliseconds(100);
  // Fleet leases (single flight, request_id runs): a holder renews its lease
  // while it works; one that dies delays the others by at most this.
  absl::Duration lease_time = absl::Seconds(3);
  absl::Duration reconnect_min = absl::Milliseconds(100);
  absl::Duration reconnect_max = absl::Seconds(2);
  // Hears a connection ("commands" or "subscriber") come up or go down, on
  // the loop thread (for a log line).
  std::function<void(const std::string& connection, bool up)> on_state;
};

struct FleetStats {
  RedisConnectionStats commands;
  RedisConnectionStats subscriber;
  SharedCacheStats cache;
  SharedIdempotencyStats idempotency;
  FleetLeasesStats leases;
  int64_t bus_messages = 0;
};

// Thread-safe.
class Fleet {
 public:
  // Does not connect yet: register extra bus handlers first, then Start().
  explicit Fleet(FleetOptions options);
  Fleet(const Fleet&) = delete;
  Fleet& operator=(const Fleet&) = delete;
  // Stop(), then the loop thread ends.
  ~Fleet();

  void Start();
  // Not from the loop thread. Closes both connections for good: operations
  // waiting fail (UNAVAILABLE / kLost) and later ones fail at once; no
  // message is delivered after it returns. Idempotent.
  void Stop();

  SharedCache* cache() { return cache_.get(); }
  SharedIdempotency* idempotency() { return idempotency_.get(); }
  FleetLeases* leases() { return leases_.get(); }
  FleetBus* bus() { return bus_.get(); }
  EventLoop* loop() { return loop_.get(); }

  // Both connections ready.
  bool healthy() const;
  FleetStats stats() const;
  const FleetOptions& options() const { return options_; }

 private:
  const FleetOptions options_;
  std::unique_ptr<EventLoop> loop_;
  std::unique_ptr<RedisConnection> commands_;
  std::unique_ptr<RedisConnection> subscriber_;
  std::unique_ptr<FleetBus> bus_;
  std::unique_ptr<FleetWaitList> waits_;
  std::unique_ptr<SharedCache> cache_;
  std::unique_ptr<SharedIdempotency> idempotency_;
  std::unique_ptr<FleetLeases> leases_;
  std::atomic<bool> stopped_{false};
};

}  // namespace tracktry::fleet

#endif  // TRACKTRY_SERVICE_FLEET_FLEET_H_
