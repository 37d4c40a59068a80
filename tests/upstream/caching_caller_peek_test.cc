// Copyright 2026 The tracktry-grpc Authors.
//
// CachingCaller::Peek (CachedReads): the synchronous look the RPC edge uses
// to answer GetTracking cache hits on the gRPC thread. Kept apart from
// caching_caller_test.cc, which covers Send().
#include <memory>
#include <string>

#include "gtest/gtest.h"
#include "service/upstream/caching_caller.h"
#include "tests/testing/fake_upstream_caller.h"

namespace tracktry {
namespace {

using testing::FakeUpstreamCaller;
using testing::OkEnvelope;
using testing::RequestFor;
using testing::ResultSlot;
using Reply = FakeUpstreamCaller::Reply;

class CachingCallerPeekTest : public ::testing::Test {
 protected:
  void Make(CacheOptions options = CacheOptions()) {
    fake_.SetResponder([](const UpstreamRequest&, int index) {
      return Reply{absl::StatusOr<Envelope>(OkEnvelope({{"n", index}}))};
    });
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
  absl::StatusOr<Envelope> Send(UpstreamRequest request) {
    ResultSlot slot;
    cache_->Send(std::move(request), absl::Now() + absl::Seconds(5),
                 slot.Callback());
    return slot.Wait(absl::Seconds(7));
  }

  std::mutex mu_;
  absl::Time now_ = absl::FromUnixSeconds(1700000000);
  FakeUpstreamCaller fake_;
  Scheduler scheduler_;
  std::unique_ptr<CachingCaller> cache_;
};

TEST_F(CachingCallerPeekTest, AFreshEntryIsReturnedAndCountedAsAHit) {
  Make();
  const UpstreamRequest get = RequestFor(Endpoint::kGetTracking, "111");
  EXPECT_EQ(cache_->Peek(get), nullptr) << "nothing cached yet";
  EXPECT_EQ(cache_->stats().hits, 0);
  EXPECT_EQ(cache_->stats().misses, 0) << "a failed peek counts nothing";

  const absl::StatusOr<Envelope> sent = Send(get);
  ASSERT_TRUE(sent.ok()) << sent.status();
  const std::shared_ptr<const Envelope> hit = cache_->Peek(get);
  ASSERT_NE(hit, nullptr);
  EXPECT_EQ(hit->data().value("n", -1), 0);
  // The cached copy shares the answer's memo with what the read got.
  EXPECT_EQ(hit->memo, sent->memo);
  EXPECT_EQ(cache_->stats().hits, 1);
  EXPECT_EQ(cache_->stats().misses, 1);
  EXPECT_EQ(fake_.calls(), 1);
}

TEST_F(CachingCallerPeekTest, BypassOtherKeysAndUncachedRoutesAreNull) {
  Make();
  const UpstreamRequest get = RequestFor(Endpoint::kGetTracking, "222");
  ASSERT_TRUE(Send(get).ok());
  UpstreamRequest bypass = get;
  bypass.bypass_cache = true;
  EXPECT_EQ(cache_->Peek(bypass), nullptr);
  UpstreamRequest lang = get;
  lang.lang = "de";
  EXPECT_EQ(cache_->Peek(lang), nullptr);
  EXPECT_EQ(cache_->Peek(RequestFor(Endpoint::kRealtime, "222")), nullptr);
  EXPECT_EQ(cache_->Peek(RequestFor(Endpoint::kCreateTracking, "222")),
            nullptr);
  EXPECT_EQ(cache_->stats().hits, 0);
}

TEST_F(CachingCallerPeekTest, ExpiredAndInvalidatedEntriesAreNull) {
  Make();
  const UpstreamRequest get = RequestFor(Endpoint::kGetTracking, "333");
  ASSERT_TRUE(Send(get).ok());
  ASSERT_NE(cache_->Peek(get), nullptr);
  Advance(CacheOptions().tracking_ttl + absl::Seconds(1));
  EXPECT_EQ(cache_->Peek(get), nullptr);

  ASSERT_TRUE(Send(get).ok());
  ASSERT_NE(cache_->Peek(get), nullptr);
  // A write of the tracking drops its cached reads before it answers.
  ASSERT_TRUE(Send(RequestFor(Endpoint::kUpdateTracking, "333")).ok());
  EXPECT_EQ(cache_->Peek(get), nullptr);
}

TEST_F(CachingCallerPeekTest, NothingWhenCachingIsOff) {
  CacheOptions off;
  off.tracking_ttl = absl::ZeroDuration();
  Make(off);
  const UpstreamRequest get = RequestFor(Endpoint::kGetTracking, "444");
  ASSERT_TRUE(Send(get).ok());
  EXPECT_EQ(cache_->Peek(get), nullptr);
  CacheOptions no_entries;
  no_entries.max_entries = 0;
  Make(no_entries);
  ASSERT_TRUE(Send(get).ok());
  EXPECT_EQ(cache_->Peek(get), nullptr);
}

}  // namespace
}  // namespace tracktry
