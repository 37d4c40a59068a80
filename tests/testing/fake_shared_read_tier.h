// Copyright 2026 The tracktry-grpc Authors.
//
// FakeSharedReadTier: a scripted SharedReadTier for CachingCaller's fleet
// tests. Header-only, test-only.
//
// Lookups are answered by a script (default: kMiss without a version, i.e.
// "the tier is unreachable"), on the fake's own thread. Waits stay pending
// until the test wakes them (Wake) or cancels them; invalidations complete
// at once unless held (HoldInvalidations). Every call is recorded.
#ifndef TRACKTRY_TESTS_TESTING_FAKE_SHARED_READ_TIER_H_
#define TRACKTRY_TESTS_TESTING_FAKE_SHARED_READ_TIER_H_

#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "service/upstream/scheduler.h"
#include "service/upstream/shared_read_tier.h"
#include "tests/testing/fake_tier_callbacks.h"

namespace tracktry::testing {

class FakeSharedReadTier final : public SharedReadTier {
 public:
  using Script = std::function<LookupResult(const Read& read, bool lead)>;

  struct FillCall {
    Read read;
    LookupResult lookup;
    Envelope answer;
    absl::Duration ttl;
  };

  // A lookup result of `outcome` (with a version and, for kLead, a lease).
  static LookupResult Result(Outcome outcome, int64_t version = 1) {
    LookupResult result;
    result.outcome = outcome;
    result.version = version;
    if (outcome == Outcome::kLead) result.lease = 77;
    if (outcome == Outcome::kFollow) result.lease_left = absl::Seconds(3);
    return result;
  }
  static LookupResult Hit(Envelope answer, absl::Duration ttl) {
    LookupResult result = Result(Outcome::kHit);
    result.answer = std::move(answer);
    result.answer_ttl = ttl;
    return result;
  }

  ~FakeSharedReadTier() override = default;

  void SetScript(Script script) {
    std::lock_guard<std::mutex> lock(mu_);
    script_ = std::move(script);
  }
  void HoldInvalidations(bool hold) { callbacks_.set_hold(hold); }
  // Completes every held invalidation; returns how many.
  int ReleaseInvalidations() { return callbacks_.ReleaseHeld(); }
  // Ends every pending wait with `wake`; returns how many.
  int WakeAll(Wake wake) { return callbacks_.WakeAll(wake); }

  void Lookup(const Read& read, bool lead, absl::Time deadline,
              LookupCallback done) override {
    LookupResult result;
    {
      std::lock_guard<std::mutex> lock(mu_);
      lookups_.emplace_back(read, lead);
      if (script_) result = script_(read, lead);
    }
    changed_.notify_all();
    Callbacks::Answer(&scheduler_, std::move(done), std::move(result));
  }
  void Fill(const Read& read, const LookupResult& lookup,
            const Envelope& answer, absl::Duration ttl) override {
    std::lock_guard<std::mutex> lock(mu_);
    fills_.push_back({read, lookup, answer, ttl});
    changed_.notify_all();
  }
  void Release(const Read& read, const LookupResult& lookup) override {
    std::lock_guard<std::mutex> lock(mu_);
    releases_.push_back(read);
    changed_.notify_all();
  }
  WaitId AwaitLeader(const Read& read, absl::Time until,
                     WakeCallback done) override {
    std::lock_guard<std::mutex> lock(mu_);
    const WaitId id = callbacks_.AddWait(std::move(done));
    wait_untils_.push_back(until);
    changed_.notify_all();
    return id;
  }
  bool CancelWait(WaitId id) override {
    std::lock_guard<std::mutex> lock(mu_);
    ++cancelled_waits_;
    return callbacks_.CancelWait(id);
  }
  void Invalidate(std::vector<std::string> tags, absl::Time deadline,
                  DoneCallback done) override {
    std::lock_guard<std::mutex> lock(mu_);
    invalidations_.push_back(std::move(tags));
    callbacks_.Done(&scheduler_, std::move(done));
    changed_.notify_all();
  }
  void Replace(const Read& read, const Envelope& answer,
               absl::Duration ttl) override {
    std::lock_guard<std::mutex> lock(mu_);
    replaces_.push_back({read, LookupResult(), answer, ttl});
  }
  void SetListener(Listener* listener) override {
    std::lock_guard<std::mutex> lock(mu_);
    listener_ = listener;
  }

  // What the tier was asked.
  std::vector<std::pair<Read, bool>> lookups() const {
    std::lock_guard<std::mutex> lock(mu_);
    return lookups_;
  }
  std::vector<FillCall> fills() const {
    std::lock_guard<std::mutex> lock(mu_);
    return fills_;
  }
  std::vector<Read> releases() const {
    std::lock_guard<std::mutex> lock(mu_);
    return releases_;
  }
  std::vector<std::vector<std::string>> invalidations() const {
    std::lock_guard<std::mutex> lock(mu_);
    return invalidations_;
  }
  std::vector<FillCall> replaces() const {
    std::lock_guard<std::mutex> lock(mu_);
    return replaces_;
  }
  size_t pending_waits() const {
    std::lock_guard<std::mutex> lock(mu_);
    return callbacks_.pending_waits();
  }
  int cancelled_waits() const {
    std::lock_guard<std::mutex> lock(mu_);
    return cancelled_waits_;
  }
  Listener* listener() const {
    std::lock_guard<std::mutex> lock(mu_);
    return listener_;
  }
  // Waits until `condition` (called under the fake's lock) holds.
  template <typename Condition>
  bool WaitFor(Condition condition, absl::Duration timeout = absl::Seconds(5)) {
    std::unique_lock<std::mutex> lock(mu_);
    return changed_.wait_for(lock, absl::ToChronoNanoseconds(timeout),
                             [&] { return condition(); });
  }
  size_t pending_waits_locked() const { return callbacks_.pending_waits(); }
  size_t fills_locked() const { return fills_.size(); }
  size_t releases_locked() const { return releases_.size(); }
  size_t invalidations_locked() const { return invalidations_.size(); }

 private:
  using Callbacks = FakeTierCallbacks<Wake>;

  mutable std::mutex mu_;
  std::condition_variable changed_;
  Script script_;
  Callbacks callbacks_{&mu_};
  std::vector<absl::Time> wait_untils_;
  int cancelled_waits_ = 0;
  std::vector<std::pair<Read, bool>> lookups_;
  std::vector<FillCall> fills_;
  std::vector<Read> releases_;
  std::vector<std::vector<std::string>> invalidations_;
  std::vector<FillCall> replaces_;
  Listener* listener_ = nullptr;
  // Declared last: its thread stops before the members above go away.
  Scheduler scheduler_;
};

}  // namespace tracktry::testing

#endif  // TRACKTRY_TESTS_TESTING_FAKE_SHARED_READ_TIER_H_
