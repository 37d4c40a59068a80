// Copyright 2026 The tracktry-grpc Authors.
#include "service/upstream/idempotency_store.h"

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

absl::Status WaitDeadlineStatus() {
  return MakeError(absl::StatusCode::kDeadlineExceeded,
                   "deadline exceeded while waiting for the first call with "
                   "this request_id",
                   "DEADLINE_EXCEEDED");
}

absl::Status ReusedStatus() {
  return WithFieldViolation(
      MakeError(absl::StatusCode::kInvalidArgument,
                "request_id was already used with a different request",
                "REQUEST_ID_REUSED", {{"field", "request_id"}}),
      "request_id", "was already used with a different request");
}

}  // namespace

struct IdempotencyStore::Part {
  bool finished = false;
  // The remembered answer, once finished.
  std::optional<absl::StatusOr<Envelope>> result;
  // While running: the id of the upstream call (the first caller's id) and
  // every caller waiting for it, the first one included.
  CallId run_id = 0;
  absl::flat_hash_map<CallId, EnvelopeCallback> waiters;
  // Fleet mode, until the upstream call starts: the call, and (while
  // waiting for another replica's run) the wait and the callers' deadlines.
  UpstreamRequest request;
  absl::Time deadline;
  SharedRequestRecords::WaitId wait = 0;
  absl::flat_hash_map<CallId, absl::Time> deadlines;
};

struct IdempotencyStore::Entry {
  std::string key;
  uint64_t fingerprint = 0;
  // Forget after this (set when a part finishes).
  absl::Time expires = absl::InfiniteFuture();
  std::map<int, Part> parts;
  std::list<std::string>::iterator order;

  bool running() const {
    for (const auto& [index, part] : parts) {
      if (!part.finished) return true;
    }
    return false;
  }
};

IdempotencyStore::IdempotencyStore(UpstreamCaller* inner, Scheduler* scheduler,
                                   IdempotencyOptions options, Clock clock)
    : inner_(inner),
      scheduler_(scheduler),
      options_(options),
      clock_(clock ? std::move(clock) : Clock([] { return absl::Now(); })) {}

IdempotencyStore::~IdempotencyStore() {
  std::vector<CallId> ids;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
    for (const auto& [id, where] : waiting_) ids.push_back(id);
    for (const auto& [id, inner_id] : running_) ids.push_back(id);
  }
  for (CallId id : ids) Cancel(id);
  std::unique_lock<std::mutex> lock(mu_);
  idle_.wait(lock, [this] { return running_.empty() && tasks_ == 0; });
}

bool IdempotencyStore::IsDefinite(const absl::Status& status) {
  switch (status.code()) {
    case absl::StatusCode::kOk:
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kAlreadyExists:
      return true;
    default:
      return false;
  }
}

size_t IdempotencyStore::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return entries_.size();
}

UpstreamCaller::CallId IdempotencyStore::Send(UpstreamRequest request,
                                              absl::Time deadline,
                                              EnvelopeCallback done) {
  if (request.idempotency_key.empty() || options_.ttl <= absl::ZeroDuration()) {
    return PassThrough(std::move(request), deadline, std::move(done));
  }
  const absl::Time now = clock_();
  const int index = request.idempotency_part;
  std::shared_ptr<Entry> entry;
  CallId id;
  {
    std::lock_guard<std::mutex> lock(mu_);
    SweepLocked(now);
    id = next_id_++;
    auto it = entries_.find(request.idempotency_key);
    if (it != entries_.end() && it->second->expires <= now &&
        !it->second->running()) {
      order_.erase(it->second->order);
      entries_.erase(it);
      it = entries_.end();
    }
    if (it == entries_.end()) {
      entry = std::make_shared<Entry>();
      entry->key = request.idempotency_key;
      entry->fingerprint = request.idempotency_fingerprint;
      entry->order = order_.insert(order_.end(), entry->key);
      entries_.emplace(entry->key, entry);
    } else {
      entry = it->second;
      if (entry->fingerprint != request.idempotency_fingerprint) {
        ScheduleLocked([this, done = std::move(done)]() mutable {
          std::move(done)(ReusedStatus());
          TaskFinished();
        });
        return id;
      }
    }
    Part& part = entry->parts[index];
    if (part.finished) {
      replays_.fetch_add(1, std::memory_order_relaxed);
      ScheduleLocked(
          [this, done = std::move(done), result = *part.result]() mutable {
            std::move(done)(std::move(result));
            TaskFinished();
          });
      return id;
    }
    if (part.run_id != 0) {
      // The first call is still running: wait for its answer.
      replays_.fetch_add(1, std::memory_order_relaxed);
      part.waiters.emplace(id, std::move(done));
      part.deadlines.emplace(id, deadline);
      waiting_.emplace(id, std::make_pair(entry, index));
      return id;
    }
    part.run_id = id;
    part.waiters.emplace(id, std::move(done));
    part.deadlines.emplace(id, deadline);
    waiting_.emplace(id, std::make_pair(entry, index));
    running_.emplace(id, 0);
    if (shared_ != nullptr) {
      // Another replica may know this request_id: ask first.
      part.request = std::move(request);
      part.deadline = deadline;
    }
  }
  if (shared_ != nullptr) {
    BeginShared(entry, index, id);
    return id;
  }
  SendUpstream(entry, index, id, 0, std::move(request), deadline);
  return id;
}

void IdempotencyStore::SendUpstream(const std::shared_ptr<Entry>& entry,
                                    int index, CallId run_id, uint64_t token,
                                    UpstreamRequest request,
                                    absl::Time deadline) {
  const CallId inner_id = inner_->Send(
      std::move(request), deadline,
      [this, entry, index, run_id, token](absl::StatusOr<Envelope> result) {
        OnPartDone(entry, index, run_id, token, std::move(result));
      });
  std::lock_guard<std::mutex> lock(mu_);
  if (auto it = running_.find(run_id); it != running_.end()) {
    it->second = inner_id;
  }
}

void IdempotencyStore::OnPartDone(const std::shared_ptr<Entry>& entry,
                                  int index, CallId run_id, uint64_t token,
                                  absl::StatusOr<Envelope> result) {
  std::vector<EnvelopeCallback> callbacks;
  const bool definite = IsDefinite(result.status());
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto part_it = entry->parts.find(index);
    if (part_it != entry->parts.end() && part_it->second.run_id == run_id &&
        !part_it->second.finished) {
      Part& part = part_it->second;
      callbacks = TakeWaitersLocked(part);
      if (definite && !stopping_) {
        part.finished = true;
        part.result = result;
        entry->expires = clock_() + options_.ttl;
      } else {
        // Outcome unknown: forget it so that a repeat tries again.
        ForgetPartLocked(entry, index);
      }
    }
  }
  // Fleet mode: what the shared record keeps (before `result` moves).
  std::optional<absl::StatusOr<Envelope>> shared_result;
  if (token != 0 && definite) shared_result = result;
  auto deliver = [this, run_id, callbacks = std::move(callbacks),
                  result = std::move(result)]() mutable {
    for (size_t i = 0; i < callbacks.size(); ++i) {
      if (i + 1 == callbacks.size()) {
        std::move(callbacks[i])(std::move(result));
      } else {
        std::move(callbacks[i])(result);
      }
    }
    std::lock_guard<std::mutex> lock(mu_);
    running_.erase(run_id);
    if (running_.empty()) idle_.notify_all();
  };
  if (token != 0) {
    const SharedRequestRecords::Record record{entry->key, entry->fingerprint,
                                              index};
    if (definite) {
      // Stored before anyone hears the answer: a repeat on another replica
      // right after replays it.
      shared_->Finish(record, token, *shared_result, options_.ttl,
                      absl::InfiniteFuture(), std::move(deliver));
      return;
    }
    shared_->Abandon(record, token);
  }
  deliver();
}

std::vector<EnvelopeCallback> IdempotencyStore::TakeWaitersLocked(Part& part) {
  std::vector<EnvelopeCallback> callbacks;
  callbacks.reserve(part.waiters.size());
  for (auto& [id, done] : part.waiters) {
    waiting_.erase(id);
    callbacks.push_back(std::move(done));
  }
  part.waiters.clear();
  part.deadlines.clear();
  return callbacks;
}

void IdempotencyStore::ForgetPartLocked(const std::shared_ptr<Entry>& entry,
                                        int index) {
  entry->parts.erase(index);
  if (!entry->parts.empty()) return;
  if (auto it = entries_.find(entry->key);
      it != entries_.end() && it->second == entry) {
    order_.erase(entry->order);
    entries_.erase(it);
  }
}

UpstreamCaller::CallId IdempotencyStore::PassThrough(UpstreamRequest request,
                                                     absl::Time deadline,
                                                     EnvelopeCallback done) {
  CallId id;
  {
    std::lock_guard<std::mutex> lock(mu_);
    id = next_id_++;
    running_.emplace(id, 0);
  }
  const CallId inner_id =
      inner_->Send(std::move(request), deadline,
                   [this, id, done = std::move(done)](
                       absl::StatusOr<Envelope> result) mutable {
                     std::move(done)(std::move(result));
                     std::lock_guard<std::mutex> lock(mu_);
                     running_.erase(id);
                     if (running_.empty()) idle_.notify_all();
                   });
  std::lock_guard<std::mutex> lock(mu_);
  if (auto it = running_.find(id); it != running_.end()) it->second = inner_id;
  return id;
}

void IdempotencyStore::Cancel(CallId id) {
  CallId cancel_inner = 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (auto w = waiting_.find(id); w != waiting_.end()) {
      auto [entry, index] = w->second;
      waiting_.erase(w);
      auto part_it = entry->parts.find(index);
      if (part_it != entry->parts.end()) {
        Part& part = part_it->second;
        if (auto waiter = part.waiters.find(id); waiter != part.waiters.end()) {
          EnvelopeCallback done = std::move(waiter->second);
          part.waiters.erase(waiter);
          part.deadlines.erase(id);
          // The caller may hold its own lock around Cancel(): answer later.
          ScheduleLocked([this, done = std::move(done)]() mutable {
            std::move(done)(CancelledStatus());
            TaskFinished();
          });
        }
        if (part.waiters.empty()) {
          // Nobody waits any more: stop the upstream call (0 while its
          // Send() has not returned) and forget the part, whose outcome is
          // now unknown, so that a repeat starts afresh.
          if (auto r = running_.find(part.run_id); r != running_.end()) {
            cancel_inner = r->second;
          }
          if (part.wait != 0 && shared_->CancelWait(part.wait)) {
            // Waiting for another replica: nothing else ends this run.
            running_.erase(part.run_id);
            if (running_.empty()) idle_.notify_all();
          }
          ForgetPartLocked(entry, index);
        }
      }
    } else if (auto r = running_.find(id); r != running_.end()) {
      cancel_inner = r->second;  // A pass-through call.
    }
  }
  if (cancel_inner != 0) inner_->Cancel(cancel_inner);
}

// --- Fleet mode. ---

void IdempotencyStore::SetSharedRecords(SharedRequestRecords* shared) {
  shared_ = shared;
}

void IdempotencyStore::BeginShared(const std::shared_ptr<Entry>& entry,
                                   int index, CallId run_id) {
  absl::Time deadline;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto part = entry->parts.find(index);
    deadline = part != entry->parts.end() ? part->second.deadline : absl::Now();
  }
  shared_->Begin(
      {entry->key, entry->fingerprint, index}, options_.ttl, deadline,
      [this, entry, index, run_id](SharedRequestRecords::BeginResult begin) {
        OnSharedBegin(entry, index, run_id, std::move(begin));
      });
}

void IdempotencyStore::OnSharedBegin(const std::shared_ptr<Entry>& entry,
                                     int index, CallId run_id,
                                     SharedRequestRecords::BeginResult begin) {
  using State = SharedRequestRecords::State;
  std::unique_lock<std::mutex> lock(mu_);
  auto part_it = entry->parts.find(index);
  if (part_it == entry->parts.end() || part_it->second.run_id != run_id ||
      part_it->second.finished || stopping_) {
    // Every caller left (or the store stops): give a claim back.
    if (begin.state == State::kFirst) {
      shared_->Abandon({entry->key, entry->fingerprint, index}, begin.token);
    }
    running_.erase(run_id);
    if (running_.empty()) idle_.notify_all();
    return;
  }
  Part& part = part_it->second;
  switch (begin.state) {
    case State::kFirst:
    case State::kUnavailable: {
      UpstreamRequest request = std::move(part.request);
      const absl::Time deadline = part.deadline;
      lock.unlock();
      SendUpstream(entry, index, run_id,
                   begin.state == State::kFirst ? begin.token : 0,
                   std::move(request), deadline);
      return;
    }
    case State::kDone:
    case State::kReused: {
      std::vector<EnvelopeCallback> callbacks = TakeWaitersLocked(part);
      absl::StatusOr<Envelope> result = ReusedStatus();
      if (begin.state == State::kDone) {
        // Another replica's answer: remembered here too.
        result = std::move(begin.result);
        replays_.fetch_add(static_cast<int64_t>(callbacks.size()),
                           std::memory_order_relaxed);
        part.finished = true;
        part.result = result;
        entry->expires = clock_() + options_.ttl;
      } else {
        // The request_id belongs to another request: forget ours.
        ForgetPartLocked(entry, index);
      }
      running_.erase(run_id);
      if (running_.empty()) idle_.notify_all();
      lock.unlock();
      for (EnvelopeCallback& done : callbacks) std::move(done)(result);
      return;
    }
    case State::kRunning: {
      // Until the runner's lease runs out (it may be gone), or the first
      // caller's deadline here.
      absl::Time until =
          absl::Now() + begin.lease_left + absl::Milliseconds(50);
      for (const auto& [id, deadline] : part.deadlines) {
        until = std::min(until, deadline);
      }
      // The callback takes mu_, so it sees `wait` set.
      part.wait = shared_->AwaitFinish(
          {entry->key, entry->fingerprint, index}, until,
          [this, entry, index, run_id](SharedRequestRecords::Wake wake) {
            OnSharedWake(entry, index, run_id, wake);
          });
      return;
    }
  }
}

void IdempotencyStore::OnSharedWake(const std::shared_ptr<Entry>& entry,
                                    int index, CallId run_id,
                                    SharedRequestRecords::Wake wake) {
  std::unique_lock<std::mutex> lock(mu_);
  auto part_it = entry->parts.find(index);
  if (part_it == entry->parts.end() || part_it->second.run_id != run_id ||
      part_it->second.finished || stopping_) {
    running_.erase(run_id);
    if (running_.empty()) idle_.notify_all();
    return;
  }
  Part& part = part_it->second;
  part.wait = 0;
  // Callers whose deadline passed while waiting leave.
  const absl::Time now = absl::Now();
  std::vector<EnvelopeCallback> expired;
  for (auto it = part.deadlines.begin(); it != part.deadlines.end();) {
    if (it->second > now) {
      ++it;
      continue;
    }
    if (auto waiter = part.waiters.find(it->first);
        waiter != part.waiters.end()) {
      expired.push_back(std::move(waiter->second));
      part.waiters.erase(waiter);
    }
    waiting_.erase(it->first);
    part.deadlines.erase(it++);
  }
  const bool anyone_left = !part.waiters.empty();
  if (anyone_left) {
    // The run goes on for the callers left: by the latest deadline.
    part.deadline = absl::InfinitePast();
    for (const auto& [id, deadline] : part.deadlines) {
      part.deadline = std::max(part.deadline, deadline);
    }
  } else {
    ForgetPartLocked(entry, index);
    running_.erase(run_id);
    if (running_.empty()) idle_.notify_all();
  }
  lock.unlock();
  for (EnvelopeCallback& done : expired) std::move(done)(WaitDeadlineStatus());
  if (!anyone_left) return;
  if (wake == SharedRequestRecords::Wake::kLost) {
    // The tier is gone: decide locally (run it).
    lock.lock();
    part_it = entry->parts.find(index);
    if (part_it == entry->parts.end() || part_it->second.run_id != run_id) {
      running_.erase(run_id);
      if (running_.empty()) idle_.notify_all();
      return;
    }
    UpstreamRequest request = std::move(part_it->second.request);
    const absl::Time deadline = part_it->second.deadline;
    lock.unlock();
    SendUpstream(entry, index, run_id, 0, std::move(request), deadline);
    return;
  }
  // The runner finished (or may be gone): ask again.
  BeginShared(entry, index, run_id);
}

void IdempotencyStore::SweepLocked(absl::Time now) {
  while (!order_.empty()) {
    auto it = entries_.find(order_.front());
    if (it == entries_.end()) {
      order_.pop_front();
      continue;
    }
    const Entry& entry = *it->second;
    const bool removable =
        !entry.running() &&
        (entry.expires <= now || entries_.size() > options_.max_keys);
    if (!removable) break;
    entries_.erase(it);
    order_.pop_front();
  }
}

void IdempotencyStore::ScheduleLocked(Scheduler::Task task) {
  ++tasks_;
  scheduler_->RunAt(absl::Now(), std::move(task));
}

void IdempotencyStore::TaskFinished() {
  std::lock_guard<std::mutex> lock(mu_);
  if (--tasks_ == 0) idle_.notify_all();
}

}  // namespace tracktry
