// Copyright 2026 The tracktry-grpc Authors.
//
// SharedReadTier: what CachingCaller needs from a read cache shared by every
// replica (fleet mode; the implementation is service/fleet/shared_cache.h,
// on Redis): a second cache level (L2) behind the in-process one, the
// fleet-wide single flight of identical reads (one replica leads, the others
// wait for its answer), and fleet-wide invalidation. Without a tier
// CachingCaller behaves as on one replica.
//
// No operation may fail a caller: a tier that is unreachable or slow answers
// lookups with kMiss (no version), wakes waiters with kLost, and confirms
// invalidations when its short timeout passes.
#ifndef TRACKTRY_SERVICE_UPSTREAM_SHARED_READ_TIER_H_
#define TRACKTRY_SERVICE_UPSTREAM_SHARED_READ_TIER_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/functional/any_invocable.h"
#include "absl/time/time.h"
#include "service/translation/envelope.h"

namespace tracktry {

// Thread-safe. Callbacks run exactly once (unless a wait is cancelled),
// never inside the call that started them, on a tier thread; they must not
// block.
class SharedReadTier {
 public:
  // One cacheable read.
  struct Read {
    // CachingCaller::KeyOf of the request.
    std::string key;
    // The tag of its tracking (CachingCaller::TagsOf, first), "" = none.
    std::string tag;
  };

  enum class Outcome {
    // `answer` is the shared answer.
    kHit,
    // No shared answer; this replica holds the read's fleet lease: call the
    // upstream, then Fill() or Release().
    kLead,
    // Another replica holds the lease: AwaitLeader(), then look up again.
    kFollow,
    // No shared answer and no lease (a bypass read, or the tier was not
    // reached): call the upstream; Fill() stores the answer when `version`
    // is set.
    kMiss,
  };

  struct LookupResult {
    Outcome outcome = Outcome::kMiss;
    // kHit: the answer and how long it stays valid.
    Envelope answer;
    absl::Duration answer_ttl;
    // The tag's version when looked up; unset when the tier was not reached.
    // Fill() stores nothing when the tag changed since.
    std::optional<int64_t> version;
    // kLead: the lease (for Fill / Release).
    uint64_t lease = 0;
    // kFollow: time the leader's lease has left.
    absl::Duration lease_left;
  };

  // Why a wait ended.
  enum class Wake {
    // The leader stored its answer: look up again (a hit).
    kFilled,
    // The leader gave up without an answer: call the upstream.
    kReleased,
    // `until` passed without news (the leader may be gone): look up again.
    kExpired,
    // The tier lost its connection: call the upstream.
    kLost,
  };

  using LookupCallback = absl::AnyInvocable<void(LookupResult) &&>;
  using WakeCallback = absl::AnyInvocable<void(Wake) &&>;
  using DoneCallback = absl::AnyInvocable<void() &&>;
  using WaitId = uint64_t;

  // Hears what other replicas did. Called on a tier thread; must not call
  // back into the tier.
  class Listener {
   public:
    virtual ~Listener() = default;
    // These trackings changed elsewhere: drop their entries.
    virtual void OnSharedInvalidation(const std::vector<std::string>& tags) = 0;
    // Messages may have been lost (the tier reconnected): drop everything.
    virtual void OnSharedResync() = 0;
  };

  virtual ~SharedReadTier() = default;

  // Looks `read` up by min(deadline, now + the tier's timeout). `lead`
  // false (a bypass read): no shared answer and no lease, only the version
  // (kMiss).
  virtual void Lookup(const Read& read, bool lead, absl::Time deadline,
                      LookupCallback done) = 0;
  // Stores `answer` as the shared answer of `read` for `ttl` unless the tag
  // changed since `lookup`, releases lookup's lease and wakes the replicas
  // waiting for it. A fill after a bypass read (no lease) also makes the
  // other replicas drop their copies of the tag. Asynchronous.
  virtual void Fill(const Read& read, const LookupResult& lookup,
                    const Envelope& answer, absl::Duration ttl) = 0;
  // The leader ends without an answer: releases lookup's lease and wakes
  // the waiters (kReleased). Asynchronous.
  virtual void Release(const Read& read, const LookupResult& lookup) = 0;
  // Waits for the leader of `read` until `until`. `done` runs once unless
  // CancelWait() returned true.
  virtual WaitId AwaitLeader(const Read& read, absl::Time until,
                             WakeCallback done) = 0;
  // True when the wait was removed before `done` ran.
  virtual bool CancelWait(WaitId id) = 0;
  // Drops the shared answers of `tags` and tells every other replica
  // (Listener::OnSharedInvalidation). `done` once the tier confirmed, or
  // failed, or by min(deadline, now + the tier's timeout).
  virtual void Invalidate(std::vector<std::string> tags, absl::Time deadline,
                          DoneCallback done) = 0;
  // Replaces every shared answer of read's tag with `answer` under read's
  // key for `ttl` (e.g. a webhook push). Asynchronous.
  virtual void Replace(const Read& read, const Envelope& answer,
                       absl::Duration ttl) = 0;
  // Where other replicas' changes go (null: nowhere). Once it returned, the
  // previous listener is not called any more.
  virtual void SetListener(Listener* listener) = 0;
};

}  // namespace tracktry

#endif  // TRACKTRY_SERVICE_UPSTREAM_SHARED_READ_TIER_H_
