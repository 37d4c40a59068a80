// Copyright 2026 The tracktry-grpc Authors.
//
// RedisTokenBucketStore against a real redis-server on 127.0.0.1: two
// stores share one bucket and one pause, keys hold no API key, and the
// store falls back to its local bucket when Redis is unreachable or dies,
// and returns to Redis when it is back. With a password (redis-server
// --requirepass, or an ACL user) the store authenticates first; a wrong or
// missing password means the local bucket, like an unreachable Redis. The
// rate shaper's store puts the Redis namespace first in every key.
#include "service/upstream/redis_token_bucket_store.h"

#include <hiredis/hiredis.h>

#include <algorithm>
#include <cstdarg>
#include <memory>
#include <string>
#include <vector>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "service/upstream/rate_shaper.h"
#include "service/upstream/token_bucket_local_store.h"
#include "tests/testing/redis_test_server.h"
#include "tests/testing/status_matchers.h"

namespace tracktry {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using testing::RedisTestServer;

constexpr char kApiKey[] = "redis-test-secret-api-key-42";

// AUTH credentials of a store; both empty = no AUTH.
struct Credentials {
  std::string user;
  std::string password;
};

std::unique_ptr<RedisTokenBucketStore> MakeStore(
    const std::string& address, double rate, double fallback_rate,
    absl::Duration retry_interval = absl::Seconds(5),
    const Credentials& credentials = {}) {
  RedisTokenBucketOptions options;
  options.address = address;
  options.user = credentials.user;
  options.password = credentials.password;
  options.key_prefix =
      std::string("tracktry:rate:") + AccountIdFromApiKey(kApiKey);
  options.limits = {{"default", rate, 1}, {"list", rate, 1}};
  options.retry_interval = retry_interval;
  auto fallback =
      std::make_unique<LocalTokenBucketStore>(std::vector<TokenBucketLimit>{
          {"default", fallback_rate, 1}, {"list", fallback_rate, 1}});
  return std::make_unique<RedisTokenBucketStore>(std::move(options),
                                                 std::move(fallback));
}

// Runs `command` (printf-style, see redisCommand) on a new connection to
// the Redis server at `port`, authenticated with `password` unless empty.
// The reply, or null; the caller frees it.
redisReply* AdminCommand(int port, const std::string& password,
                         const char* command, ...) {
  redisContext* context = redisConnect("127.0.0.1", port);
  if (context == nullptr || context->err != 0) {
    if (context != nullptr) redisFree(context);
    return nullptr;
  }
  if (!password.empty()) {
    auto* auth = static_cast<redisReply*>(
        redisCommand(context, "AUTH %b", password.data(), password.size()));
    if (auth != nullptr) freeReplyObject(auth);
  }
  va_list args;
  va_start(args, command);
  auto* reply = static_cast<redisReply*>(redisvCommand(context, command, args));
  va_end(args);
  redisFree(context);
  return reply;
}

// All keys in the Redis server at `port`.
std::vector<std::string> RedisKeys(int port, const std::string& password = "") {
  std::vector<std::string> keys;
  redisReply* reply = AdminCommand(port, password, "KEYS *");
  if (reply != nullptr && reply->type == REDIS_REPLY_ARRAY) {
    for (size_t i = 0; i < reply->elements; ++i) {
      keys.emplace_back(reply->element[i]->str, reply->element[i]->len);
    }
  }
  if (reply != nullptr) freeReplyObject(reply);
  return keys;
}

class RedisTokenBucketStoreTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_THAT(redis_.Start(), testing::IsOk()); }
  RedisTestServer redis_;
};

TEST_F(RedisTokenBucketStoreTest, TwoStoresShareOneBucket) {
  auto a = MakeStore(redis_.address(), 5.0, 100.0);  // 200 ms apart.
  auto b = MakeStore(redis_.address(), 5.0, 100.0);
  const absl::Time now = absl::Now();
  EXPECT_EQ(a->TryAcquire(0, now), absl::ZeroDuration());
  const absl::Duration wait = b->TryAcquire(0, now);
  EXPECT_GT(wait, absl::Milliseconds(150));
  EXPECT_LE(wait, absl::Milliseconds(200));
  // Another bucket is independent.
  EXPECT_EQ(b->TryAcquire(1, now), absl::ZeroDuration());
  EXPECT_TRUE(a->stats().shared);
  EXPECT_TRUE(b->stats().shared);
  EXPECT_EQ(a->stats().fallbacks, 0);
  // b learned the shared state for its estimates.
  EXPECT_GT(b->EstimateStart(0, absl::Now(), 0),
            absl::Now() + absl::Milliseconds(100));
}

TEST_F(RedisTokenBucketStoreTest, SharedBucketHandsOutTheRateAcrossStores) {
  auto a = MakeStore(redis_.address(), 20.0, 100.0);  // 50 ms apart.
  auto b = MakeStore(redis_.address(), 20.0, 100.0);
  int taken = 0;
  const absl::Time start = absl::Now();
  absl::Time next_a = start, next_b = start;
  // Both stores try as soon as they are told they may, for one second.
  while (absl::Now() - start < absl::Seconds(1)) {
    const absl::Time now = absl::Now();
    if (now >= next_a) {
      const absl::Duration wait = a->TryAcquire(0, now);
      if (wait == absl::ZeroDuration()) ++taken;
      next_a = now + wait;
    }
    if (now >= next_b) {
      const absl::Duration wait = b->TryAcquire(0, now);
      if (wait == absl::ZeroDuration()) ++taken;
      next_b = now + wait;
    }
    absl::SleepFor(absl::Milliseconds(1));
  }
  // 20/s for one second, plus the first token at t=0.
  EXPECT_GE(taken, 18);
  EXPECT_LE(taken, 21);
}

TEST_F(RedisTokenBucketStoreTest, PauseIsSharedWithOtherStores) {
  auto a = MakeStore(redis_.address(), 10.0, 10.0);
  auto b = MakeStore(redis_.address(), 10.0, 10.0);
  const absl::Time now = absl::Now();
  a->Pause(now + absl::Seconds(2), now);
  const absl::Duration wait = b->TryAcquire(1, absl::Now());
  EXPECT_GT(wait, absl::Milliseconds(1800));
  EXPECT_LE(wait, absl::Seconds(2));
  EXPECT_GE(b->EstimateStart(0, absl::Now(), 0),
            now + absl::Milliseconds(1800));
}

TEST_F(RedisTokenBucketStoreTest, KeysUseAnAccountIdNotTheApiKey) {
  auto a = MakeStore(redis_.address(), 10.0, 10.0);
  const absl::Time now = absl::Now();
  ASSERT_EQ(a->TryAcquire(0, now), absl::ZeroDuration());
  a->Pause(now + absl::Seconds(1), now);
  const std::vector<std::string> keys = RedisKeys(redis_.port());
  ASSERT_EQ(keys.size(), 2u);
  for (const std::string& key : keys) {
    EXPECT_THAT(key, HasSubstr(AccountIdFromApiKey(kApiKey)));
    EXPECT_THAT(key, Not(HasSubstr(kApiKey)));
  }
  EXPECT_NE(AccountIdFromApiKey("a"), AccountIdFromApiKey("b"));
  EXPECT_EQ(AccountIdFromApiKey(kApiKey), AccountIdFromApiKey(kApiKey));
}

TEST(RedisTokenBucketStoreFallbackTest, UnreachableRedisUsesTheLocalBucket) {
  const int dead_port = testing::PickFreePort();
  auto store = MakeStore(absl::StrCat("127.0.0.1:", dead_port), 100.0,
                         5.0);  // Local: 200 ms apart.
  const absl::Time before = absl::Now();
  EXPECT_EQ(store->TryAcquire(0, before), absl::ZeroDuration());
  EXPECT_LT(absl::Now() - before, absl::Milliseconds(200));
  // The local rate applies, not the shared one.
  const absl::Duration wait = store->TryAcquire(0, absl::Now());
  EXPECT_GT(wait, absl::Milliseconds(150));
  const TokenBucketStoreStats stats = store->stats();
  EXPECT_FALSE(stats.shared);
  EXPECT_EQ(stats.fallbacks, 1);
  EXPECT_GE(stats.redis_errors, 1);
  // Within the retry interval Redis is not tried again (no new error).
  store->TryAcquire(1, absl::Now());
  EXPECT_EQ(store->stats().redis_errors, stats.redis_errors);
}

TEST_F(RedisTokenBucketStoreTest, FallsBackWhenRedisDiesAndReturnsWhenBack) {
  auto store = MakeStore(redis_.address(), 100.0, 5.0,
                         /*retry_interval=*/absl::Milliseconds(300));
  ASSERT_EQ(store->TryAcquire(0, absl::Now()), absl::ZeroDuration());
  ASSERT_TRUE(store->stats().shared);
  const int port = redis_.port();
  redis_.Stop();
  // The failure is noticed on the next operation, which the local bucket
  // answers.
  EXPECT_EQ(store->TryAcquire(1, absl::Now()), absl::ZeroDuration());
  EXPECT_FALSE(store->stats().shared);
  EXPECT_EQ(store->stats().fallbacks, 1);
  // A pause while Redis is down holds locally.
  const absl::Time now = absl::Now();
  store->Pause(now + absl::Milliseconds(500), now);
  EXPECT_GT(store->TryAcquire(1, absl::Now()), absl::Milliseconds(400));

  ASSERT_THAT(redis_.Start(port), testing::IsOk());
  absl::SleepFor(absl::Milliseconds(600));  // Retry interval and pause over.
  EXPECT_EQ(store->TryAcquire(0, absl::Now()), absl::ZeroDuration());
  EXPECT_TRUE(store->stats().shared);
  EXPECT_EQ(store->stats().connects, 2);
}

TEST_F(RedisTokenBucketStoreTest, ReportsEverySwitchForALogLine) {
  RedisTokenBucketOptions options;
  options.address = redis_.address();
  options.key_prefix = "tracktry:rate:switches";
  options.limits = {{"default", 100.0, 1}};
  options.retry_interval = absl::Milliseconds(200);
  std::vector<bool> switches;  // Called on this thread only.
  options.on_shared_change = [&switches](bool shared) {
    switches.push_back(shared);
  };
  RedisTokenBucketStore store(
      std::move(options),
      std::make_unique<LocalTokenBucketStore>(
          std::vector<TokenBucketLimit>{{"default", 5.0, 1}}));
  // The first connection is no switch.
  ASSERT_EQ(store.TryAcquire(0, absl::Now()), absl::ZeroDuration());
  EXPECT_TRUE(switches.empty());
  const int port = redis_.port();
  redis_.Stop();
  store.TryAcquire(0, absl::Now());
  store.TryAcquire(0, absl::Now());  // Still down: no second line.
  EXPECT_EQ(switches, std::vector<bool>{false});
  ASSERT_THAT(redis_.Start(port), testing::IsOk());
  absl::SleepFor(absl::Milliseconds(300));
  store.TryAcquire(0, absl::Now());
  EXPECT_EQ(switches, (std::vector<bool>{false, true}));
}

// --- Authentication. ---

constexpr char kRedisPassword[] = "redis-test-password-31";

class RedisAuthTest : public ::testing::Test {
 protected:
  void SetUp() override {
    redis_.set_password(kRedisPassword);
    ASSERT_THAT(redis_.Start(), testing::IsOk());
  }
  RedisTestServer redis_;
};

TEST_F(RedisAuthTest, RightPasswordSharesTheBucket) {
  const Credentials right{"", kRedisPassword};
  auto a = MakeStore(redis_.address(), 5.0, 100.0, absl::Seconds(5), right);
  auto b = MakeStore(redis_.address(), 5.0, 100.0, absl::Seconds(5), right);
  const absl::Time now = absl::Now();
  EXPECT_EQ(a->TryAcquire(0, now), absl::ZeroDuration());
  // b waits for the shared bucket (200 ms apart), not its local one (10 ms).
  EXPECT_GT(b->TryAcquire(0, now), absl::Milliseconds(150));
  EXPECT_TRUE(a->stats().shared);
  EXPECT_TRUE(b->stats().shared);
  EXPECT_EQ(a->stats().fallbacks, 0);
  EXPECT_EQ(a->stats().redis_errors, 0);
  EXPECT_EQ(RedisKeys(redis_.port(), kRedisPassword).size(), 1u);
}

TEST_F(RedisAuthTest, WrongOrMissingPasswordUsesTheLocalBucket) {
  for (const Credentials& credentials :
       {Credentials{"", "not-the-password"}, Credentials{}}) {
    SCOPED_TRACE(credentials.password);
    // Shared: 100/s; local: 5/s (200 ms apart).
    auto store =
        MakeStore(redis_.address(), 100.0, 5.0, absl::Seconds(5), credentials);
    EXPECT_EQ(store->TryAcquire(0, absl::Now()), absl::ZeroDuration());
    EXPECT_GT(store->TryAcquire(0, absl::Now()), absl::Milliseconds(150));
    const TokenBucketStoreStats stats = store->stats();
    EXPECT_FALSE(stats.shared);
    EXPECT_EQ(stats.fallbacks, 1);
    EXPECT_GE(stats.redis_errors, 1);
  }
  // Nothing was written to Redis.
  EXPECT_TRUE(RedisKeys(redis_.port(), kRedisPassword).empty());
}

TEST_F(RedisAuthTest, AclUserAndPassword) {
  redisReply* reply =
      AdminCommand(redis_.port(), kRedisPassword,
                   "ACL SETUSER fleet on >fleet-password ~* +@all");
  ASSERT_NE(reply, nullptr);
  ASSERT_EQ(reply->type, REDIS_REPLY_STATUS) << reply->str;
  freeReplyObject(reply);

  auto user = MakeStore(redis_.address(), 5.0, 100.0, absl::Seconds(5),
                        {"fleet", "fleet-password"});
  auto other = MakeStore(redis_.address(), 5.0, 100.0, absl::Seconds(5),
                         {"", kRedisPassword});
  const absl::Time now = absl::Now();
  EXPECT_EQ(user->TryAcquire(0, now), absl::ZeroDuration());
  EXPECT_GT(other->TryAcquire(0, now), absl::Milliseconds(150));
  EXPECT_TRUE(user->stats().shared);

  // The user's password is not the default user's.
  auto wrong = MakeStore(redis_.address(), 5.0, 100.0, absl::Seconds(5),
                         {"fleet", kRedisPassword});
  EXPECT_EQ(wrong->TryAcquire(1, absl::Now()), absl::ZeroDuration());
  EXPECT_FALSE(wrong->stats().shared);
  EXPECT_EQ(wrong->stats().fallbacks, 1);
}

// --- The rate shaper's store (MakeTokenBucketStore): namespace and AUTH. ---

TEST_F(RedisAuthTest, ShaperStoreKeysStartWithTheNamespace) {
  RateShaperOptions options;
  options.redis_address = redis_.address();
  options.redis_password = kRedisPassword;
  options.account_id = "acct-1";
  options.redis_namespace = "fleet-a";
  std::unique_ptr<TokenBucketStore> store = MakeTokenBucketStore(options);
  const absl::Time now = absl::Now();
  ASSERT_EQ(store->TryAcquire(0, now), absl::ZeroDuration());
  store->Pause(now + absl::Seconds(1), now);
  EXPECT_TRUE(store->stats().shared);
  std::vector<std::string> keys = RedisKeys(redis_.port(), kRedisPassword);
  std::sort(keys.begin(), keys.end());
  EXPECT_THAT(keys, ::testing::ElementsAre("fleet-a:rate:acct-1:pause",
                                           "fleet-a:rate:acct-1:tat:default"));

  // The default namespace.
  options.redis_namespace = RateShaperOptions().redis_namespace;
  options.account_id = "acct-2";
  store = MakeTokenBucketStore(options);
  ASSERT_EQ(store->TryAcquire(1, absl::Now()), absl::ZeroDuration());
  keys = RedisKeys(redis_.port(), kRedisPassword);
  EXPECT_THAT(keys, ::testing::Contains("tracktry:rate:acct-2:tat:list"));
}

TEST_F(RedisAuthTest, ShaperStoreWithoutThePasswordFallsBack) {
  RateShaperOptions options;
  options.redis_address = redis_.address();
  options.account_id = "acct-1";
  std::unique_ptr<TokenBucketStore> store = MakeTokenBucketStore(options);
  EXPECT_EQ(store->TryAcquire(0, absl::Now()), absl::ZeroDuration());
  EXPECT_FALSE(store->stats().shared);
  EXPECT_EQ(store->stats().fallbacks, 1);
}

TEST(ParseHostPortTest, AcceptsHostPortAndBracketedV6) {
  auto v4 = ParseHostPort("127.0.0.1:6379");
  ASSERT_TRUE(v4.ok());
  EXPECT_EQ(v4->first, "127.0.0.1");
  EXPECT_EQ(v4->second, 6379);
  auto v6 = ParseHostPort("[::1]:7000");
  ASSERT_TRUE(v6.ok());
  EXPECT_EQ(v6->first, "::1");
  EXPECT_FALSE(ParseHostPort("redis").ok());
  EXPECT_FALSE(ParseHostPort("redis:0").ok());
  EXPECT_FALSE(ParseHostPort(":6379").ok());
  EXPECT_FALSE(ParseHostPort("[::1]6379").ok());
}

}  // namespace
}  // namespace tracktry
