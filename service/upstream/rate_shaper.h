// Copyright 2026 The tracktry-grpc Authors.
//
// RateShaper: an UpstreamCaller decorator that keeps the calls it forwards
// within the Tracktry account's rate limits, so that the upstream never has
// to answer 429 ("pause requests, wait two minutes").
//
// Every request belongs to a rate class (RateClassOf): "realtime"
// (/trackings/realtime, 3 req/s by default), "list" (/trackings/get, 1
// req/s) and "default" (everything else, 1 req/s). Each class has its own
// token bucket (rate, burst) and its own FIFO queue; classes do not wait for
// one another.
//
// Waiting: a request that cannot start at once waits in its class's queue;
// no thread waits for it (a Scheduler task wakes the queue when the next
// token is due). The queue is deadline-aware: when a request's expected
// start plus `min_call_time` is after its deadline, it fails at once with
// RESOURCE_EXHAUSTED, ErrorInfo reason RATE_LIMIT_QUEUE (metadata rateClass,
// expectedWaitMs) and a RetryInfo holding the expected wait. The same check
// runs again whenever the expectation grows (a pause, or tokens taken by
// other replicas), failing the queued requests that can no longer make it.
//
// Jitter: what the upstream limits is when requests *arrive*, and the time
// from a token to the arrival varies (thread scheduling, a new connection,
// the network); a request that arrives late followed by one that arrives on
// time can be closer than the upstream's interval. Two defences:
//  * safety factor: the shaper runs at `safety` x the configured rate (0.97
//    by default), i.e. a little slower than the account allows;
//  * late-arrival compensation: a call whose latency (token to answer)
//    exceeds the recent minimum may have arrived late by that excess, so the
//    next token of its class is pushed back by it (capped, see
//    jitter_compensation). This covers e.g. the first call on a cold
//    connection.
// Measured use stays above 95% of the configured rate (bench/RESULTS.md).
//
// Upstream 429: when the inner caller fails with ErrorInfo reason
// RATE_LIMITED (the status table's row for upstream 429), every class is
// paused (the limit belongs to the whole account), until now + the
// RetryInfo delay, or `default_pause` when the error has no RetryInfo or
// carries the table's default (kDefaultRateLimitRetryDelay, which means the
// upstream sent no Retry-After). That call's caller gets the error with
// RetryInfo = the pause; queued requests that cannot start before their
// deadline fail at once as above.
//
// Read batching (docs/read-batching.md): with a `read_combiner`, when a
// token is granted to a queued request that the combiner can combine and
// other queued requests of the same class share its CombineKey, they go out
// together as one combined call (at most max_members requests, in queue
// order), taking their members out of the queue. Gathering happens only
// among requests that are queued anyway, so no request waits longer than it
// would have for its own token, and a lone request goes out unchanged. A
// combined call spends the head's token and one token of the combined
// endpoint's class (for Tracktry: the list class), taken first and only
// while that class has no queue of its own; without it the head goes alone.
// Every member gets its own part of the answer (ReadCombiner::Split). A
// member whose deadline passes while the combined call is in flight gets
// DEADLINE_EXCEEDED (UPSTREAM_TIMEOUT, as its own call would have) at its
// deadline, and a cancelled member gets CANCELLED; either leaves the others
// waiting, and the combined call is cancelled only when no member is left.
// The queue's expected start counts combinable requests as the combined
// calls they will make (max_members per token).
//
// Quota across replicas: the buckets and the pause live in a
// TokenBucketStore. With `redis_address` set, all replicas share them in
// Redis (each at the full account rate x safety, as one limiter); if Redis
// is unreachable a replica falls back to a local bucket at rate x share x
// safety and retries Redis every `redis_retry_interval`. Without Redis each
// replica takes rate x share x safety locally. Every store operation runs on
// the scheduler thread (Redis: one connection, `redis_timeout` per
// operation), never on a caller's or the transport's thread.
#ifndef TRACKTRY_SERVICE_UPSTREAM_RATE_SHAPER_H_
#define TRACKTRY_SERVICE_UPSTREAM_RATE_SHAPER_H_

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "service/tracktry_api/read_combiner.h"
#include "service/tracktry_api/upstream_caller.h"
#include "service/tracktry_api/upstream_request.h"
#include "service/upstream/scheduler.h"
#include "service/upstream/token_bucket_store.h"

namespace tracktry {

// RateClass, RateClassOf and RateClassName: the route table
// (service/tracktry_api/route_table.h).

struct RateShaperOptions {
  // False: calls pass straight through (--rate-limit=off).
  bool enabled = true;
  // Account limits per class, indexed by RateClass (--rate-default,
  // --rate-list, --rate-realtime, --rate-burst). Names are the class names.
  std::array<TokenBucketLimit, kRateClassCount> limits = {{
      {"default", 1.0, 1},
      {"list", 1.0, 1},
      {"realtime", 3.0, 1},
  }};
  // Fraction of each rate actually used, in (0, 1] (--rate-safety).
  double safety = 0.97;
  // Late-arrival compensation, in [0, 1] (--rate-jitter-compensation): a
  // call that took longer than the recent minimum may have reached the
  // upstream that much later than its token, so the next token of its
  // class is delayed by the excess, at most this fraction of the class's
  // interval. Applies only while calls finish before the next token is due
  // (slow endpoints whose calls overlap are not slowed further). 0 = off.
  double jitter_compensation = 0.1;
  // This replica's fraction of the account when not sharing through Redis,
  // in (0, 1] (--rate-share).
  double share = 1.0;
  // Pause after an upstream 429 without a usable Retry-After
  // (--rate-limit-pause).
  absl::Duration default_pause = absl::Seconds(120);
  // Time a request must have left before its deadline when it starts; one
  // that would start later fails in the queue instead of spending a token on
  // a call that cannot finish (--rate-min-call-time).
  absl::Duration min_call_time = absl::Milliseconds(100);
  // Redis "host:port"; empty = no sharing (--redis-address).
  std::string redis_address;
  // Redis credentials, sent with AUTH on every new connection: the password
  // (--redis-password-file; never logged) and, for a Redis 6+ ACL user, the
  // user name (--redis-user). Both empty = no AUTH.
  std::string redis_user;
  std::string redis_password;
  // First part of every Redis key (--redis-namespace), so that several
  // deployments can share one Redis.
  std::string redis_namespace = "tracktry";
  // Account id in Redis keys ("<redis_namespace>:rate:<id>"); empty =
  // derived from the API key by the server (AccountIdFromApiKey)
  // (--rate-account).
  std::string account_id;
  // Redis connect/command timeout and retry interval after a failure.
  absl::Duration redis_timeout = absl::Milliseconds(50);
  absl::Duration redis_retry_interval = absl::Seconds(5);
  // Hears the Redis store fall back to local buckets (false) and share
  // through Redis again (true); for a log line. Runs on the scheduler
  // thread; must not block.
  std::function<void(bool shared)> on_redis_state;
  // Combines queued reads into one upstream call (--read-batching); null =
  // every request goes out on its own.
  std::shared_ptr<const ReadCombiner> read_combiner;
};

// INVALID_ARGUMENT naming the bad field (rate <= 0, burst < 1, safety or
// share outside (0, 1], negative durations, malformed redis_address).
absl::Status ValidateRateShaperOptions(const RateShaperOptions& options);

// Read batching counters.
struct ReadBatchStats {
  // Combined calls sent, and the requests they were sent for.
  int64_t batches = 0;
  int64_t batched_reads = 0;
  // Combined calls by number of members: batch_sizes[n] calls had n
  // members (index 0 and 1 stay 0).
  std::vector<int64_t> batch_sizes;
  // Requests that could have been combined but went out alone because the
  // combined endpoint's class had no token (or a queue) at that moment.
  int64_t no_extra_token = 0;
  // Extra tokens taken but not used (the head's own token was not there
  // after all, or its companions had left meanwhile).
  int64_t extra_tokens_unused = 0;
  // Members that left a combined call before its answer (deadline or
  // cancellation).
  int64_t detached = 0;
};

// Counters, as a snapshot.
struct RateShaperStats {
  struct Class {
    // Requests forwarded upstream (a combined call's members included),
    // failed in the queue (RATE_LIMIT_QUEUE), and cancelled while queued.
    int64_t forwarded = 0;
    int64_t rejected = 0;
    int64_t cancelled = 0;
    // Queue length now and at most.
    int64_t queued = 0;
    int64_t max_queued = 0;
    // Time forwarded requests spent queued: sum and maximum.
    absl::Duration total_wait;
    absl::Duration max_wait;
    // Late-arrival compensations applied, and their total.
    int64_t compensations = 0;
    absl::Duration total_compensation;
  };
  std::array<Class, kRateClassCount> classes;
  // Inner calls that failed with RATE_LIMITED (upstream 429).
  int64_t upstream_rate_limited = 0;
  // Pauses started (a 429 that extends a pause in force counts again).
  int64_t pauses = 0;
  // End of this process's latest pause (InfinitePast if none).
  absl::Time paused_until = absl::InfinitePast();
  // The token store's counters (Redis sharing and fallbacks).
  TokenBucketStoreStats store;
  ReadBatchStats batching;
};

// Thread-safe. `inner` and `scheduler` are not owned; both must outlive the
// shaper, and `inner` must outlive every call forwarded to it. Callbacks run
// on the scheduler thread (queue failures, cancellations) or on the inner
// caller's thread (forwarded calls), never inside Send() or Cancel().
// Destroying the shaper fails requests still queued with CANCELLED (inside
// the destructor); calls already forwarded complete normally.
class RateShaper final : public UpstreamCaller {
 public:
  // Builds the token store from `options` (see MakeTokenBucketStore).
  // `options` must be valid (ValidateRateShaperOptions).
  RateShaper(UpstreamCaller* inner, Scheduler* scheduler,
             RateShaperOptions options);
  // Uses `store` (with kRateClassCount buckets) instead; for tests.
  RateShaper(UpstreamCaller* inner, Scheduler* scheduler,
             RateShaperOptions options,
             std::unique_ptr<TokenBucketStore> store);
  ~RateShaper() override;

  CallId Send(UpstreamRequest request, absl::Time deadline,
              EnvelopeCallback done) override;
  // A queued call gets CANCELLED (on the scheduler thread); a forwarded one
  // is cancelled in the inner caller.
  void Cancel(CallId id) override;

  RateShaperStats Stats() const;

  const RateShaperOptions& options() const { return options_; }

 private:
  struct Core;

  const RateShaperOptions options_;
  UpstreamCaller* const inner_;
  std::shared_ptr<Core> core_;  // Null when disabled.
  // Calls per class forwarded while disabled.
  std::array<std::atomic<int64_t>, kRateClassCount> passed_through_{};
};

// The store for `options`: a LocalTokenBucketStore at rate x share x safety,
// or, with redis_address, a RedisTokenBucketStore at rate x safety under
// "<redis_namespace>:rate:<account_id>" (authenticating with redis_user /
// redis_password) falling back to that local store.
std::unique_ptr<TokenBucketStore> MakeTokenBucketStore(
    const RateShaperOptions& options);

}  // namespace tracktry

#endif  // TRACKTRY_SERVICE_UPSTREAM_RATE_SHAPER_H_
