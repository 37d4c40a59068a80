// Copyright 2026 The tracktry-grpc Authors.
#include "emulator/rate_limiter.h"

#include <chrono>

#include "gtest/gtest.h"

namespace tracktry::emulator {
namespace {

using std::chrono::milliseconds;

TEST(RateLimiterTest, DisabledLimiterAllowsEverything) {
  RateLimiter limiter;
  limiter.Configure(0, 1);
  for (int i = 0; i < 1000; ++i) EXPECT_TRUE(limiter.TryAcquire());
}

TEST(RateLimiterTest, BurstThenRejectsUntilRefilled) {
  RateLimiter limiter;
  limiter.Configure(10, 3);
  const auto t0 = RateLimiter::Clock::now();
  EXPECT_TRUE(limiter.TryAcquire(t0));
  EXPECT_TRUE(limiter.TryAcquire(t0));
  EXPECT_TRUE(limiter.TryAcquire(t0));
  EXPECT_FALSE(limiter.TryAcquire(t0));
  // 10 rps: one token per 100 ms.
  EXPECT_FALSE(limiter.TryAcquire(t0 + milliseconds(50)));
  EXPECT_TRUE(limiter.TryAcquire(t0 + milliseconds(150)));
  EXPECT_FALSE(limiter.TryAcquire(t0 + milliseconds(160)));
  // Never more than the burst, however long the pause.
  const auto later = t0 + milliseconds(60000);
  EXPECT_TRUE(limiter.TryAcquire(later));
  EXPECT_TRUE(limiter.TryAcquire(later));
  EXPECT_TRUE(limiter.TryAcquire(later));
  EXPECT_FALSE(limiter.TryAcquire(later));
}

TEST(RateLimiterTest, RefillRestoresBurst) {
  RateLimiter limiter;
  limiter.Configure(0.001, 2);
  EXPECT_TRUE(limiter.TryAcquire());
  EXPECT_TRUE(limiter.TryAcquire());
  EXPECT_FALSE(limiter.TryAcquire());
  limiter.Refill();
  EXPECT_TRUE(limiter.TryAcquire());
}

}  // namespace
}  // namespace tracktry::emulator
