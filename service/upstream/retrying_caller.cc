// Copyright 2026 The tracktry-grpc Authors.
#include "service/upstream/retrying_caller.h"

#include <algorithm>
#include <optional>
#include <utility>
#include <vector>

#include "common/error_details.h"

namespace tracktry {
namespace {

absl::Status CancelledStatus() {
  return MakeError(absl::StatusCode::kCancelled, "upstream call cancelled",
                   "CANCELLED");
}

// The rate shaper's "no slot before your deadline" answer.
bool IsShaperQueueRejection(const absl::Status& status) {
  if (status.code() != absl::StatusCode::kResourceExhausted) return false;
  const auto info = GetErrorInfo(status);
  return info.has_value() && info->reason() == "RATE_LIMIT_QUEUE";
}

}  // namespace

struct RetryingCaller::Call {
  CallId id = 0;
  UpstreamRequest request;
  absl::Time deadline;
  EnvelopeCallback done;
  // Attempts started so far; the running one has this number.
  int attempt = 0;
  // The running attempt's id at the inner caller (0 while unknown or none).
  CallId inner_id = 0;
  bool attempt_running = false;
  // Error of the previous attempt, once a retry was scheduled.
  std::optional<absl::Status> last_error;
  // Deadline given to the running (or last) attempt.
  absl::Time attempt_deadline;
  // Pending back-off timer (0 = none).
  Scheduler::TaskId timer = 0;
  bool cancelled = false;
  bool finished = false;
};

RetryingCaller::RetryingCaller(UpstreamCaller* inner, Scheduler* scheduler,
                               RetryOptions options)
    : inner_(inner),
      scheduler_(scheduler),
      options_(options),
      rng_(options.seed != 0 ? options.seed : std::random_device()()) {}

RetryingCaller::~RetryingCaller() {
  std::vector<CallId> ids;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
    for (const auto& [id, call] : calls_) ids.push_back(id);
  }
  for (CallId id : ids) Cancel(id);
  std::unique_lock<std::mutex> lock(mu_);
  idle_.wait(lock, [this] { return calls_.empty() && tasks_ == 0; });
}

bool RetryingCaller::IsRetryable(const absl::Status& status,
                                 bool cut_by_attempt_timeout) {
  switch (status.code()) {
    case absl::StatusCode::kUnavailable: {
      const auto info = GetErrorInfo(status);
      return !(info.has_value() && info->reason() == "CIRCUIT_OPEN");
    }
    case absl::StatusCode::kDeadlineExceeded: {
      if (!cut_by_attempt_timeout) return false;
      const auto info = GetErrorInfo(status);
      return info.has_value() && info->reason() == "UPSTREAM_TIMEOUT";
    }
    default:
      return false;
  }
}

UpstreamCaller::CallId RetryingCaller::Send(UpstreamRequest request,
                                            absl::Time deadline,
                                            EnvelopeCallback done) {
  auto call = std::make_shared<Call>();
  call->request = std::move(request);
  call->deadline = deadline;
  call->done = std::move(done);
  {
    std::lock_guard<std::mutex> lock(mu_);
    call->id = next_id_++;
    calls_.emplace(call->id, call);
  }
  StartAttempt(call);
  return call->id;
}

void RetryingCaller::StartAttempt(const std::shared_ptr<Call>& call) {
  const absl::Time now = absl::Now();
  int attempt = 0;
  bool cancel_instead = false;
  UpstreamRequest request;
  absl::Time attempt_deadline;
  {
    std::lock_guard<std::mutex> lock(mu_);
    call->timer = 0;
    if (call->finished) return;
    if (call->cancelled || stopping_) {
      // Cancelled during the back-off after its timer had started.
      cancel_instead = true;
    } else {
      attempt = ++call->attempt;
      call->attempt_running = true;
      call->inner_id = 0;
      attempt_deadline =
          std::min(call->deadline, now + options_.attempt_timeout);
      call->attempt_deadline = attempt_deadline;
      // The last attempt may take the request; earlier ones need a copy.
      request = attempt >= options_.max_attempts ? std::move(call->request)
                                                 : call->request;
    }
  }
  if (cancel_instead) {
    // Runs on the scheduler thread, never inside Send() or Cancel().
    Finish(call, CancelledStatus());
    return;
  }
  attempts_.fetch_add(1, std::memory_order_relaxed);
  if (attempt > 1) retries_.fetch_add(1, std::memory_order_relaxed);
  const CallId inner_id =
      inner_->Send(std::move(request), attempt_deadline,
                   [this, call, attempt](absl::StatusOr<Envelope> result) {
                     OnAttemptDone(call, attempt, std::move(result));
                   });
  bool cancel_now = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (call->attempt == attempt && call->attempt_running) {
      call->inner_id = inner_id;
      cancel_now = call->cancelled;
    }
  }
  if (cancel_now) inner_->Cancel(inner_id);
}

void RetryingCaller::OnAttemptDone(const std::shared_ptr<Call>& call,
                                   int attempt,
                                   absl::StatusOr<Envelope> result) {
  const absl::Time now = absl::Now();
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (call->finished || call->attempt != attempt) return;
    call->attempt_running = false;
    call->inner_id = 0;
    bool give_up = false;
    if (!result.ok() && call->last_error.has_value() &&
        IsShaperQueueRejection(result.status())) {
      // A retry that could not get a rate-limit slot in time: the caller
      // is better served by the upstream's own error, and no later retry
      // would fare better.
      result = *call->last_error;
      give_up = true;
    }
    if (!result.ok() && !give_up && !call->cancelled && !stopping_ &&
        attempt < options_.max_attempts &&
        IsIdempotent(call->request.endpoint) &&
        IsRetryable(result.status(),
                    /*cut_by_attempt_timeout=*/call->attempt_deadline <
                        call->deadline)) {
      absl::Duration backoff = Backoff(attempt);
      if (const std::optional<absl::Duration> server_delay =
              GetRetryDelay(result.status());
          server_delay.has_value()) {
        backoff = std::max(backoff, *server_delay);
      }
      if (now + backoff + options_.min_attempt_budget <= call->deadline) {
        call->last_error = result.status();
        ++tasks_;
        call->timer = scheduler_->RunAt(now + backoff, [this, call] {
          StartAttempt(call);
          TaskFinished();
        });
        return;
      }
    }
    if (call->cancelled && result.ok()) {
      // Answered while being cancelled: the caller asked for CANCELLED.
      result = CancelledStatus();
    }
  }
  Finish(call, std::move(result));
}

void RetryingCaller::Finish(const std::shared_ptr<Call>& call,
                            absl::StatusOr<Envelope> result) {
  EnvelopeCallback done;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (call->finished) return;
    call->finished = true;
    done = std::move(call->done);
  }
  std::move(done)(std::move(result));
  std::lock_guard<std::mutex> lock(mu_);
  calls_.erase(call->id);
  if (calls_.empty() && tasks_ == 0) idle_.notify_all();
}

void RetryingCaller::Cancel(CallId id) {
  CallId inner_id = 0;
  EnvelopeCallback cancelled_done;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = calls_.find(id);
    if (it == calls_.end()) return;
    const std::shared_ptr<Call> call = it->second;
    if (call->finished || call->cancelled) return;
    call->cancelled = true;
    if (call->attempt_running) {
      // 0 while Send() to the inner caller has not returned yet;
      // StartAttempt() cancels it then.
      inner_id = call->inner_id;
    } else if (call->timer != 0 && scheduler_->Cancel(call->timer)) {
      --tasks_;
      call->timer = 0;
      call->finished = true;
      cancelled_done = std::move(call->done);
      calls_.erase(it);
      ++tasks_;  // The delivery below.
    }
    // Otherwise the back-off timer has started and StartAttempt() sees
    // `cancelled`.
  }
  if (inner_id != 0) inner_->Cancel(inner_id);
  if (cancelled_done) {
    // The caller may hold its own lock around Cancel(): answer later.
    scheduler_->RunAt(absl::Now(),
                      [this, done = std::move(cancelled_done)]() mutable {
                        std::move(done)(CancelledStatus());
                        TaskFinished();
                      });
  }
}

absl::Duration RetryingCaller::Backoff(int retry) {
  absl::Duration cap = options_.initial_backoff;
  for (int i = 1; i < retry && cap < options_.max_backoff; ++i) cap *= 2;
  cap = std::min(cap, options_.max_backoff);
  const int64_t cap_us = std::max<int64_t>(absl::ToInt64Microseconds(cap), 0);
  std::uniform_int_distribution<int64_t> jitter(0, cap_us);
  return absl::Microseconds(jitter(rng_));
}

void RetryingCaller::TaskFinished() {
  std::lock_guard<std::mutex> lock(mu_);
  if (--tasks_ == 0 && calls_.empty()) idle_.notify_all();
}

}  // namespace tracktry
