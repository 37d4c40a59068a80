// Copyright 2026 The tracktry-grpc Authors.
//
// CircuitBreaker: an UpstreamCaller decorator that stops sending to an
// upstream that keeps failing. Chain position (bottom to top):
//   TracktryClient -> RateShaper -> CircuitBreaker -> RetryingCaller -> ...
// so every retry attempt is seen (and counted) here.
//
// States:
//   closed     calls pass; `failure_threshold` consecutive failures open it.
//   open       calls fail at once with UNAVAILABLE, ErrorInfo reason
//              CIRCUIT_OPEN and a RetryInfo holding the rest of the
//              cool-down; no upstream call is made. After `cooldown` a timer
//              moves it to half-open (even without traffic, so the state and
//              its metric recover).
//   half_open  exactly one call (the probe) passes; the others fail fast
//              like in open (RetryInfo = probe_retry_delay). A successful
//              probe closes the circuit, a failed one re-opens it for
//              another cool-down, a cancelled or neutral one lets the next
//              call probe.
// Failures: UNAVAILABLE, INTERNAL, UNKNOWN, and DEADLINE_EXCEEDED of calls
// that had at least `min_timeout_budget` (a caller's own tiny deadline says
// nothing about the upstream). Neutral (no effect): CANCELLED and
// RESOURCE_EXHAUSTED (upstream 429, quota, or the rate shaper's queue).
// Everything else (success, NOT_FOUND, INVALID_ARGUMENT, ...) proves the
// upstream answers and resets the count. The failures of the members of one
// combined read (marked by the rate shaper, read_combiner.h) count once.
#ifndef TRACKTRY_SERVICE_UPSTREAM_CIRCUIT_BREAKER_H_
#define TRACKTRY_SERVICE_UPSTREAM_CIRCUIT_BREAKER_H_

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/time/time.h"
#include "service/tracktry_api/upstream_caller.h"
#include "service/upstream/scheduler.h"

namespace tracktry {

enum class CircuitState { kClosed, kOpen, kHalfOpen };

// "closed", "open" or "half_open".
const char* CircuitStateName(CircuitState state);

struct CircuitBreakerOptions {
  // Consecutive failures that open the circuit; 0 disables the breaker.
  int failure_threshold = 5;
  // How long the circuit stays open before a probe is let through.
  absl::Duration cooldown = absl::Seconds(10);
  // RetryInfo of calls rejected while a half-open probe is in flight.
  absl::Duration probe_retry_delay = absl::Seconds(1);
  // DEADLINE_EXCEEDED counts as a failure only for calls given at least
  // this much time.
  absl::Duration min_timeout_budget = absl::Seconds(1);
};

// Thread-safe. `inner` and `scheduler` are not owned and must outlive the
// breaker. The destructor cancels the calls still in flight and waits for
// their callbacks; callers must not call Send() once destruction starts.
class CircuitBreaker final : public UpstreamCaller {
 public:
  // Runs after every state change with the new state, on the thread that
  // caused it, without the breaker's lock held (so it may call state()).
  // Two quick changes may be reported in either order: re-read state().
  using StateListener = std::function<void(CircuitState)>;

  CircuitBreaker(UpstreamCaller* inner, Scheduler* scheduler,
                 CircuitBreakerOptions options);
  ~CircuitBreaker() override;

  // Passes the call on, or fails it fast (see the class comment). `done`
  // runs exactly once, never inside Send() or Cancel().
  CallId Send(UpstreamRequest request, absl::Time deadline,
              EnvelopeCallback done) override;
  void Cancel(CallId id) override;

  // Set before the first call; replaces any previous listener.
  void SetStateListener(StateListener listener);

  CircuitState state() const;
  // True while open (not while half-open: probes must be able to arrive).
  bool is_open() const { return state() == CircuitState::kOpen; }

  // Calls rejected without reaching the upstream, and times opened.
  int64_t rejected() const { return rejected_.load(); }
  int64_t times_opened() const { return times_opened_.load(); }

  // True when `status` counts as an upstream failure for a call that was
  // given `budget` (see the class comment); false for success or neutral.
  static bool IsFailure(const absl::Status& status, absl::Duration budget,
                        absl::Duration min_timeout_budget);

 private:
  struct Pending {
    UpstreamCaller::CallId inner_id = 0;
  };

  // `shared`: the mark of an outcome shared by several calls (members of
  // one combined read, see read_combiner.h), counted once.
  void OnResult(CallId id, bool probe, const absl::Status& status,
                absl::Duration budget, std::optional<uint64_t> shared);
  // Requires mu_. Returns true when the state changed.
  bool OpenLocked(absl::Time now);
  void OnCooldownOver(uint64_t generation);
  void Notify(CircuitState state);
  void TaskFinished();

  UpstreamCaller* const inner_;
  Scheduler* const scheduler_;
  const CircuitBreakerOptions options_;

  mutable std::mutex mu_;
  std::condition_variable idle_;
  CircuitState state_ = CircuitState::kClosed;
  int consecutive_failures_ = 0;
  // The shared outcome the latest failure belonged to (nullopt: none).
  std::optional<uint64_t> last_shared_failure_;
  absl::Time open_until_ = absl::InfinitePast();
  bool probe_in_flight_ = false;
  Scheduler::TaskId cooldown_timer_ = 0;
  uint64_t cooldown_generation_ = 0;
  CallId next_id_ = 1;
  // Calls passed on and not yet answered.
  absl::flat_hash_map<CallId, Pending> pending_;
  // Scheduler tasks (fast failures, the cool-down timer) not yet finished.
  int tasks_ = 0;
  StateListener listener_;

  std::atomic<int64_t> rejected_{0};
  std::atomic<int64_t> times_opened_{0};
};

}  // namespace tracktry

#endif  // TRACKTRY_SERVICE_UPSTREAM_CIRCUIT_BREAKER_H_
