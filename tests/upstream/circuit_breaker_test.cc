// Copyright 2026 The tracktry-grpc Authors.
#include "service/upstream/circuit_breaker.h"

#include <memory>
#include <mutex>
#include <vector>

#include "common/error_details.h"
#include "gtest/gtest.h"
#include "service/tracktry_api/read_combiner.h"
#include "tests/testing/upstream_test_prelude.h"

namespace tracktry {
namespace {

// Answers every call with whatever `next` holds at the time.
class Scripted {
 public:
  void Set(absl::StatusOr<Envelope> next) {
    std::lock_guard<std::mutex> lock(mu_);
    next_ = std::move(next);
    hang_ = false;
  }
  void Hang() {
    std::lock_guard<std::mutex> lock(mu_);
    hang_ = true;
  }
  FakeUpstreamCaller::Responder Responder() {
    return [this](const UpstreamRequest&, int) {
      std::lock_guard<std::mutex> lock(mu_);
      if (hang_) return Reply{};
      return Reply{next_};
    };
  }

 private:
  std::mutex mu_;
  absl::StatusOr<Envelope> next_ = OkEnvelope();
  bool hang_ = false;
};

class CircuitBreakerTest : public ::testing::Test {
 protected:
  void Make(int threshold = 3, absl::Duration cooldown = absl::Seconds(10)) {
    fake_.SetResponder(script_.Responder());
    CircuitBreakerOptions options;
    options.failure_threshold = threshold;
    options.cooldown = cooldown;
    breaker_ = std::make_unique<CircuitBreaker>(&fake_, &scheduler_, options);
    breaker_->SetStateListener([this](CircuitState state) {
      std::lock_guard<std::mutex> lock(mu_);
      transitions_.push_back(state);
    });
  }
  absl::StatusOr<Envelope> Call(absl::Duration timeout = absl::Seconds(5)) {
    ResultSlot slot;
    breaker_->Send(RequestFor(Endpoint::kGetTracking), absl::Now() + timeout,
                   slot.Callback());
    return slot.Wait(timeout + absl::Seconds(2));
  }
  std::vector<CircuitState> transitions() {
    std::lock_guard<std::mutex> lock(mu_);
    return transitions_;
  }
  bool WaitForState(CircuitState state,
                    absl::Duration timeout = absl::Seconds(5)) {
    const absl::Time until = absl::Now() + timeout;
    while (breaker_->state() != state) {
      if (absl::Now() > until) return false;
      absl::SleepFor(absl::Milliseconds(5));
    }
    return true;
  }

  std::mutex mu_;
  std::vector<CircuitState> transitions_;
  Scripted script_;
  FakeUpstreamCaller fake_;
  Scheduler scheduler_;
  std::unique_ptr<CircuitBreaker> breaker_;
};

std::string ReasonOf(const absl::Status& status) {
  auto info = GetErrorInfo(status);
  return info.has_value() ? info->reason() : "";
}

TEST_F(CircuitBreakerTest, OpensAfterConsecutiveFailuresAndFailsFast) {
  Make(/*threshold=*/3, absl::Seconds(10));
  script_.Set(HttpError(503));
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(ReasonOf(Call().status()), "UPSTREAM_UNAVAILABLE");
  }
  EXPECT_TRUE(breaker_->is_open());
  script_.Set(OkEnvelope());
  const absl::Time start = absl::Now();
  absl::StatusOr<Envelope> result = Call();
  EXPECT_LT(absl::Now() - start, absl::Milliseconds(200));
  EXPECT_EQ(result.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(ReasonOf(result.status()), "CIRCUIT_OPEN");
  const auto delay = GetRetryDelay(result.status());
  ASSERT_TRUE(delay.has_value());
  EXPECT_GT(*delay, absl::Seconds(9));
  EXPECT_LE(*delay, absl::Seconds(10));
  EXPECT_EQ(fake_.calls(), 3);  // The rejected call never went upstream.
  EXPECT_EQ(breaker_->rejected(), 1);
  EXPECT_EQ(transitions(), std::vector<CircuitState>{CircuitState::kOpen});
}

TEST_F(CircuitBreakerTest, ASuccessResetsTheFailureCount) {
  Make(3);
  script_.Set(HttpError(500));
  Call().status().IgnoreError();
  Call().status().IgnoreError();
  script_.Set(OkEnvelope());
  EXPECT_TRUE(Call().ok());
  script_.Set(HttpError(500));
  Call().status().IgnoreError();
  Call().status().IgnoreError();
  EXPECT_EQ(breaker_->state(), CircuitState::kClosed);
  Call().status().IgnoreError();
  EXPECT_EQ(breaker_->state(), CircuitState::kOpen);
}

// The members of one combined read (read_combiner.h) share one upstream
// outcome: their failures count once, and the mark does not go further.
TEST_F(CircuitBreakerTest, FailuresOfOneCombinedReadCountOnce) {
  Make(3);
  script_.Set(WithSharedOutcome(HttpError(503), 7));
  for (int i = 0; i < 5; ++i) {
    const absl::StatusOr<Envelope> result = Call();
    EXPECT_EQ(ReasonOf(result.status()), "UPSTREAM_UNAVAILABLE");
    EXPECT_FALSE(result.status().GetPayload(kSharedOutcomeUrl).has_value());
  }
  EXPECT_EQ(breaker_->state(), CircuitState::kClosed);
  // Two more failed upstream calls make three.
  script_.Set(WithSharedOutcome(HttpError(503), 8));
  Call().status().IgnoreError();
  Call().status().IgnoreError();
  EXPECT_EQ(breaker_->state(), CircuitState::kClosed);
  script_.Set(HttpError(503));
  Call().status().IgnoreError();
  EXPECT_EQ(breaker_->state(), CircuitState::kOpen);
}

TEST_F(CircuitBreakerTest, AnswersThatAreNotUpstreamFailuresDoNotCount) {
  Make(2);
  for (const absl::Status& status :
       {MetaError(4017), HttpError(429), MetaError(4014), MetaError(4016),
        absl::CancelledError("x"), MetaError(4001)}) {
    script_.Set(status);
    Call().status().IgnoreError();
    Call().status().IgnoreError();
    Call().status().IgnoreError();
  }
  EXPECT_EQ(breaker_->state(), CircuitState::kClosed);
  EXPECT_EQ(fake_.calls(), 18);
}

TEST_F(CircuitBreakerTest, RateLimitAnswersNeitherCountNorReset) {
  Make(2);
  script_.Set(HttpError(503));
  Call().status().IgnoreError();
  script_.Set(HttpError(429));
  Call().status().IgnoreError();
  script_.Set(absl::Status(MakeError(absl::StatusCode::kResourceExhausted,
                                     "queue", "RATE_LIMIT_QUEUE")));
  Call().status().IgnoreError();
  EXPECT_EQ(breaker_->state(), CircuitState::kClosed);
  script_.Set(HttpError(503));
  Call().status().IgnoreError();
  EXPECT_EQ(breaker_->state(), CircuitState::kOpen);
}

TEST_F(CircuitBreakerTest, TimeoutsCountOnlyForCallsWithARealBudget) {
  Make(2);
  script_.Hang();
  // 100 ms deadlines are the callers' business, not an upstream failure.
  for (int i = 0; i < 3; ++i)
    Call(absl::Milliseconds(100)).status().IgnoreError();
  EXPECT_EQ(breaker_->state(), CircuitState::kClosed);
  EXPECT_TRUE(CircuitBreaker::IsFailure(testing::UpstreamTimeout(),
                                        absl::Seconds(2), absl::Seconds(1)));
  EXPECT_FALSE(CircuitBreaker::IsFailure(
      testing::UpstreamTimeout(), absl::Milliseconds(100), absl::Seconds(1)));
  script_.Set(testing::ConnectionRefused());
  Call().status().IgnoreError();
  Call().status().IgnoreError();
  EXPECT_EQ(breaker_->state(), CircuitState::kOpen);
}

TEST_F(CircuitBreakerTest, MalformedAnswersCountAsFailures) {
  Make(2);
  script_.Set(absl::Status(MakeError(absl::StatusCode::kInternal, "truncated",
                                     "UPSTREAM_MALFORMED_RESPONSE")));
  Call().status().IgnoreError();
  Call().status().IgnoreError();
  EXPECT_EQ(breaker_->state(), CircuitState::kOpen);
}

TEST_F(CircuitBreakerTest, CooldownLeadsToHalfOpenWithoutTraffic) {
  Make(1, absl::Milliseconds(200));
  script_.Set(HttpError(502));
  Call().status().IgnoreError();
  EXPECT_TRUE(breaker_->is_open());
  ASSERT_TRUE(WaitForState(CircuitState::kHalfOpen, absl::Seconds(2)));
  EXPECT_FALSE(breaker_->is_open());
  EXPECT_EQ(transitions(), (std::vector<CircuitState>{
                               CircuitState::kOpen, CircuitState::kHalfOpen}));
}

TEST_F(CircuitBreakerTest, HalfOpenLetsOneProbeThroughAndItsSuccessCloses) {
  Make(1, absl::Milliseconds(100));
  script_.Set(HttpError(502));
  Call().status().IgnoreError();
  ASSERT_TRUE(WaitForState(CircuitState::kHalfOpen));
  script_.Hang();
  ResultSlot probe;
  const auto probe_id =
      breaker_->Send(RequestFor(Endpoint::kGetTracking),
                     absl::Now() + absl::Seconds(10), probe.Callback());
  (void)probe_id;
  ASSERT_TRUE(fake_.WaitForCalls(2));
  // While the probe runs, others still fail fast.
  absl::StatusOr<Envelope> other = Call();
  EXPECT_EQ(ReasonOf(other.status()), "CIRCUIT_OPEN");
  EXPECT_TRUE(GetRetryDelay(other.status()).has_value());
  EXPECT_EQ(fake_.calls(), 2);
  ASSERT_EQ(fake_.CompleteAll(OkEnvelope()), 1);
  EXPECT_TRUE(probe.Wait().ok());
  EXPECT_EQ(breaker_->state(), CircuitState::kClosed);
  script_.Set(OkEnvelope());
  EXPECT_TRUE(Call().ok());
  EXPECT_EQ(transitions().back(), CircuitState::kClosed);
}

TEST_F(CircuitBreakerTest, FailedProbeReopensForAnotherCooldown) {
  Make(1, absl::Milliseconds(150));
  script_.Set(HttpError(503));
  Call().status().IgnoreError();
  ASSERT_TRUE(WaitForState(CircuitState::kHalfOpen));
  EXPECT_EQ(ReasonOf(Call().status()), "UPSTREAM_UNAVAILABLE");  // The probe.
  EXPECT_EQ(breaker_->state(), CircuitState::kOpen);
  EXPECT_EQ(ReasonOf(Call().status()), "CIRCUIT_OPEN");
  EXPECT_EQ(fake_.calls(), 2);
  EXPECT_EQ(breaker_->times_opened(), 2);
  ASSERT_TRUE(WaitForState(CircuitState::kHalfOpen));
  script_.Set(OkEnvelope());
  EXPECT_TRUE(Call().ok());
  EXPECT_EQ(breaker_->state(), CircuitState::kClosed);
}

TEST_F(CircuitBreakerTest, CancelledProbeLetsTheNextCallProbe) {
  Make(1, absl::Milliseconds(100));
  script_.Set(HttpError(503));
  Call().status().IgnoreError();
  ASSERT_TRUE(WaitForState(CircuitState::kHalfOpen));
  script_.Hang();
  ResultSlot probe;
  const auto id =
      breaker_->Send(RequestFor(Endpoint::kGetTracking),
                     absl::Now() + absl::Seconds(10), probe.Callback());
  ASSERT_TRUE(fake_.WaitForCalls(2));
  breaker_->Cancel(id);
  EXPECT_EQ(probe.Wait().status().code(), absl::StatusCode::kCancelled);
  EXPECT_EQ(breaker_->state(), CircuitState::kHalfOpen);
  script_.Set(OkEnvelope());
  EXPECT_TRUE(Call().ok());
  EXPECT_EQ(breaker_->state(), CircuitState::kClosed);
}

TEST_F(CircuitBreakerTest, ZeroThresholdNeverOpens) {
  Make(0);
  script_.Set(HttpError(503));
  for (int i = 0; i < 20; ++i) Call().status().IgnoreError();
  EXPECT_EQ(breaker_->state(), CircuitState::kClosed);
  EXPECT_EQ(fake_.calls(), 20);
}

TEST_F(CircuitBreakerTest, DestructionCancelsRunningCalls) {
  Make();
  script_.Hang();
  ResultSlot slot;
  breaker_->Send(RequestFor(Endpoint::kGetTracking),
                 absl::Now() + absl::Seconds(30), slot.Callback());
  ASSERT_TRUE(fake_.WaitForCalls(1));
  breaker_.reset();
  ASSERT_TRUE(slot.ready());
  EXPECT_EQ(slot.Wait().status().code(), absl::StatusCode::kCancelled);
}

}  // namespace
}  // namespace tracktry
