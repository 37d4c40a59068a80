// Copyright 2026 The tracktry-grpc Authors.
//
// RateShaper against the fake inner caller (tests/testing), which records
// when each call reached it: spacing at the configured rate, bursts,
// independent classes, deadline-aware rejection with RetryInfo, cancellation,
// the pause after an upstream 429, stats, and the disabled pass-through.
#include "service/upstream/rate_shaper.h"

#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/error_details.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "service/errors/upstream_status.h"
#include "service/upstream/scheduler.h"
#include "service/upstream/token_bucket_local_store.h"
#include "tests/testing/fake_upstream_caller.h"
#include "tests/testing/status_matchers.h"

namespace tracktry {
namespace {

using ::testing::ElementsAre;
using ::testing::Eq;
using ::testing::Optional;
using testing::StatusIs;

// Lateness allowed on "no later than" assertions: the scheduler may wake
// late on a loaded machine (lower bounds are exact).
constexpr absl::Duration kLate = absl::Milliseconds(250);

// Collects the outcomes of calls made through the shaper.
class Outcomes {
 public:
  struct Outcome {
    absl::Status status;
    absl::Time at;
  };

  EnvelopeCallback Callback(int key) {
    return [this, key](absl::StatusOr<Envelope> result) {
      std::lock_guard<std::mutex> lock(mu_);
      outcomes_[key] = {result.status(), absl::Now()};
      cv_.notify_all();
    };
  }
  bool WaitFor(size_t n, absl::Duration timeout = absl::Seconds(10)) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, absl::ToChronoNanoseconds(timeout),
                        [&] { return outcomes_.size() >= n; });
  }
  bool WaitForKey(int key, absl::Duration timeout = absl::Seconds(10)) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, absl::ToChronoNanoseconds(timeout),
                        [&] { return outcomes_.count(key) > 0; });
  }
  std::optional<Outcome> Get(int key) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = outcomes_.find(key);
    if (it == outcomes_.end()) return std::nullopt;
    return it->second;
  }
  size_t size() {
    std::lock_guard<std::mutex> lock(mu_);
    return outcomes_.size();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::map<int, Outcome> outcomes_;
};

// A request marked with `path` (carried in `lang`) so the fake can tell the
// order requests reached it in.
UpstreamRequest Request(Endpoint endpoint, const std::string& path = "/x") {
  UpstreamRequest request;
  request.endpoint = endpoint;
  request.lang = path;
  return request;
}

// Options with every class at `rate` and exact spacing (safety 1).
RateShaperOptions Options(double rate, int burst = 1) {
  RateShaperOptions options;
  for (TokenBucketLimit& limit : options.limits) {
    limit.rate = rate;
    limit.burst = burst;
  }
  options.safety = 1.0;
  options.min_call_time = absl::ZeroDuration();
  options.jitter_compensation = 0;
  return options;
}

std::string ReasonOf(const absl::Status& status) {
  auto info = GetErrorInfo(status);
  return info.has_value() ? info->reason() : "";
}

class RateShaperTest : public ::testing::Test {
 protected:
  void Make(RateShaperOptions options) {
    shaper_ = std::make_unique<RateShaper>(&fake_, &scheduler_, options);
  }
  UpstreamCaller::CallId Send(int key,
                              Endpoint endpoint = Endpoint::kGetTracking,
                              absl::Duration deadline = absl::Seconds(10)) {
    return shaper_->Send(Request(endpoint, absl::StrCat("/", key)),
                         absl::Now() + deadline, outcomes_.Callback(key));
  }

  // A call as it reached the fake inner caller.
  struct Received {
    UpstreamCaller::CallId id;
    Endpoint endpoint;
    // The request's marker (see Request()).
    std::string path;
    absl::Time at;
    absl::Time deadline;
  };
  std::vector<Received> ReceivedCalls() const {
    std::vector<Received> received;
    for (const testing::FakeUpstreamCaller::Record& record : fake_.records()) {
      received.push_back({record.id, record.request.endpoint,
                          record.request.lang, record.sent, record.deadline});
    }
    return received;
  }

  // The fake answers each call with the next scripted result, or OK, after
  // `latency`; in manual mode calls stay pending until the test completes
  // them (or cancels them).
  void SetLatency(absl::Duration latency) {
    std::lock_guard<std::mutex> lock(mu_);
    latency_ = latency;
  }
  void SetManual(bool manual) {
    std::lock_guard<std::mutex> lock(mu_);
    manual_ = manual;
  }
  void Script(absl::StatusOr<Envelope> result) {
    std::lock_guard<std::mutex> lock(mu_);
    scripted_.push_back(std::move(result));
  }
  testing::FakeUpstreamCaller::Reply Answer() {
    std::lock_guard<std::mutex> lock(mu_);
    testing::FakeUpstreamCaller::Reply reply;
    if (manual_) {
      reply.end_at_deadline = false;
      return reply;
    }
    reply.result = testing::OkEnvelope();
    if (!scripted_.empty()) {
      reply.result = std::move(scripted_.front());
      scripted_.pop_front();
    }
    reply.delay = latency_;
    return reply;
  }

  // The fake's script; declared before the fake, whose thread uses it.
  std::mutex mu_;
  absl::Duration latency_ = absl::Milliseconds(1);
  bool manual_ = false;
  std::deque<absl::StatusOr<Envelope>> scripted_;

  testing::FakeUpstreamCaller fake_{
      [this](const UpstreamRequest&, int) { return Answer(); }};
  Scheduler scheduler_;
  Outcomes outcomes_;
  std::unique_ptr<RateShaper> shaper_;
};

TEST_F(RateShaperTest, RequestsAreSpacedAtTheConfiguredRate) {
  Make(Options(20));  // 50 ms apart.
  const absl::Time start = absl::Now();
  for (int i = 0; i < 8; ++i) Send(i);
  ASSERT_TRUE(outcomes_.WaitFor(8));
  const auto received = ReceivedCalls();
  ASSERT_EQ(received.size(), 8u);
  EXPECT_LT(received[0].at - start, kLate);
  for (size_t i = 1; i < received.size(); ++i) {
    const absl::Duration gap = received[i].at - received[i - 1].at;
    EXPECT_GE(gap, absl::Milliseconds(49)) << "call " << i;
  }
  const absl::Duration span = received.back().at - received.front().at;
  EXPECT_GE(span, absl::Milliseconds(349));
  EXPECT_LT(span, absl::Milliseconds(350) + kLate);
  for (int i = 0; i < 8; ++i) {
    EXPECT_TRUE(outcomes_.Get(i)->status.ok()) << i;
  }
  // FIFO: calls reach the upstream in the order they were sent.
  for (size_t i = 0; i < received.size(); ++i) {
    EXPECT_EQ(received[i].path, absl::StrCat("/", i));
  }
}

TEST_F(RateShaperTest, SafetyFactorSlowsTheRate) {
  RateShaperOptions options = Options(20);
  options.safety = 0.5;  // 10/s: 100 ms apart.
  Make(options);
  for (int i = 0; i < 3; ++i) Send(i);
  ASSERT_TRUE(outcomes_.WaitFor(3));
  const auto received = ReceivedCalls();
  EXPECT_GE(received[2].at - received[0].at, absl::Milliseconds(199));
}

TEST_F(RateShaperTest, SlowCallDelaysTheNextTokenByItsExtraLatency) {
  RateShaperOptions options = Options(10);  // 100 ms apart.
  options.jitter_compensation = 0.5;        // At most 50 ms.
  Make(options);
  SetLatency(absl::Milliseconds(30));
  const absl::Time start = absl::Now();
  Send(0);
  Send(1);
  ASSERT_TRUE(outcomes_.WaitFor(2));
  // The first call took 30 ms more than any before it (none): it may have
  // reached the upstream up to 30 ms late, so the next one waits 130 ms.
  const auto received = ReceivedCalls();
  EXPECT_GE(received[1].at - received[0].at, absl::Milliseconds(125));
  EXPECT_LT(received[1].at - start, absl::Milliseconds(130) + kLate);
  // The second call may add a tiny one (its latency is at the floor).
  EXPECT_GE(shaper_->Stats().classes[0].compensations, 1);
  EXPECT_GE(shaper_->Stats().classes[0].total_compensation,
            absl::Milliseconds(29));
}

TEST_F(RateShaperTest, CompensationIsCappedAndMeasuredAgainstTheFloor) {
  RateShaperOptions options = Options(2);  // 500 ms apart.
  options.jitter_compensation = 0.1;       // At most 50 ms.
  Make(options);
  SetLatency(absl::Milliseconds(5));
  Send(0);
  ASSERT_TRUE(outcomes_.WaitFor(1));
  absl::SleepFor(absl::Milliseconds(600));  // Past the first call's slot.
  // Floor 5 ms: a 300 ms call is 295 ms late, capped at 50 ms.
  SetLatency(absl::Milliseconds(300));
  Send(1);
  Send(2);
  ASSERT_TRUE(outcomes_.WaitFor(3));
  const auto received = ReceivedCalls();
  const absl::Duration gap = received[2].at - received[1].at;
  EXPECT_GE(gap, absl::Milliseconds(549));
  EXPECT_LT(gap, absl::Milliseconds(795));  // Uncapped: 500 + 295 ms.
}

TEST_F(RateShaperTest, OverlappingSlowCallsAreNotSlowedFurther) {
  RateShaperOptions options = Options(20);  // 50 ms apart.
  options.jitter_compensation = 1.0;
  Make(options);
  // Every call takes longer than the interval: the next token is always
  // taken before a call finishes, so no compensation applies.
  SetLatency(absl::Milliseconds(120));
  for (int i = 0; i < 5; ++i) Send(i);
  ASSERT_TRUE(outcomes_.WaitFor(5));
  const auto received = ReceivedCalls();
  EXPECT_LT(received[4].at - received[0].at, absl::Milliseconds(200) + kLate);
  // Only the last call finished with no later token taken; it is
  // compensated only for what it took beyond the fastest call so far
  // (scheduling noise, a few ms at most).
  EXPECT_LE(shaper_->Stats().classes[0].compensations, 1);
  EXPECT_LT(shaper_->Stats().classes[0].total_compensation,
            absl::Milliseconds(40));
}

TEST_F(RateShaperTest, BurstGoesBackToBackThenFollowsTheRate) {
  Make(Options(10, /*burst=*/3));  // 100 ms apart after 3.
  const absl::Time start = absl::Now();
  for (int i = 0; i < 5; ++i) Send(i);
  ASSERT_TRUE(outcomes_.WaitFor(5));
  const auto received = ReceivedCalls();
  ASSERT_EQ(received.size(), 5u);
  EXPECT_LT(received[2].at - start, kLate);
  EXPECT_GE(received[3].at - start, absl::Milliseconds(99));
  EXPECT_LT(received[3].at - start, absl::Milliseconds(100) + kLate);
  EXPECT_GE(received[4].at - start, absl::Milliseconds(199));
}

TEST_F(RateShaperTest, ClassesHaveIndependentBuckets) {
  RateShaperOptions options = Options(2);  // default and list: 500 ms apart.
  options.limits[static_cast<size_t>(RateClass::kRealtime)].rate = 50;
  Make(options);
  const absl::Time start = absl::Now();
  Send(0, Endpoint::kGetTracking);
  Send(1, Endpoint::kCreateTracking);  // Same class: waits 500 ms.
  Send(2, Endpoint::kListTrackings);   // Own class: at once.
  for (int i = 3; i < 8; ++i) Send(i, Endpoint::kRealtime);  // 20 ms apart.
  ASSERT_TRUE(outcomes_.WaitFor(8));
  EXPECT_LT(outcomes_.Get(2)->at - start, kLate);
  EXPECT_LT(outcomes_.Get(7)->at - start, absl::Milliseconds(80) + kLate);
  EXPECT_GE(outcomes_.Get(1)->at - start, absl::Milliseconds(499));
}

TEST(RateClassTest, EndpointsMapToTheirClass) {
  EXPECT_EQ(RateClassOf(Endpoint::kRealtime), RateClass::kRealtime);
  EXPECT_EQ(RateClassOf(Endpoint::kListTrackings), RateClass::kList);
  EXPECT_EQ(RateClassOf(Endpoint::kBatchCreate), RateClass::kDefault);
  EXPECT_EQ(RateClassOf(Endpoint::kDetectCarrier), RateClass::kDefault);
  EXPECT_STREQ(RateClassName(RateClass::kList), "list");
}

TEST_F(RateShaperTest, RequestThatWouldMissItsDeadlineFailsAtOnce) {
  Make(Options(2));  // 500 ms apart: starts at 0, 0.5, 1.0, 1.5 s.
  // 1.45 s deadlines: the third call has 0.45 s to spare (a slow machine, e.g.
  // under ThreadSanitizer, may start it late), the fourth cannot make it.
  for (int i = 0; i < 3; ++i)
    Send(i, Endpoint::kGetTracking, absl::Seconds(1.45));
  const absl::Time sent = absl::Now();
  Send(3, Endpoint::kGetTracking, absl::Seconds(1.45));
  ASSERT_TRUE(outcomes_.WaitForKey(3, absl::Seconds(1)));
  const auto rejected = *outcomes_.Get(3);
  EXPECT_LT(rejected.at - sent, kLate);
  EXPECT_THAT(rejected.status, StatusIs(absl::StatusCode::kResourceExhausted));
  EXPECT_EQ(ReasonOf(rejected.status), "RATE_LIMIT_QUEUE");
  const std::optional<absl::Duration> retry = GetRetryDelay(rejected.status);
  ASSERT_TRUE(retry.has_value());
  // The expected wait: the fourth slot, 1.5 s away (one slot more when the
  // machine is slow enough, e.g. under ThreadSanitizer, that the earlier
  // calls' late arrivals push the queue back), never the deadline.
  EXPECT_GT(*retry, absl::Milliseconds(1400));
  EXPECT_LE(*retry, absl::Milliseconds(2010));
  ASSERT_TRUE(outcomes_.WaitFor(4));
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(outcomes_.Get(i)->status.ok()) << i;
  EXPECT_EQ(ReceivedCalls().size(), 3u);
  const RateShaperStats stats = shaper_->Stats();
  EXPECT_EQ(stats.classes[0].rejected, 1);
  EXPECT_EQ(stats.classes[0].forwarded, 3);
  EXPECT_GE(stats.classes[0].max_queued, 2);
}

TEST_F(RateShaperTest, MinCallTimeIsKeptBeforeTheDeadline) {
  RateShaperOptions options = Options(2);
  options.min_call_time = absl::Milliseconds(300);
  Make(options);
  // Starts 0 and 0.5 s leave >= 300 ms of 1.2 s; 1.0 s would leave 200 ms.
  for (int i = 0; i < 3; ++i)
    Send(i, Endpoint::kGetTracking, absl::Seconds(1.2));
  ASSERT_TRUE(outcomes_.WaitForKey(2, absl::Milliseconds(600)));
  EXPECT_THAT(outcomes_.Get(2)->status,
              StatusIs(absl::StatusCode::kResourceExhausted));
  ASSERT_TRUE(outcomes_.WaitFor(3));
  EXPECT_TRUE(outcomes_.Get(1)->status.ok());
}

TEST_F(RateShaperTest, CancelledQueuedCallNeverReachesUpstream) {
  Make(Options(2));
  Send(0);
  const UpstreamCaller::CallId queued = Send(1);
  const absl::Time cancelled_at = absl::Now();
  shaper_->Cancel(queued);
  ASSERT_TRUE(outcomes_.WaitForKey(1, kLate));
  EXPECT_THAT(outcomes_.Get(1)->status, StatusIs(absl::StatusCode::kCancelled));
  EXPECT_LT(outcomes_.Get(1)->at - cancelled_at, kLate);
  // The cancelled call took no token: the next one gets its slot.
  Send(2);
  ASSERT_TRUE(outcomes_.WaitFor(3));
  const auto received = ReceivedCalls();
  ASSERT_EQ(received.size(), 2u);
  EXPECT_EQ(received[1].path, "/2");
  EXPECT_LT(received[1].at - received[0].at, absl::Milliseconds(500) + kLate);
  EXPECT_EQ(shaper_->Stats().classes[0].cancelled, 1);
  // Unknown and finished ids are ignored.
  shaper_->Cancel(queued);
  shaper_->Cancel(987654);
}

TEST_F(RateShaperTest, CancelOfForwardedCallReachesTheInnerCaller) {
  SetManual(true);
  Make(Options(10));
  const UpstreamCaller::CallId id = Send(0);
  ASSERT_TRUE(fake_.WaitForCalls(1));
  shaper_->Cancel(id);
  ASSERT_TRUE(outcomes_.WaitForKey(0));
  EXPECT_THAT(outcomes_.Get(0)->status, StatusIs(absl::StatusCode::kCancelled));
  EXPECT_THAT(fake_.cancelled(), ElementsAre(ReceivedCalls()[0].id));
}

// What TracktryClient returns for meta.code 429 (with Retry-After when
// `retry_after` is set).
absl::Status Upstream429(std::optional<absl::Duration> retry_after) {
  UpstreamResult result;
  result.http_status = 200;
  result.meta_code = 429;
  result.meta_message = "Pause requests, wait two minute, and try again";
  result.retry_after = retry_after;
  return StatusFromUpstream(result);
}

TEST_F(RateShaperTest, Upstream429PausesEveryClassForTheRetryDelay) {
  Make(Options(20));
  Script(Upstream429(absl::Seconds(2)));
  Send(0);
  ASSERT_TRUE(outcomes_.WaitForKey(0));
  const absl::Time limited_at = outcomes_.Get(0)->at;
  EXPECT_THAT(outcomes_.Get(0)->status,
              StatusIs(absl::StatusCode::kResourceExhausted));
  EXPECT_EQ(ReasonOf(outcomes_.Get(0)->status), "RATE_LIMITED");
  EXPECT_THAT(GetRetryDelay(outcomes_.Get(0)->status),
              Optional(Eq(absl::Seconds(2))));

  // Another class, with time to wait: goes out after the pause.
  Send(1, Endpoint::kRealtime, absl::Seconds(5));
  // A third class, whose deadline ends within the pause: fails at once.
  const absl::Time sent = absl::Now();
  Send(2, Endpoint::kListTrackings, absl::Seconds(1));
  ASSERT_TRUE(outcomes_.WaitForKey(2, absl::Milliseconds(500)));
  EXPECT_LT(outcomes_.Get(2)->at - sent, kLate);
  EXPECT_THAT(outcomes_.Get(2)->status,
              StatusIs(absl::StatusCode::kResourceExhausted));
  EXPECT_EQ(ReasonOf(outcomes_.Get(2)->status), "RATE_LIMIT_QUEUE");
  const std::optional<absl::Duration> retry =
      GetRetryDelay(outcomes_.Get(2)->status);
  ASSERT_TRUE(retry.has_value());
  EXPECT_GT(*retry, absl::Milliseconds(1800));
  EXPECT_LE(*retry, absl::Seconds(2));

  ASSERT_TRUE(outcomes_.WaitForKey(1, absl::Seconds(4)));
  EXPECT_TRUE(outcomes_.Get(1)->status.ok());
  const auto received = ReceivedCalls();
  ASSERT_EQ(received.size(), 2u);
  EXPECT_GE(received[1].at - limited_at, absl::Milliseconds(1990));
  EXPECT_LT(received[1].at - limited_at, absl::Seconds(2) + kLate);

  const RateShaperStats stats = shaper_->Stats();
  EXPECT_EQ(stats.upstream_rate_limited, 1);
  EXPECT_EQ(stats.pauses, 1);
  EXPECT_GT(stats.paused_until, limited_at);
}

TEST_F(RateShaperTest, PauseFailsQueuedCallsThatCannotOutwaitIt) {
  SetManual(true);
  Make(Options(2));
  Send(0);
  ASSERT_TRUE(fake_.WaitForCalls(1));
  Send(1, Endpoint::kGetTracking, absl::Seconds(2));  // Queued for 0.5 s.
  Send(2, Endpoint::kRealtime, absl::Seconds(10));    // Other class.
  ASSERT_TRUE(fake_.WaitForCalls(2));                 // Realtime went out.
  const absl::Time limited_at = absl::Now();
  EXPECT_TRUE(
      fake_.Complete(ReceivedCalls()[0].id, Upstream429(absl::Seconds(3))));
  // Call 1 cannot start before 3 s but must finish by 2 s: fails at once.
  ASSERT_TRUE(outcomes_.WaitForKey(1, kLate));
  EXPECT_LT(outcomes_.Get(1)->at - limited_at, kLate);
  EXPECT_EQ(ReasonOf(outcomes_.Get(1)->status), "RATE_LIMIT_QUEUE");
  EXPECT_THAT(GetRetryDelay(outcomes_.Get(1)->status),
              Optional(::testing::Ge(absl::Milliseconds(2900))));
  EXPECT_EQ(ReceivedCalls().size(), 2u);
}

TEST_F(RateShaperTest, DefaultPauseWhenTheErrorHasNoUsableRetryDelay) {
  RateShaperOptions options = Options(20);
  options.default_pause = absl::Milliseconds(600);
  Make(options);
  // No RetryInfo at all.
  Script(MakeError(absl::StatusCode::kResourceExhausted, "limited",
                   "RATE_LIMITED"));
  // The status table's own default (no Retry-After upstream): 120 s would
  // be used without the configured default.
  Script(Upstream429(std::nullopt));
  Send(0);
  ASSERT_TRUE(outcomes_.WaitForKey(0));
  const absl::Time first_limited = outcomes_.Get(0)->at;
  EXPECT_THAT(GetRetryDelay(outcomes_.Get(0)->status),
              Optional(Eq(absl::Milliseconds(600))));
  Send(1);
  ASSERT_TRUE(outcomes_.WaitForKey(1, absl::Seconds(2)));
  EXPECT_THAT(GetRetryDelay(outcomes_.Get(1)->status),
              Optional(Eq(absl::Milliseconds(600))));
  const auto received = ReceivedCalls();
  ASSERT_EQ(received.size(), 2u);
  EXPECT_GE(received[1].at - first_limited, absl::Milliseconds(590));
  EXPECT_EQ(shaper_->Stats().pauses, 2);
}

TEST_F(RateShaperTest, OtherErrorsDoNotPause) {
  Make(Options(20));
  Script(MakeError(absl::StatusCode::kResourceExhausted, "quota",
                   "QUOTA_EXHAUSTED"));
  Script(absl::UnavailableError("down"));
  for (int i = 0; i < 3; ++i) Send(i);
  ASSERT_TRUE(outcomes_.WaitFor(3));
  const auto received = ReceivedCalls();
  EXPECT_LT(received[2].at - received[0].at, absl::Milliseconds(100) + kLate);
  EXPECT_EQ(shaper_->Stats().pauses, 0);
}

TEST_F(RateShaperTest, DisabledShaperPassesCallsStraightThrough) {
  RateShaperOptions options = Options(1);
  options.enabled = false;
  Make(options);
  const absl::Time start = absl::Now();
  std::vector<UpstreamCaller::CallId> ids;
  for (int i = 0; i < 5; ++i) ids.push_back(Send(i));
  ASSERT_TRUE(outcomes_.WaitFor(5));
  const auto received = ReceivedCalls();
  ASSERT_EQ(received.size(), 5u);
  EXPECT_LT(received[4].at - start, kLate);
  for (size_t i = 0; i < ids.size(); ++i) EXPECT_EQ(ids[i], received[i].id);
  EXPECT_EQ(shaper_->Stats().classes[0].forwarded, 5);
}

TEST_F(RateShaperTest, DestructionCancelsQueuedCalls) {
  Make(Options(1));
  for (int i = 0; i < 3; ++i) Send(i);
  ASSERT_TRUE(outcomes_.WaitForKey(0));
  shaper_.reset();
  ASSERT_TRUE(outcomes_.WaitFor(3, absl::Milliseconds(100)));
  EXPECT_THAT(outcomes_.Get(1)->status, StatusIs(absl::StatusCode::kCancelled));
  EXPECT_THAT(outcomes_.Get(2)->status, StatusIs(absl::StatusCode::kCancelled));
  EXPECT_EQ(ReceivedCalls().size(), 1u);
}

TEST_F(RateShaperTest, StatsReportWaitsAndQueueLength) {
  Make(Options(10));
  for (int i = 0; i < 4; ++i) Send(i);
  {
    const RateShaperStats stats = shaper_->Stats();
    EXPECT_GE(stats.classes[0].queued, 3);
  }
  ASSERT_TRUE(outcomes_.WaitFor(4));
  const RateShaperStats stats = shaper_->Stats();
  EXPECT_EQ(stats.classes[0].forwarded, 4);
  EXPECT_EQ(stats.classes[0].queued, 0);
  EXPECT_GE(stats.classes[0].max_queued, 3);
  EXPECT_GE(stats.classes[0].max_wait, absl::Milliseconds(290));
  // Waits of about 0, 100, 200 and 300 ms.
  EXPECT_GE(stats.classes[0].total_wait, absl::Milliseconds(590));
  EXPECT_FALSE(stats.store.shared);
}

TEST(RateShaperOptionsTest, InvalidOptionsAreRejected) {
  EXPECT_TRUE(ValidateRateShaperOptions(RateShaperOptions()).ok());
  RateShaperOptions options;
  options.limits[1].rate = 0;
  EXPECT_THAT(ValidateRateShaperOptions(options),
              StatusIs(absl::StatusCode::kInvalidArgument));
  options = RateShaperOptions();
  options.limits[2].burst = 0;
  EXPECT_THAT(ValidateRateShaperOptions(options),
              StatusIs(absl::StatusCode::kInvalidArgument));
  options = RateShaperOptions();
  options.share = 1.5;
  EXPECT_THAT(ValidateRateShaperOptions(options),
              StatusIs(absl::StatusCode::kInvalidArgument));
  options = RateShaperOptions();
  options.safety = 0;
  EXPECT_THAT(ValidateRateShaperOptions(options),
              StatusIs(absl::StatusCode::kInvalidArgument));
  options = RateShaperOptions();
  options.redis_address = "no-port";
  EXPECT_THAT(ValidateRateShaperOptions(options),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(MakeTokenBucketStoreTest, LocalStoreRunsAtRateTimesShareTimesSafety) {
  RateShaperOptions options;
  options.limits[0].rate = 10;
  options.safety = 0.8;
  options.share = 0.5;  // 4/s: 250 ms apart.
  std::unique_ptr<TokenBucketStore> store = MakeTokenBucketStore(options);
  const absl::Time t0 = absl::FromUnixSeconds(1000);
  EXPECT_EQ(store->TryAcquire(0, t0), absl::ZeroDuration());
  EXPECT_EQ(store->TryAcquire(0, t0), absl::Milliseconds(250));
  EXPECT_EQ(store->EstimateStart(0, t0, 2), t0 + absl::Milliseconds(750));
}

}  // namespace
}  // namespace tracktry
