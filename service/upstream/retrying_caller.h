// Copyright 2026 The tracktry-grpc Authors.
//
// RetryingCaller: an UpstreamCaller decorator that retries idempotent reads
// (the route table's reads, IsIdempotent(): get, list, realtime, carriers,
// detect, userinfo, status_number, remote, cost_time) after transient
// upstream failures, with full-jitter exponential back-off, and only within
// the caller's deadline. Non-idempotent calls (create, update, delete,
// batch) are never retried: one Send() is one upstream attempt.
//
// A failed attempt is retried when all of these hold:
//   * the endpoint is idempotent;
//   * the error is UNAVAILABLE (HTTP 5xx, meta.code 500/503, connection
//     refused/reset/dropped), except reason CIRCUIT_OPEN; or it is
//     DEADLINE_EXCEEDED reason UPSTREAM_TIMEOUT of an attempt that was cut
//     short by `attempt_timeout` (not by the caller's deadline);
//   * fewer than `max_attempts` attempts were made;
//   * after the back-off, at least `min_attempt_budget` of the caller's
//     deadline is left.
// Never retried: RESOURCE_EXHAUSTED (429/quota: the rate shaper's job),
// INVALID_ARGUMENT, NOT_FOUND, ALREADY_EXISTS, FAILED_PRECONDITION,
// PERMISSION_DENIED, INTERNAL (malformed/oversized bodies), UNKNOWN,
// CANCELLED, CIRCUIT_OPEN, and the caller's own deadline.
//
// When a retry attempt is refused by the rate shaper's queue
// (RESOURCE_EXHAUSTED RATE_LIMIT_QUEUE: no slot before the deadline), the
// caller gets the previous attempt's upstream error instead.
//
// Back-off before retry n (n = 1, 2, ...): uniform in
// [0, min(max_backoff, initial_backoff * 2^(n-1))] ("full jitter"), but at
// least the upstream's Retry-After (RetryInfo) when it sent one; when that
// does not fit in the deadline, the last error is returned at once. Waiting
// uses the Scheduler, never a thread. Each attempt gets
// min(caller deadline, now + attempt_timeout).
#ifndef TRACKTRY_SERVICE_UPSTREAM_RETRYING_CALLER_H_
#define TRACKTRY_SERVICE_UPSTREAM_RETRYING_CALLER_H_

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <random>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/time/time.h"
#include "service/tracktry_api/upstream_caller.h"
#include "service/upstream/scheduler.h"

namespace tracktry {

struct RetryOptions {
  // Attempts per call including the first; 1 disables retries.
  int max_attempts = 3;
  absl::Duration initial_backoff = absl::Milliseconds(100);
  absl::Duration max_backoff = absl::Seconds(2);
  // Longest single attempt, so a hung attempt leaves time for a retry.
  absl::Duration attempt_timeout = absl::Seconds(10);
  // A retry starts only with at least this much of the deadline left.
  absl::Duration min_attempt_budget = absl::Milliseconds(50);
  // Jitter seed; 0 = random.
  uint64_t seed = 0;
};

// Thread-safe. `inner` and `scheduler` are not owned and must outlive this
// object. The destructor cancels calls still running (their callbacks get
// CANCELLED) and waits for them; callers must not call Send() once
// destruction starts.
class RetryingCaller final : public UpstreamCaller {
 public:
  RetryingCaller(UpstreamCaller* inner, Scheduler* scheduler,
                 RetryOptions options);
  ~RetryingCaller() override;

  // `done` runs exactly once with the first success, the first error that
  // is not retried, or the last attempt's error; never inside Send() or
  // Cancel().
  CallId Send(UpstreamRequest request, absl::Time deadline,
              EnvelopeCallback done) override;
  // Cancels the running attempt or the pending back-off; the callback gets
  // CANCELLED.
  void Cancel(CallId id) override;

  // True when an attempt of an idempotent call that ended with `status`
  // may be retried; `cut_by_attempt_timeout` tells whether the attempt's
  // deadline was earlier than the caller's.
  static bool IsRetryable(const absl::Status& status,
                          bool cut_by_attempt_timeout);

  // Attempts started, and the retries among them.
  int64_t attempts() const { return attempts_.load(); }
  int64_t retries() const { return retries_.load(); }

 private:
  struct Call;

  void StartAttempt(const std::shared_ptr<Call>& call);
  void OnAttemptDone(const std::shared_ptr<Call>& call, int attempt,
                     absl::StatusOr<Envelope> result);
  // Removes `call` and runs its callback (without mu_ held).
  void Finish(const std::shared_ptr<Call>& call,
              absl::StatusOr<Envelope> result);
  absl::Duration Backoff(int retry);
  void TaskFinished();

  UpstreamCaller* const inner_;
  Scheduler* const scheduler_;
  const RetryOptions options_;

  mutable std::mutex mu_;
  std::condition_variable idle_;
  bool stopping_ = false;
  CallId next_id_ = 1;
  absl::flat_hash_map<CallId, std::shared_ptr<Call>> calls_;
  // Scheduler tasks not yet finished (back-off timers, late deliveries).
  int tasks_ = 0;
  std::mt19937_64 rng_;

  std::atomic<int64_t> attempts_{0};
  std::atomic<int64_t> retries_{0};
};

}  // namespace tracktry

#endif  // TRACKTRY_SERVICE_UPSTREAM_RETRYING_CALLER_H_
