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

// What a member of a combined call gets when it leaves before the answer:
// what its own call would have given (the transport's errors, through the
// status table).
absl::Status MemberDeadlineExceeded() {
  return StatusFromTransportError(absl::DeadlineExceededError(
      "upstream call: deadline passed before the combined read's answer"));
}
absl::Status MemberCancelled() {
  return StatusFromTransportError(
      absl::CancelledError("upstream call: cancelled"));
}

// How many tokens are needed before a request can start, counting
// combinable requests (a non-empty key) as the combined calls they will
// make: `max_members` per call. Not thread-safe (RateShaper::Core::mu).
class AheadCounter {
 public:
  explicit AheadCounter(int max_members)
      : max_members_(std::max(max_members, 1)) {}

  // Tokens before a new request with `key` could start if it were added
  // now: plain requests one each, each key's requests ceil(n / max)
  // calls; requests of its own key whose last call has room take it along.
  int64_t Ahead(const std::string& key) const {
    int64_t ahead = plain_ + slots_;
    if (!key.empty()) {
      auto it = keyed_.find(key);
      if (it != keyed_.end() && it->second % max_members_ != 0) --ahead;
    }
    return ahead;
  }
  // Queued requests with `key` (0 for "").
  int64_t Count(const std::string& key) const {
    auto it = keyed_.find(key);
    return it == keyed_.end() ? 0 : it->second;
  }
  void Add(const std::string& key) {
    if (key.empty()) {
      ++plain_;
      return;
    }
    int64_t& n = keyed_[key];
    if (n % max_members_ == 0) ++slots_;
    ++n;
  }
  void Remove(const std::string& key) {
    if (key.empty()) {
      --plain_;
      return;
    }
    auto it = keyed_.find(key);
    if (it == keyed_.end()) return;
    --it->second;
    if (it->second % max_members_ == 0) --slots_;
    if (it->second == 0) keyed_.erase(it);
  }
  void Clear() {
    plain_ = 0;
    slots_ = 0;
    keyed_.clear();
  }

 private:
  int64_t max_members_;
  int64_t plain_ = 0;
  int64_t slots_ = 0;
  std::unordered_map<std::string, int64_t> keyed_;
};

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
    // ReadCombiner::CombineKey ("" = goes out alone).
    std::string combine_key;
    // A member of a combined call: that call's id (0 = none), and the task
    // ending its wait at its deadline (0 = none).
    CallId batch = 0;
    uint64_t deadline_task = 0;
    // A combined call: members still waiting for its answer, and the extra
    // token it holds (of class `extra_class`, taken at `extra_token_at`).
    bool combined = false;
    int attached = 0;
    std::optional<RateClass> extra_class;
    absl::Time extra_token_at;
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
    // The queue as tokens needed (see AheadCounter).
    AheadCounter ahead{1};
  };
  using Failures = std::vector<std::pair<EnvelopeCallback, absl::Status>>;

  Core(UpstreamCaller* inner, Scheduler* scheduler,
       const RateShaperOptions& options,
       std::unique_ptr<TokenBucketStore> store)
      : inner(inner),
        scheduler(scheduler),
        options(options),
        store(std::move(store)),
        combiner(options.read_combiner != nullptr &&
                         options.read_combiner->max_members() >= 2
                     ? options.read_combiner.get()
                     : nullptr) {
    if (combiner != nullptr) {
      extra_class = RateClassOf(combiner->combined_endpoint());
      batching.batch_sizes.assign(
          static_cast<size_t>(combiner->max_members()) + 1, 0);
    }
    for (ClassState& c : classes) {
      c.ahead = AheadCounter(combiner != nullptr ? combiner->max_members() : 1);
    }
  }

  CallId Send(UpstreamRequest request, absl::Time deadline,
              EnvelopeCallback done);
  void Cancel(CallId id);
  void Stop();
  RateShaperStats Stats() const;

  // Runs `fn` on the scheduler at `when` unless Stop() comes first; while
  // `fn` runs, Stop() waits. Returns a token for CancelTaskLocked. Requires
  // mu.
  uint64_t ScheduleLocked(absl::Time when, absl::AnyInvocable<void() &&> fn);
  // Drops a task of ScheduleLocked that has not started. Requires mu.
  void CancelTaskLocked(uint64_t token);
  void SchedulePumpLocked(RateClass rate_class, absl::Time when);
  // Hands out tokens to the head of the class's queue until none is left.
  void Pump(RateClass rate_class);
  // Forwards call `id` (state kForwarding) to the inner caller.
  void Forward(CallId id, UpstreamRequest request, absl::Time deadline);
  // Read batching: whether to try for the extra token now, i.e. the head of
  // `rate_class`'s queue has queued companions it could go out with, the
  // extra class has no queue, and the head's own token looks due. Requires
  // mu.
  bool ShouldTryCombiningLocked(RateClass rate_class, absl::Time now) const;
  // Takes the head's companions out of the queue (at most max_members - 1,
  // queue order, each with time left). Requires mu.
  std::vector<CallId> GatherLocked(RateClass rate_class, CallId head,
                                   absl::Time now);
  // Sends `head` (just given its token, state kForwarding) and `companions`
  // as one combined call holding also an extra token taken at `now`.
  // Requires `lock` (on mu) held; releases it while forwarding.
  void ForwardCombined(std::unique_lock<std::mutex>& lock, RateClass rate_class,
                       CallId head, const std::vector<CallId>& companions,
                       absl::Time now);
  void OnCombinedDone(CallId combined, const std::vector<CallId>& members,
                      const std::vector<UpstreamRequest>& requests,
                      absl::StatusOr<Envelope> result);
  // Removes member `id` from its combined call; returns its callback and,
  // when no member is left, the inner id of the combined call to cancel in
  // `*cancel_inner` (0 = none). Requires mu.
  EnvelopeCallback DetachLocked(CallId id, CallId* cancel_inner);
  void OnMemberDeadline(CallId id);
  // Queue bookkeeping (the AheadCounter). Require mu.
  void PushQueuedLocked(ClassState& c, CallId id, const Call& call);
  void ForgetQueuedLocked(ClassState& c, const Call& call) {
    c.ahead.Remove(call.combine_key);
  }
  // How much later than its token `call` (just completed) may have reached
  // the upstream: its latency beyond the recent minimum (of its class, or
  // for a combined call of the combined endpoint's class), capped at
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
  // options.read_combiner when it combines (max_members >= 2), else null;
  // owned by `options`.
  const ReadCombiner* const combiner;
  // The class of combined calls (kDefault when there is no combiner).
  RateClass extra_class = RateClass::kDefault;

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
  ReadBatchStats batching;
};

uint64_t RateShaper::Core::ScheduleLocked(absl::Time when,
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
  return token;
}

void RateShaper::Core::CancelTaskLocked(uint64_t token) {
  auto it = tasks.find(token);
  if (it == tasks.end()) return;
  scheduler->Cancel(it->second);
  tasks.erase(it);
}

void RateShaper::Core::PushQueuedLocked(ClassState& c, CallId id,
                                        const Call& call) {
  c.queue.push_back(id);
  c.ahead.Add(call.combine_key);
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
  AheadCounter ahead(combiner != nullptr ? combiner->max_members() : 1);
  for (const CallId id : c.queue) {
    auto it = calls.find(id);
    const std::string& key = it->second.combine_key;
    const absl::Time start =
        ExpectedStartLocked(rate_class, now, ahead.Ahead(key));
    if (start + options.min_call_time <= it->second.deadline) {
      kept.push_back(id);
      ahead.Add(key);
      continue;
    }
    failures->emplace_back(std::move(it->second.done),
                           QueueErrorLocked(rate_class, start, now));
    calls.erase(it);
    ++c.stats.rejected;
  }
  c.queue.swap(kept);
  c.ahead = std::move(ahead);
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
  std::string key;
  if (combiner != nullptr && rate_class != extra_class) {
    key = combiner->CombineKey(request);
  }
  const absl::Time start =
      ExpectedStartLocked(rate_class, now, c.ahead.Ahead(key));
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
  call.combine_key = std::move(key);
  auto [it, inserted] = calls.emplace(id, std::move(call));
  PushQueuedLocked(c, id, it->second);
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
        ForgetQueuedLocked(c, head->second);
        calls.erase(head);
        c.queue.pop_front();
        ++c.stats.rejected;
        continue;
      }
    }
    absl::Duration wait;
    absl::Time now = absl::Now();
    bool extra_token = false;
    if (paused_until > now) {
      wait = paused_until - now;  // The store may not know yet.
    } else {
      const bool try_combining = ShouldTryCombiningLocked(rate_class, now);
      lock.unlock();
      now = absl::Now();
      // The extra token first, at the same `now`: two buckets driven by the
      // same combined calls then stay in step, so the extra one is there
      // whenever the head's is (docs/read-batching.md).
      if (try_combining) {
        extra_token = store->TryAcquire(static_cast<int>(extra_class), now) <=
                      absl::ZeroDuration();
      }
      wait = store->TryAcquire(bucket, now);
      lock.lock();
      if (extra_token && wait > absl::ZeroDuration()) {
        ++batching.extra_tokens_unused;
        extra_token = false;
      }
    }
    if (stopped) break;
    if (wait <= absl::ZeroDuration()) {
      // The token goes to whoever is at the head now (the one we checked may
      // have been cancelled meanwhile); if nobody, it is lost.
      if (c.queue.empty()) {
        if (extra_token) ++batching.extra_tokens_unused;
        c.pump = PumpState::kIdle;
        break;
      }
      const CallId id = c.queue.front();
      c.queue.pop_front();
      Call& call = calls.at(id);
      ForgetQueuedLocked(c, call);
      call.state = CallState::kForwarding;
      call.token_at = now;
      call.token_seq = ++c.tokens_taken;
      const absl::Duration waited = now - call.enqueued;
      ++c.stats.forwarded;
      c.stats.total_wait += waited;
      c.stats.max_wait = std::max(c.stats.max_wait, waited);
      if (extra_token) {
        const std::vector<CallId> companions =
            GatherLocked(rate_class, id, now);
        if (!companions.empty()) {
          ForwardCombined(lock, rate_class, id, companions, now);
          continue;
        }
        ++batching.extra_tokens_unused;
      } else if (combiner != nullptr && !call.combine_key.empty() &&
                 c.ahead.Count(call.combine_key) > 0) {
        ++batching.no_extra_token;
      }
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

bool RateShaper::Core::ShouldTryCombiningLocked(RateClass rate_class,
                                                absl::Time now) const {
  if (combiner == nullptr || rate_class == extra_class) return false;
  const ClassState& c = state(rate_class);
  if (c.queue.empty()) return false;
  const std::string& key = calls.at(c.queue.front()).combine_key;
  // The head and at least one companion.
  if (key.empty() || c.ahead.Count(key) < 2) return false;
  // Calls queued for the extra class itself come first.
  if (!state(extra_class).queue.empty()) return false;
  // An extra token taken while the head's own is not due would be wasted.
  return store->EstimateStart(static_cast<int>(rate_class), now, 0) <= now;
}

std::vector<UpstreamCaller::CallId> RateShaper::Core::GatherLocked(
    RateClass rate_class, CallId head, absl::Time now) {
  std::vector<CallId> companions;
  ClassState& c = state(rate_class);
  const std::string& key = calls.at(head).combine_key;
  if (key.empty()) return companions;
  const size_t room = static_cast<size_t>(combiner->max_members()) - 1;
  std::deque<CallId> kept;
  for (const CallId id : c.queue) {
    const Call& call = calls.at(id);
    if (companions.size() < room && call.combine_key == key &&
        now + options.min_call_time <= call.deadline) {
      companions.push_back(id);
      ForgetQueuedLocked(c, call);
    } else {
      kept.push_back(id);
    }
  }
  c.queue.swap(kept);
  return companions;
}

void RateShaper::Core::ForwardCombined(std::unique_lock<std::mutex>& lock,
                                       RateClass rate_class, CallId head,
                                       const std::vector<CallId>& companions,
                                       absl::Time now) {
  ClassState& c = state(rate_class);
  const CallId combined_id = next_id++;
  std::vector<CallId> members;
  members.reserve(companions.size() + 1);
  members.push_back(head);
  members.insert(members.end(), companions.begin(), companions.end());
  std::vector<UpstreamRequest> requests;
  requests.reserve(members.size());
  absl::Time deadline = absl::InfinitePast();
  for (const CallId id : members) {
    Call& member = calls.at(id);
    if (id != head) {  // The head's forwarding was counted by Pump.
      const absl::Duration waited = now - member.enqueued;
      ++c.stats.forwarded;
      c.stats.total_wait += waited;
      c.stats.max_wait = std::max(c.stats.max_wait, waited);
    }
    member.state = CallState::kForwarded;
    member.batch = combined_id;
    requests.push_back(std::move(member.request));
    deadline = std::max(deadline, member.deadline);
  }
  // A member with less time than the combined call leaves at its deadline.
  for (const CallId id : members) {
    Call& member = calls.at(id);
    if (member.deadline < deadline) {
      member.deadline_task = ScheduleLocked(
          member.deadline, [this, id]() { OnMemberDeadline(id); });
    }
  }
  const Call& first = calls.at(head);
  Call combined;
  combined.rate_class = rate_class;
  combined.deadline = deadline;
  combined.enqueued = now;
  combined.state = CallState::kForwarding;
  combined.token_at = first.token_at;
  combined.token_seq = first.token_seq;
  combined.combined = true;
  combined.attached = static_cast<int>(members.size());
  combined.extra_class = extra_class;
  combined.extra_token_at = now;
  UpstreamRequest request = combiner->Combine(requests);
  combined.done = [self = shared_from_this(), combined_id, members,
                   requests = std::move(requests)](
                      absl::StatusOr<Envelope> result) mutable {
    self->OnCombinedDone(combined_id, members, requests, std::move(result));
  };
  calls.emplace(combined_id, std::move(combined));
  // The extra class's latest token is now this call's.
  ++state(extra_class).tokens_taken;
  ++batching.batches;
  batching.batched_reads += static_cast<int64_t>(members.size());
  if (members.size() < batching.batch_sizes.size()) {
    ++batching.batch_sizes[members.size()];
  }
  lock.unlock();
  Forward(combined_id, std::move(request), deadline);
  lock.lock();
}

void RateShaper::Core::OnCombinedDone(
    CallId combined, const std::vector<CallId>& members,
    const std::vector<UpstreamRequest>& requests,
    absl::StatusOr<Envelope> result) {
  std::vector<std::pair<size_t, EnvelopeCallback>> waiting;
  {
    std::lock_guard<std::mutex> lock(mu);
    for (size_t i = 0; i < members.size(); ++i) {
      auto it = calls.find(members[i]);
      if (it == calls.end() || it->second.batch != combined) continue;
      if (it->second.deadline_task != 0) {
        CancelTaskLocked(it->second.deadline_task);
      }
      waiting.emplace_back(i, std::move(it->second.done));
      calls.erase(it);
    }
  }
  if (waiting.empty()) return;
  std::vector<absl::StatusOr<Envelope>> parts =
      combiner->Split(result, requests);
  for (auto& [index, done] : waiting) {
    absl::StatusOr<Envelope> part =
        index < parts.size() ? std::move(parts[index])
                             : absl::StatusOr<Envelope>(absl::InternalError(
                                   "read combiner gave too few results"));
    // One upstream outcome for all the members (see read_combiner.h).
    if (!part.ok()) part = WithSharedOutcome(part.status(), combined);
    std::move(done)(std::move(part));
  }
}

EnvelopeCallback RateShaper::Core::DetachLocked(CallId id,
                                                CallId* cancel_inner) {
  *cancel_inner = 0;
  auto it = calls.find(id);
  if (it == calls.end() || it->second.batch == 0) return nullptr;
  const CallId combined_id = it->second.batch;
  EnvelopeCallback done = std::move(it->second.done);
  if (it->second.deadline_task != 0) CancelTaskLocked(it->second.deadline_task);
  calls.erase(it);
  ++batching.detached;
  auto combined = calls.find(combined_id);
  if (combined != calls.end() && --combined->second.attached == 0) {
    // Nobody waits for the answer any more.
    if (combined->second.state == CallState::kForwarded) {
      *cancel_inner = combined->second.inner_id;
    } else {
      combined->second.cancel_requested = true;
    }
  }
  return done;
}

void RateShaper::Core::OnMemberDeadline(CallId id) {
  EnvelopeCallback done;
  CallId cancel_inner = 0;
  {
    std::lock_guard<std::mutex> lock(mu);
    auto it = calls.find(id);
    if (it == calls.end()) return;
    it->second.deadline_task = 0;  // Running now.
    done = DetachLocked(id, &cancel_inner);
  }
  if (cancel_inner != 0) inner->Cancel(cancel_inner);
  if (done) std::move(done)(MemberDeadlineExceeded());
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
  // A combined call is measured against the calls of its own endpoint (a
  // list answer takes longer to arrive than a single GET's).
  ClassState& history = call.combined ? state(extra_class) : c;
  const absl::Duration latency = now - call.token_at;
  absl::Duration floor = absl::ZeroDuration();
  if (history.latency_count > 0) {
    floor = *std::min_element(
        history.latencies.begin(),
        history.latencies.begin() +
            static_cast<int64_t>(
                std::min(history.latency_count, history.latencies.size())));
  }
  history.latencies[history.latency_count % history.latencies.size()] = latency;
  ++history.latency_count;
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
    const std::optional<RateClass> extra = it->second.extra_class;
    const absl::Time extra_token_at = it->second.extra_token_at;
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
      ScheduleLocked(now, [this, rate_class, token_at, late, extra,
                           extra_token_at]() {
        store->Defer(static_cast<int>(rate_class), token_at, late, absl::Now());
        // The same for a combined call's extra token, keeping the two
        // buckets in step.
        if (extra.has_value()) {
          store->Defer(static_cast<int>(*extra), extra_token_at, late,
                       absl::Now());
        }
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
    if (call.batch != 0) {
      // A member of a combined call leaves it; the others keep waiting.
      EnvelopeCallback done = DetachLocked(id, &inner_id);
      if (done) DeliverLater(std::move(done), MemberCancelled());
      if (inner_id == 0) return;
    } else {
      switch (call.state) {
        case CallState::kQueued: {
          ClassState& c = state(call.rate_class);
          ForgetQueuedLocked(c, call);
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
      c.ahead.Clear();
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
    stats.batching = batching;
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
