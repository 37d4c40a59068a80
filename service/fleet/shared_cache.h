// Copyright 2026 The tracktry-grpc Authors.
//
// SharedCache: the SharedReadTier on Redis (see
// service/upstream/shared_read_tier.h for the contract). Keys, under the
// fleet prefix P ("<namespace>:<account id>"):
//   P:c:<tag>          HASH  read key -> "<expiry, Redis ms>|<envelope JSON>"
//                            (every cached read of one tracking, so one DEL
//                            drops them all; the hash expires with its
//                            longest-lived entry)
//   P:v:<tag>          the tag's version, raised by every invalidation; a
//                      fill stores only when it is unchanged since the
//                      lookup, so a read that raced a write cannot put the
//                      old state back
//   P:l:<tag>:<key>    the fleet lease of a read (SET NX PX lease_time),
//                      renewed every lease_time / 3 while its holder's
//                      upstream call runs; a holder that dies delays the
//                      others by at most lease_time
// Every step is one Lua script (one round trip, atomic): lookup = version +
// hit or lease; fill = conditional store + lease release + PUBLISH; release;
// invalidate = DEL + INCR version + PUBLISH. Bus messages: 'i' (tags a write
// changed), 'f' (a lease holder filled or released a read).
//
// An invalidation is done when every replica subscribed to the bus has
// dropped the tags from its L1: each one acknowledges it on the writer's
// acknowledgement channel, and Invalidate() completes when PUBLISH's
// receiver count of acknowledgements arrived (or `timeout` passed, for a
// replica that is alive but slow).
#ifndef TRACKTRY_SERVICE_FLEET_SHARED_CACHE_H_
#define TRACKTRY_SERVICE_FLEET_SHARED_CACHE_H_

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "service/fleet/event_loop.h"
#include "service/fleet/fleet_bus.h"
#include "service/fleet/fleet_wait_list.h"
#include "service/fleet/lease_renewer.h"
#include "service/fleet/redis_connection.h"
#include "service/upstream/shared_read_tier.h"

namespace tracktry::fleet {

struct SharedCacheStats {
  // Lookups by outcome; lookups that did not reach Redis (error, timeout,
  // not connected).
  int64_t hits = 0;
  int64_t leads = 0;
  int64_t follows = 0;
  int64_t misses = 0;
  int64_t errors = 0;
  // Answers stored; fleet-wide invalidations sent / received.
  int64_t fills = 0;
  int64_t invalidations_sent = 0;
  int64_t invalidations_received = 0;
  // Invalidations completed without every acknowledgement (timeout).
  int64_t ack_timeouts = 0;
};

// Thread-safe. Objects passed in are not owned and must outlive it.
class SharedCache final : public SharedReadTier {
 public:
  // `prefix` is P. Registers its bus handlers: construct before the
  // subscriber starts.
  SharedCache(EventLoop* loop, RedisConnection* commands, FleetBus* bus,
              FleetWaitList* waits, std::string prefix,
              absl::Duration lease_time, absl::Duration timeout);

  void Lookup(const Read& read, bool lead, absl::Time deadline,
              LookupCallback done) override;
  void Fill(const Read& read, const LookupResult& lookup,
            const Envelope& answer, absl::Duration ttl) override;
  void Release(const Read& read, const LookupResult& lookup) override;
  WaitId AwaitLeader(const Read& read, absl::Time until,
                     WakeCallback done) override;
  bool CancelWait(WaitId id) override;
  void Invalidate(std::vector<std::string> tags, absl::Time deadline,
                  DoneCallback done) override;
  void Replace(const Read& read, const Envelope& answer,
               absl::Duration ttl) override;
  void SetListener(Listener* listener) override;

  SharedCacheStats stats() const;

 private:
  std::string HashKey(absl::string_view tag) const;
  std::string VersionKey(absl::string_view tag) const;
  std::string LeaseKey(const Read& read) const;
  std::string Token(uint64_t lease) const;
  static std::string WaitName(const Read& read);
  // The fill / release step (`store` false: release only).
  void FinishLease(const Read& read, const SharedReadTier::LookupResult& lookup,
                   const Envelope* answer, absl::Duration ttl);
  void OnInvalidation(const FleetBus::Message& message);
  void OnAck(absl::string_view payload);
  // Completes invalidation `id` (all acknowledged, or timed out).
  void FinishInvalidation(uint64_t id, bool timed_out);
  void OnFlightDone(const FleetBus::Message& message);
  void OnBusState(bool up);
  void Count(int64_t SharedCacheStats::*counter);

  EventLoop* const loop_;
  RedisConnection* const commands_;
  FleetBus* const bus_;
  FleetWaitList* const waits_;
  const std::string prefix_;
  const absl::Duration lease_time_;
  const absl::Duration timeout_;

  std::atomic<uint64_t> next_lease_{1};

  LeaseRenewer renewer_;

  // Invalidations waiting for acknowledgements.
  struct PendingInvalidation {
    // PUBLISH's receiver count; -1 until its reply arrived.
    int64_t expected = -1;
    int64_t acked = 0;
    DoneCallback done;
  };
  std::mutex acks_mu_;
  uint64_t next_invalidation_ = 1;  // Guarded by acks_mu_.
  absl::flat_hash_map<uint64_t, PendingInvalidation> pending_;  // acks_mu_.

  std::mutex listener_mu_;
  Listener* listener_ = nullptr;  // Guarded by listener_mu_.

  mutable std::mutex stats_mu_;
  SharedCacheStats stats_;  // Guarded by stats_mu_.
};

}  // namespace tracktry::fleet

#endif  // TRACKTRY_SERVICE_FLEET_SHARED_CACHE_H_
