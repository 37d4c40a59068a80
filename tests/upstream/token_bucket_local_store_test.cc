// Copyright 2026 The tracktry-grpc Authors.
//
// LocalTokenBucketStore and the GCRA arithmetic, on synthetic times.
#include "service/upstream/token_bucket_local_store.h"

#include "absl/time/time.h"
#include "gtest/gtest.h"

namespace tracktry {
namespace {

const absl::Time kT0 = absl::FromUnixSeconds(1700000000);

absl::Time At(int ms) { return kT0 + absl::Milliseconds(ms); }

TEST(LocalTokenBucketStoreTest, TokensComeAtTheRate) {
  LocalTokenBucketStore store({{"a", 10.0, 1}});  // 100 ms apart.
  EXPECT_EQ(store.TryAcquire(0, At(0)), absl::ZeroDuration());
  EXPECT_EQ(store.TryAcquire(0, At(0)), absl::Milliseconds(100));
  EXPECT_EQ(store.TryAcquire(0, At(40)), absl::Milliseconds(60));
  EXPECT_EQ(store.TryAcquire(0, At(100)), absl::ZeroDuration());
  // Idle time does not bank tokens beyond the burst of 1.
  EXPECT_EQ(store.TryAcquire(0, At(1000)), absl::ZeroDuration());
  EXPECT_EQ(store.TryAcquire(0, At(1001)), absl::Milliseconds(99));
}

TEST(LocalTokenBucketStoreTest, BurstAllowsBackToBackTokens) {
  LocalTokenBucketStore store({{"a", 10.0, 3}});
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(store.TryAcquire(0, At(0)), absl::ZeroDuration()) << i;
  }
  EXPECT_EQ(store.TryAcquire(0, At(0)), absl::Milliseconds(100));
  EXPECT_EQ(store.TryAcquire(0, At(100)), absl::ZeroDuration());
  // After a long idle period the whole burst is back.
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(store.TryAcquire(0, At(5000)), absl::ZeroDuration()) << i;
  }
  EXPECT_GT(store.TryAcquire(0, At(5000)), absl::ZeroDuration());
}

TEST(LocalTokenBucketStoreTest, BucketsAreIndependent) {
  LocalTokenBucketStore store({{"a", 1.0, 1}, {"b", 1.0, 1}});
  EXPECT_EQ(store.TryAcquire(0, At(0)), absl::ZeroDuration());
  EXPECT_EQ(store.TryAcquire(1, At(0)), absl::ZeroDuration());
  EXPECT_EQ(store.TryAcquire(0, At(0)), absl::Seconds(1));
}

TEST(LocalTokenBucketStoreTest, PauseStopsEveryBucketUntilItEnds) {
  LocalTokenBucketStore store({{"a", 10.0, 1}, {"b", 10.0, 1}});
  store.Pause(At(2000), At(0));
  EXPECT_EQ(store.TryAcquire(0, At(0)), absl::Seconds(2));
  EXPECT_EQ(store.TryAcquire(1, At(1500)), absl::Milliseconds(500));
  // An earlier pause does not shorten it.
  store.Pause(At(1000), At(1500));
  EXPECT_EQ(store.TryAcquire(1, At(1500)), absl::Milliseconds(500));
  EXPECT_EQ(store.TryAcquire(1, At(2000)), absl::ZeroDuration());
}

TEST(LocalTokenBucketStoreTest, EstimateStartCountsTheRequestsAhead) {
  LocalTokenBucketStore store({{"a", 10.0, 2}});
  // Idle bucket with a burst of 2: two start now, then every 100 ms.
  EXPECT_EQ(store.EstimateStart(0, At(0), 0), At(0));
  EXPECT_EQ(store.EstimateStart(0, At(0), 1), At(0));
  EXPECT_EQ(store.EstimateStart(0, At(0), 2), At(100));
  EXPECT_EQ(store.EstimateStart(0, At(0), 5), At(400));
  // The estimate matches what TryAcquire then hands out.
  ASSERT_EQ(store.TryAcquire(0, At(0)), absl::ZeroDuration());
  ASSERT_EQ(store.TryAcquire(0, At(0)), absl::ZeroDuration());
  EXPECT_EQ(store.EstimateStart(0, At(0), 0), At(100));
  EXPECT_EQ(At(0) + store.TryAcquire(0, At(0)), At(100));
  // A pause moves every estimate after its end.
  store.Pause(At(3000), At(0));
  EXPECT_EQ(store.EstimateStart(0, At(0), 0), At(3000));
  EXPECT_EQ(store.EstimateStart(0, At(0), 2), At(3100));
}

TEST(LocalTokenBucketStoreTest, DeferMovesTheNextTokenBack) {
  LocalTokenBucketStore store({{"a", 10.0, 1}});
  EXPECT_EQ(store.Interval(0), absl::Milliseconds(100));
  ASSERT_EQ(store.TryAcquire(0, At(0)), absl::ZeroDuration());
  // The token of t=0 was used 30 ms late: the next one comes at 130 ms.
  store.Defer(0, At(0), absl::Milliseconds(30), At(5));
  EXPECT_EQ(store.TryAcquire(0, At(100)), absl::Milliseconds(30));
  EXPECT_EQ(store.TryAcquire(0, At(130)), absl::ZeroDuration());
  // A deferral that ends before the current schedule changes nothing.
  store.Defer(0, At(0), absl::Milliseconds(10), At(131));
  EXPECT_EQ(store.TryAcquire(0, At(230)), absl::ZeroDuration());
}

TEST(GcraEstimateStartTest, FollowsTheTheoreticalArrivalTime) {
  const absl::Duration interval = absl::Milliseconds(100);
  EXPECT_EQ(GcraEstimateStart(At(500), interval, absl::ZeroDuration(),
                              absl::InfinitePast(), At(0), 0),
            At(500));
  EXPECT_EQ(GcraEstimateStart(At(500), interval, absl::ZeroDuration(),
                              absl::InfinitePast(), At(0), 3),
            At(800));
  EXPECT_EQ(GcraEstimateStart(absl::InfinitePast(), interval,
                              absl::ZeroDuration(), At(200), At(0), 1),
            At(300));
}

}  // namespace
}  // namespace tracktry
