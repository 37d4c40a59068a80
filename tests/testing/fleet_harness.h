// Copyright 2026 The tracktry-grpc Authors.
//
// FleetHarness: a throw-away redis-server on 127.0.0.1 and several
// fleet::Fleet instances sharing it under one key prefix, as if each were a
// replica. Header-only, shared by the tests in tests/fleet/.
#ifndef TRACKTRY_TESTS_TESTING_FLEET_HARNESS_H_
#define TRACKTRY_TESTS_TESTING_FLEET_HARNESS_H_

#include <future>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "service/fleet/fleet.h"
#include "tests/testing/redis_test_server.h"
#include "tests/testing/wait_until.h"

namespace tracktry::testing {

// The value a callback delivers, waited for on the test thread.
template <typename T>
class Delivered {
 public:
  Delivered() : future_(promise_->get_future()) {}
  // The callback to hand out (once).
  auto Callback() {
    return [promise = promise_](T value) mutable {
      promise->set_value(std::move(value));
    };
  }
  // True when it arrived within `timeout`.
  bool Arrived(absl::Duration timeout = absl::Seconds(10)) {
    return future_.wait_for(absl::ToChronoNanoseconds(timeout)) ==
           std::future_status::ready;
  }
  T Get() { return future_.get(); }

 private:
  std::shared_ptr<std::promise<T>> promise_ =
      std::make_shared<std::promise<T>>();
  std::future<T> future_;
};

class FleetHarness {
 public:
  // Options every replica gets (address and prefix are filled in).
  static fleet::FleetOptions DefaultOptions() {
    fleet::FleetOptions options;
    options.key_prefix = "test:acct";
    // Generous for a loaded CI machine.
    options.timeout = absl::Seconds(2);
    options.lease_time = absl::Seconds(3);
    options.reconnect_min = absl::Milliseconds(20);
    options.reconnect_max = absl::Milliseconds(200);
    return options;
  }

  ~FleetHarness() {
    replicas_.clear();
    redis_.Stop();
  }

  // Starts Redis and `n` replicas, and waits until they are connected.
  absl::Status Start(int n, fleet::FleetOptions options = DefaultOptions()) {
    if (absl::Status status = redis_.Start(); !status.ok()) return status;
    options_ = std::move(options);
    options_.address = redis_.address();
    for (int i = 0; i < n; ++i) AddReplica();
    return WaitHealthy() ? absl::OkStatus()
                         : absl::DeadlineExceededError("fleet not healthy");
  }

  fleet::Fleet& AddReplica() {
    replicas_.push_back(std::make_unique<fleet::Fleet>(options_));
    replicas_.back()->Start();
    return *replicas_.back();
  }

  bool WaitHealthy() {
    return WaitUntil([this] {
      for (auto& replica : replicas_) {
        if (!replica->healthy()) return false;
      }
      return true;
    });
  }

  fleet::Fleet& replica(int i) { return *replicas_[i]; }
  RedisTestServer& redis() { return redis_; }
  const fleet::FleetOptions& options() const { return options_; }

 private:
  RedisTestServer redis_;
  fleet::FleetOptions options_;
  std::vector<std::unique_ptr<fleet::Fleet>> replicas_;
};

}  // namespace tracktry::testing

#endif  // TRACKTRY_TESTS_TESTING_FLEET_HARNESS_H_
