// Copyright 2026 The tracktry-grpc Authors.
//
// FakeTierCallbacks: what the fakes of the fleet tiers (FakeSharedReadTier,
// FakeSharedRequestRecords) share: scripted answers delivered on the
// fake's own thread, done callbacks completed at once on that thread or
// held until the test releases them, and waits that stay pending until the
// test wakes them. Not locked itself: the fake calls it under its own lock,
// and runs what Take*() hands out after unlocking. Header-only, test-only.
#ifndef TRACKTRY_TESTS_TESTING_FAKE_TIER_CALLBACKS_H_
#define TRACKTRY_TESTS_TESTING_FAKE_TIER_CALLBACKS_H_

#include <cstdint>
#include <map>
#include <utility>
#include <vector>

#include "absl/functional/any_invocable.h"
#include "absl/time/time.h"
#include "service/upstream/scheduler.h"

namespace tracktry::testing {

template <typename Wake>
class FakeTierCallbacks {
 public:
  using DoneCallback = absl::AnyInvocable<void() &&>;
  using WakeCallback = absl::AnyInvocable<void(Wake) &&>;
  using WaitId = uint64_t;
  using HeldDones = std::vector<DoneCallback>;
  using PendingWaits = std::map<WaitId, WakeCallback>;

  // Delivers `result` to `done` on `scheduler`'s thread, 1 ms from now.
  template <typename Callback, typename Result>
  static void Answer(Scheduler* scheduler, Callback done, Result result) {
    scheduler->RunAfter(
        absl::Milliseconds(1),
        [done = std::move(done), result = std::move(result)]() mutable {
          std::move(done)(std::move(result));
        });
  }

  // Done callbacks: completed at once on `scheduler`'s thread, or held.
  void set_hold(bool hold) { hold_ = hold; }
  void Done(Scheduler* scheduler, DoneCallback done) {
    if (hold_) {
      held_.push_back(std::move(done));
      return;
    }
    scheduler->RunAfter(
        absl::ZeroDuration(),
        [done = std::move(done)]() mutable { std::move(done)(); });
  }
  HeldDones TakeHeld() { return std::exchange(held_, {}); }
  // Completes what TakeHeld() gave; returns how many.
  static int Release(HeldDones held) {
    for (DoneCallback& done : held) std::move(done)();
    return static_cast<int>(held.size());
  }

  // Waits: pending until woken (or cancelled).
  WaitId AddWait(WakeCallback done) {
    const WaitId id = next_wait_++;
    waits_.emplace(id, std::move(done));
    return id;
  }
  bool CancelWait(WaitId id) { return waits_.erase(id) > 0; }
  size_t pending_waits() const { return waits_.size(); }
  PendingWaits TakeWaits() { return std::exchange(waits_, {}); }
  // Ends what TakeWaits() gave with `wake`; returns how many.
  static int WakeAll(PendingWaits waits, Wake wake) {
    for (auto& [id, done] : waits) std::move(done)(wake);
    return static_cast<int>(waits.size());
  }

 private:
  bool hold_ = false;
  HeldDones held_;
  WaitId next_wait_ = 1;
  PendingWaits waits_;
};

}  // namespace tracktry::testing

#endif  // TRACKTRY_TESTS_TESTING_FAKE_TIER_CALLBACKS_H_
