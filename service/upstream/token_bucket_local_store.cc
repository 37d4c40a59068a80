// Copyright 2026 The tracktry-grpc Authors.
#include "service/upstream/token_bucket_local_store.h"

#include <algorithm>

namespace tracktry {

LocalTokenBucketStore::LocalTokenBucketStore(
    const std::vector<TokenBucketLimit>& limits) {
  buckets_.reserve(limits.size());
  for (const TokenBucketLimit& limit : limits) {
    buckets_.push_back({TokenInterval(limit), TokenTolerance(limit)});
  }
}

absl::Duration LocalTokenBucketStore::TryAcquire(int bucket, absl::Time now) {
  std::lock_guard<std::mutex> lock(mu_);
  if (paused_until_ > now) return paused_until_ - now;
  Bucket& b = buckets_.at(static_cast<size_t>(bucket));
  const absl::Time allowed_at = b.tat - b.tolerance;
  if (allowed_at > now) return allowed_at - now;
  b.tat = std::max(b.tat, now) + b.interval;
  return absl::ZeroDuration();
}

void LocalTokenBucketStore::Pause(absl::Time until, absl::Time now) {
  std::lock_guard<std::mutex> lock(mu_);
  paused_until_ = std::max(paused_until_, until);
}

void LocalTokenBucketStore::Defer(int bucket, absl::Time taken_at,
                                  absl::Duration delay, absl::Time now) {
  std::lock_guard<std::mutex> lock(mu_);
  Bucket& b = buckets_.at(static_cast<size_t>(bucket));
  b.tat = std::max(b.tat, taken_at + delay + b.interval);
}

absl::Duration LocalTokenBucketStore::Interval(int bucket) const {
  std::lock_guard<std::mutex> lock(mu_);
  return buckets_.at(static_cast<size_t>(bucket)).interval;
}

absl::Time LocalTokenBucketStore::EstimateStart(int bucket, absl::Time now,
                                                int64_t ahead) const {
  std::lock_guard<std::mutex> lock(mu_);
  const Bucket& b = buckets_.at(static_cast<size_t>(bucket));
  return GcraEstimateStart(b.tat, b.interval, b.tolerance, paused_until_, now,
                           ahead);
}

}  // namespace tracktry
