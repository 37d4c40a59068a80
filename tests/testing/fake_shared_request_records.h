// Copyright 2026 The tracktry-grpc Authors.
//
// FakeSharedRequestRecords: a scripted SharedRequestRecords for
// IdempotencyStore's fleet tests. Header-only, test-only.
//
// Begin is answered by a script (default: kUnavailable), on the fake's own
// thread; Finish completes at once unless held; waits stay pending until
// the test wakes them. Every call is recorded.
#ifndef TRACKTRY_TESTS_TESTING_FAKE_SHARED_REQUEST_RECORDS_H_
#define TRACKTRY_TESTS_TESTING_FAKE_SHARED_REQUEST_RECORDS_H_

#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <utility>
#include <vector>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "service/upstream/scheduler.h"
#include "service/upstream/shared_request_records.h"
#include "tests/testing/fake_tier_callbacks.h"

namespace tracktry::testing {

class FakeSharedRequestRecords final : public SharedRequestRecords {
 public:
  using Script = std::function<BeginResult(const Record& record)>;

  struct FinishCall {
    Record record;
    uint64_t token = 0;
    absl::StatusOr<Envelope> result;
  };

  static BeginResult State(SharedRequestRecords::State state) {
    BeginResult result;
    result.state = state;
    if (state == State::kFirst) result.token = 31;
    if (state == State::kRunning) result.lease_left = absl::Seconds(3);
    return result;
  }
  static BeginResult Done(absl::StatusOr<Envelope> stored) {
    BeginResult result = State(State::kDone);
    result.result = std::move(stored);
    return result;
  }

  void SetScript(Script script) {
    std::lock_guard<std::mutex> lock(mu_);
    script_ = std::move(script);
  }
  void HoldFinishes(bool hold) { callbacks_.set_hold(hold); }
  int ReleaseFinishes() { return callbacks_.ReleaseHeld(); }
  int WakeAll(Wake wake) { return callbacks_.WakeAll(wake); }

  void Begin(const Record& record, absl::Duration ttl, absl::Time deadline,
             BeginCallback done) override {
    BeginResult result;
    {
      std::lock_guard<std::mutex> lock(mu_);
      begins_.push_back(record);
      if (script_) result = script_(record);
    }
    changed_.notify_all();
    Callbacks::Answer(&scheduler_, std::move(done), std::move(result));
  }
  void Finish(const Record& record, uint64_t token,
              const absl::StatusOr<Envelope>& result, absl::Duration ttl,
              absl::Time deadline, DoneCallback done) override {
    std::lock_guard<std::mutex> lock(mu_);
    finishes_.push_back({record, token, result});
    callbacks_.Done(&scheduler_, std::move(done));
    changed_.notify_all();
  }
  void Abandon(const Record& record, uint64_t token) override {
    std::lock_guard<std::mutex> lock(mu_);
    abandons_.push_back({record, token, Envelope()});
    changed_.notify_all();
  }
  WaitId AwaitFinish(const Record& record, absl::Time until,
                     WakeCallback done) override {
    std::lock_guard<std::mutex> lock(mu_);
    const WaitId id = callbacks_.AddWait(std::move(done));
    changed_.notify_all();
    return id;
  }
  bool CancelWait(WaitId id) override {
    std::lock_guard<std::mutex> lock(mu_);
    return callbacks_.CancelWait(id);
  }

  std::vector<Record> begins() const {
    std::lock_guard<std::mutex> lock(mu_);
    return begins_;
  }
  std::vector<FinishCall> finishes() const {
    std::lock_guard<std::mutex> lock(mu_);
    return finishes_;
  }
  std::vector<FinishCall> abandons() const {
    std::lock_guard<std::mutex> lock(mu_);
    return abandons_;
  }
  size_t pending_waits() const {
    std::lock_guard<std::mutex> lock(mu_);
    return callbacks_.pending_waits();
  }
  template <typename Condition>
  bool WaitFor(Condition condition, absl::Duration timeout = absl::Seconds(5)) {
    std::unique_lock<std::mutex> lock(mu_);
    return changed_.wait_for(lock, absl::ToChronoNanoseconds(timeout),
                             [&] { return condition(); });
  }
  size_t pending_waits_locked() const { return callbacks_.pending_waits(); }
  size_t finishes_locked() const { return finishes_.size(); }
  size_t abandons_locked() const { return abandons_.size(); }
  size_t begins_locked() const { return begins_.size(); }

 private:
  using Callbacks = FakeTierCallbacks<Wake>;

  mutable std::mutex mu_;
  std::condition_variable changed_;
  Script script_;
  Callbacks callbacks_{&mu_};
  std::vector<Record> begins_;
  std::vector<FinishCall> finishes_;
  std::vector<FinishCall> abandons_;
  // Declared last: its thread stops before the members above go away.
  Scheduler scheduler_;
};

}  // namespace tracktry::testing

#endif  // TRACKTRY_TESTS_TESTING_FAKE_SHARED_REQUEST_RECORDS_H_
