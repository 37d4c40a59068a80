// Copyright 2026 The tracktry-grpc Authors.
#include "service/upstream/circuit_breaker.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/error_details.h"
#include "service/tracktry_api/read_combiner.h"

namespace tracktry {
namespace {

absl::Status CircuitOpenError(absl::Duration retry_delay) {
  retry_delay = std::max(retry_delay, absl::Milliseconds(1));
  return WithRetryDelay(
      MakeError(absl::StatusCode::kUnavailable,
                "upstream failing repeatedly: circuit open, failing fast",
                "CIRCUIT_OPEN",
                {{"retryDelayMs",
                  absl::StrCat(absl::ToInt64Milliseconds(retry_delay))}}),
      retry_delay);
}

}  // namespace

const char* CircuitStateName(CircuitState state) {
  switch (state) {
    case CircuitState::kClosed:
      return "closed";
    case CircuitState::kOpen:
      return "open";
    case CircuitState::kHalfOpen:
      return "half_open";
  }
  return "unknown";
}

CircuitBreaker::CircuitBreaker(UpstreamCaller* inner, Scheduler* scheduler,
                               CircuitBreakerOptions options)
    : inner_(inner), scheduler_(scheduler), options_(options) {}

CircuitBreaker::~CircuitBreaker() {
  std::vector<CallId> in_flight;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (cooldown_timer_ != 0 && scheduler_->Cancel(cooldown_timer_)) {
      --tasks_;
    }
    cooldown_timer_ = 0;
    for (const auto& [id, pending] : pending_) {
      if (pending.inner_id != 0) in_flight.push_back(pending.inner_id);
    }
  }
  for (CallId inner_id : in_flight) inner_->Cancel(inner_id);
  std::unique_lock<std::mutex> lock(mu_);
  idle_.wait(lock, [this] { return pending_.empty() && tasks_ == 0; });
}

bool CircuitBreaker::IsFailure(const absl::Status& status,
                               absl::Duration budget,
                               absl::Duration min_timeout_budget) {
  switch (status.code()) {
    case absl::StatusCode::kUnavailable:
    case absl::StatusCode::kInternal:
    case absl::StatusCode::kUnknown:
      return true;
    case absl::StatusCode::kDeadlineExceeded:
      return budget >= min_timeout_budget;
    default:
      return false;
  }
}

void CircuitBreaker::SetStateListener(StateListener listener) {
  std::lock_guard<std::mutex> lock(mu_);
  listener_ = std::move(listener);
}

CircuitState CircuitBreaker::state() const {
  std::lock_guard<std::mutex> lock(mu_);
  return state_;
}

UpstreamCaller::CallId CircuitBreaker::Send(UpstreamRequest request,
                                            absl::Time deadline,
                                            EnvelopeCallback done) {
  const absl::Time now = absl::Now();
  CallId id;
  bool probe = false;
  bool became_half_open = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    id = next_id_++;
    absl::Duration reject_delay = absl::ZeroDuration();
    bool reject = false;
    if (state_ == CircuitState::kOpen) {
      // The cool-down timer normally moves on; this covers a late timer.
      reject = now < open_until_;
      reject_delay = open_until_ - now;
      if (!reject) {
        state_ = CircuitState::kHalfOpen;
        probe_in_flight_ = false;
        became_half_open = true;
      }
    }
    if (!reject && state_ == CircuitState::kHalfOpen) {
      if (probe_in_flight_) {
        reject = true;
        reject_delay = options_.probe_retry_delay;
      } else {
        probe_in_flight_ = true;
        probe = true;
      }
    }
    if (reject) {
      rejected_.fetch_add(1, std::memory_order_relaxed);
      ++tasks_;
      scheduler_->RunAt(now,
                        [this, done = std::move(done),
                         status = CircuitOpenError(reject_delay)]() mutable {
                          std::move(done)(status);
                          TaskFinished();
                        });
      return id;
    }
    pending_.emplace(id, Pending());
  }
  if (became_half_open) Notify(CircuitState::kHalfOpen);
  const absl::Duration budget = deadline - now;
  const CallId inner_id =
      inner_->Send(std::move(request), deadline,
                   [this, id, probe, budget, done = std::move(done)](
                       absl::StatusOr<Envelope> result) mutable {
                     std::optional<uint64_t> shared;
                     if (!result.ok()) {
                       absl::Status status = result.status();
                       shared = TakeSharedOutcome(&status);
                       if (shared.has_value()) result = std::move(status);
                     }
                     OnResult(id, probe, result.status(), budget, shared);
                     std::move(done)(std::move(result));
                     std::lock_guard<std::mutex> lock(mu_);
                     pending_.erase(id);
                     if (pending_.empty()) idle_.notify_all();
                   });
  std::lock_guard<std::mutex> lock(mu_);
  if (auto it = pending_.find(id); it != pending_.end()) {
    it->second.inner_id = inner_id;
  }
  return id;
}

void CircuitBreaker::Cancel(CallId id) {
  CallId inner_id = 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = pending_.find(id);
    if (it == pending_.end()) return;  // Rejected (already answered) or done.
    inner_id = it->second.inner_id;
  }
  if (inner_id != 0) inner_->Cancel(inner_id);
}

void CircuitBreaker::OnResult(CallId id, bool probe, const absl::Status& status,
                              absl::Duration budget,
                              std::optional<uint64_t> shared) {
  if (options_.failure_threshold <= 0) return;
  const bool failure = IsFailure(status, budget, options_.min_timeout_budget);
  // Cancellations and rate-limit answers (from the upstream or the shaper's
  // queue) say nothing about the upstream's health.
  const bool neutral =
      !failure && (status.code() == absl::StatusCode::kCancelled ||
                   status.code() == absl::StatusCode::kResourceExhausted);
  bool changed = false;
  CircuitState now_state;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (probe) probe_in_flight_ = false;
    if (neutral) return;
    if (failure) {
      // The members of one failed combined read are one upstream failure.
      if (!shared.has_value() || shared != last_shared_failure_) {
        ++consecutive_failures_;
      }
      last_shared_failure_ = shared;
      if ((state_ == CircuitState::kClosed &&
           consecutive_failures_ >= options_.failure_threshold) ||
          (state_ == CircuitState::kHalfOpen && probe)) {
        changed = OpenLocked(absl::Now());
      }
    } else {
      consecutive_failures_ = 0;
      last_shared_failure_.reset();
      // Any answer proves the upstream is back; an open circuit still
      // waits out its cool-down (old calls may answer late).
      if (state_ == CircuitState::kHalfOpen) {
        state_ = CircuitState::kClosed;
        changed = true;
      }
    }
    now_state = state_;
  }
  if (changed) Notify(now_state);
}

bool CircuitBreaker::OpenLocked(absl::Time now) {
  state_ = CircuitState::kOpen;
  open_until_ = now + options_.cooldown;
  times_opened_.fetch_add(1, std::memory_order_relaxed);
  if (cooldown_timer_ != 0 && scheduler_->Cancel(cooldown_timer_)) --tasks_;
  ++tasks_;
  const uint64_t generation = ++cooldown_generation_;
  cooldown_timer_ = scheduler_->RunAt(open_until_, [this, generation] {
    OnCooldownOver(generation);
    TaskFinished();
  });
  return true;
}

void CircuitBreaker::OnCooldownOver(uint64_t generation) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (generation != cooldown_generation_) return;  // Re-opened since.
    cooldown_timer_ = 0;
    if (state_ != CircuitState::kOpen) return;
    state_ = CircuitState::kHalfOpen;
    probe_in_flight_ = false;
  }
  Notify(CircuitState::kHalfOpen);
}

void CircuitBreaker::Notify(CircuitState state) {
  StateListener listener;
  {
    std::lock_guard<std::mutex> lock(mu_);
    listener = listener_;
  }
  if (listener) listener(state);
}

void CircuitBreaker::TaskFinished() {
  std::lock_guard<std::mutex> lock(mu_);
  if (--tasks_ == 0) idle_.notify_all();
}

}  // namespace tracktry
