// Copyright 2026 The tracktry-grpc Authors.
//
// Read batching in the RateShaper (with the API layer's
// TrackingReadCombiner) over the shared fake upstream: reads queued behind
// a token go out as one list call, a lone read as its own GET; at most
// max_members per call, one lang per call; the combined call spends a list
// token too, and without one the head goes alone; per-member results,
// deadlines and cancellation after the call was sent; the upstream 429
// pause; the queue's expected start counting combined calls; stats.
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/error_details.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "service/tracktry_api/tracking_operations.h"
#include "service/tracktry_api/tracking_read_combiner.h"
#include "service/upstream/circuit_breaker.h"
#include "service/upstream/rate_shaper.h"
#include "service/upstream/scheduler.h"
#include "tests/testing/fake_upstream_caller.h"
#include "tests/testing/status_matchers.h"

namespace tracktry {
namespace {

using ::testing::ElementsAre;
using ::testing::ElementsAreArray;
using testing::FakeUpstreamCaller;
using testing::IsOk;
using testing::OkEnvelope;
using testing::ResultSlot;
using testing::StatusIs;

using json = nlohmann::json;

// Lateness allowed on "no later than" assertions (a loaded machine).
constexpr absl::Duration kLate = absl::Milliseconds(250);

std::string Number(int i) { return absl::StrCat("RS", 100000000 + i, "DE"); }

UpstreamRequest Read(int i, const std::string& lang = "") {
  v1::GetTrackingRequest request;
  request.set_carrier_code("dhl");
  request.set_tracking_number(Number(i));
  request.set_lang(lang);
  return api::GetTrackingCall(request);
}

// Answers GETs with their tracking and list calls with the trackings of the
// numbers asked for, except the numbers in `missing` (4017 for a GET).
FakeUpstreamCaller::Responder Upstream(std::set<std::string> missing = {}) {
  return [missing](const UpstreamRequest& request, int) {
    const auto tracking = [](const std::string& number) {
      return json{{"tracking_number", number},
                  {"carrier_code", "dhl"},
                  {"status", "transit"}};
    };
    if (request.endpoint == Endpoint::kGetTracking) {
      const std::string& number = request.tracking_numbers.front();
      if (missing.count(number)) {
        return FakeUpstreamCaller::Reply{testing::MetaError(4017)};
      }
      return FakeUpstreamCaller::Reply{OkEnvelope(tracking(number))};
    }
    json items = json::array();
    for (const std::string& number : request.tracking_numbers) {
      if (!missing.count(number)) items.push_back(tracking(number));
    }
    return FakeUpstreamCaller::Reply{
        OkEnvelope(json{{"page", 1},
                        {"limit", 2000},
                        {"total", std::to_string(items.size())},
                        {"count", items.size()},
                        {"items", items}})};
  };
}

// Every class at `rate`, exact spacing, combining up to `max_members`.
RateShaperOptions Options(double rate, int max_members = 40) {
  RateShaperOptions options;
  for (TokenBucketLimit& limit : options.limits) {
    limit.rate = rate;
    limit.burst = 1;
  }
  options.safety = 1.0;
  options.min_call_time = absl::ZeroDuration();
  options.jitter_compensation = 0;
  if (max_members > 0) {
    options.read_combiner = std::make_shared<TrackingReadCombiner>(max_members);
  }
  return options;
}

std::string ReasonOf(const absl::Status& status) {
  const auto info = GetErrorInfo(status);
  return info.has_value() ? info->reason() : "";
}

std::string NumberIn(const absl::StatusOr<Envelope>& result) {
  if (!result.ok()) return "";
  return result->data().value("tracking_number", "");
}

class RateShaperBatchingTest : public ::testing::Test {
 protected:
  void Make(RateShaperOptions options) {
    shaper_ = std::make_unique<RateShaper>(&fake_, &scheduler_, options);
  }
  // Sends read `i` (result in slot `i`).
  UpstreamCaller::CallId Send(UpstreamRequest request, int slot,
                              absl::Duration deadline = absl::Seconds(10)) {
    return shaper_->Send(std::move(request), absl::Now() + deadline,
                         slots_[slot].Callback());
  }
  UpstreamCaller::CallId SendRead(int i,
                                  absl::Duration deadline = absl::Seconds(10)) {
    return Send(Read(i), i, deadline);
  }
  std::vector<std::string> ListedNumbers(int call) {
    return fake_.records()
        .at(static_cast<size_t>(call))
        .request.tracking_numbers;
  }
  Endpoint EndpointOf(int call) {
    return fake_.records().at(static_cast<size_t>(call)).request.endpoint;
  }

  FakeUpstreamCaller fake_{Upstream()};
  Scheduler scheduler_;
  std::map<int, ResultSlot> slots_;
  std::unique_ptr<RateShaper> shaper_;
};

TEST_F(RateShaperBatchingTest, ReadsQueuedBehindATokenGoOutAsOneListCall) {
  fake_.SetResponder(Upstream({Number(3)}));
  Make(Options(2));  // 500 ms apart.
  SendRead(0);
  ASSERT_TRUE(fake_.WaitForCalls(1));
  // A lone read goes out as its own GET.
  EXPECT_EQ(EndpointOf(0), Endpoint::kGetTracking);
  const absl::Time first = fake_.records()[0].sent;
  for (int i = 1; i <= 5; ++i) SendRead(i);
  for (int i = 0; i <= 5; ++i) slots_[i].Wait().IgnoreError();  // below
  ASSERT_EQ(fake_.calls(), 2);
  EXPECT_EQ(EndpointOf(1), Endpoint::kListTrackings);
  EXPECT_THAT(ListedNumbers(1), ElementsAre(Number(1), Number(2), Number(3),
                                            Number(4), Number(5)));
  // With the next token, not later.
  const absl::Duration gap = fake_.records()[1].sent - first;
  EXPECT_GE(gap, absl::Milliseconds(499));
  EXPECT_LT(gap, absl::Milliseconds(500) + kLate);
  for (int i = 0; i <= 5; ++i) {
    if (i == 3) continue;
    const absl::StatusOr<Envelope> result = slots_[i].Wait();
    ASSERT_THAT(result.status(), IsOk()) << i;
    EXPECT_EQ(NumberIn(result), Number(i));
    // Shaped like a single GET's answer: one tracking object.
    EXPECT_TRUE(result->data().is_object());
  }
  // Missing from the answer: what the GET would have said (4017).
  const absl::StatusOr<Envelope> missing = slots_[3].Wait();
  EXPECT_THAT(missing.status(), StatusIs(absl::StatusCode::kNotFound));
  EXPECT_EQ(ReasonOf(missing.status()), "TRACKING_NOT_FOUND");
  const RateShaperStats stats = shaper_->Stats();
  EXPECT_EQ(stats.batching.batches, 1);
  EXPECT_EQ(stats.batching.batched_reads, 5);
  EXPECT_EQ(stats.batching.batch_sizes.at(5), 1);
  EXPECT_EQ(stats.classes[0].forwarded, 6);
}

TEST_F(RateShaperBatchingTest, WithoutACombinerEveryReadGoesAlone) {
  Make(Options(20, /*max_members=*/0));
  SendRead(0);
  ASSERT_TRUE(fake_.WaitForCalls(1));
  for (int i = 1; i <= 4; ++i) SendRead(i);
  for (int i = 0; i <= 4; ++i) EXPECT_THAT(slots_[i].Wait().status(), IsOk());
  ASSERT_EQ(fake_.calls(), 5);
  for (int call = 0; call < 5; ++call) {
    EXPECT_EQ(EndpointOf(call), Endpoint::kGetTracking);
  }
  EXPECT_EQ(shaper_->Stats().batching.batches, 0);
}

TEST_F(RateShaperBatchingTest, AtMostMaxMembersPerCallInQueueOrder) {
  Make(Options(10, /*max_members=*/3));  // 100 ms apart.
  SendRead(0);
  ASSERT_TRUE(fake_.WaitForCalls(1));
  for (int i = 1; i <= 7; ++i) SendRead(i);
  for (int i = 0; i <= 7; ++i) {
    EXPECT_EQ(NumberIn(slots_[i].Wait()), Number(i)) << i;
  }
  ASSERT_EQ(fake_.calls(), 4);
  EXPECT_THAT(ListedNumbers(1), ElementsAre(Number(1), Number(2), Number(3)));
  EXPECT_THAT(ListedNumbers(2), ElementsAre(Number(4), Number(5), Number(6)));
  // The last one alone: a GET.
  EXPECT_EQ(EndpointOf(3), Endpoint::kGetTracking);
  EXPECT_THAT(ListedNumbers(3), ElementsAre(Number(7)));
  EXPECT_EQ(shaper_->Stats().batching.batch_sizes.at(3), 2);
}

TEST_F(RateShaperBatchingTest, OneLangPerCall) {
  Make(Options(10));
  SendRead(0);
  ASSERT_TRUE(fake_.WaitForCalls(1));
  Send(Read(1, "de"), 1);
  Send(Read(2), 2);
  Send(Read(3, "de"), 3);
  Send(Read(4), 4);
  for (int i = 0; i <= 4; ++i) EXPECT_THAT(slots_[i].Wait().status(), IsOk());
  ASSERT_EQ(fake_.calls(), 3);
  EXPECT_THAT(ListedNumbers(1), ElementsAre(Number(1), Number(3)));
  EXPECT_EQ(fake_.records()[1].request.lang, "de");
  EXPECT_THAT(ListedNumbers(2), ElementsAre(Number(2), Number(4)));
  EXPECT_EQ(fake_.records()[2].request.lang, "");
}

TEST_F(RateShaperBatchingTest, OtherCallsKeepTheirTurn) {
  Make(Options(10));
  SendRead(0);
  ASSERT_TRUE(fake_.WaitForCalls(1));
  SendRead(1);
  Send(testing::RequestFor(Endpoint::kCreateTracking, "NEW00001"), 100);
  SendRead(2);
  for (int i : {0, 1, 2, 100}) EXPECT_THAT(slots_[i].Wait().status(), IsOk());
  ASSERT_EQ(fake_.calls(), 3);
  // The reads behind the create went with the first read; the create got
  // the next token, no later than it would have.
  EXPECT_THAT(ListedNumbers(1), ElementsAre(Number(1), Number(2)));
  EXPECT_EQ(EndpointOf(2), Endpoint::kCreateTracking);
}

TEST_F(RateShaperBatchingTest, CombinedCallSpendsAListToken) {
  Make(Options(4));  // 250 ms apart.
  SendRead(0);
  ASSERT_TRUE(fake_.WaitForCalls(1));
  SendRead(1);
  SendRead(2);
  ASSERT_TRUE(fake_.WaitForCalls(2));
  ASSERT_EQ(EndpointOf(1), Endpoint::kListTrackings);
  // A ListTrackings call now waits for the list bucket's next token.
  Send(testing::RequestFor(Endpoint::kListTrackings), 50);
  ASSERT_THAT(slots_[50].Wait().status(), IsOk());
  ASSERT_EQ(fake_.calls(), 3);
  // Measured between sends, which trail their tokens by a little; without
  // the list token spent, the list call would leave at once.
  EXPECT_GE(fake_.records()[2].sent - fake_.records()[1].sent,
            absl::Milliseconds(200));
}

TEST_F(RateShaperBatchingTest, WithoutAListTokenTheHeadGoesAlone) {
  RateShaperOptions options = Options(10);
  options.limits[static_cast<size_t>(RateClass::kList)].rate = 0.25;
  Make(options);
  // The list bucket's one token goes to a ListTrackings call.
  Send(testing::RequestFor(Endpoint::kListTrackings), 50);
  ASSERT_THAT(slots_[50].Wait().status(), IsOk());
  SendRead(0);
  ASSERT_TRUE(fake_.WaitForCalls(2));
  for (int i = 1; i <= 3; ++i) SendRead(i);
  for (int i = 0; i <= 3; ++i) EXPECT_THAT(slots_[i].Wait().status(), IsOk());
  // No list token for 4 s: each read goes out alone, at the default rate.
  ASSERT_EQ(fake_.calls(), 5);
  for (int call = 1; call < 5; ++call) {
    EXPECT_EQ(EndpointOf(call), Endpoint::kGetTracking) << call;
  }
  const RateShaperStats stats = shaper_->Stats();
  EXPECT_EQ(stats.batching.batches, 0);
  EXPECT_GE(stats.batching.no_extra_token, 1);
}

TEST_F(RateShaperBatchingTest, ShortDeadlineMemberFailsOnTimeOthersSucceed) {
  Make(Options(4));  // 250 ms apart.
  SendRead(0);
  ASSERT_TRUE(fake_.WaitForCalls(1));
  ASSERT_THAT(slots_[0].Wait().status(), IsOk());
  // The list call hangs until the test answers it.
  const FakeUpstreamCaller::Responder answer = Upstream();
  fake_.SetResponder([](const UpstreamRequest&, int) {
    return FakeUpstreamCaller::Reply{std::nullopt};
  });
  SendRead(1);
  const absl::Time short_deadline = absl::Now() + absl::Milliseconds(700);
  SendRead(2, absl::Milliseconds(700));
  SendRead(3);
  ASSERT_TRUE(fake_.WaitForCalls(2));
  const FakeUpstreamCaller::Record list = fake_.records()[1];
  ASSERT_EQ(list.request.endpoint, Endpoint::kListTrackings);
  EXPECT_THAT(list.request.tracking_numbers,
              ElementsAre(Number(1), Number(2), Number(3)));
  // The combined call has the longest member deadline.
  EXPECT_GT(list.deadline, short_deadline + absl::Seconds(5));
  // The short one fails at its deadline, as its own GET would have.
  const absl::StatusOr<Envelope> short_result =
      slots_[2].Wait(absl::Seconds(3));
  EXPECT_THAT(short_result.status(),
              StatusIs(absl::StatusCode::kDeadlineExceeded));
  EXPECT_EQ(ReasonOf(short_result.status()), "UPSTREAM_TIMEOUT");
  EXPECT_GE(slots_[2].at(), short_deadline);
  EXPECT_LT(slots_[2].at(), short_deadline + kLate);
  EXPECT_FALSE(slots_[1].ready());
  EXPECT_TRUE(fake_.cancelled().empty());
  // The others get their answer when it comes.
  ASSERT_TRUE(fake_.Complete(list.id, *answer(list.request, 1).result));
  EXPECT_EQ(NumberIn(slots_[1].Wait()), Number(1));
  EXPECT_EQ(NumberIn(slots_[3].Wait()), Number(3));
  EXPECT_EQ(slots_[2].count(), 1);
  EXPECT_EQ(shaper_->Stats().batching.detached, 1);
}

TEST_F(RateShaperBatchingTest, CancelledMemberLeavesTheBatchIntact) {
  Make(Options(4));
  SendRead(0);
  ASSERT_TRUE(fake_.WaitForCalls(1));
  ASSERT_THAT(slots_[0].Wait().status(), IsOk());
  const FakeUpstreamCaller::Responder answer = Upstream();
  fake_.SetResponder([](const UpstreamRequest&, int) {
    return FakeUpstreamCaller::Reply{std::nullopt};
  });
  const UpstreamCaller::CallId one = SendRead(1);
  const UpstreamCaller::CallId two = SendRead(2);
  const UpstreamCaller::CallId three = SendRead(3);
  ASSERT_TRUE(fake_.WaitForCalls(2));
  const FakeUpstreamCaller::Record list = fake_.records()[1];
  ASSERT_EQ(list.request.endpoint, Endpoint::kListTrackings);
  const absl::Time cancelled_at = absl::Now();
  shaper_->Cancel(two);
  const absl::StatusOr<Envelope> cancelled = slots_[2].Wait(absl::Seconds(1));
  EXPECT_THAT(cancelled.status(), StatusIs(absl::StatusCode::kCancelled));
  EXPECT_LT(slots_[2].at() - cancelled_at, kLate);
  // The combined call goes on for the others.
  absl::SleepFor(absl::Milliseconds(50));
  EXPECT_TRUE(fake_.cancelled().empty());
  ASSERT_TRUE(fake_.Complete(list.id, *answer(list.request, 1).result));
  EXPECT_EQ(NumberIn(slots_[1].Wait()), Number(1));
  EXPECT_EQ(NumberIn(slots_[3].Wait()), Number(3));
  EXPECT_EQ(slots_[2].count(), 1);
  (void)one;
  (void)three;
}

TEST_F(RateShaperBatchingTest, CombinedCallIsCancelledWhenNoMemberIsLeft) {
  Make(Options(4));
  SendRead(0);
  ASSERT_TRUE(fake_.WaitForCalls(1));
  ASSERT_THAT(slots_[0].Wait().status(), IsOk());
  fake_.SetResponder([](const UpstreamRequest&, int) {
    return FakeUpstreamCaller::Reply{std::nullopt};
  });
  const UpstreamCaller::CallId one = SendRead(1);
  const UpstreamCaller::CallId two = SendRead(2);
  ASSERT_TRUE(fake_.WaitForCalls(2));
  const FakeUpstreamCaller::Record list = fake_.records()[1];
  shaper_->Cancel(one);
  EXPECT_THAT(slots_[1].Wait().status(),
              StatusIs(absl::StatusCode::kCancelled));
  EXPECT_TRUE(fake_.cancelled().empty());
  shaper_->Cancel(two);
  EXPECT_THAT(slots_[2].Wait().status(),
              StatusIs(absl::StatusCode::kCancelled));
  EXPECT_THAT(fake_.cancelled(), ElementsAre(list.id));
  EXPECT_EQ(slots_[1].count(), 1);
  EXPECT_EQ(slots_[2].count(), 1);
}

TEST_F(RateShaperBatchingTest, Upstream429OnTheCombinedCallReachesEveryMember) {
  Make(Options(10));
  SendRead(0);
  ASSERT_TRUE(fake_.WaitForCalls(1));
  ASSERT_THAT(slots_[0].Wait().status(), IsOk());
  fake_.SetResponder([](const UpstreamRequest&, int) {
    return FakeUpstreamCaller::Reply{testing::HttpError(429, absl::Seconds(2))};
  });
  SendRead(1);
  SendRead(2);
  for (int i : {1, 2}) {
    const absl::StatusOr<Envelope> result = slots_[i].Wait();
    EXPECT_THAT(result.status(),
                StatusIs(absl::StatusCode::kResourceExhausted));
    EXPECT_EQ(ReasonOf(result.status()), "RATE_LIMITED");
    EXPECT_EQ(GetRetryDelay(result.status()), absl::Seconds(2));
  }
  EXPECT_EQ(fake_.calls(), 2);
  const RateShaperStats stats = shaper_->Stats();
  EXPECT_EQ(stats.pauses, 1);
  EXPECT_EQ(stats.upstream_rate_limited, 1);
}

// The late-arrival compensation measures a combined call against list
// calls, not against the faster single GETs: a list answer that is merely
// bigger is not taken for a late arrival every time.
TEST_F(RateShaperBatchingTest, CombinedCallLatencyIsComparedWithListCalls) {
  // 500 ms apart, so the two reads of a round are both queued by the time
  // the token comes even on a loaded machine.
  RateShaperOptions options = Options(2);
  options.jitter_compensation = 0.1;  // Up to 50 ms.
  Make(options);
  const FakeUpstreamCaller::Responder answer = Upstream();
  fake_.SetResponder([answer](const UpstreamRequest& request, int index) {
    FakeUpstreamCaller::Reply reply = answer(request, index);
    reply.delay = request.endpoint == Endpoint::kListTrackings
                      ? absl::Milliseconds(60)
                      : absl::Milliseconds(1);
    return reply;
  });
  // Single GETs set the default class's latency floor (~1 ms).
  for (int i = 0; i < 3; ++i) {
    SendRead(i);
    ASSERT_THAT(slots_[i].Wait().status(), IsOk());
  }
  const absl::Duration singles = shaper_->Stats().classes[0].total_compensation;
  // Four combined calls of ~60 ms: only the first, with no list latency
  // known yet, is compensated in full.
  for (int round = 0; round < 4; ++round) {
    const int a = 10 + 2 * round;
    SendRead(a);
    SendRead(a + 1);
    ASSERT_THAT(slots_[a].Wait().status(), IsOk());
    ASSERT_THAT(slots_[a + 1].Wait().status(), IsOk());
  }
  const RateShaperStats stats = shaper_->Stats();
  EXPECT_EQ(stats.batching.batches, 4);
  EXPECT_LT(stats.classes[0].total_compensation - singles,
            absl::Milliseconds(50) + absl::Milliseconds(40));
}

// As in the server: the circuit breaker above the shaper. One failed
// combined call is one upstream failure, however many reads it carried.
TEST_F(RateShaperBatchingTest, FailedCombinedCallIsOneFailureForTheBreaker) {
  Make(Options(10));
  CircuitBreakerOptions breaker_options;
  breaker_options.failure_threshold = 3;
  CircuitBreaker breaker(shaper_.get(), &scheduler_, breaker_options);
  const auto send = [&](int i) {
    breaker.Send(Read(i), absl::Now() + absl::Seconds(10),
                 slots_[i].Callback());
  };
  send(0);
  ASSERT_TRUE(fake_.WaitForCalls(1));
  ASSERT_THAT(slots_[0].Wait().status(), IsOk());
  fake_.SetResponder([](const UpstreamRequest&, int) {
    return FakeUpstreamCaller::Reply{testing::HttpError(503)};
  });
  for (int i = 1; i <= 6; ++i) send(i);
  for (int i = 1; i <= 6; ++i) {
    const absl::StatusOr<Envelope> result = slots_[i].Wait();
    EXPECT_EQ(ReasonOf(result.status()), "UPSTREAM_UNAVAILABLE") << i;
    // The shaper's mark stops at the breaker.
    EXPECT_FALSE(result.status().GetPayload(kSharedOutcomeUrl).has_value());
  }
  EXPECT_EQ(fake_.calls(), 2);
  EXPECT_EQ(breaker.state(), CircuitState::kClosed);
  EXPECT_EQ(breaker.times_opened(), 0);
}

// Without batching, 30 reads queued at 1 token/s behind a 3 s deadline
// would mostly be refused at once (each waits its own token); combined,
// they all fit in one call.
TEST_F(RateShaperBatchingTest, QueueCountsCombinedCallsWhenEstimatingStarts) {
  Make(Options(1));
  SendRead(0);
  ASSERT_TRUE(fake_.WaitForCalls(1));
  for (int i = 1; i <= 30; ++i) SendRead(i, absl::Seconds(3));
  for (int i = 0; i <= 30; ++i) {
    EXPECT_EQ(NumberIn(slots_[i].Wait()), Number(i)) << i;
  }
  EXPECT_EQ(fake_.calls(), 2);
  EXPECT_EQ(shaper_->Stats().classes[0].rejected, 0);
  // A 41st read in the same spot would need a second combined call.
  std::vector<std::string> numbers;
  for (int i = 1; i <= 30; ++i) numbers.push_back(Number(i));
  EXPECT_THAT(ListedNumbers(1), ElementsAreArray(numbers));
}

TEST_F(RateShaperBatchingTest, ReadsBeyondOneCallStillGetTheQueueEstimate) {
  Make(Options(1, /*max_members=*/3));
  SendRead(0);
  ASSERT_TRUE(fake_.WaitForCalls(1));
  // 1 token/s, 3 per call, 1.5 s to live: the first 3 fit in the next call
  // (~1 s), the next ones would need the one after (~2 s) and fail at once.
  for (int i = 1; i <= 5; ++i) SendRead(i, absl::Milliseconds(1500));
  for (int i = 4; i <= 5; ++i) {
    const absl::StatusOr<Envelope> result = slots_[i].Wait(absl::Seconds(1));
    EXPECT_THAT(result.status(),
                StatusIs(absl::StatusCode::kResourceExhausted));
    EXPECT_EQ(ReasonOf(result.status()), "RATE_LIMIT_QUEUE");
  }
  for (int i = 1; i <= 3; ++i) {
    EXPECT_EQ(NumberIn(slots_[i].Wait()), Number(i)) << i;
  }
  EXPECT_EQ(fake_.calls(), 2);
}

}  // namespace
}  // namespace tracktry
