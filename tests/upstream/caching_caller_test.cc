// Copyright 2026 The tracktry-grpc Authors.
#include "service/upstream/caching_caller.h"

#include <atomic>
#include <memory>
#include <thread>
#include <vector>

#include "common/error_details.h"
#include "gtest/gtest.h"
#include "service/upstream/response_cache.h"
#include "tests/testing/fake_shared_read_tier.h"
#include "tests/testing/fleet_harness.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/upstream_test_prelude.h"

namespace tracktry {
namespace {

class CachingCallerTest : public ::testing::Test {
 protected:
  void Make(CacheOptions options = CacheOptions()) {
    cache_ = std::make_unique<CachingCaller>(&fake_, &scheduler_, options,
                                             [this] { return Now(); });
  }
  absl::Time Now() {
    std::lock_guard<std::mutex> lock(mu_);
    return now_;
  }
  void Advance(absl::Duration d) {
    std::lock_guard<std::mutex> lock(mu_);
    now_ += d;
  }
  absl::StatusOr<Envelope> Call(UpstreamRequest request,
                                absl::Duration timeout = absl::Seconds(5)) {
    ResultSlot slot;
    cache_->Send(std::move(request), absl::Now() + timeout, slot.Callback());
    return slot.Wait(timeout + absl::Seconds(2));
  }
  absl::StatusOr<Envelope> Get(const std::string& number = "123456",
                               bool bypass = false) {
    UpstreamRequest request = RequestFor(Endpoint::kGetTracking, number);
    request.bypass_cache = bypass;
    return Call(std::move(request));
  }

  std::mutex mu_;
  absl::Time now_ = absl::FromUnixSeconds(1700000000);
  FakeUpstreamCaller fake_;
  Scheduler scheduler_;
  std::unique_ptr<CachingCaller> cache_;
};

TEST_F(CachingCallerTest, RepeatedGetIsServedFromTheCache) {
  fake_.SetResponder(Numbered());
  Make();
  EXPECT_EQ(NumberOf(Get()), 0);
  EXPECT_EQ(NumberOf(Get()), 0);
  EXPECT_EQ(NumberOf(Get()), 0);
  EXPECT_EQ(fake_.calls(), 1);
  const CacheStats stats = cache_->stats();
  EXPECT_EQ(stats.hits, 2);
  EXPECT_EQ(stats.misses, 1);
  EXPECT_EQ(stats.entries, 1u);
  // Another tracking is another entry.
  EXPECT_EQ(NumberOf(Get("999999")), 1);
  EXPECT_EQ(fake_.calls(), 2);
}

TEST_F(CachingCallerTest, GetEntryExpiresAfterItsTtl) {
  fake_.SetResponder(Numbered());
  Make();  // 60 s by default.
  EXPECT_EQ(NumberOf(Get()), 0);
  Advance(absl::Seconds(59));
  EXPECT_EQ(NumberOf(Get()), 0);
  Advance(absl::Seconds(2));
  EXPECT_EQ(NumberOf(Get()), 1);
  EXPECT_EQ(fake_.calls(), 2);
}

TEST_F(CachingCallerTest, CarriersAreCachedForADay) {
  fake_.SetResponder(Numbered());
  Make();
  EXPECT_EQ(NumberOf(Call(RequestFor(Endpoint::kListCarriers))), 0);
  Advance(absl::Hours(23));
  EXPECT_EQ(NumberOf(Call(RequestFor(Endpoint::kListCarriers))), 0);
  Advance(absl::Hours(2));
  EXPECT_EQ(NumberOf(Call(RequestFor(Endpoint::kListCarriers))), 1);
}

TEST_F(CachingCallerTest, OtherReadsAreNotCached) {
  fake_.SetResponder(Numbered());
  Make();
  for (Endpoint endpoint : {Endpoint::kListTrackings, Endpoint::kRealtime,
                            Endpoint::kDetectCarrier}) {
    Call(RequestFor(endpoint)).status().IgnoreError();
    Call(RequestFor(endpoint)).status().IgnoreError();
  }
  EXPECT_EQ(fake_.calls(), 6);
}

TEST_F(CachingCallerTest, ZeroTtlDisablesCaching) {
  fake_.SetResponder(Numbered());
  CacheOptions options;
  options.tracking_ttl = absl::ZeroDuration();
  Make(options);
  Get().status().IgnoreError();
  Get().status().IgnoreError();
  EXPECT_EQ(fake_.calls(), 2);
}

TEST_F(CachingCallerTest, ErrorsAreNotCached) {
  fake_.SetResponder([](const UpstreamRequest&, int index) {
    if (index == 0) return Reply{absl::StatusOr<Envelope>(HttpError(503))};
    return Reply{absl::StatusOr<Envelope>(OkEnvelope({{"n", index}}))};
  });
  Make();
  EXPECT_EQ(Get().status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(NumberOf(Get()), 1);
  EXPECT_EQ(NumberOf(Get()), 1);
  EXPECT_EQ(fake_.calls(), 2);
}

TEST_F(CachingCallerTest, BypassFetchesFreshAndRefreshesTheCache) {
  fake_.SetResponder(Numbered());
  Make();
  EXPECT_EQ(NumberOf(Get()), 0);
  EXPECT_EQ(NumberOf(Get("123456", /*bypass=*/true)), 1);
  EXPECT_EQ(NumberOf(Get()), 1);  // Refreshed by the bypassing read.
  EXPECT_EQ(fake_.calls(), 2);
}

TEST_F(CachingCallerTest, FiftyConcurrentIdenticalReadsMakeOneUpstreamCall) {
  fake_.SetResponder(Hanging());
  Make();
  std::vector<std::unique_ptr<ResultSlot>> slots;
  std::vector<std::thread> threads;
  for (int i = 0; i < 50; ++i) slots.push_back(std::make_unique<ResultSlot>());
  for (int i = 0; i < 50; ++i) {
    threads.emplace_back([this, &slots, i] {
      cache_->Send(RequestFor(Endpoint::kGetTracking),
                   absl::Now() + absl::Seconds(10), slots[i]->Callback());
    });
  }
  for (std::thread& thread : threads) thread.join();
  ASSERT_TRUE(fake_.WaitForCalls(1));
  EXPECT_EQ(fake_.calls(), 1);
  EXPECT_EQ(fake_.CompleteAll(OkEnvelope({{"n", 42}})), 1);
  for (auto& slot : slots) EXPECT_EQ(NumberOf(slot->Wait()), 42);
  EXPECT_EQ(cache_->stats().coalesced, 49);
  EXPECT_EQ(fake_.calls(), 1);
}

TEST_F(CachingCallerTest, IdenticalUncachedReadsAreCoalescedToo) {
  fake_.SetResponder(Hanging());
  Make();
  ResultSlot a, b, c;
  cache_->Send(RequestFor(Endpoint::kRealtime), absl::Now() + absl::Seconds(5),
               a.Callback());
  cache_->Send(RequestFor(Endpoint::kRealtime), absl::Now() + absl::Seconds(5),
               b.Callback());
  cache_->Send(RequestFor(Endpoint::kRealtime, "other"),
               absl::Now() + absl::Seconds(5), c.Callback());
  ASSERT_TRUE(fake_.WaitForCalls(2));
  EXPECT_EQ(fake_.calls(), 2);  // The different number is its own call.
  fake_.CompleteAll(OkEnvelope());
  EXPECT_TRUE(a.Wait().ok());
  EXPECT_TRUE(b.Wait().ok());
  EXPECT_TRUE(c.Wait().ok());
}

TEST_F(CachingCallerTest, WritesAreNeitherCachedNorCoalesced) {
  fake_.SetResponder(Numbered());
  Make();
  Call(RequestFor(Endpoint::kCreateTracking)).status().IgnoreError();
  Call(RequestFor(Endpoint::kCreateTracking)).status().IgnoreError();
  EXPECT_EQ(fake_.calls(), 2);
}

TEST_F(CachingCallerTest, CancelledWaiterLeavesTheOthersServed) {
  fake_.SetResponder(Hanging());
  Make();
  ResultSlot a, b, c;
  const absl::Time deadline = absl::Now() + absl::Seconds(5);
  cache_->Send(RequestFor(Endpoint::kGetTracking), deadline, a.Callback());
  const auto b_id =
      cache_->Send(RequestFor(Endpoint::kGetTracking), deadline, b.Callback());
  cache_->Send(RequestFor(Endpoint::kGetTracking), deadline, c.Callback());
  ASSERT_TRUE(fake_.WaitForCalls(1));
  cache_->Cancel(b_id);
  EXPECT_EQ(b.Wait().status().code(), absl::StatusCode::kCancelled);
  EXPECT_TRUE(fake_.cancelled().empty());
  fake_.CompleteAll(OkEnvelope({{"n", 7}}));
  EXPECT_EQ(NumberOf(a.Wait()), 7);
  EXPECT_EQ(NumberOf(c.Wait()), 7);
  EXPECT_EQ(b.count(), 1);
}

TEST_F(CachingCallerTest, LastWaiterCancelledCancelsTheUpstreamCall) {
  fake_.SetResponder(Hanging());
  Make();
  ResultSlot a, b;
  const absl::Time deadline = absl::Now() + absl::Seconds(5);
  const auto a_id =
      cache_->Send(RequestFor(Endpoint::kGetTracking), deadline, a.Callback());
  const auto b_id =
      cache_->Send(RequestFor(Endpoint::kGetTracking), deadline, b.Callback());
  ASSERT_TRUE(fake_.WaitForCalls(1));
  cache_->Cancel(a_id);
  cache_->Cancel(b_id);
  EXPECT_EQ(a.Wait().status().code(), absl::StatusCode::kCancelled);
  EXPECT_EQ(b.Wait().status().code(), absl::StatusCode::kCancelled);
  EXPECT_EQ(fake_.cancelled().size(), 1u);
  // A new identical read starts a new upstream call.
  fake_.SetResponder(Numbered());
  EXPECT_EQ(NumberOf(Get()), 1);
}

TEST_F(CachingCallerTest, WaiterWithAnEarlierDeadlineFailsAloneOnTime) {
  fake_.SetResponder(Hanging());
  Make();
  ResultSlot first, impatient;
  cache_->Send(RequestFor(Endpoint::kGetTracking),
               absl::Now() + absl::Seconds(5), first.Callback());
  const absl::Time impatient_deadline = absl::Now() + absl::Milliseconds(150);
  cache_->Send(RequestFor(Endpoint::kGetTracking), impatient_deadline,
               impatient.Callback());
  EXPECT_EQ(impatient.Wait().status().code(),
            absl::StatusCode::kDeadlineExceeded);
  EXPECT_LE(impatient.at(), impatient_deadline + absl::Milliseconds(50));
  EXPECT_FALSE(first.ready());
  EXPECT_EQ(fake_.calls(), 1);
  fake_.CompleteAll(OkEnvelope());
  EXPECT_TRUE(first.Wait().ok());
}

TEST_F(CachingCallerTest, MuchLaterDeadlineStartsAFreshCall) {
  fake_.SetResponder(Hanging());
  Make();  // Slack 1 s.
  ResultSlot a, b, c;
  cache_->Send(RequestFor(Endpoint::kGetTracking),
               absl::Now() + absl::Milliseconds(300), a.Callback());
  cache_->Send(RequestFor(Endpoint::kGetTracking),
               absl::Now() + absl::Seconds(10), b.Callback());
  cache_->Send(RequestFor(Endpoint::kGetTracking),
               absl::Now() + absl::Seconds(10), c.Callback());
  ASSERT_TRUE(fake_.WaitForCalls(2));
  // `a` times out with its own call; `b` and `c` share the second one.
  EXPECT_EQ(a.Wait().status().code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_FALSE(b.ready());
  EXPECT_EQ(fake_.calls(), 2);
  fake_.CompleteAll(OkEnvelope({{"n", 5}}));
  EXPECT_EQ(NumberOf(b.Wait()), 5);
  EXPECT_EQ(NumberOf(c.Wait()), 5);
}

TEST_F(CachingCallerTest, WritesInvalidateTheTrackingsCachedReads) {
  for (Endpoint write : {Endpoint::kUpdateTracking, Endpoint::kDeleteTracking,
                         Endpoint::kCreateTracking, Endpoint::kBatchCreate,
                         Endpoint::kRealtime}) {
    FakeUpstreamCaller fake(Numbered());
    CachingCaller cache(&fake, &scheduler_, CacheOptions());
    auto get = [&cache](const std::string& number, const std::string& lang) {
      UpstreamRequest request = RequestFor(Endpoint::kGetTracking, number);
      request.lang = lang;
      ResultSlot slot;
      cache.Send(std::move(request), absl::Now() + absl::Seconds(5),
                 slot.Callback());
      return NumberOf(slot.Wait());
    };
    EXPECT_EQ(get("123456", ""), 0);
    EXPECT_EQ(get("123456", "en"), 1);
    EXPECT_EQ(get("777777", ""), 2);
    ResultSlot write_slot;
    cache.Send(RequestFor(write, "123456"), absl::Now() + absl::Seconds(5),
               write_slot.Callback());
    ASSERT_TRUE(write_slot.Wait().ok());
    // Both languages of 123456 are gone, 777777 stays.
    EXPECT_EQ(get("123456", ""), 4) << EndpointName(write);
    EXPECT_EQ(get("123456", "en"), 5) << EndpointName(write);
    EXPECT_EQ(get("777777", ""), 2) << EndpointName(write);
    EXPECT_EQ(cache.stats().invalidations, 2) << EndpointName(write);
  }
}

TEST_F(CachingCallerTest, ReadInFlightDuringAWriteDoesNotFillTheCache) {
  fake_.SetResponder(Hanging());
  Make();
  ResultSlot read;
  cache_->Send(RequestFor(Endpoint::kGetTracking),
               absl::Now() + absl::Seconds(5), read.Callback());
  ASSERT_TRUE(fake_.WaitForCalls(1));
  const auto read_id = fake_.records()[0].id;
  fake_.SetResponder(Numbered());
  EXPECT_TRUE(Call(RequestFor(Endpoint::kUpdateTracking)).ok());
  // A read arriving now must not join the old read.
  ResultSlot late;
  cache_->Send(RequestFor(Endpoint::kGetTracking),
               absl::Now() + absl::Seconds(5), late.Callback());
  EXPECT_EQ(NumberOf(late.Wait()), 2);
  fake_.Complete(read_id, OkEnvelope({{"n", 0}}));
  EXPECT_EQ(NumberOf(read.Wait()), 0);
  // The old answer did not replace the fresh one.
  EXPECT_EQ(NumberOf(Get()), 2);
  EXPECT_EQ(fake_.calls(), 3);
}

TEST_F(CachingCallerTest, CacheHitIsNotAnsweredOnTheCallersThread) {
  fake_.SetResponder(Numbered());
  Make();
  Get().status().IgnoreError();
  std::mutex mu;
  std::thread::id answered_on;
  ResultSlot slot;
  EnvelopeCallback inner = slot.Callback();
  cache_->Send(
      RequestFor(Endpoint::kGetTracking), absl::Now() + absl::Seconds(5),
      [&, inner = std::move(inner)](absl::StatusOr<Envelope> r) mutable {
        {
          std::lock_guard<std::mutex> lock(mu);
          answered_on = std::this_thread::get_id();
        }
        std::move(inner)(std::move(r));
      });
  EXPECT_TRUE(slot.Wait().ok());
  std::lock_guard<std::mutex> lock(mu);
  EXPECT_NE(answered_on, std::this_thread::get_id());
}

TEST_F(CachingCallerTest, DestructionCancelsWaitersAndPassThroughCalls) {
  fake_.SetResponder(Hanging());
  Make();
  ResultSlot read, write;
  cache_->Send(RequestFor(Endpoint::kGetTracking),
               absl::Now() + absl::Seconds(30), read.Callback());
  cache_->Send(RequestFor(Endpoint::kCreateTracking),
               absl::Now() + absl::Seconds(30), write.Callback());
  ASSERT_TRUE(fake_.WaitForCalls(2));
  cache_.reset();
  ASSERT_TRUE(read.ready());
  ASSERT_TRUE(write.ready());
  EXPECT_EQ(read.Wait().status().code(), absl::StatusCode::kCancelled);
  EXPECT_EQ(write.Wait().status().code(), absl::StatusCode::kCancelled);
}

// --- Background reclaim of expired entries.

// Waits until `done` holds; false after 10 s.
template <typename Predicate>
bool Eventually(Predicate done) {
  const absl::Time deadline = absl::Now() + absl::Seconds(10);
  while (!done()) {
    if (absl::Now() > deadline) return false;
    absl::SleepFor(absl::Milliseconds(5));
  }
  return true;
}

TEST_F(CachingCallerTest, ExpiredEntriesAreReclaimedWithoutLookups) {
  fake_.SetResponder(Numbered());
  CacheOptions options;
  options.sweep_interval = absl::Milliseconds(10);
  Make(options);
  for (const char* number : {"111111", "222222", "333333"}) {
    ASSERT_GE(NumberOf(Get(number)), 0);
  }
  EXPECT_EQ(NumberOf(Call(RequestFor(Endpoint::kListCarriers))), 3);
  ASSERT_EQ(cache_->stats().entries, 4u);
  EXPECT_GT(cache_->stats().bytes, 0u);
  // Not yet expired: the sweeps leave them.
  absl::SleepFor(absl::Milliseconds(50));
  EXPECT_EQ(cache_->stats().entries, 4u);
  Advance(absl::Seconds(61));  // GetTracking TTL 60 s; carriers stay.
  EXPECT_TRUE(Eventually([&] { return cache_->stats().entries == 1; }));
  CacheStats stats = cache_->stats();
  EXPECT_EQ(stats.expired, 3);
  EXPECT_EQ(stats.evictions, 0);
  Advance(absl::Hours(24));
  EXPECT_TRUE(Eventually([&] { return cache_->stats().entries == 0; }));
  stats = cache_->stats();
  EXPECT_EQ(stats.expired, 4);
  EXPECT_EQ(stats.bytes, 0u);
  // No lookup was needed: every read so far went upstream once.
  EXPECT_EQ(fake_.calls(), 4);
}

TEST_F(CachingCallerTest, FullSweepBatchIsFollowedAtOnceByTheNext) {
  fake_.SetResponder(Numbered());
  CacheOptions options;
  options.sweep_interval = absl::Seconds(2);
  options.sweep_batch = 2;
  Make(options);
  const absl::Time made = absl::Now();
  for (int i = 0; i < 9; ++i) {
    ASSERT_EQ(NumberOf(Get(std::to_string(100000 + i))), i);
  }
  Advance(absl::Seconds(61));
  EXPECT_TRUE(Eventually([&] { return cache_->stats().entries == 0; }));
  // Five batches: back to back after the first sweep, not one per interval.
  EXPECT_LT(absl::Now() - made, absl::Milliseconds(3500));
  EXPECT_EQ(cache_->stats().expired, 9);
}

TEST_F(CachingCallerTest, NoSweepTaskWhenReclaimIsOff) {
  CacheOptions options;
  options.sweep_interval = absl::ZeroDuration();
  Make(options);
  EXPECT_EQ(scheduler_.pending(), 0u);
  cache_.reset();
  Make();  // on by default
  EXPECT_EQ(scheduler_.pending(), 1u);
  cache_.reset();  // cancels it
  EXPECT_EQ(scheduler_.pending(), 0u);
}

TEST_F(CachingCallerTest, DestructionDuringFrequentSweepsDoesNotHang) {
  fake_.SetResponder(Numbered());
  CacheOptions options;
  options.sweep_interval = absl::Microseconds(100);
  options.sweep_batch = 1;
  for (int round = 0; round < 50; ++round) {
    Make(options);
    ASSERT_GE(NumberOf(Get(std::to_string(round))), 0);
    Advance(absl::Seconds(61));
    absl::SleepFor(absl::Microseconds(round * 20));
    cache_.reset();
  }
}

TEST_F(CachingCallerTest, StatsReportTheByteCapInForce) {
  Make();
  EXPECT_EQ(cache_->stats().max_bytes, kDefaultCacheMaxBytes);
  CacheOptions options;
  options.max_bytes = 12345;
  Make(options);
  EXPECT_EQ(cache_->stats().max_bytes, 12345u);
}

TEST(ResponseCacheTest, LeastRecentlyUsedEntriesAreEvictedFirst) {
  ResponseCache cache(/*max_entries=*/2, /*max_bytes=*/1 << 20);
  const absl::Time now = absl::Now();
  const absl::Time later = now + absl::Hours(1);
  cache.Put("a", "", OkEnvelope(), later);
  cache.Put("b", "", OkEnvelope(), later);
  ASSERT_NE(cache.Get("a", now), nullptr);  // "b" is now the oldest.
  cache.Put("c", "", OkEnvelope(), later);
  EXPECT_NE(cache.Get("a", now), nullptr);
  EXPECT_EQ(cache.Get("b", now), nullptr);
  EXPECT_NE(cache.Get("c", now), nullptr);
  EXPECT_EQ(cache.evictions(), 1);
  EXPECT_EQ(cache.size(), 2u);
}

TEST(ResponseCacheTest, ByteBoundEvictsAndOversizedEntriesAreSkipped) {
  // An entry of ~50 bytes of JSON costs ~600 bytes of memory
  // (ResponseCache::EntryBytes).
  ResponseCache cache(/*max_entries=*/100, /*max_bytes=*/3000);
  const absl::Time later = absl::Now() + absl::Hours(1);
  cache.Put("big", "", OkEnvelope({{"x", std::string(10000, 'x')}}), later);
  EXPECT_EQ(cache.size(), 0u);
  for (int i = 0; i < 10; ++i) {
    cache.Put("k" + std::to_string(i), "",
              OkEnvelope({{"x", std::string(50, 'x')}}), later);
  }
  EXPECT_LE(cache.bytes(), 3000u);
  EXPECT_GT(cache.size(), 1u);
  EXPECT_GT(cache.evictions(), 0);
  EXPECT_NE(cache.Get("k9", absl::Now()), nullptr);
}

TEST(ResponseCacheTest, EraseTagDropsOnlyThatTag) {
  ResponseCache cache(10, 1 << 20);
  const absl::Time later = absl::Now() + absl::Hours(1);
  cache.Put("a1", "a", OkEnvelope(), later);
  cache.Put("a2", "a", OkEnvelope(), later);
  cache.Put("b1", "b", OkEnvelope(), later);
  EXPECT_EQ(cache.EraseTag("a"), 2u);
  EXPECT_EQ(cache.EraseTag("a"), 0u);
  EXPECT_EQ(cache.size(), 1u);
  EXPECT_NE(cache.Get("b1", absl::Now()), nullptr);
}

TEST(CachingCallerKeysTest, TagsAreEveryTrackingNumberLowerCased) {
  using V = std::vector<std::string>;
  for (Endpoint endpoint : {Endpoint::kUpdateCarrier, Endpoint::kNotUpdate,
                            Endpoint::kBatchDelete, Endpoint::kUpdateMore}) {
    UpstreamRequest request;
    request.endpoint = endpoint;
    request.tracking_numbers = {"A1", "b2", "UC1"};
    EXPECT_EQ(CachingCaller::TagsOf(request), (V{"a1", "b2", "uc1"}))
        << EndpointName(endpoint);
  }
}

TEST(CachingCallerKeysTest, KeysAreStructuredNotParsed) {
  // Same number and carrier, different lang: different entries.
  UpstreamRequest en = RequestFor(Endpoint::kGetTracking, "123");
  en.lang = "en";
  UpstreamRequest cn = en;
  cn.lang = "cn";
  EXPECT_NE(CachingCaller::KeyOf(en), CachingCaller::KeyOf(cn));
  // Numbers are matched exactly in keys (the upstream answers per number);
  // carriers too.
  UpstreamRequest other = en;
  other.carrier = "ups";
  EXPECT_NE(CachingCaller::KeyOf(en), CachingCaller::KeyOf(other));
  // A body is part of the key as serialized once by the API layer.
  UpstreamRequest detect_a = RequestFor(Endpoint::kDetectCarrier, "A");
  UpstreamRequest detect_b = detect_a;
  detect_b.body = R"({"tracking_number":"B"})";
  EXPECT_NE(CachingCaller::KeyOf(detect_a), CachingCaller::KeyOf(detect_b));
}

TEST(CachingCallerKeysTest, TagsComeFromTheStructuredKeys) {
  using V = std::vector<std::string>;
  EXPECT_EQ(CachingCaller::TagsOf(RequestFor(Endpoint::kGetTracking, "AbC1")),
            V{"abc1"});
  EXPECT_EQ(CachingCaller::TagsOf(RequestFor(Endpoint::kCreateTracking, "X9")),
            V{"x9"});
  EXPECT_EQ(CachingCaller::TagsOf(RequestFor(Endpoint::kBatchCreate, "Q1")),
            V{"q1"});
  EXPECT_TRUE(
      CachingCaller::TagsOf(RequestFor(Endpoint::kListCarriers)).empty());
  UpstreamRequest a = RequestFor(Endpoint::kListTrackings);
  UpstreamRequest b = a;
  b.query = {{"page", "2"}, {"limit", "100"}};
  EXPECT_NE(CachingCaller::KeyOf(a), CachingCaller::KeyOf(b));
  b.query = a.query;
  b.bypass_cache = true;
  EXPECT_EQ(CachingCaller::KeyOf(a), CachingCaller::KeyOf(b));
}

// --- Fleet mode: a shared tier behind the in-process cache. ---

using testing::FakeSharedReadTier;
using Outcome = SharedReadTier::Outcome;

class CachingCallerFleetTest : public CachingCallerTest {
 protected:
  // The cache goes before the tier it listens to (its destructor detaches
  // from the tier); members of this class would otherwise go first.
  ~CachingCallerFleetTest() override { cache_.reset(); }
  void MakeShared(CacheOptions options = CacheOptions()) {
    Make(options);
    cache_->SetSharedTier(&tier_);
  }
  std::vector<int> Numbers(std::vector<ResultSlot>& slots) {
    std::vector<int> numbers;
    for (ResultSlot& slot : slots) numbers.push_back(NumberOf(slot.Wait()));
    return numbers;
  }
  FakeSharedReadTier tier_;
};

TEST_F(CachingCallerFleetTest, SharedHitFillsTheLocalCacheWithoutUpstream) {
  fake_.SetResponder(Numbered());
  tier_.SetScript([](const SharedReadTier::Read& read, bool) {
    return FakeSharedReadTier::Hit(OkEnvelope({{"n", 42}}), absl::Seconds(10));
  });
  MakeShared();
  EXPECT_EQ(NumberOf(Get()), 42);
  EXPECT_EQ(NumberOf(Get()), 42);
  EXPECT_EQ(fake_.calls(), 0);
  EXPECT_EQ(cache_->stats().upstream_reads, 0);
  EXPECT_EQ(cache_->stats().hits, 1);
  ASSERT_EQ(tier_.lookups().size(), 1u);  // The second read was an L1 hit.
  EXPECT_EQ(tier_.lookups()[0].first.key,
            CachingCaller::KeyOf(RequestFor(Endpoint::kGetTracking)));
  EXPECT_EQ(tier_.lookups()[0].first.tag, "123456");
  EXPECT_TRUE(tier_.lookups()[0].second);
  // L1 keeps it no longer than the shared entry had left.
  Advance(absl::Seconds(11));
  EXPECT_EQ(NumberOf(Get()), 42);
  EXPECT_EQ(tier_.lookups().size(), 2u);
}

TEST_F(CachingCallerFleetTest, LeaderCallsUpstreamAndFillsTheSharedTier) {
  fake_.SetResponder(Numbered());
  tier_.SetScript([](const SharedReadTier::Read&, bool) {
    return FakeSharedReadTier::Result(Outcome::kLead, 5);
  });
  MakeShared();
  EXPECT_EQ(NumberOf(Get()), 0);
  EXPECT_EQ(fake_.calls(), 1);
  EXPECT_EQ(cache_->stats().upstream_reads, 1);
  ASSERT_TRUE(tier_.WaitFor([&] { return tier_.fills_locked() == 1; }));
  const auto fill = tier_.fills()[0];
  EXPECT_EQ(fill.answer.data().at("n"), 0);
  EXPECT_EQ(fill.lookup.version, 5);
  EXPECT_EQ(fill.lookup.lease, 77u);
  EXPECT_EQ(fill.ttl, absl::Seconds(60));
  EXPECT_TRUE(tier_.releases().empty());
  // Cached here too.
  EXPECT_EQ(NumberOf(Get()), 0);
  EXPECT_EQ(tier_.lookups().size(), 1u);
}

TEST_F(CachingCallerFleetTest, LeaderThatFailsReleasesTheLease) {
  fake_.SetResponder([](const UpstreamRequest&, int) {
    return Reply{absl::StatusOr<Envelope>(HttpError(503))};
  });
  tier_.SetScript([](const SharedReadTier::Read&, bool) {
    return FakeSharedReadTier::Result(Outcome::kLead);
  });
  MakeShared();
  EXPECT_EQ(Get().status().code(), absl::StatusCode::kUnavailable);
  ASSERT_TRUE(tier_.WaitFor([&] { return tier_.releases_locked() == 1; }));
  EXPECT_TRUE(tier_.fills().empty());
}

TEST_F(CachingCallerFleetTest, FollowerWaitsForTheLeaderThenReadsItsAnswer) {
  fake_.SetResponder(Numbered());
  std::atomic<bool> filled{false};
  tier_.SetScript([&](const SharedReadTier::Read&, bool) {
    return filled ? FakeSharedReadTier::Hit(OkEnvelope({{"n", 9}}),
                                            absl::Seconds(60))
                  : FakeSharedReadTier::Result(Outcome::kFollow);
  });
  MakeShared();
  // Three identical reads here: one flight, one wait.
  std::vector<ResultSlot> slots(3);
  for (ResultSlot& slot : slots) {
    cache_->Send(RequestFor(Endpoint::kGetTracking),
                 absl::Now() + absl::Seconds(5), slot.Callback());
  }
  ASSERT_TRUE(tier_.WaitFor([&] { return tier_.pending_waits_locked() == 1; }));
  filled = true;
  EXPECT_EQ(tier_.WakeAll(SharedReadTier::Wake::kFilled), 1);
  EXPECT_EQ(Numbers(slots), (std::vector<int>{9, 9, 9}));
  EXPECT_EQ(fake_.calls(), 0);
  EXPECT_EQ(tier_.lookups().size(), 2u);
}

TEST_F(CachingCallerFleetTest, LeaderWithoutAnswerSendsFollowersUpstream) {
  fake_.SetResponder(Numbered());
  tier_.SetScript([](const SharedReadTier::Read&, bool) {
    return FakeSharedReadTier::Result(Outcome::kFollow);
  });
  MakeShared();
  for (SharedReadTier::Wake wake :
       {SharedReadTier::Wake::kReleased, SharedReadTier::Wake::kLost}) {
    ResultSlot slot;
    cache_->Send(RequestFor(Endpoint::kGetTracking,
                            wake == SharedReadTier::Wake::kLost ? "A1" : "B2"),
                 absl::Now() + absl::Seconds(5), slot.Callback());
    ASSERT_TRUE(
        tier_.WaitFor([&] { return tier_.pending_waits_locked() == 1; }));
    tier_.WakeAll(wake);
    EXPECT_THAT(slot.Wait(), testing::IsOk());
  }
  EXPECT_EQ(fake_.calls(), 2);
  // No lease, no version: nothing is stored in the tier.
  EXPECT_TRUE(tier_.fills().empty());
  EXPECT_TRUE(tier_.releases().empty());
}

TEST_F(CachingCallerFleetTest, UnreachableTierMeansOneReplicaBehaviour) {
  fake_.SetResponder(Numbered());
  MakeShared();  // The fake's default: kMiss without a version.
  EXPECT_EQ(NumberOf(Get()), 0);
  EXPECT_EQ(NumberOf(Get()), 0);
  EXPECT_EQ(fake_.calls(), 1);
  EXPECT_TRUE(tier_.fills().empty());
}

TEST_F(CachingCallerFleetTest, BypassReadRefreshesTheSharedTier) {
  fake_.SetResponder(Numbered());
  tier_.SetScript([](const SharedReadTier::Read&, bool lead) {
    return FakeSharedReadTier::Result(lead ? Outcome::kLead : Outcome::kMiss,
                                      3);
  });
  MakeShared();
  EXPECT_EQ(NumberOf(Get("123456", /*bypass=*/true)), 0);
  ASSERT_EQ(tier_.lookups().size(), 1u);
  EXPECT_FALSE(tier_.lookups()[0].second);
  ASSERT_TRUE(tier_.WaitFor([&] { return tier_.fills_locked() == 1; }));
  EXPECT_EQ(tier_.fills()[0].lookup.outcome, Outcome::kMiss);
  EXPECT_EQ(tier_.fills()[0].lookup.version, 3);
}

TEST_F(CachingCallerFleetTest, WriteIsAnsweredOnlyAfterTheFleetDroppedIt) {
  fake_.SetResponder(Numbered());
  MakeShared();
  tier_.HoldInvalidations(true);
  ResultSlot slot;
  cache_->Send(RequestFor(Endpoint::kUpdateTracking, "AbC9"),
               absl::Now() + absl::Seconds(5), slot.Callback());
  ASSERT_TRUE(tier_.WaitFor([&] { return tier_.invalidations_locked() == 1; }));
  EXPECT_EQ(tier_.invalidations()[0], std::vector<std::string>{"abc9"});
  absl::SleepFor(absl::Milliseconds(50));
  EXPECT_FALSE(slot.ready());
  EXPECT_EQ(tier_.ReleaseInvalidations(), 1);
  EXPECT_THAT(slot.Wait(), testing::IsOk());
}

TEST_F(CachingCallerFleetTest, OtherReplicasWritesDropLocalEntries) {
  fake_.SetResponder(Numbered());
  MakeShared();
  EXPECT_EQ(NumberOf(Get("AAA")), 0);
  EXPECT_EQ(NumberOf(Get("BBB")), 1);
  ASSERT_NE(tier_.listener(), nullptr);
  tier_.listener()->OnSharedInvalidation({"aaa"});
  EXPECT_EQ(NumberOf(Get("AAA")), 2);
  EXPECT_EQ(NumberOf(Get("BBB")), 1);
  // Messages lost (the tier reconnected): nothing local is trusted.
  tier_.listener()->OnSharedResync();
  EXPECT_EQ(NumberOf(Get("BBB")), 3);
  EXPECT_EQ(cache_->stats().entries, 1u);
}

TEST_F(CachingCallerFleetTest, CancelledFollowerStopsWaiting) {
  tier_.SetScript([](const SharedReadTier::Read&, bool) {
    return FakeSharedReadTier::Result(Outcome::kFollow);
  });
  MakeShared();
  ResultSlot slot;
  const UpstreamCaller::CallId id =
      cache_->Send(RequestFor(Endpoint::kGetTracking),
                   absl::Now() + absl::Seconds(5), slot.Callback());
  ASSERT_TRUE(tier_.WaitFor([&] { return tier_.pending_waits_locked() == 1; }));
  cache_->Cancel(id);
  EXPECT_EQ(slot.Wait().status().code(), absl::StatusCode::kCancelled);
  EXPECT_EQ(tier_.pending_waits(), 0u);
  EXPECT_EQ(fake_.calls(), 0);
  cache_.reset();  // Nothing left to wait for.
}

TEST_F(CachingCallerFleetTest, FollowerKeepsItsOwnDeadline) {
  tier_.SetScript([](const SharedReadTier::Read&, bool) {
    return FakeSharedReadTier::Result(Outcome::kFollow);
  });
  MakeShared();
  ResultSlot first;
  ResultSlot later;
  cache_->Send(RequestFor(Endpoint::kGetTracking),
               absl::Now() + absl::Seconds(5), first.Callback());
  ASSERT_TRUE(tier_.WaitFor([&] { return tier_.pending_waits_locked() == 1; }));
  // Joins the waiting flight with a shorter deadline, and leaves alone.
  cache_->Send(RequestFor(Endpoint::kGetTracking),
               absl::Now() + absl::Milliseconds(100), later.Callback());
  EXPECT_EQ(later.Wait().status().code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_FALSE(first.ready());
  EXPECT_EQ(tier_.pending_waits(), 1u);
  tier_.WakeAll(SharedReadTier::Wake::kLost);
  EXPECT_THAT(first.Wait(), testing::IsOk());
}

TEST_F(CachingCallerFleetTest, NoLocalEntriesStillUsesTheSharedTier) {
  fake_.SetResponder(Numbered());
  tier_.SetScript([](const SharedReadTier::Read&, bool) {
    return FakeSharedReadTier::Hit(OkEnvelope({{"n", 7}}), absl::Seconds(10));
  });
  CacheOptions options;
  options.max_entries = 0;
  MakeShared(options);
  EXPECT_EQ(NumberOf(Get()), 7);
  EXPECT_EQ(NumberOf(Get()), 7);
  EXPECT_EQ(tier_.lookups().size(), 2u);
  EXPECT_EQ(fake_.calls(), 0);
}

TEST_F(CachingCallerFleetTest, PushRefreshesTheSharedTierUnlessLocalOnly) {
  MakeShared();
  cache_->Refresh(RequestFor(Endpoint::kGetTracking, "P1"),
                  OkEnvelope({{"n", 1}}));
  cache_->RefreshLocal(RequestFor(Endpoint::kGetTracking, "P2"),
                       OkEnvelope({{"n", 2}}));
  ASSERT_EQ(tier_.replaces().size(), 1u);
  EXPECT_EQ(tier_.replaces()[0].read.tag, "p1");
  EXPECT_EQ(NumberOf(Get("P1")), 1);
  EXPECT_EQ(NumberOf(Get("P2")), 2);
  EXPECT_TRUE(tier_.lookups().empty());
}

TEST_F(CachingCallerFleetTest,
       NonCacheableReadsAndWritesWithoutTagsSkipTheTier) {
  fake_.SetResponder(Numbered());
  MakeShared();
  Call(RequestFor(Endpoint::kListTrackings)).status().IgnoreError();
  Call(RequestFor(Endpoint::kDetectCarrier)).status().IgnoreError();
  EXPECT_TRUE(tier_.lookups().empty());
  EXPECT_TRUE(tier_.invalidations().empty());
  // Realtime refreshes the upstream's tracking: dropped fleet-wide.
  Call(RequestFor(Endpoint::kRealtime, "RT1")).status().IgnoreError();
  ASSERT_EQ(tier_.invalidations().size(), 1u);
  EXPECT_EQ(tier_.invalidations()[0], std::vector<std::string>{"rt1"});
}

// Two replicas in one process: two CachingCallers, each with its own fleet
// tier on one real redis-server.
TEST(CachingCallerTwoReplicasTest, OneUpstreamCallAndWritesSeenEverywhere) {
  testing::FleetHarness harness;
  ASSERT_THAT(harness.Start(2), testing::IsOk());
  std::atomic<int> upstream{0};
  auto responder = [&](const UpstreamRequest& request, int) {
    const int n = upstream.fetch_add(1);
    // A slow read, so that both replicas ask while it runs.
    return Reply{absl::StatusOr<Envelope>(OkEnvelope({{"n", n}})),
                 absl::Milliseconds(300)};
  };
  FakeUpstreamCaller upstream_a(responder);
  FakeUpstreamCaller upstream_b(responder);
  Scheduler scheduler;
  CachingCaller a(&upstream_a, &scheduler, CacheOptions());
  CachingCaller b(&upstream_b, &scheduler, CacheOptions());
  a.SetSharedTier(harness.replica(0).cache());
  b.SetSharedTier(harness.replica(1).cache());
  ResultSlot from_a;
  ResultSlot from_b;
  a.Send(RequestFor(Endpoint::kGetTracking), absl::Now() + absl::Seconds(10),
         from_a.Callback());
  b.Send(RequestFor(Endpoint::kGetTracking), absl::Now() + absl::Seconds(10),
         from_b.Callback());
  EXPECT_EQ(NumberOf(from_a.Wait(absl::Seconds(10))), 0);
  EXPECT_EQ(NumberOf(from_b.Wait(absl::Seconds(10))), 0);
  EXPECT_EQ(upstream.load(), 1);
  // A write on a; the next read on b goes to the upstream again.
  ResultSlot write;
  a.Send(RequestFor(Endpoint::kUpdateTracking), absl::Now() + absl::Seconds(10),
         write.Callback());
  EXPECT_THAT(write.Wait(absl::Seconds(10)), testing::IsOk());
  ResultSlot after;
  b.Send(RequestFor(Endpoint::kGetTracking), absl::Now() + absl::Seconds(10),
         after.Callback());
  EXPECT_EQ(NumberOf(after.Wait(absl::Seconds(10))), 2);
}

}  // namespace
}  // namespace tracktry
