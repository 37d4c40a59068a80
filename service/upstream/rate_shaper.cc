// Copyright 2026 The tracktry-grpc Authors.
#include "service/upstream/rate_shaper.h"

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/error_details.h"
#include "service/errors/upstream_status.h"
#include "service/upstream/redis_token_bucket_store.h"
#include "service/upstream/token_bucket_local_store.h"

namespace tracktry {
namespace {

// ErrorInfo reasons.
constexpr char kQueueReason[] = "RATE_LIMIT_QUEUE";
constexpr char kUpstreamRateLimitedReason[] = "RATE_LIMITED";

bool IsUpstreamRateLimited(const absl::Status& status) {
  if (status.code() != absl::StatusCode::kResourceExhausted) return false;
  const std::optional<google::rpc::ErrorInfo> info = GetErrorInfo(status);
  return info.has_value() && info->reason() == kUpstreamRateLimitedReason;
}

absl::Duration RoundUpToMillis(absl::Duration d) {
  return absl::Ceil(std::max(d, absl::ZeroDuration()), absl::Milliseconds(1));
}

absl::Status QueueError(RateClass rate_class, absl::Duration wait,
                        bool paused) {
  wait = RoundUpToMillis(wait);
  const std::string name = RateClassName(rate_class);
  const std::string message =
      paused ? absl::StrCat(
                   "upstream calls are paused after an upstream rate "
                   "limit (429); the ",
                   name, " request would start in ", absl::FormatDuration(wait),
                   ", past its deadline")
             : absl::StrCat("upstream rate limit: the ", name,
                            " request would wait ", absl::FormatDuration(wait),
                            " for its turn, past its deadline");
  return WithRetryDelay(
      MakeError(
          absl::StatusCode::kResourceExhausted, message, kQueueReason,
          {{"rateClass", name},
           {"expectedWaitMs", absl::StrCat(absl::ToInt64Milliseconds(wait))}}),
      wait);
}

absl::Status QueuedCallCancelled() {
  return MakeError(absl::StatusCode::kCancelled,
                   "upstream call cancelled while waiting for the rate limit",
                   "CANCELLED");
}

}  // namespace

absl::Status ValidateRateShaperOptions(const RateShaperOptions& options) {
  for (const TokenBucketLimit& limit : options.limits) {
    if (!(limit.rate > 0) || limit.rate > 1e6) {
      return absl::InvalidArgumentError(
          absl::StrCat("rate of class ", limit.name, " must be in (0, 1e6]"));
    }
    if (limit.burst < 1) {
      return absl::InvalidArgumentError(
          absl::StrCat("burst of class ", limit.name, " must be >= 1"));
    }
  }
  if (!(options.safety > 0 && options.safety <= 1)) {
    return absl::InvalidArgumentError("rate safety must be in (0, 1]");
  }
  if (!(options.jitter_compensation >= 0 && options.jitter_compensation <= 1)) {
    return absl::InvalidArgumentError(
        "rate jitter compensation must be in [0, 1]");
  }
  if (!(options.share > 0 && options.share <= 1)) {
    return absl::InvalidArgumentError("rate share must be in (0, 1]");
  }
  if (options.default_pause < absl::ZeroDuration() ||
      options.min_call_time < absl::ZeroDuration() ||
      options.redis_timeout <= absl::ZeroDuration() ||
      options.redis_retry_interval < absl::ZeroDuration()) {
    return absl::InvalidArgumentError(
        "rate limit durations must not be negative");
  }
  if (!options.redis_address.empty()) {
    absl::StatusOr<std::pair<std::string, int>> host_port =
        ParseHostPort(options.redis_address);
    if (!host_port.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("redis address: ", host_port.status().message()));
    }
  }
  return absl::OkStatus();
}

std::unique_ptr<TokenBucketStore> MakeTokenBucketStore(
    const RateShaperOptions& options) {
  std::vector<TokenBucketLimit> local;
  std::vector<TokenBucketLimit> shared;
  for (const TokenBucketLimit& limit : options.limits) {
    TokenBucketLimit l = limit;
    l.rate = limit.rate * options.safety * options.share;
    local.push_back(l);
    l.rate = limit.rate * options.safety;
    shared.push_back(l);
  }
  auto local_store = std::make_unique<LocalTokenBucketStore>(local);
  if (options.redis_address.empty()) return local_store;
  RedisTokenBucketOptions redis;
  redis.address = options.redis_address;
  redis.user = options.redis_user;
  redis.password = options.redis_password;
  redis.key_prefix = absl::StrCat(
      options.redis_namespace,
      ":rate:", options.account_id.empty() ? "default" : options.account_id);
  redis.limits = std::move(shared);
  redis.timeout = options.redis_timeout;
  redis.retry_interval = options.redis_retry_interval;
  redis.on_shared_change = options.on_redis_state;
  return std::make_unique<RedisTokenBucketStore>(std::move(redis),
                                                 std::move(local_store));
}

// The state shared with scheduler tasks and inner callbacks, which may
// outlive the RateShaper object (they hold a shared_ptr); after Stop() they
// touch neither `inner` nor `store`.
struct RateShaper::Core : public std::enable_shared_from_this<Core> {
  enum class CallState { kQueued, kForwarding, kForwarded };
  struct Call {
    RateClass rate_class;
    UpstreamRequest request;
    absl::Time deadline;
    absl::Time enqueued;
    EnvelopeCallback done;
    CallState state = CallState::kQueued;
    CallId inner_id = 0;
    bool cancel_requested = false;
    // When the token was taken, and its number in the class.
    absl::Time token_at;
    uint64_t token_seq = 0;
  };
  enum class PumpState { kIdle, kScheduled, kRunning };
  struct ClassState {
    std::deque<CallId> queue;
    PumpState pump = PumpState::kIdle;
    // When the scheduled pump runs.
    absl::Time next_try = absl::InfinitePast();
    // Tokens taken so far by this process.
    uint64_t tokens_taken = 0;
    // Latencies (token to completion) of the latest calls.
    std::array<absl::Duration, 16> latencies;
    size_t latency_count = 0;
    RateShaperStats::Class stats;
  };
  using Failures = std::vector<std::pair<EnvelopeCallback, absl::Status>>;

  Core(UpstreamCaller* inner, Scheduler* scheduler,
       const RateShaperOptions& options,
       std::unique_ptr<TokenBucketStore> store)
      : inner(inner),
        scheduler(scheduler),
        options(options),
        store(std::move(store)) {}

  CallId Send(UpstreamRequest request, absl::Time deadline,
              EnvelopeCallback done);
  void Cancel(CallId id);
  void Stop();
  RateShaperStats Stats() const;

  // Runs `fn` on the scheduler at `when` unless Stop() comes first; while
  // `fn` runs, Stop() waits. Requires mu.
  void ScheduleLocked(absl::Time when, absl::AnyInvocable<void() &&> fn);
  void SchedulePumpLocked(RateClass rate_class, absl::Time when);
  // Hands out tokens to the head of the class's queue until none is left.
  void Pump(RateClass rate_class);
  // Forwards call `id` (state kForwarding) to the inner caller.
  void Forward(CallId id, UpstreamRequest request, absl::Time deadline);
  // How much later than its token `call` (just completed) may have reached
  // the upstream: its latency beyond the recent minimum, capped at
  // jitter_compensation x the class interval; zero when a later token was
  // already taken. Records the latency.
  absl::Duration LateArrivalLocked(RateClass rate_class, const Call& call,
                                   absl::Time now);
  void OnInnerDone(CallId id, absl::StatusOr<Envelope> result);
  // Expected start of a request with `ahead` requests before it.
  absl::Time ExpectedStartLocked(RateClass rate_class, absl::Time now,
                                 int64_t ahead) const;
  // Removes from the queue every request that can no longer start in time.
  void FailHopelessLocked(RateClass rate_class, absl::Time now,
                          Failures* failures);
  absl::Status QueueErrorLocked(RateClass rate_class, absl::Time start,
                                absl::Time now) const {
    return QueueError(rate_class, start - now, paused_until > now);
  }
  void DeliverLater(EnvelopeCallback done, absl::Status status);
  void EndActive();
  ClassState& state(RateClass rate_class) {
    return classes[static_cast<size_t>(rate_class)];
  }
  const ClassState& state(RateClass rate_class) const {
    return classes[static_cast<size_t>(rate_class)];
  }

  UpstreamCaller* const inner;
  Scheduler* const scheduler;
  const RateShaperOptions options;
  const std::unique_ptr<TokenBucketStore> store;

  mutable std::mutex mu;
  std::condition_variable idle;
  bool stopped = false;
  // Tasks and callbacks currently using `inner` or `store`.
  int active = 0;
  CallId next_id = 1;
  std::unordered_map<CallId, Call> calls;
  std::array<ClassState, kRateClassCount> classes;
  uint64_t next_task = 1;
  std::map<uint64_t, Scheduler::TaskId> tasks;
  int64_t upstream_rate_limited = 0;
  int64_t pauses = 0;
  absl::Time paused_until = absl::InfinitePast();
};

void RateShaper::Core::ScheduleLocked(absl::Time when,
                                      absl::AnyInvocable<void() &&> fn) {
  const uint64_t token = next_task++;
  tasks[token] = scheduler->RunAt(
      when, [self = shared_from_this(), token, fn = std::move(fn)]() mutable {
        {
          std::lock_guard<std::mutex> lock(self->mu);
          self->tasks.erase(token);
          if (self->stopped) return;
          ++self->active;
        }
        std::move(fn)();
        self->EndActive();
      });
}

void RateShaper::Core::EndActive() {
  std::lock_guard<std::mutex> lock(mu);
  if (--active == 0) idle.notify_all();
}

void RateShaper::Core::DeliverLater(EnvelopeCallback done,
                                    absl::Status status) {
  scheduler->RunAt(absl::Now(), [done = std::move(done),
                                 status = std::move(status)]() mutable {
    std::move(done)(std::move(status));
  });
}

void RateShaper::Core::SchedulePumpLocked(RateClass rate_class,
                                          absl::Time when) {
  ClassState& c = state(rate_class);
  c.pump = PumpState::kScheduled;
  c.next_try = when;
  ScheduleLocked(when, [this, rate_class]() { Pump(rate_class); });
}

absl::Time RateShaper::Core::ExpectedStartLocked(RateClass rate_class,
                                                 absl::Time now,
                                                 int64_t ahead) const {
  absl::Time start =
      store->EstimateStart(static_cast<int>(rate_class), now, ahead);
  const ClassState& c = state(rate_class);
  if (c.pump == PumpState::kScheduled) start = std::max(start, c.next_try);
  return std::max({start, now, paused_until});
}

void RateShaper::Core::FailHopelessLocked(RateClass rate_class, absl::Time now,
                                          Failures* failures) {
  ClassState& c = state(rate_class);
  std::deque<CallId> kept;
  for (const CallId id : c.queue) {
    auto it = calls.find(id);
    const absl::Time start =
        ExpectedStartLocked(rate_class, now, static_cast<int64_t>(kept.size()));
    if (start + options.min_call_time <= it->second.deadline) {
      kept.push_back(id);
      continue;
    }
    failures->emplace_back(std::move(it->second.done),
                           QueueErrorLocked(rate_class, start, now));
    calls.erase(it);
    ++c.stats.rejected;
  }
  c.queue.swap(kept);
}

UpstreamCaller::CallId RateShaper::Core::Send(UpstreamRequest request,
                                              absl::Time deadline,
                                              EnvelopeCallback done) {
  const RateClass rate_class = RateClassOf(request.endpoint);
  const absl::Time now = absl::Now();
  std::lock_guard<std::mutex> lock(mu);
  const CallId id = next_id++;
  if (stopped) {
    DeliverLater(std::move(done), QueuedCallCancelled());
    return id;
  }
  ClassState& c = state(rate_class);
  const absl::Time start = ExpectedStartLocked(
      rate_class, now, static_cast<int64_t>(c.queue.size()));
  if (start + options.min_call_time > deadline) {
    ++c.stats.rejected;
    DeliverLater(std::move(done), QueueErrorLocked(rate_class, start, now));
    return id;
  }
  Call call;
  call.rate_class = rate_class;
  call.request = std::move(request);
  call.deadline = deadline;
  call.enqueued = now;
  call.done = std::move(done);
  calls.emplace(id, std::move(call));
  c.queue.push_back(id);
  c.stats.max_queued =
      std::max(c.stats.max_queued, static_cast<int64_t>(c.queue.size()));
  if (c.pump == PumpState::kIdle) SchedulePumpLocked(rate_class, now);
  return id;
}

void RateShaper::Core::Pump(RateClass rate_class) {
  Failures failures;
  const int bucket = static_cast<int>(rate_class);
  std::unique_lock<std::mutex> lock(mu);
  ClassState& c = state(rate_class);
  c.pump = PumpState::kRunning;
  while (!stopped) {
    if (c.queue.empty()) {
      c.pump = PumpState::kIdle;
      break;
    }
    {
      // The head may have run out of time while waiting (a late wake-up).
      const absl::Time now = absl::Now();
      auto head = calls.find(c.queue.front());
      if (now + options.min_call_time > head->second.deadline) {
        failures.emplace_back(
            std::move(head->second.done),
            QueueErrorLocked(rate_class,
                             ExpectedStartLocked(rate_class, now, 0), now));
        calls.erase(head);
        c.queue.pop_front();
        ++c.stats.rejected;
        continue;
      }
    }
    absl::Duration wait;
    absl::Time now = absl::Now();
    if (paused_until > now) {
      wait = paused_until - now;  // The store may not know yet.
    } else {
      lock.unlock();
      now = absl::Now();
      wait = store->TryAcquire(bucket, now);
      lock.lock();
    }
    if (stopped) break;
    if (wait <= absl::ZeroDuration()) {
      // The token goes to whoever is at the head now (the one we checked may
      // have been cancelled meanwhile); if nobody, it is lost.
      if (c.queue.empty()) {
        c.pump = PumpState::kIdle;
        break;
      }
      const CallId id = c.queue.front();
      c.queue.pop_front();
      Call& call = calls.at(id);
      call.state = CallState::kForwarding;
      call.token_at = now;
      call.token_seq = ++c.tokens_taken;
      const absl::Duration waited = now - call.enqueued;
      ++c.stats.forwarded;
      c.stats.total_wait += waited;
      c.stats.max_wait = std::max(c.stats.max_wait, waited);
      UpstreamRequest request = std::move(call.request);
      const absl::Time deadline = call.deadline;
      // Forward at once: any delay between the token and the upstream
      // narrows the gap to the next request.
      lock.unlock();
      Forward(id, std::move(request), deadline);
      lock.lock();
      continue;
    }
    const absl::Time after = absl::Now();
    const absl::Time next = after + wait;
    c.pump = PumpState::kScheduled;  // For ExpectedStartLocked.
    c.next_try = next;
    FailHopelessLocked(rate_class, after, &failures);
    if (c.queue.empty()) {
      c.pump = PumpState::kIdle;
    } else {
      SchedulePumpLocked(rate_class, next);
    }
    break;
  }
  lock.unlock();
  for (auto& [done, status] : failures) std::move(done)(std::move(status));
}

void RateShaper::Core::Forward(CallId id, UpstreamRequest request,
                               absl::Time deadline) {
  const CallId inner_id = inner->Send(
      std::move(request), deadline,
      [self = shared_from_this(), id](absl::StatusOr<Envelope> result) mutable {
        self->OnInnerDone(id, std::move(result));
      });
  bool cancel = false;
  {
    std::lock_guard<std::mutex> lock(mu);
    auto it = calls.find(id);
    // Absent when the inner call already completed.
    if (it != calls.end()) {
      it->second.inner_id = inner_id;
      it->second.state = CallState::kForwarded;
      cancel = it->second.cancel_requested;
    }
  }
  if (cancel) inner->Cancel(inner_id);
}

absl::Duration RateShaper::Core::LateArrivalLocked(RateClass rate_class,
                                                   const Call& call,
                                                   absl::Time now) {
  ClassState& c = state(rate_class);
  const absl::Duration latency = now - call.token_at;
  absl::Duration floor = absl::ZeroDuration();
  if (c.latency_count > 0) {
    floor = *std::min_element(
        c.latencies.begin(),
        c.latencies.begin() + static_cast<int64_t>(std::min(
                                  c.latency_count, c.latencies.size())));
  }
  c.latencies[c.latency_count % c.latencies.size()] = latency;
  ++c.latency_count;
  // Only the next request can still be helped, and only when it has not
  // been given a token yet.
  if (call.token_seq != c.tokens_taken) return absl::ZeroDuration();
  const absl::Duration cap = options.jitter_compensation *
                             store->Interval(static_cast<int>(rate_class));
  return std::min(latency - floor, cap);
}

void RateShaper::Core::OnInnerDone(CallId id, absl::StatusOr<Envelope> result) {
  const bool rate_limited =
      !result.ok() && IsUpstreamRateLimited(result.status());
  absl::Duration pause = options.default_pause;
  if (rate_limited) {
    const std::optional<absl::Duration> delay = GetRetryDelay(result.status());
    // The status table's default delay means "no Retry-After": use ours.
    if (delay.has_value() && *delay > absl::ZeroDuration() &&
        *delay != kDefaultRateLimitRetryDelay) {
      pause = *delay;
    }
    result = WithRetryDelay(result.status(), pause);
  }
  EnvelopeCallback done;
  Failures failures;
  {
    std::lock_guard<std::mutex> lock(mu);
    auto it = calls.find(id);
    if (it == calls.end()) return;  // Cannot happen: one completion per call.
    done = std::move(it->second.done);
    const RateClass rate_class = it->second.rate_class;
    const absl::Time token_at = it->second.token_at;
    const bool cancelled =
        !result.ok() && result.status().code() == absl::StatusCode::kCancelled;
    const absl::Time now = absl::Now();
    const absl::Duration late =
        cancelled || stopped ? absl::ZeroDuration()
                             : LateArrivalLocked(rate_class, it->second, now);
    calls.erase(it);
    if (late > absl::ZeroDuration()) {
      ++state(rate_class).stats.compensations;
      state(rate_class).stats.total_compensation += late;
      ScheduleLocked(now, [this, rate_class, token_at, late]() {
        store->Defer(static_cast<int>(rate_class), token_at, late, absl::Now());
      });
    }
    if (rate_limited) {
      ++upstream_rate_limited;
      if (!stopped) {
        // Every class stops at once (Pump checks paused_until); the store
        // (which may do Redis I/O) learns it on the scheduler thread.
        const absl::Time until = now + pause;
        ++pauses;
        paused_until = std::max(paused_until, until);
        for (int i = 0; i < kRateClassCount; ++i) {
          FailHopelessLocked(static_cast<RateClass>(i), now, &failures);
        }
        ScheduleLocked(now, [this, until]() {
          store->Pause(until, absl::Now());
          // Now with the store's exact view of the pause.
          Failures more;
          {
            std::lock_guard<std::mutex> lock(mu);
            for (int i = 0; i < kRateClassCount; ++i) {
              FailHopelessLocked(static_cast<RateClass>(i), absl::Now(), &more);
            }
          }
          for (auto& [queued_done, status] : more) {
            std::move(queued_done)(std::move(status));
          }
        });
      }
    }
  }
  for (auto& [queued_done, status] : failures) {
    std::move(queued_done)(std::move(status));
  }
  std::move(done)(std::move(result));
}

void RateShaper::Core::Cancel(CallId id) {
  CallId inner_id = 0;
  {
    std::lock_guard<std::mutex> lock(mu);
    auto it = calls.find(id);
    if (it == calls.end()) return;
    Call& call = it->second;
    switch (call.state) {
      case CallState::kQueued: {
        ClassState& c = state(call.rate_class);
        c.queue.erase(std::find(c.queue.begin(), c.queue.end(), id));
        ++c.stats.cancelled;
        DeliverLater(std::move(call.done), QueuedCallCancelled());
        calls.erase(it);
        return;
      }
      case CallState::kForwarding:
        call.cancel_requested = true;
        return;
      case CallState::kForwarded:
        inner_id = call.inner_id;
        break;
    }
  }
  inner->Cancel(inner_id);
}

void RateShaper::Core::Stop() {
  std::vector<EnvelopeCallback> queued;
  {
    std::unique_lock<std::mutex> lock(mu);
    stopped = true;
    for (const auto& [token, task_id] : tasks) scheduler->Cancel(task_id);
    tasks.clear();
    for (ClassState& c : classes) {
      for (const CallId id : c.queue) {
        auto it = calls.find(id);
        queued.push_back(std::move(it->second.done));
        calls.erase(it);
        ++c.stats.cancelled;
      }
      c.queue.clear();
      c.pump = PumpState::kIdle;
    }
    idle.wait(lock, [this] { return active == 0; });
  }
  for (EnvelopeCallback& done : queued) {
    std::move(done)(QueuedCallCancelled());
  }
}

RateShaperStats RateShaper::Core::Stats() const {
  RateShaperStats stats;
  {
    std::lock_guard<std::mutex> lock(mu);
    for (int i = 0; i < kRateClassCount; ++i) {
      stats.classes[i] = classes[i].stats;
      stats.classes[i].queued = static_cast<int64_t>(classes[i].queue.size());
    }
    stats.upstream_rate_limited = upstream_rate_limited;
    stats.pauses = pauses;
    stats.paused_until = paused_until;
  }
  stats.store = store->stats();
  return stats;
}

RateShaper::RateShaper(UpstreamCaller* inner, Scheduler* scheduler,
                       RateShaperOptions options)
    : RateShaper(inner, scheduler, options,
                 options.enabled ? MakeTokenBucketStore(options) : nullptr) {}

RateShaper::RateShaper(UpstreamCaller* inner, Scheduler* scheduler,
                       RateShaperOptions options,
                       std::unique_ptr<TokenBucketStore> store)
    : options_(std::move(options)), inner_(inner) {
  if (options_.enabled) {
    core_ =
        std::make_shared<Core>(inner, scheduler, options_, std::move(store));
  }
}

RateShaper::~RateShaper() {
  if (core_ != nullptr) core_->Stop();
}

UpstreamCaller::CallId RateShaper::Send(UpstreamRequest request,
                                        absl::Time deadline,
                                        EnvelopeCallback done) {
  if (core_ == nullptr) {
    passed_through_[static_cast<size_t>(RateClassOf(request.endpoint))]
        .fetch_add(1, std::memory_order_relaxed);
    return inner_->Send(std::move(request), deadline, std::move(done));
  }
  return core_->Send(std::move(request), deadline, std::move(done));
}

void RateShaper::Cancel(CallId id) {
  if (core_ == nullptr) {
    inner_->Cancel(id);
    return;
  }
  core_->Cancel(id);
}

RateShaperStats RateShaper::Stats() const {
  if (core_ == nullptr) {
    RateShaperStats stats;
    for (int i = 0; i < kRateClassCount; ++i) {
      stats.classes[i].forwarded = passed_through_[i].load();
    }
    return stats;
  }
  return core_->Stats();
}

}  // namespace tracktry
