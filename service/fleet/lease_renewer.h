// Copyright 2026 The tracktry-grpc Authors.
//
// LeaseRenewer: keeps Redis leases (keys set with PX and a holder token)
// alive while their holder works: every lease_time / 3 each lease still
// held by its token is extended to lease_time, until Stop(). If this
// replica dies, renewals stop and the lease runs out within lease_time, so
// the others wait at most that long for a dead holder.
#ifndef TRACKTRY_SERVICE_FLEET_LEASE_RENEWER_H_
#define TRACKTRY_SERVICE_FLEET_LEASE_RENEWER_H_

#include <cstdint>
#include <string>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/time/time.h"
#include "service/fleet/event_loop.h"
#include "service/fleet/redis_connection.h"

namespace tracktry::fleet {

// Start and Stop are thread-safe (they post to the loop, in order).
class LeaseRenewer {
 public:
  // Objects passed in are not owned and must outlive it.
  LeaseRenewer(EventLoop* loop, RedisConnection* commands,
               absl::Duration lease_time);

  // Renews `key` (held by `token`) until Stop(id). `id` is the caller's
  // unique handle.
  void Start(uint64_t id, std::string key, std::string token);
  void Stop(uint64_t id);

  // Leases renewed now (loop thread only; for tests).
  size_t size() const { return leases_.size(); }

 private:
  struct Lease {
    std::string key;
    std::string token;
    EventLoop::TimerId timer = 0;
  };
  void Schedule(uint64_t id);

  EventLoop* const loop_;
  RedisConnection* const commands_;
  const absl::Duration lease_time_;
  // Loop thread only.
  absl::flat_hash_map<uint64_t, Lease> leases_;
};

}  // namespace tracktry::fleet

#endif  // TRACKTRY_SERVICE_FLEET_LEASE_RENEWER_H_
