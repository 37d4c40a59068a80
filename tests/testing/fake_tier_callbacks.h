// Copyright 2026 The tracktry-grpc Authors.
//
// FakeTierCallbacks: what the fakes of the fleet tiers (FakeSharedReadTier,
// FakeSharedRequestRecords) share: scripted answers delivered on the
// fake's own thread, done callbacks completed at once on that thread or
// held until the test releases them, and waits that stay pending until the
// test wakes them. Guarded by the fake's own mutex: the fake calls Done(),
// AddWait(), CancelWait() and pending_waits() holding it; set_hold(),
// ReleaseHeld() and WakeAll() take it themselves (and run the callbacks
// after unlocking). Header-only, test-only.
#ifndef TRACKTRY_TESTS_TESTING_FAKE_TIER_CALLBACKS_H_
#define TRACKTRY_TESTS_TESTING_FAKE_TIER_CALLBACKS_H_

#include <cstdint>
#include <map>
#include <mutex>
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

  // `mu`: the fake's mutex (not owned).
  explicit FakeTierCallbacks(std::mutex* mu) : mu_(mu) {}

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
  void set_hold(bool hold) {
    std::lock_guard<std::mutex> lock(*mu_);
    hold_ = hold;
  }
  void Done(Scheduler* scheduler, DoneCallback done) {
    if (hold_) {
      held_.push_back(std::move(done));
      return;
    }
    scheduler->RunAfter(
        absl::ZeroDuration(),
        [done = std::move(done)]() mutable { std::move(done)(); });
  }
  // Completes every held done callback; returns how many.
  int ReleaseHeld() {
    std::vector<DoneCallback> held;
    {
      std::lock_guard<std::mutex> lock(*mu_);
      held.swap(held_);
    }
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
  // Ends every pending wait with `wake`; returns how many.
  int WakeAll(Wake wake) {
    std::map<WaitId, WakeCallback> waits;
    {
      std::lock_guard<std::mutex> lock(*mu_);
      waits.swap(waits_);
    }
    for (auto& [id, done] : waits) std::move(done)(wake);
    return static_cast<int>(waits.size());
  }

 private:
  std::mutex* const mu_;
  bool hold_ = false;
  std::vector<DoneCallback> held_;
  WaitId next_wait_ = 1;
  std::map<WaitId, WakeCallback> waits_;
};

}  // namespace tracktry::testing

#endif  // TRACKTRY_TESTS_TESTING_FAKE_TIER_CALLBACKS_H_
