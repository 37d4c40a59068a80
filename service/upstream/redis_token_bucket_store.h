// Copyright 2026 The tracktry-grpc Authors.
//
// RedisTokenBucketStore: TokenBucketStore shared by every replica through
// one Redis server, so that the account's quota is shared however many
// processes run (see token_bucket_store.h for the algorithm).
//
// Each bucket is one Redis key "<prefix>:tat:<name>" holding its theoretical
// arrival time in microseconds of the Redis server's clock, and the pause is
// "<prefix>:pause"; both expire when idle. Every operation is one Lua script
// (atomic in Redis) that reads the Redis clock (TIME), so the replicas'
// clocks need not agree. Keys are derived from an account id, never from the
// API key itself (see AccountIdFromApiKey).
//
// With a password, every new connection authenticates first (AUTH
// [user] password) before any other command; the password is never put in
// a log line or error (the store reports none).
//
// When Redis cannot be reached or fails (connect or command timeout, I/O or
// protocol error, failed AUTH or a command refused with NOAUTH), the store
// switches to `fallback` (a local store built by the caller, normally at this
// replica's share of the rate) and tries Redis again after `retry_interval`. A
// pause is always recorded in the fallback too, so it survives a switch.
#ifndef TRACKTRY_SERVICE_UPSTREAM_REDIS_TOKEN_BUCKET_STORE_H_
#define TRACKTRY_SERVICE_UPSTREAM_REDIS_TOKEN_BUCKET_STORE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "service/upstream/token_bucket_store.h"

struct redisContext;

namespace tracktry {

struct RedisTokenBucketOptions {
  // "host:port" ("[v6]:port" for IPv6 literals).
  std::string address;
  // Credentials sent with AUTH right after connecting: `password` alone
  // (requirepass, or the "default" ACL user), or Redis 6+ ACL `user` and
  // `password`. Both empty = no AUTH.
  std::string user;
  std::string password;
  // Prefix of every key, e.g. "tracktry:rate:<account id>".
  std::string key_prefix;
  // The account-wide limits, one per bucket.
  std::vector<TokenBucketLimit> limits;
  // Connect timeout and per-command timeout.
  absl::Duration timeout = absl::Milliseconds(50);
  // How long to use the fallback after a failure before trying Redis again.
  absl::Duration retry_interval = absl::Seconds(5);
  // Hears every switch: false when the store falls back to the local
  // buckets, true when it shares them through Redis again (for a log line).
  // Called on the thread that used the store, without the view lock.
  std::function<void(bool shared)> on_shared_change;
};

// A stable, non-reversible account id for `api_key` ("key-" + 16 hex
// digits of a 64-bit FNV-1a hash), for Redis keys that must not hold the key.
std::string AccountIdFromApiKey(absl::string_view api_key);

// Splits "host:port" / "[v6]:port". INVALID_ARGUMENT when malformed.
absl::StatusOr<std::pair<std::string, int>> ParseHostPort(
    absl::string_view address);

// Thread-safe. Redis I/O is serialized on one connection; TryAcquire and
// Pause block for at most about 2 x `timeout` when Redis is slow or gone
// (and not at all while the fallback is in use between retries).
// EstimateStart and stats never do I/O.
class RedisTokenBucketStore final : public TokenBucketStore {
 public:
  // `fallback` must have the same number of buckets. Does not connect yet:
  // the first TryAcquire or Pause does.
  RedisTokenBucketStore(RedisTokenBucketOptions options,
                        std::unique_ptr<TokenBucketStore> fallback);
  ~RedisTokenBucketStore() override;

  absl::Duration TryAcquire(int bucket, absl::Time now) override;
  void Pause(absl::Time until, absl::Time now) override;
  void Defer(int bucket, absl::Time taken_at, absl::Duration delay,
             absl::Time now) override;
  absl::Duration Interval(int bucket) const override;
  absl::Time EstimateStart(int bucket, absl::Time now,
                           int64_t ahead) const override;
  TokenBucketStoreStats stats() const override;

 private:
  // Connects (and authenticates) if there is no connection and the retry
  // time has come. True when connected. Requires io_mu_.
  bool EnsureConnectedLocked(absl::Time now);
  // Drops the connection after an error and starts the retry interval.
  // Requires io_mu_.
  void FailLocked(absl::Time now);

  const RedisTokenBucketOptions options_;
  const std::unique_ptr<TokenBucketStore> fallback_;
  std::vector<std::string> tat_keys_;
  std::string pause_key_;
  std::vector<absl::Duration> intervals_;
  std::vector<absl::Duration> tolerances_;

  // Serializes use of the connection.
  std::mutex io_mu_;
  redisContext* context_ = nullptr;                 // Guarded by io_mu_.
  absl::Time next_connect_ = absl::InfinitePast();  // Guarded by io_mu_.

  // What Redis said last, in local time (for EstimateStart), and counters.
  mutable std::mutex view_mu_;
  std::vector<absl::Time> tats_;
  absl::Time paused_until_ = absl::InfinitePast();
  // True from a failure until the next successful connection.
  bool falling_back_ = false;
  TokenBucketStoreStats stats_;
};

}  // namespace tracktry

#endif  // TRACKTRY_SERVICE_UPSTREAM_REDIS_TOKEN_BUCKET_STORE_H_
