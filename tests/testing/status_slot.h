// Copyright 2026 The tracktry-grpc Authors.
//
// StatusSlot: collects the one absl::Status an asynchronous operation ends
// with (a StatusCallback); Wait() blocks until it arrived. AwaitStatus():
// call an operation and wait for its status in one go. Header-only,
// test-only.
#ifndef TRACKTRY_TESTS_TESTING_STATUS_SLOT_H_
#define TRACKTRY_TESTS_TESTING_STATUS_SLOT_H_

#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <utility>

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

// Calls `operation(args..., done)` (an asynchronous operation whose last
// parameter is its StatusCallback) and waits for the status it ends with:
// UNKNOWN "no result" after `kStatusWait`. The slot outlives a late call.
inline constexpr absl::Duration kStatusWait = absl::Seconds(5);
template <typename Operation, typename... Args>
absl::Status AwaitStatus(Operation&& operation, Args&&... args) {
  auto slot = std::make_shared<StatusSlot>();
  std::forward<Operation>(operation)(
      std::forward<Args>(args)...,
      [slot](absl::Status status) { slot->Callback()(std::move(status)); });
  return slot->Wait(kStatusWait);
}

}  // namespace testing
}  // namespace tracktry

#endif  // TRACKTRY_TESTS_TESTING_STATUS_SLOT_H_
