// Copyright 2026 The tracktry-grpc Authors.
//
// StatusSlot: collects the one absl::Status an asynchronous operation ends
// with (a StatusCallback); Wait() blocks until it arrived. Header-only,
// test-only.
#ifndef TRACKTRY_TESTS_TESTING_STATUS_SLOT_H_
#define TRACKTRY_TESTS_TESTING_STATUS_SLOT_H_

#include <condition_variable>
#include <mutex>
#include <optional>

#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "absl/time/time.h"

namespace tracktry {
namespace testing {

class StatusSlot {
 public:
  absl::AnyInvocable<void(absl::Status) &&> Callback() {
    return [this](absl::Status status) {
      std::lock_guard<std::mutex> lock(mu_);
      status_ = std::move(status);
      ++count_;
      cv_.notify_all();
    };
  }
  // The status, or UNKNOWN "no result" after `timeout`.
  absl::Status Wait(absl::Duration timeout = absl::Seconds(5)) {
    std::unique_lock<std::mutex> lock(mu_);
    if (!cv_.wait_for(lock, absl::ToChronoNanoseconds(timeout),
                      [this] { return status_.has_value(); })) {
      return absl::UnknownError("no result");
    }
    return *status_;
  }
  bool ready() const {
    std::lock_guard<std::mutex> lock(mu_);
    return status_.has_value();
  }
  int count() const {
    std::lock_guard<std::mutex> lock(mu_);
    return count_;
  }

 private:
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::optional<absl::Status> status_;
  int count_ = 0;
};

}  // namespace testing
}  // namespace tracktry

#endif  // TRACKTRY_TESTS_TESTING_STATUS_SLOT_H_
