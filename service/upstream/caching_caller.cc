// Copyright 2026 The tracktry-grpc Authors.
#include "service/upstream/caching_caller.h"

#include <algorithm>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "common/error_details.h"
#include "service/transport/url_encoding.h"

namespace tracktry {
namespace {

absl::Status CancelledStatus() {
  return MakeError(absl::StatusCode::kCancelled, "upstream call cancelled",
                   "CANCELLED");
}

absl::Status WaiterDeadlineStatus() {
  return MakeError(absl::StatusCode::kDeadlineExceeded,
                   "deadline exceeded while waiting for a shared upstream call",
                   "DEADLINE_EXCEEDED");
}

// The tag of one tracking number: lower case (numbers are matched without
// regard to case, as the upstream does).
std::string NumberTag(absl::string_view number) {
  return absl::AsciiStrToLower(number);
}

}  // namespace

struct CachingCaller::Waiter {
  EnvelopeCallback done;
  absl::Time deadline;
  Scheduler::TaskId timer = 0;
};

struct CachingCaller::Flight {
  uint64_t id = 0;
  std::string key;
  Endpoint endpoint = Endpoint::kGetTracking;
  // Tags of the tracking a get reads (stale marking) or a realtime call
  // refreshes (invalidation).
  std::vector<std::string> tags;
  // How long a success is cached; zero = not cached.
  absl::Duration ttl;
  absl::Time deadline;
  CallId inner_id = 0;
  // Invalidated while in flight: its answer is not cached.
  bool stale = false;
  // Every waiter left; the inner call is (being) cancelled.
  bool abandoned = false;
  bool done = false;
  absl::flat_hash_map<CallId, Waiter> waiters;
  // Fleet mode: looked up in the shared tier before any upstream call.
  bool shared = false;
  // The request, kept until the upstream call starts (shared flights).
  UpstreamRequest request;
  // The last lookup (its lease and version go to Fill / Release).
  SharedReadTier::LookupResult lookup;
  // Waiting for another replica's answer (0 = not).
  SharedReadTier::WaitId wait = 0;
  int lookups = 0;
};

// Forwards the shared tier's news about other replicas.
class CachingCaller::SharedListener final : public SharedReadTier::Listener {
 public:
  explicit SharedListener(CachingCaller* owner) : owner_(owner) {}
  void OnSharedInvalidation(const std::vector<std::string>& tags) override {
    owner_->OnSharedInvalidation(tags);
  }
  void OnSharedResync() override { owner_->OnSharedResync(); }

 private:
  CachingCaller* const owner_;
};

CachingCaller::CachingCaller(UpstreamCaller* inner, Scheduler* scheduler,
                             CacheOptions options, Clock clock)
    : inner_(inner),
      scheduler_(scheduler),
      options_(options),
      clock_(clock ? std::move(clock) : Clock([] { return absl::Now(); })),
      cache_(options.max_entries,
             options.max_bytes.value_or(kDefaultCacheMaxBytes)) {
  if (options_.sweep_interval > absl::ZeroDuration() &&
      options_.max_entries > 0) {
    std::lock_guard<std::mutex> lock(mu_);
    ScheduleSweepLocked(absl::Now() + options_.sweep_interval);
  }
}

CachingCaller::~CachingCaller() {
  // No news from other replicas from here on.
  if (tier_ != nullptr) tier_->SetListener(nullptr);
  std::vector<CallId> ids;
  std::vector<CallId> pass_through;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
    // A sweep already running sees stopping_ and schedules no other.
    if (sweep_task_ != 0 && scheduler_->Cancel(sweep_task_)) --tasks_;
    sweep_task_ = 0;
    for (const auto& [id, flight] : waiting_) ids.push_back(id);
    for (const auto& [id, inner_id] : pass_through_) {
      if (inner_id != 0) pass_through.push_back(inner_id);
    }
  }
  for (CallId id : ids) Cancel(id);
  for (CallId inner_id : pass_through) inner_->Cancel(inner_id);
  std::unique_lock<std::mutex> lock(mu_);
  idle_.wait(lock, [this] {
    return flights_.empty() && pass_through_.empty() && tasks_ == 0;
  });
}

std::string CachingCaller::KeyOf(const UpstreamRequest& request) {
  // Structured keys, then the wire parts; '\n' cannot occur unescaped in
  // any of them but the body, which comes last.
  std::string key =
      absl::StrCat(EndpointName(request.endpoint), "\n", request.carrier, "\n");
  for (const std::string& number : request.tracking_numbers) {
    absl::StrAppend(&key, number, ",");
  }
  absl::StrAppend(&key, "\n", request.lang, "\n");
  for (const auto& [name, value] : request.query) {
    absl::StrAppend(&key, UrlEncode(name), "=", UrlEncode(value), "&");
  }
  absl::StrAppend(&key, "\n", request.body);
  return key;
}

std::vector<std::string> CachingCaller::TagsOf(const UpstreamRequest& request) {
  std::vector<std::string> tags;
  tags.reserve(request.tracking_numbers.size());
  for (const std::string& number : request.tracking_numbers) {
    tags.push_back(NumberTag(number));
  }
  return tags;
}

absl::Duration CachingCaller::TtlOf(Endpoint endpoint) const {
  switch (RouteOf(endpoint).cache_class) {
    case CacheClass::kTracking:
      return options_.tracking_ttl;
    case CacheClass::kCarriers:
      return options_.carriers_ttl;
    case CacheClass::kNone:
      break;
  }
  return absl::ZeroDuration();
}

UpstreamCaller::CallId CachingCaller::Send(UpstreamRequest request,
                                           absl::Time deadline,
                                           EnvelopeCallback done) {
  if (!IsIdempotent(request.endpoint)) {
    return SendPassThrough(std::move(request), deadline, std::move(done));
  }
  const absl::Duration ttl = TtlOf(request.endpoint);
  const bool cacheable = ttl > absl::ZeroDuration() &&
                         (options_.max_entries > 0 || tier_ != nullptr);
  std::string key = KeyOf(request);
  std::shared_ptr<Flight> flight;
  CallId id;
  {
    std::lock_guard<std::mutex> lock(mu_);
    id = next_id_++;
    if (cacheable) {
      if (!request.bypass_cache) {
        if (std::shared_ptr<const Envelope> hit = cache_.Get(key, clock_())) {
          ++stats_.hits;
          ScheduleLocked(absl::Now(), [this, hit = std::move(hit),
                                       done = std::move(done)]() mutable {
            std::move(done)(Envelope(*hit));
            TaskFinished();
          });
          return id;
        }
      }
      ++stats_.misses;
    }
    if (options_.coalesce) {
      auto it = joinable_.find(key);
      if (it != joinable_.end() &&
          deadline <= it->second->deadline + options_.coalesce_deadline_slack) {
        flight = it->second;
        Waiter waiter{std::move(done), deadline, 0};
        if (deadline < flight->deadline) {
          // The shared call may run longer than this caller may wait.
          waiter.timer = ScheduleLocked(deadline, [this, id] {
            OnWaiterDeadline(id);
            TaskFinished();
          });
        }
        flight->waiters.emplace(id, std::move(waiter));
        waiting_.emplace(id, flight);
        ++stats_.coalesced;
        return id;
      }
    }
    flight = std::make_shared<Flight>();
    flight->id = next_flight_++;
    flight->key = key;
    flight->endpoint = request.endpoint;
    const Route& route = RouteOf(request.endpoint);
    if (route.cache_class == CacheClass::kTracking || route.invalidates_reads) {
      flight->tags = TagsOf(request);
    }
    flight->ttl = cacheable ? ttl : absl::ZeroDuration();
    flight->shared = tier_ != nullptr && cacheable;
    flight->deadline = deadline;
    flight->waiters.emplace(id, Waiter{std::move(done), deadline, 0});
    waiting_.emplace(id, flight);
    flights_.emplace(flight->id, flight);
    // A joinable flight with an earlier deadline keeps serving its own
    // waiters; new arrivals join this one.
    if (options_.coalesce) joinable_[key] = flight;
    // A shared flight counts when (if) it calls the upstream.
    if (!flight->shared) ++stats_.upstream_reads;
  }
  if (flight->shared) {
    const bool lead = !request.bypass_cache;
    {
      std::lock_guard<std::mutex> lock(mu_);
      flight->request = std::move(request);
    }
    LookupShared(flight, lead);
    return id;
  }
  StartFlight(flight, std::move(request));
  return id;
}

void CachingCaller::StartFlight(const std::shared_ptr<Flight>& flight,
                                UpstreamRequest request) {
  const CallId inner_id =
      inner_->Send(std::move(request), flight->deadline,
                   [this, flight](absl::StatusOr<Envelope> result) {
                     OnFlightDone(flight, std::move(result));
                   });
  bool cancel = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!flight->done) {
      flight->inner_id = inner_id;
      cancel = flight->abandoned;
    }
  }
  if (cancel) inner_->Cancel(inner_id);
}

void CachingCaller::OnFlightDone(const std::shared_ptr<Flight>& flight,
                                 absl::StatusOr<Envelope> result) {
  bool invalidate_shared = false;
  bool fill = false;
  SharedReadTier::LookupResult lookup;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (flight->shared) {
      fill = result.ok() && !flight->stale && !stopping_;
      lookup = std::move(flight->lookup);
    }
    if (RouteOf(flight->endpoint).invalidates_reads) {
      // E.g. a realtime fetch refreshes the upstream's stored tracking.
      InvalidateLocked(flight->tags);
      invalidate_shared = tier_ != nullptr && !flight->tags.empty();
    }
    if (result.ok() && flight->ttl > absl::ZeroDuration() && !flight->stale &&
        !stopping_) {
      cache_.Put(flight->key, flight->tags.empty() ? "" : flight->tags.front(),
                 *result, clock_() + flight->ttl);
    }
  }
  if (flight->shared) {
    // The other replicas' reads of it get the answer from L2, or go
    // upstream themselves when there is none.
    if (fill && lookup.version.has_value()) {
      tier_->Fill(SharedReadOf(*flight), lookup, *result, flight->ttl);
    } else if (lookup.outcome == SharedReadTier::Outcome::kLead) {
      tier_->Release(SharedReadOf(*flight), lookup);
    }
  }
  if (invalidate_shared) {
    // Every replica drops the tracking before the callers get the answer.
    tier_->Invalidate(flight->tags, flight->deadline,
                      [this, flight, result = std::move(result)]() mutable {
                        DeliverFlight(flight, std::move(result));
                      });
    return;
  }
  DeliverFlight(flight, std::move(result));
}

void CachingCaller::DeliverFlight(const std::shared_ptr<Flight>& flight,
                                  absl::StatusOr<Envelope> result) {
  std::vector<EnvelopeCallback> callbacks;
  {
    std::lock_guard<std::mutex> lock(mu_);
    flight->done = true;
    if (auto it = joinable_.find(flight->key);
        it != joinable_.end() && it->second == flight) {
      joinable_.erase(it);
    }
    callbacks.reserve(flight->waiters.size());
    for (auto& [id, waiter] : flight->waiters) {
      waiting_.erase(id);
      if (waiter.timer != 0 && scheduler_->Cancel(waiter.timer)) --tasks_;
      callbacks.push_back(std::move(waiter.done));
    }
    flight->waiters.clear();
  }
  for (size_t i = 0; i < callbacks.size(); ++i) {
    if (i + 1 == callbacks.size()) {
      std::move(callbacks[i])(std::move(result));
    } else {
      std::move(callbacks[i])(result);
    }
  }
  std::lock_guard<std::mutex> lock(mu_);
  EraseFlightLocked(flight);
}

void CachingCaller::EraseFlightLocked(const std::shared_ptr<Flight>& flight) {
  flights_.erase(flight->id);
  if (flights_.empty()) idle_.notify_all();
}

EnvelopeCallback CachingCaller::DetachLocked(CallId id, CallId* cancel_inner) {
  auto it = waiting_.find(id);
  if (it == waiting_.end()) return nullptr;
  std::shared_ptr<Flight> flight = std::move(it->second);
  waiting_.erase(it);
  auto waiter = flight->waiters.find(id);
  if (waiter == flight->waiters.end()) return nullptr;
  EnvelopeCallback done = std::move(waiter->second.done);
  if (waiter->second.timer != 0 && scheduler_->Cancel(waiter->second.timer)) {
    --tasks_;
  }
  flight->waiters.erase(waiter);
  if (flight->waiters.empty() && !flight->done) {
    flight->abandoned = true;
    if (auto j = joinable_.find(flight->key);
        j != joinable_.end() && j->second == flight) {
      joinable_.erase(j);
    }
    if (flight->wait != 0 && tier_->CancelWait(flight->wait)) {
      // Waiting for another replica: nothing else will end the flight.
      flight->wait = 0;
      flight->done = true;
      EraseFlightLocked(flight);
    }
    // 0 while Send() has not returned; StartFlight() cancels then.
    *cancel_inner = flight->inner_id;
  }
  return done;
}

void CachingCaller::OnWaiterDeadline(CallId id) {
  CallId cancel_inner = 0;
  EnvelopeCallback done;
  {
    std::lock_guard<std::mutex> lock(mu_);
    done = DetachLocked(id, &cancel_inner);
  }
  if (cancel_inner != 0) inner_->Cancel(cancel_inner);
  if (done) std::move(done)(WaiterDeadlineStatus());
}

void CachingCaller::Cancel(CallId id) {
  CallId cancel_inner = 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (auto it = pass_through_.find(id); it != pass_through_.end()) {
      cancel_inner = it->second;
    } else if (EnvelopeCallback done = DetachLocked(id, &cancel_inner)) {
      // The caller may hold its own lock around Cancel(): answer later.
      ScheduleLocked(absl::Now(), [this, done = std::move(done)]() mutable {
        std::move(done)(CancelledStatus());
        TaskFinished();
      });
    }
  }
  if (cancel_inner != 0) inner_->Cancel(cancel_inner);
}

UpstreamCaller::CallId CachingCaller::SendPassThrough(UpstreamRequest request,
                                                      absl::Time deadline,
                                                      EnvelopeCallback done) {
  std::vector<std::string> tags = RouteOf(request.endpoint).invalidates_reads
                                      ? TagsOf(request)
                                      : std::vector<std::string>();
  CallId id;
  {
    std::lock_guard<std::mutex> lock(mu_);
    id = next_id_++;
    pass_through_.emplace(id, 0);
  }
  const CallId inner_id = inner_->Send(
      std::move(request), deadline,
      [this, id, deadline, tags = std::move(tags),
       done = std::move(done)](absl::StatusOr<Envelope> result) mutable {
        auto answer = [this, id, done = std::move(done),
                       result = std::move(result)]() mutable {
          std::move(done)(std::move(result));
          std::lock_guard<std::mutex> lock(mu_);
          pass_through_.erase(id);
          if (pass_through_.empty()) idle_.notify_all();
        };
        // Invalidate before answering, so the caller's next read is fresh.
        OnPassThroughDone(id, tags);
        if (tier_ != nullptr && !tags.empty()) {
          // Fleet-wide too: L2 and every replica's L1.
          tier_->Invalidate(std::move(tags), deadline, std::move(answer));
          return;
        }
        answer();
      });
  std::lock_guard<std::mutex> lock(mu_);
  if (auto it = pass_through_.find(id); it != pass_through_.end()) {
    it->second = inner_id;
  }
  return id;
}

void CachingCaller::OnPassThroughDone(CallId id,
                                      const std::vector<std::string>& tags) {
  if (tags.empty()) return;
  std::lock_guard<std::mutex> lock(mu_);
  InvalidateLocked(tags);
}

void CachingCaller::Refresh(const UpstreamRequest& read, Envelope envelope) {
  if (RouteOf(read.endpoint).cache_class != CacheClass::kTracking) return;
  if (tier_ != nullptr && TtlOf(read.endpoint) > absl::ZeroDuration()) {
    const std::vector<std::string> tags = TagsOf(read);
    tier_->Replace({KeyOf(read), tags.empty() ? "" : tags.front()}, envelope,
                   TtlOf(read.endpoint));
  }
  RefreshLocal(read, std::move(envelope));
}

void CachingCaller::RefreshLocal(const UpstreamRequest& read,
                                 Envelope envelope) {
  if (RouteOf(read.endpoint).cache_class != CacheClass::kTracking) return;
  const std::vector<std::string> tags = TagsOf(read);
  std::lock_guard<std::mutex> lock(mu_);
  if (stopping_) return;
  InvalidateLocked(tags);
  const absl::Duration ttl = TtlOf(read.endpoint);
  if (ttl <= absl::ZeroDuration() || options_.max_entries == 0) return;
  cache_.Put(KeyOf(read), tags.empty() ? "" : tags.front(), std::move(envelope),
             clock_() + ttl);
}

void CachingCaller::InvalidateLocked(const std::vector<std::string>& tags) {
  for (const std::string& tag : tags) {
    stats_.invalidations += cache_.EraseTag(tag);
  }
  // Reads of these trackings still in flight may have read the old state:
  // they fill no cache entry and take no new waiters.
  for (auto& [flight_id, flight] : flights_) {
    if (RouteOf(flight->endpoint).cache_class != CacheClass::kTracking ||
        flight->tags.empty() || flight->done) {
      continue;
    }
    for (const std::string& tag : tags) {
      if (flight->tags.front() != tag) continue;
      flight->stale = true;
      if (auto j = joinable_.find(flight->key);
          j != joinable_.end() && j->second == flight) {
        joinable_.erase(j);
      }
      break;
    }
  }
}

Scheduler::TaskId CachingCaller::ScheduleLocked(absl::Time when,
                                                Scheduler::Task task) {
  ++tasks_;
  return scheduler_->RunAt(when, std::move(task));
}

void CachingCaller::TaskFinished() {
  std::lock_guard<std::mutex> lock(mu_);
  if (--tasks_ == 0) idle_.notify_all();
}

// --- Fleet mode. ---

void CachingCaller::SetSharedTier(SharedReadTier* tier) {
  tier_ = tier;
  tier_listener_ = std::make_unique<SharedListener>(this);
  tier_->SetListener(tier_listener_.get());
}

SharedReadTier::Read CachingCaller::SharedReadOf(const Flight& flight) {
  return {flight.key, flight.tags.empty() ? "" : flight.tags.front()};
}

void CachingCaller::LookupShared(const std::shared_ptr<Flight>& flight,
                                 bool lead) {
  tier_->Lookup(SharedReadOf(*flight), lead, flight->deadline,
                [this, flight](SharedReadTier::LookupResult result) {
                  OnSharedLookup(flight, std::move(result));
                });
}

void CachingCaller::OnSharedLookup(const std::shared_ptr<Flight>& flight,
                                   SharedReadTier::LookupResult result) {
  // Waits on a leader this many times at most (a leader that keeps
  // failing to fill), then reads upstream itself.
  constexpr int kMaxFollows = 3;
  std::unique_lock<std::mutex> lock(mu_);
  if (flight->abandoned || stopping_) {
    if (result.outcome == SharedReadTier::Outcome::kLead) {
      tier_->Release(SharedReadOf(*flight), result);
    }
    flight->done = true;
    EraseFlightLocked(flight);
    return;
  }
  switch (result.outcome) {
    case SharedReadTier::Outcome::kHit: {
      if (!flight->stale) {
        const absl::Duration ttl = std::min(flight->ttl, result.answer_ttl);
        cache_.Put(flight->key,
                   flight->tags.empty() ? "" : flight->tags.front(),
                   result.answer, clock_() + ttl);
      }
      lock.unlock();
      DeliverFlight(flight, std::move(result.answer));
      return;
    }
    case SharedReadTier::Outcome::kFollow:
      if (++flight->lookups <= kMaxFollows) {
        // The callback takes mu_, so it sees `wait` set.
        flight->wait = tier_->AwaitLeader(
            SharedReadOf(*flight),
            std::min(flight->deadline,
                     absl::Now() + result.lease_left + absl::Milliseconds(50)),
            [this, flight](SharedReadTier::Wake wake) {
              OnSharedWake(flight, wake);
            });
        return;
      }
      result = SharedReadTier::LookupResult();  // Upstream, no lease.
      break;
    case SharedReadTier::Outcome::kLead:
    case SharedReadTier::Outcome::kMiss:
      break;
  }
  flight->lookup = std::move(result);
  UpstreamRequest request = std::move(flight->request);
  ++stats_.upstream_reads;
  lock.unlock();
  StartFlight(flight, std::move(request));
}

void CachingCaller::OnSharedWake(const std::shared_ptr<Flight>& flight,
                                 SharedReadTier::Wake wake) {
  std::unique_lock<std::mutex> lock(mu_);
  flight->wait = 0;
  if (flight->abandoned || stopping_) {
    flight->done = true;
    EraseFlightLocked(flight);
    return;
  }
  switch (wake) {
    case SharedReadTier::Wake::kFilled:
    case SharedReadTier::Wake::kExpired:
      // The answer is in L2, or the leader may be gone: look again.
      lock.unlock();
      LookupShared(flight, /*lead=*/true);
      return;
    case SharedReadTier::Wake::kReleased:
    case SharedReadTier::Wake::kLost:
      break;
  }
  // No answer is coming from elsewhere: read upstream (no lease).
  flight->lookup = SharedReadTier::LookupResult();
  UpstreamRequest request = std::move(flight->request);
  ++stats_.upstream_reads;
  lock.unlock();
  StartFlight(flight, std::move(request));
}

void CachingCaller::OnSharedInvalidation(const std::vector<std::string>& tags) {
  std::lock_guard<std::mutex> lock(mu_);
  InvalidateLocked(tags);
}

void CachingCaller::OnSharedResync() {
  std::lock_guard<std::mutex> lock(mu_);
  // Invalidations may have been missed: nothing cached or in flight is
  // trusted.
  cache_.Clear();
  for (auto& [flight_id, flight] : flights_) {
    flight->stale = true;
    if (auto j = joinable_.find(flight->key);
        j != joinable_.end() && j->second == flight) {
      joinable_.erase(j);
    }
  }
}

void CachingCaller::ScheduleSweepLocked(absl::Time when) {
  sweep_task_ = ScheduleLocked(when, [this] {
    Sweep();
    TaskFinished();
  });
}

void CachingCaller::Sweep() {
  // Freed after mu_ is released: reads waiting for the lock do not wait for
  // the heap frees of a batch of parsed trackings.
  std::vector<std::shared_ptr<const Envelope>> dropped;
  std::lock_guard<std::mutex> lock(mu_);
  sweep_task_ = 0;
  if (stopping_) return;
  // Bounded work per task keeps mu_ (and the scheduler thread) short; a
  // full batch means more may be waiting, so the next batch runs at once,
  // after whatever else the scheduler has due.
  dropped.reserve(options_.sweep_batch);
  const size_t count =
      cache_.DropExpired(clock_(), options_.sweep_batch, &dropped);
  const bool more = count > 0 && count == options_.sweep_batch;
  ScheduleSweepLocked(more ? absl::Now()
                           : absl::Now() + options_.sweep_interval);
}

CacheStats CachingCaller::stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  CacheStats stats = stats_;
  stats.evictions = cache_.evictions();
  stats.expired = cache_.expired();
  stats.max_bytes = cache_.max_bytes();
  stats.entries = cache_.size();
  stats.bytes = cache_.bytes();
  return stats;
}

void CachingCaller::Clear() {
  std::lock_guard<std::mutex> lock(mu_);
  cache_.Clear();
}

}  // namespace tracktry
