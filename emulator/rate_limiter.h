// Copyright 2026 The tracktry-grpc Authors.
//
// RateLimiter: a token bucket over real (steady) time. rps <= 0 disables it.
// Thread-safe.
#ifndef TRACKTRY_EMULATOR_RATE_LIMITER_H_
#define TRACKTRY_EMULATOR_RATE_LIMITER_H_

#include <chrono>
#include <mutex>

namespace tracktry::emulator {

class RateLimiter {
 public:
  using Clock = std::chrono::steady_clock;

  RateLimiter() = default;
  RateLimiter(const RateLimiter&) = delete;
  RateLimiter& operator=(const RateLimiter&) = delete;

  // Sets the rate and bucket size (burst < 1 is treated as 1) and refills
  // the bucket.
  void Configure(double rps, int burst);

  // Takes one token at `now`; false if the request must be rejected.
  bool TryAcquire(Clock::time_point now = Clock::now());

  // Refills the bucket to `burst`.
  void Refill();

 private:
  std::mutex mu_;
  double rps_ = 0;
  double burst_ = 1;
  double tokens_ = 1;
  Clock::time_point last_ = Clock::now();
};

}  // namespace tracktry::emulator

#endif  // TRACKTRY_EMULATOR_RATE_LIMITER_H_
