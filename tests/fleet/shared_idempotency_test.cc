// Copyright 2026 The tracktry-grpc Authors.
//
// SharedIdempotency against a real redis-server, with Fleet instances
// standing for replicas.
#include "service/fleet/shared_idempotency.h"

#include <string>

#include "absl/time/clock.h"
#include "common/error_details.h"
#include "gtest/gtest.h"
#include "tests/testing/fleet_test_prelude.h"

namespace tracktry::fleet {
namespace {

using Begin = SharedRequestRecords::BeginResult;
using Record = SharedRequestRecords::Record;
using State = SharedRequestRecords::State;
using Wake = SharedRequestRecords::Wake;

constexpr absl::Duration kTtl = absl::Minutes(10);

Envelope Created(const std::string& id) {
  Envelope envelope;
  envelope.meta_code = 200;
  envelope.set_data({{"id", id}, {"tracking_number", "RN1"}});
  return envelope;
}

class SharedIdempotencyTest : public ::testing::Test {
 protected:
  void Start(int replicas,
             FleetOptions options = FleetHarness::DefaultOptions()) {
    ASSERT_THAT(harness_.Start(replicas, std::move(options)), IsOk());
  }
  SharedIdempotency& records(int i) {
    return *harness_.replica(i).idempotency();
  }

  Begin BeginOn(int i, const Record& record) {
    Delivered<Begin> result;
    records(i).Begin(record, kTtl, absl::Now() + absl::Seconds(5),
                     result.Callback());
    EXPECT_TRUE(result.Arrived());
    return result.Get();
  }
  void FinishOn(int i, const Record& record, uint64_t token,
                const absl::StatusOr<Envelope>& result) {
    Delivered<bool> done;
    records(i).Finish(
        record, token, result, kTtl, absl::Now() + absl::Seconds(5),
        [callback = done.Callback()]() mutable { callback(true); });
    ASSERT_TRUE(done.Arrived());
  }

  FleetHarness harness_;
};

TEST_F(SharedIdempotencyTest, FirstRunsRepeatsWaitThenReplay) {
  Start(3);
  const Record record{"CreateTracking/req-1", 42, 0};
  const Begin first = BeginOn(0, record);
  ASSERT_EQ(first.state, State::kFirst);
  const Begin running = BeginOn(1, record);
  ASSERT_EQ(running.state, State::kRunning);
  EXPECT_GT(running.lease_left, absl::ZeroDuration());
  Delivered<Wake> woken;
  records(1).AwaitFinish(record, absl::Now() + absl::Seconds(10),
                         woken.Callback());
  // Stored before `done`: a repeat right after replays it.
  FinishOn(0, record, first.token, Created("abc"));
  ASSERT_TRUE(woken.Arrived());
  EXPECT_EQ(woken.Get(), Wake::kFinished);
  for (int i = 1; i < 3; ++i) {
    const Begin done = BeginOn(i, record);
    ASSERT_EQ(done.state, State::kDone) << i;
    ASSERT_THAT(done.result, IsOk());
    EXPECT_EQ(done.result->data().at("id"), "abc");
  }
}

TEST_F(SharedIdempotencyTest, ReplaysDefiniteErrorsWithTheirDetails) {
  Start(2);
  const Record record{"CreateTracking/req-2", 7, 0};
  const Begin first = BeginOn(0, record);
  ASSERT_EQ(first.state, State::kFirst);
  FinishOn(
      0, record, first.token,
      MakeError(absl::StatusCode::kAlreadyExists, "exists", "TRACKING_EXISTS"));
  const Begin done = BeginOn(1, record);
  ASSERT_EQ(done.state, State::kDone);
  EXPECT_EQ(done.result.status().code(), absl::StatusCode::kAlreadyExists);
  auto info = GetErrorInfo(done.result.status());
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->reason(), "TRACKING_EXISTS");
}

TEST_F(SharedIdempotencyTest, AnotherFingerprintIsReused) {
  Start(2);
  const Begin first = BeginOn(0, {"CreateTracking/req-3", 1, 0});
  ASSERT_EQ(first.state, State::kFirst);
  EXPECT_EQ(BeginOn(1, {"CreateTracking/req-3", 2, 0}).state, State::kReused);
  FinishOn(0, {"CreateTracking/req-3", 1, 0}, first.token, Created("x"));
  EXPECT_EQ(BeginOn(1, {"CreateTracking/req-3", 2, 0}).state, State::kReused);
}

TEST_F(SharedIdempotencyTest, PartsOfABatchAreSeparate) {
  Start(2);
  const Begin part0 = BeginOn(0, {"Batch/req-4", 9, 0});
  ASSERT_EQ(part0.state, State::kFirst);
  const Begin part1 = BeginOn(1, {"Batch/req-4", 9, 1});
  ASSERT_EQ(part1.state, State::kFirst);
  FinishOn(1, {"Batch/req-4", 9, 1}, part1.token, Created("p1"));
  EXPECT_EQ(BeginOn(0, {"Batch/req-4", 9, 1}).state, State::kDone);
  EXPECT_EQ(BeginOn(1, {"Batch/req-4", 9, 0}).state, State::kRunning);
}

TEST_F(SharedIdempotencyTest, AbandonedRunIsForgottenAndRunsAgain) {
  Start(2);
  const Record record{"CreateTracking/req-5", 5, 0};
  const Begin first = BeginOn(0, record);
  ASSERT_EQ(first.state, State::kFirst);
  Delivered<Wake> woken;
  records(1).AwaitFinish(record, absl::Now() + absl::Seconds(10),
                         woken.Callback());
  records(0).Abandon(record, first.token);
  ASSERT_TRUE(woken.Arrived());
  EXPECT_EQ(woken.Get(), Wake::kFinished);
  // Outcome unknown: the repeat runs it; the fingerprint was forgotten too.
  EXPECT_TRUE(WaitUntil([&] {
    return BeginOn(1, {"CreateTracking/req-5", 6, 0}).state == State::kFirst;
  }));
}

TEST_F(SharedIdempotencyTest, RunnerThatDiesFreesThePartWithinTheLeaseTime) {
  FleetOptions options = FleetHarness::DefaultOptions();
  options.lease_time = absl::Milliseconds(500);
  Start(2, options);
  const Record record{"CreateTracking/req-6", 6, 0};
  ASSERT_EQ(BeginOn(0, record).state, State::kFirst);
  // Renewed while its runner lives.
  absl::SleepFor(absl::Milliseconds(900));
  const Begin running = BeginOn(1, record);
  ASSERT_EQ(running.state, State::kRunning);
  harness_.replica(0).Stop();
  const absl::Time start = absl::Now();
  Delivered<Wake> woken;
  records(1).AwaitFinish(record, absl::Now() + running.lease_left,
                         woken.Callback());
  ASSERT_TRUE(woken.Arrived());
  EXPECT_EQ(woken.Get(), Wake::kExpired);
  EXPECT_TRUE(
      WaitUntil([&] { return BeginOn(1, record).state == State::kFirst; }));
  EXPECT_LT(absl::Now() - start, absl::Milliseconds(500) + absl::Seconds(2));
}

TEST_F(SharedIdempotencyTest, UnreachableRedisIsUnavailableAtOnce) {
  Start(1);
  harness_.redis().Stop();
  ASSERT_TRUE(WaitUntil([&] { return !harness_.replica(0).healthy(); }));
  const absl::Time start = absl::Now();
  EXPECT_EQ(BeginOn(0, {"CreateTracking/req-7", 1, 0}).state,
            State::kUnavailable);
  Delivered<Wake> woken;
  records(0).AwaitFinish({"CreateTracking/req-7", 1, 0},
                         absl::Now() + absl::Seconds(30), woken.Callback());
  ASSERT_TRUE(woken.Arrived());
  EXPECT_EQ(woken.Get(), Wake::kLost);
  EXPECT_LT(absl::Now() - start, absl::Seconds(1));
}

}  // namespace
}  // namespace tracktry::fleet
