// Copyright 2026 The tracktry-grpc Authors.
//
// LocalTokenBucketStore: TokenBucketStore kept in this process (see
// token_bucket_store.h for the algorithm). Used when no Redis is configured
// (each replica then takes its share of the account's rate) and as the
// fallback of RedisTokenBucketStore.
#ifndef TRACKTRY_SERVICE_UPSTREAM_TOKEN_BUCKET_LOCAL_STORE_H_
#define TRACKTRY_SERVICE_UPSTREAM_TOKEN_BUCKET_LOCAL_STORE_H_

#include <cstdint>
#include <mutex>
#include <vector>

#include "absl/time/time.h"
#include "service/upstream/token_bucket_store.h"

namespace tracktry {

// Thread-safe; never blocks beyond a short internal lock.
class LocalTokenBucketStore final : public TokenBucketStore {
 public:
  // One bucket per element of `limits` (rate > 0, burst >= 1).
  explicit LocalTokenBucketStore(const std::vector<TokenBucketLimit>& limits);

  absl::Duration TryAcquire(int bucket, absl::Time now) override;
  void Pause(absl::Time until, absl::Time now) override;
  void Defer(int bucket, absl::Time taken_at, absl::Duration delay,
             absl::Time now) override;
  absl::Duration Interval(int bucket) const override;
  absl::Time EstimateStart(int bucket, absl::Time now,
                           int64_t ahead) const override;
  TokenBucketStoreStats stats() const override { return {}; }

 private:
  struct Bucket {
    absl::Duration interval;
    absl::Duration tolerance;
    absl::Time tat = absl::InfinitePast();
  };

  mutable std::mutex mu_;
  std::vector<Bucket> buckets_;
  absl::Time paused_until_ = absl::InfinitePast();
};

}  // namespace tracktry

#endif  // TRACKTRY_SERVICE_UPSTREAM_TOKEN_BUCKET_LOCAL_STORE_H_
