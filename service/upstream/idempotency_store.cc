// Copyright 2026 The tracktry-grpc Authors.
#include "service/upstream/idempotency_store.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "common/error_details.h"

namespace tracktry {
namespace {

absl::Status CancelledStatus() {
  return MakeError(absl::StatusCode::kCancelled, "upstream call cancelled",
                   "CANCELLED");
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
      waiting_.emplace(id, std::make_pair(entry, index));
      return id;
    }
    part.run_id = id;
    part.waiters.emplace(id, std::move(done));
    waiting_.emplace(id, std::make_pair(entry, index));
    running_.emplace(id, 0);
  }
  const CallId inner_id =
      inner_->Send(std::move(request), deadline,
                   [this, entry, index, id](absl::StatusOr<Envelope> result) {
                     OnPartDone(entry, index, id, std::move(result));
                   });
  std::lock_guard<std::mutex> lock(mu_);
  if (auto it = running_.find(id); it != running_.end()) {
    it->second = inner_id;
  }
  return id;
}

void IdempotencyStore::OnPartDone(const std::shared_ptr<Entry>& entry,
                                  int index, CallId run_id,
                                  absl::StatusOr<Envelope> result) {
  std::vector<EnvelopeCallback> callbacks;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto part_it = entry->parts.find(index);
    if (part_it != entry->parts.end() && part_it->second.run_id == run_id &&
        !part_it->second.finished) {
      Part& part = part_it->second;
      for (auto& [id, done] : part.waiters) {
        waiting_.erase(id);
        callbacks.push_back(std::move(done));
      }
      part.waiters.clear();
      if (IsDefinite(result.status()) && !stopping_) {
        part.finished = true;
        part.result = result;
        entry->expires = clock_() + options_.ttl;
      } else {
        // Outcome unknown: forget it so that a repeat tries again.
        entry->parts.erase(part_it);
        if (entry->parts.empty()) {
          if (auto it = entries_.find(entry->key);
              it != entries_.end() && it->second == entry) {
            order_.erase(entry->order);
            entries_.erase(it);
          }
        }
      }
    }
  }
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
          entry->parts.erase(part_it);
          if (entry->parts.empty()) {
            if (auto e = entries_.find(entry->key);
                e != entries_.end() && e->second == entry) {
              order_.erase(entry->order);
              entries_.erase(e);
            }
          }
        }
      }
    } else if (auto r = running_.find(id); r != running_.end()) {
      cancel_inner = r->second;  // A pass-through call.
    }
  }
  if (cancel_inner != 0) inner_->Cancel(cancel_inner);
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
