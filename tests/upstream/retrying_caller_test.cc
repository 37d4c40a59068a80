// Copyright 2026 The tracktry-grpc Authors.
#include "service/upstream/retrying_caller.h"

#include <memory>

#include "common/error_details.h"
#include "gtest/gtest.h"
#include "tests/testing/upstream_test_prelude.h"

namespace tracktry {
namespace {

RetryOptions FastOptions() {
  RetryOptions options;
  options.max_attempts = 3;
  options.initial_backoff = absl::Milliseconds(10);
  options.max_backoff = absl::Milliseconds(40);
  options.seed = 7;
  return options;
}

// Fails the first `failures` calls with `error`, then succeeds.
FakeUpstreamCaller::Responder FailFirst(int failures, absl::Status error) {
  return [failures, error](const UpstreamRequest&, int index) {
    if (index < failures) return Reply{absl::StatusOr<Envelope>(error)};
    return Reply{absl::StatusOr<Envelope>(OkEnvelope())};
  };
}

class RetryingCallerTest : public ::testing::Test {
 protected:
  void Make(RetryOptions options = FastOptions()) {
    retrying_ = std::make_unique<RetryingCaller>(&fake_, &scheduler_, options);
  }
  absl::StatusOr<Envelope> Call(Endpoint endpoint,
                                absl::Duration timeout = absl::Seconds(5)) {
    ResultSlot slot;
    retrying_->Send(RequestFor(endpoint), absl::Now() + timeout,
                    slot.Callback());
    return slot.Wait(timeout + absl::Seconds(2));
  }

  FakeUpstreamCaller fake_;
  Scheduler scheduler_;
  std::unique_ptr<RetryingCaller> retrying_;
};

TEST_F(RetryingCallerTest, IdempotentReadRetriesUnavailableThenSucceeds) {
  fake_.SetResponder(FailFirst(2, HttpError(503)));
  Make();
  EXPECT_TRUE(Call(Endpoint::kGetTracking).ok());
  EXPECT_EQ(fake_.calls(), 3);
  EXPECT_EQ(retrying_->retries(), 2);
}

TEST_F(RetryingCallerTest, EveryIdempotentEndpointIsRetried) {
  for (Endpoint endpoint :
       {Endpoint::kGetTracking, Endpoint::kListTrackings, Endpoint::kRealtime,
        Endpoint::kListCarriers, Endpoint::kDetectCarrier}) {
    FakeUpstreamCaller fake(FailFirst(1, testing::ConnectionRefused()));
    RetryingCaller retrying(&fake, &scheduler_, FastOptions());
    ResultSlot slot;
    retrying.Send(RequestFor(endpoint), absl::Now() + absl::Seconds(5),
                  slot.Callback());
    EXPECT_TRUE(slot.Wait().ok()) << EndpointName(endpoint);
    EXPECT_EQ(fake.calls(), 2) << EndpointName(endpoint);
  }
}

TEST_F(RetryingCallerTest, GivesUpAfterMaxAttemptsWithTheLastError) {
  fake_.SetResponder(FailFirst(100, HttpError(502)));
  Make();
  absl::StatusOr<Envelope> result = Call(Endpoint::kListCarriers);
  EXPECT_EQ(result.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(GetErrorInfo(result.status())->reason(), "UPSTREAM_UNAVAILABLE");
  EXPECT_EQ(fake_.calls(), 3);
}

TEST_F(RetryingCallerTest, NonIdempotentCallsAreNeverRetried) {
  for (Endpoint endpoint :
       {Endpoint::kCreateTracking, Endpoint::kUpdateTracking,
        Endpoint::kDeleteTracking, Endpoint::kBatchCreate}) {
    FakeUpstreamCaller fake(FailFirst(100, HttpError(503)));
    RetryingCaller retrying(&fake, &scheduler_, FastOptions());
    ResultSlot slot;
    retrying.Send(RequestFor(endpoint), absl::Now() + absl::Seconds(5),
                  slot.Callback());
    EXPECT_EQ(slot.Wait().status().code(), absl::StatusCode::kUnavailable);
    EXPECT_EQ(fake.calls(), 1) << EndpointName(endpoint);
  }
}

TEST_F(RetryingCallerTest, NonTransientErrorsAreNotRetried) {
  const absl::Status circuit_open =
      MakeError(absl::StatusCode::kUnavailable, "open", "CIRCUIT_OPEN");
  for (const absl::Status& error :
       {HttpError(429), MetaError(429), MetaError(4019), MetaError(4017),
        MetaError(4014), MetaError(4016), MetaError(4001), HttpError(404),
        circuit_open,
        absl::Status(MakeError(absl::StatusCode::kInternal, "bad body",
                               "UPSTREAM_MALFORMED_RESPONSE"))}) {
    FakeUpstreamCaller fake(FailFirst(100, error));
    RetryingCaller retrying(&fake, &scheduler_, FastOptions());
    ResultSlot slot;
    retrying.Send(RequestFor(Endpoint::kGetTracking),
                  absl::Now() + absl::Seconds(5), slot.Callback());
    EXPECT_EQ(slot.Wait().status().code(), error.code()) << error;
    EXPECT_EQ(fake.calls(), 1) << error;
  }
}

TEST_F(RetryingCallerTest, RetriesStopAtTheCallersDeadline) {
  fake_.SetResponder([](const UpstreamRequest&, int) {
    return Reply{absl::StatusOr<Envelope>(HttpError(503)),
                 absl::Milliseconds(20)};
  });
  RetryOptions options = FastOptions();
  options.max_attempts = 1000;
  Make(options);
  const absl::Time start = absl::Now();
  const absl::Time deadline = start + absl::Milliseconds(400);
  ResultSlot slot;
  retrying_->Send(RequestFor(Endpoint::kGetTracking), deadline,
                  slot.Callback());
  EXPECT_EQ(slot.Wait().status().code(), absl::StatusCode::kUnavailable);
  // Answered by the deadline (plus scheduling slack), having retried.
  EXPECT_LE(slot.at(), deadline + absl::Milliseconds(50));
  EXPECT_GT(fake_.calls(), 3);
  EXPECT_LT(fake_.calls(), 1000);
  for (const auto& record : fake_.records()) {
    EXPECT_LE(record.deadline, deadline);
    // No attempt starts without a minimum budget left.
    EXPECT_LE(record.sent, deadline - absl::Milliseconds(40));
  }
}

TEST_F(RetryingCallerTest, HungAttemptIsCutByAttemptTimeoutAndRetried) {
  fake_.SetResponder([](const UpstreamRequest&, int index) {
    if (index == 0) return Reply{};  // Hangs until its deadline.
    return Reply{absl::StatusOr<Envelope>(OkEnvelope())};
  });
  RetryOptions options = FastOptions();
  options.attempt_timeout = absl::Milliseconds(200);
  Make(options);
  const absl::Time start = absl::Now();
  EXPECT_TRUE(Call(Endpoint::kGetTracking, absl::Seconds(5)).ok());
  ASSERT_EQ(fake_.calls(), 2);
  EXPECT_LE(fake_.records()[0].deadline - start, absl::Milliseconds(250));
  EXPECT_LT(absl::Now() - start, absl::Seconds(1));
}

TEST_F(RetryingCallerTest, TimeoutAtTheCallersOwnDeadlineIsNotRetried) {
  fake_.SetResponder([](const UpstreamRequest&, int) { return Reply{}; });
  Make();
  const absl::Time start = absl::Now();
  absl::StatusOr<Envelope> result =
      Call(Endpoint::kGetTracking, absl::Milliseconds(300));
  EXPECT_EQ(result.status().code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_EQ(fake_.calls(), 1);
  EXPECT_LT(absl::Now() - start, absl::Milliseconds(600));
}

TEST_F(RetryingCallerTest, BackoffIsAtMostTheJitterCap) {
  fake_.SetResponder(FailFirst(1, HttpError(500)));
  RetryOptions options = FastOptions();
  options.initial_backoff = absl::Milliseconds(100);
  options.max_backoff = absl::Milliseconds(100);
  Make(options);
  EXPECT_TRUE(Call(Endpoint::kGetTracking).ok());
  const auto records = fake_.records();
  ASSERT_EQ(records.size(), 2u);
  // Attempt 1 answers after ~1 ms; back-off is uniform in [0, 100 ms].
  EXPECT_LE(records[1].sent - records[0].sent, absl::Milliseconds(160));
}

TEST_F(RetryingCallerTest, UpstreamRetryAfterIsTheMinimumBackoff) {
  fake_.SetResponder(FailFirst(1, HttpError(503, absl::Milliseconds(300))));
  Make();
  EXPECT_TRUE(Call(Endpoint::kGetTracking).ok());
  const auto records = fake_.records();
  ASSERT_EQ(records.size(), 2u);
  EXPECT_GE(records[1].sent - records[0].sent, absl::Milliseconds(300));
}

TEST_F(RetryingCallerTest, RetryAfterBeyondTheDeadlineAnswersAtOnce) {
  fake_.SetResponder(FailFirst(100, HttpError(503, absl::Seconds(30))));
  Make();
  const absl::Time start = absl::Now();
  absl::StatusOr<Envelope> result =
      Call(Endpoint::kGetTracking, absl::Seconds(3));
  EXPECT_EQ(result.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(fake_.calls(), 1);
  EXPECT_LT(absl::Now() - start, absl::Milliseconds(500));
}

TEST_F(RetryingCallerTest, ShaperQueueRefusalOfARetryReturnsTheUpstreamError) {
  const absl::Status queue_full =
      MakeError(absl::StatusCode::kResourceExhausted, "no slot in time",
                "RATE_LIMIT_QUEUE");
  fake_.SetResponder([queue_full](const UpstreamRequest&, int index) {
    if (index == 0) return Reply{absl::StatusOr<Envelope>(HttpError(502))};
    return Reply{absl::StatusOr<Envelope>(queue_full)};
  });
  Make();
  absl::StatusOr<Envelope> result = Call(Endpoint::kGetTracking);
  EXPECT_EQ(result.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(GetErrorInfo(result.status())->reason(), "UPSTREAM_UNAVAILABLE");
  EXPECT_EQ(fake_.calls(), 2);
}

TEST_F(RetryingCallerTest, CancelDuringBackoffAnswersCancelledAndStops) {
  fake_.SetResponder(FailFirst(100, HttpError(503, absl::Seconds(2))));
  Make();
  ResultSlot slot;
  const UpstreamCaller::CallId id =
      retrying_->Send(RequestFor(Endpoint::kGetTracking),
                      absl::Now() + absl::Seconds(10), slot.Callback());
  ASSERT_TRUE(fake_.WaitForCalls(1));
  absl::SleepFor(absl::Milliseconds(50));  // Attempt 1 answered: backing off.
  const absl::Time cancelled_at = absl::Now();
  retrying_->Cancel(id);
  EXPECT_EQ(slot.Wait().status().code(), absl::StatusCode::kCancelled);
  EXPECT_LT(slot.at() - cancelled_at, absl::Milliseconds(200));
  absl::SleepFor(absl::Milliseconds(100));
  EXPECT_EQ(fake_.calls(), 1);
  EXPECT_EQ(slot.count(), 1);
}

TEST_F(RetryingCallerTest, CancelDuringAttemptCancelsTheUpstreamCall) {
  fake_.SetResponder([](const UpstreamRequest&, int) { return Reply{}; });
  Make();
  ResultSlot slot;
  const UpstreamCaller::CallId id =
      retrying_->Send(RequestFor(Endpoint::kGetTracking),
                      absl::Now() + absl::Seconds(10), slot.Callback());
  ASSERT_TRUE(fake_.WaitForCalls(1));
  retrying_->Cancel(id);
  EXPECT_EQ(slot.Wait().status().code(), absl::StatusCode::kCancelled);
  EXPECT_EQ(fake_.cancelled().size(), 1u);
  EXPECT_EQ(fake_.calls(), 1);
}

TEST_F(RetryingCallerTest, DestructionCancelsRunningCalls) {
  fake_.SetResponder([](const UpstreamRequest&, int) { return Reply{}; });
  Make();
  ResultSlot slot;
  retrying_->Send(RequestFor(Endpoint::kGetTracking),
                  absl::Now() + absl::Seconds(30), slot.Callback());
  ASSERT_TRUE(fake_.WaitForCalls(1));
  retrying_.reset();
  ASSERT_TRUE(slot.ready());
  EXPECT_EQ(slot.Wait().status().code(), absl::StatusCode::kCancelled);
}

TEST(RetryingCallerIsRetryableTest, FollowsTheDocumentedRules) {
  EXPECT_TRUE(RetryingCaller::IsRetryable(HttpError(500), false));
  EXPECT_TRUE(RetryingCaller::IsRetryable(HttpError(502), false));
  EXPECT_TRUE(RetryingCaller::IsRetryable(HttpError(503), false));
  EXPECT_TRUE(RetryingCaller::IsRetryable(MetaError(500), false));
  EXPECT_TRUE(RetryingCaller::IsRetryable(testing::ConnectionRefused(), false));
  EXPECT_TRUE(RetryingCaller::IsRetryable(testing::UpstreamTimeout(), true));
  EXPECT_FALSE(RetryingCaller::IsRetryable(testing::UpstreamTimeout(), false));
  EXPECT_FALSE(RetryingCaller::IsRetryable(HttpError(429), false));
  EXPECT_FALSE(RetryingCaller::IsRetryable(MetaError(4017), false));
  EXPECT_FALSE(RetryingCaller::IsRetryable(
      MakeError(absl::StatusCode::kUnavailable, "open", "CIRCUIT_OPEN"),
      false));
  EXPECT_FALSE(RetryingCaller::IsRetryable(
      MakeError(absl::StatusCode::kDeadlineExceeded, "queued too long",
                "RATE_LIMIT_QUEUE_TIMEOUT"),
      true));
}

}  // namespace
}  // namespace tracktry
