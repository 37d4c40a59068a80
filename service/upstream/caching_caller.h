// Copyright 2026 The tracktry-grpc Authors.
//
// CachingCaller: the top UpstreamCaller decorator for reads. It
//   * caches successful GetTracking answers for `tracking_ttl` (60 s) and
//     ListCarriers answers for `carriers_ttl` (24 h), in a bounded LRU
//     (ResponseCache). The key is the request's structured keys (endpoint,
//     carrier, numbers, lang) + query + body, so each `lang` of a tracking
//     is its own entry. Which answers are cached, and for how long, is the
//     route's cache class (route_table.h). Errors are not cached
//     (an empty 4031 answer is a success and is).
//   * coalesces identical concurrent idempotent calls (the route table's
//     reads: get, list, realtime, carriers, detect, userinfo,
//     status_number, remote, cost_time): while one upstream call for a key is
//     in flight, identical calls wait for it instead of starting their own, and
//     all of them get its result. A call whose deadline is more than
//     `coalesce_deadline_slack` later than the in-flight call's starts a
//     fresh call (which later arrivals join), so a short first deadline
//     cannot fail a long later one early. A waiter that is cancelled or
//     whose own (earlier) deadline passes leaves alone; the shared upstream
//     call is cancelled only when no waiter is left.
//   * bypass: UpstreamRequest::bypass_cache skips the cache lookup (the
//     answer still refreshes the cache; it may join an in-flight call,
//     which is also a fresh upstream read).
//   * invalidation: when a call whose route invalidates reads (writes,
//     realtime) finishes (whatever its result: a failed call may
//     still have changed the upstream), every cached GetTracking entry of
//     that carrier/number is dropped, and reads of it still in flight
//     neither fill the cache nor take new waiters.
// Non-idempotent calls pass through unchanged.
//
// Fleet mode (SetSharedTier; service/fleet): the cache has a second level
// shared by every replica, and identical reads share one upstream call
// fleet-wide. A cacheable read that misses the in-process cache (L1) looks
// the shared tier up (L2) before going upstream: a hit fills L1 (for at most
// what the shared entry has left); on a miss one replica takes the read's
// fleet lease and calls the upstream, filling L2 when its answer lands,
// while identical reads on other replicas wait for it (each caller keeping
// its own deadline and cancellation) and then read L2. A write (or realtime
// call) drops L1 here, then drops L2 and tells every replica to drop its L1
// before its caller gets the answer (bounded by the tier's short timeout).
// When the tier is unreachable or slow, reads and writes behave as on one
// replica; no caller sees an error from it. With max_entries == 0 and a
// tier, reads use L2 only.
#ifndef TRACKTRY_SERVICE_UPSTREAM_CACHING_CALLER_H_
#define TRACKTRY_SERVICE_UPSTREAM_CACHING_CALLER_H_

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/time/time.h"
#include "service/tracktry_api/upstream_caller.h"
#include "service/upstream/response_cache.h"
#include "service/upstream/scheduler.h"
#include "service/upstream/shared_read_tier.h"

namespace tracktry {

// The cache's byte cap when nothing else decides it.
inline constexpr size_t kDefaultCacheMaxBytes = size_t{256} << 20;

struct CacheOptions {
  // GetTracking answers; zero disables caching them.
  absl::Duration tracking_ttl = absl::Seconds(60);
  // ListCarriers answers; zero disables caching them.
  absl::Duration carriers_ttl = absl::Hours(24);
  // Bounds of the cache (least recently used entries go first). max_bytes
  // unset: tracktry-server derives it from the container's memory limit
  // (service/ops/memory_limit.h); CachingCaller itself then uses
  // kDefaultCacheMaxBytes.
  size_t max_entries = 100000;
  std::optional<size_t> max_bytes;
  // Expired entries are reclaimed in the background every `sweep_interval`
  // (zero = only when looked up or evicted), at most `sweep_batch` per
  // scheduler task (the cache lock is held ~0.1 ms per 128 entries; their
  // answers, ~10x that to free, are freed after it is released); a full
  // batch runs the next one at once. With the 60 s tracking TTL an expired
  // answer outlives its TTL by at most ~10 s.
  absl::Duration sweep_interval = absl::Seconds(10);
  size_t sweep_batch = 128;
  // Share one upstream call among identical concurrent reads.
  bool coalesce = true;
  absl::Duration coalesce_deadline_slack = absl::Seconds(1);
};

struct CacheStats {
  // Cacheable reads answered from the cache / not (bypass included).
  int64_t hits = 0;
  int64_t misses = 0;
  // Reads that joined an identical in-flight call.
  int64_t coalesced = 0;
  // Upstream calls started for idempotent reads.
  int64_t upstream_reads = 0;
  // Cache entries dropped by create/update/delete/batch/realtime.
  int64_t invalidations = 0;
  // Entries dropped for space.
  int64_t evictions = 0;
  // Entries dropped because they expired (on lookup or by the background
  // sweep).
  int64_t expired = 0;
  size_t entries = 0;
  size_t bytes = 0;
  // The byte cap in force.
  size_t max_bytes = 0;
};

// Thread-safe. `inner` and `scheduler` are not owned and must outlive this
// object. The destructor cancels everything still running (callbacks get
// CANCELLED) and waits for the callbacks; callers must not call Send() once
// destruction starts.
class CachingCaller final : public UpstreamCaller {
 public:
  using Clock = std::function<absl::Time()>;

  // `clock` (default absl::Now) decides cache expiry only; deadlines use
  // real time.
  CachingCaller(UpstreamCaller* inner, Scheduler* scheduler,
                CacheOptions options, Clock clock = nullptr);
  ~CachingCaller() override;

  // `done` runs exactly once, never inside Send() or Cancel(); cache hits
  // are answered on the scheduler thread.
  CallId Send(UpstreamRequest request, absl::Time deadline,
              EnvelopeCallback done) override;
  void Cancel(CallId id) override;

  CacheStats stats() const;
  // Records `envelope` as the fresh answer of the GetTracking read `read`
  // (e.g. a verified webhook push of that tracking): every cached entry of
  // its tracking (all `lang` variants) is dropped, reads of it in flight
  // are marked stale, and `envelope` is cached under `read`'s key for the
  // tracking TTL. A no-op for other endpoints or when caching is off.
  void Refresh(const UpstreamRequest& read, Envelope envelope);
  // Drops every cached entry.
  void Clear();

  // --- Fleet mode. ---
  // Adds the shared tier (not owned; must outlive this object). Call once,
  // before the first Send().
  void SetSharedTier(SharedReadTier* tier);
  // Refresh() of this replica's cache only (the push reached the shared
  // tier through the replica that received it).
  void RefreshLocal(const UpstreamRequest& read, Envelope envelope);

  // The cache / coalescing key of `request`.
  static std::string KeyOf(const UpstreamRequest& request);
  // The invalidation tags a request touches: its tracking numbers, lower
  // case.
  static std::vector<std::string> TagsOf(const UpstreamRequest& request);

 private:
  struct Waiter;
  struct Flight;

  absl::Duration TtlOf(Endpoint endpoint) const;
  CallId SendPassThrough(UpstreamRequest request, absl::Time deadline,
                         EnvelopeCallback done);
  void OnPassThroughDone(CallId id, const std::vector<std::string>& tags);
  // Requires mu_. Drops the cached reads of `tags` and marks the reads of
  // them in flight stale.
  void InvalidateLocked(const std::vector<std::string>& tags);
  void StartFlight(const std::shared_ptr<Flight>& flight,
                   UpstreamRequest request);
  void OnFlightDone(const std::shared_ptr<Flight>& flight,
                    absl::StatusOr<Envelope> result);
  // Requires mu_. Removes waiter `id` from its flight; returns its callback
  // (empty if unknown) and, when the flight has no waiter left, the inner
  // call id to cancel in `*cancel_inner`.
  EnvelopeCallback DetachLocked(CallId id, CallId* cancel_inner);
  void OnWaiterDeadline(CallId id);
  // Requires mu_; the task must call TaskFinished() at its end.
  Scheduler::TaskId ScheduleLocked(absl::Time when, Scheduler::Task task);
  void TaskFinished();
  // Background reclaim of expired entries. Requires mu_.
  void ScheduleSweepLocked(absl::Time when);
  void Sweep();

  // --- Fleet mode (tier_ set). ---
  class SharedListener;
  static SharedReadTier::Read SharedReadOf(const Flight& flight);
  // A cacheable read missed L1: look L2 up (lead: may take the lease).
  void LookupShared(const std::shared_ptr<Flight>& flight, bool lead);
  void OnSharedLookup(const std::shared_ptr<Flight>& flight,
                      SharedReadTier::LookupResult result);
  void OnSharedWake(const std::shared_ptr<Flight>& flight,
                    SharedReadTier::Wake wake);
  // Answers every waiter of `flight` with `result` (no upstream call).
  void DeliverFlight(const std::shared_ptr<Flight>& flight,
                     absl::StatusOr<Envelope> result);
  // Requires mu_. Forgets a finished flight.
  void EraseFlightLocked(const std::shared_ptr<Flight>& flight);
  void OnSharedInvalidation(const std::vector<std::string>& tags);
  void OnSharedResync();

  UpstreamCaller* const inner_;
  Scheduler* const scheduler_;
  const CacheOptions options_;
  const Clock clock_;

  mutable std::mutex mu_;
  std::condition_variable idle_;
  bool stopping_ = false;
  CallId next_id_ = 1;
  ResponseCache cache_;
  // Flights new identical reads may join, by key.
  absl::flat_hash_map<std::string, std::shared_ptr<Flight>> joinable_;
  // Every flight still running (joinable or not), by its own id.
  absl::flat_hash_map<uint64_t, std::shared_ptr<Flight>> flights_;
  uint64_t next_flight_ = 1;
  // Waiting read -> its flight.
  absl::flat_hash_map<CallId, std::shared_ptr<Flight>> waiting_;
  // Pass-through call -> inner id (0 until Send() returned).
  absl::flat_hash_map<CallId, CallId> pass_through_;
  int tasks_ = 0;
  // The pending sweep task, 0 while none is scheduled.
  Scheduler::TaskId sweep_task_ = 0;
  CacheStats stats_;
  // Fleet mode.
  SharedReadTier* tier_ = nullptr;
  std::unique_ptr<SharedListener> tier_listener_;
};

}  // namespace tracktry

#endif  // TRACKTRY_SERVICE_UPSTREAM_CACHING_CALLER_H_
