// Copyright 2026 The tracktry-grpc Authors.
//
// FakeWatchFleetLink: a scripted WatchFleetLink for WatchHub's fleet tests.
// Header-only, test-only. AcquirePoll answers `polls()` (default true) on
// the fake's own thread; publications and releases are recorded.
#ifndef TRACKTRY_TESTS_TESTING_FAKE_WATCH_FLEET_LINK_H_
#define TRACKTRY_TESTS_TESTING_FAKE_WATCH_FLEET_LINK_H_

#include <atomic>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "absl/time/time.h"
#include "service/live/watch_fleet_link.h"
#include "service/upstream/scheduler.h"

namespace tracktry::testing {

class FakeWatchFleetLink final : public WatchFleetLink {
 public:
  // What AcquirePoll answers from now on.
  void SetPolls(bool polls) { polls_ = polls; }

  void AcquirePoll(const std::string& key, absl::Duration ttl,
                   absl::Time deadline,
                   absl::AnyInvocable<void(bool poll) &&> done) override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      acquired_.emplace_back(key, ttl);
    }
    scheduler_.RunAfter(
        absl::Milliseconds(1),
        [done = std::move(done), poll = polls_.load()]() mutable {
          std::move(done)(poll);
        });
  }
  void PublishPoll(const std::string& key,
                   const v1::Tracking& tracking) override {
    std::lock_guard<std::mutex> lock(mu_);
    published_.emplace_back(key, tracking);
  }
  void ReleasePoll(const std::string& key) override {
    std::lock_guard<std::mutex> lock(mu_);
    released_.push_back(key);
  }
  void SetListener(Listener* listener) override {
    std::lock_guard<std::mutex> lock(mu_);
    listener_ = listener;
  }

  Listener* listener() {
    std::lock_guard<std::mutex> lock(mu_);
    return listener_;
  }
  std::vector<std::pair<std::string, absl::Duration>> acquired() {
    std::lock_guard<std::mutex> lock(mu_);
    return acquired_;
  }
  std::vector<std::pair<std::string, v1::Tracking>> published() {
    std::lock_guard<std::mutex> lock(mu_);
    return published_;
  }
  std::vector<std::string> released() {
    std::lock_guard<std::mutex> lock(mu_);
    return released_;
  }

 private:
  std::atomic<bool> polls_{true};
  std::mutex mu_;
  Listener* listener_ = nullptr;
  std::vector<std::pair<std::string, absl::Duration>> acquired_;
  std::vector<std::pair<std::string, v1::Tracking>> published_;
  std::vector<std::string> released_;
  // Declared last: its thread stops before the members above go away.
  Scheduler scheduler_;
};

}  // namespace tracktry::testing

#endif  // TRACKTRY_TESTS_TESTING_FAKE_WATCH_FLEET_LINK_H_
