// Copyright 2026 The tracktry-grpc Authors.
//
// TokenBucketStore: where the rate shaper keeps its token buckets. A bucket
// is a GCRA ("generic cell rate algorithm") limiter: it remembers one
// "theoretical arrival time" (TAT); a token may be taken at `now` when
// TAT - tolerance <= now, and taking it moves TAT to max(TAT, now) +
// interval, where interval = 1 / rate and tolerance = (burst - 1) *
// interval. This is the same limit as a token bucket of `burst` tokens
// refilled at `rate` per second, with one number of state, which makes it
// easy to keep in Redis and update atomically.
//
// A store also holds one pause for all of its buckets (the upstream said
// 429): no token is handed out before the pause ends.
//
// Implementations: LocalTokenBucketStore (in-process) and
// RedisTokenBucketStore (shared by all replicas, falling back to a local
// store when Redis is unreachable).
#ifndef TRACKTRY_SERVICE_UPSTREAM_TOKEN_BUCKET_STORE_H_
#define TRACKTRY_SERVICE_UPSTREAM_TOKEN_BUCKET_STORE_H_

#include <algorithm>
#include <cstdint>
#include <string>

#include "absl/time/time.h"

namespace tracktry {

// The limit of one bucket.
struct TokenBucketLimit {
  // Short lower-case name (used in Redis keys and metrics), e.g. "list".
  std::string name;
  // Sustained tokens per second; > 0.
  double rate = 1.0;
  // Tokens that may be taken back to back after an idle period; >= 1.
  int burst = 1;
};

// GCRA parameters of `limit`.
inline absl::Duration TokenInterval(const TokenBucketLimit& limit) {
  return absl::Seconds(1.0 / limit.rate);
}
inline absl::Duration TokenTolerance(const TokenBucketLimit& limit) {
  return (std::max(limit.burst, 1) - 1) * TokenInterval(limit);
}

// The start time of the request that has `ahead` requests before it, on a
// bucket with theoretical arrival time `tat`, if nobody else takes tokens
// and the requests go as early as allowed. `paused_until` (InfinitePast when
// there is no pause) delays everything. Pure.
inline absl::Time GcraEstimateStart(absl::Time tat, absl::Duration interval,
                                    absl::Duration tolerance,
                                    absl::Time paused_until, absl::Time now,
                                    int64_t ahead) {
  const absl::Time earliest = std::max(now, paused_until);
  const absl::Time base = std::max(tat, earliest);
  return std::max(earliest, base + ahead * interval - tolerance);
}

// Counters of a store (cheap snapshot).
struct TokenBucketStoreStats {
  // True when the store currently shares its buckets with other processes
  // (Redis reachable).
  bool shared = false;
  // Redis: failed operations, switches to the local fallback, successful
  // (re)connections.
  int64_t redis_errors = 0;
  int64_t fallbacks = 0;
  int64_t connects = 0;
};

// Thread-safe. Buckets are numbered 0..n-1 in the order of the limits the
// store was built with; an out-of-range bucket is a programming error.
class TokenBucketStore {
 public:
  TokenBucketStore() = default;
  TokenBucketStore(const TokenBucketStore&) = delete;
  TokenBucketStore& operator=(const TokenBucketStore&) = delete;
  virtual ~TokenBucketStore() = default;

  // Takes one token of `bucket` if one is available at `now` and no pause is
  // in force, returning zero. Otherwise takes nothing and returns how long
  // to wait before trying again (> 0). A shared store may block for up to
  // its I/O timeout; call it from the scheduler thread.
  virtual absl::Duration TryAcquire(int bucket, absl::Time now) = 0;

  // Hands out no token of any bucket before `until` (an earlier `until` than
  // the pause in force changes nothing). A shared store publishes the pause
  // to the other processes and may block for up to its I/O timeout.
  virtual void Pause(absl::Time until, absl::Time now) = 0;

  // Records that the token of `bucket` taken at `taken_at` was really used
  // `delay` later (the request reached the upstream late): the bucket then
  // hands out its next token no earlier than it would have after a token
  // taken at taken_at + delay. A shared store may block for up to its I/O
  // timeout.
  virtual void Defer(int bucket, absl::Time taken_at, absl::Duration delay,
                     absl::Time now) = 0;

  // The interval between tokens of `bucket` (1 / rate) as currently used.
  virtual absl::Duration Interval(int bucket) const = 0;

  // Estimated start (>= now) of a request with `ahead` requests queued
  // before it on `bucket`, from what this process knows (a shared store does
  // not know about other processes' queues, so this is a lower bound there).
  // Never blocks on I/O.
  virtual absl::Time EstimateStart(int bucket, absl::Time now,
                                   int64_t ahead) const = 0;

  virtual TokenBucketStoreStats stats() const = 0;
};

}  // namespace tracktry

#endif  // TRACKTRY_SERVICE_UPSTREAM_TOKEN_BUCKET_STORE_H_
