// Copyright 2026 The tracktry-grpc Authors.
#include "emulator/rate_limiter.h"

#include <algorithm>

namespace tracktry::emulator {

void RateLimiter::Configure(double rps, int burst) {
  std::lock_guard<std::mutex> lock(mu_);
  rps_ = rps > 0 ? rps : 0;
  burst_ = std::max(1, burst);
  tokens_ = burst_;
  last_ = Clock::now();
}

bool RateLimiter::TryAcquire(Clock::time_point now) {
  std::lock_guard<std::mutex> lock(mu_);
  if (rps_ <= 0) return true;
  if (now > last_) {
    const double elapsed = std::chrono::duration<double>(now - last_).count();
    tokens_ = std::min(burst_, tokens_ + elapsed * rps_);
    last_ = now;
  }
  if (tokens_ >= 1.0) {
    tokens_ -= 1.0;
    return true;
  }
  return false;
}

void RateLimiter::Refill() {
  std::lock_guard<std::mutex> lock(mu_);
  tokens_ = burst_;
  last_ = Clock::now();
}

}  // namespace tracktry::emulator
