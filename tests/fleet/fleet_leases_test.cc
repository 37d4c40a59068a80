// Copyright 2026 The tracktry-grpc Authors.
//
// FleetLeases against a real redis-server, with Fleet instances standing
// for replicas.
#include "service/fleet/fleet_leases.h"

#include <mutex>
#include <string>
#include <vector>

#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "tests/testing/fleet_test_prelude.h"

namespace tracktry::fleet {
namespace {

constexpr char kKey[] = "dhl\nRN1\n";

class RecordingListener : public WatchFleetLink::Listener {
 public:
  void OnRemotePoll(const std::string& key,
                    const v1::Tracking& tracking) override {
    std::lock_guard<std::mutex> lock(mu_);
    polls_.emplace_back(key, tracking);
  }
  std::vector<std::pair<std::string, v1::Tracking>> polls() {
    std::lock_guard<std::mutex> lock(mu_);
    return polls_;
  }

 private:
  std::mutex mu_;
  std::vector<std::pair<std::string, v1::Tracking>> polls_;
};

class FleetLeasesTest : public ::testing::Test {
 protected:
  FleetLeases& leases(int i) { return *harness_.replica(i).leases(); }
  bool Acquire(int i, absl::Duration ttl = absl::Seconds(10)) {
    Delivered<bool> poll;
    leases(i).AcquirePoll(kKey, ttl, absl::Now() + absl::Seconds(5),
                          poll.Callback());
    EXPECT_TRUE(poll.Arrived());
    return poll.Get();
  }

  FleetHarness harness_;
};

TEST_F(FleetLeasesTest, OneReplicaPollsUntilItGivesUp) {
  ASSERT_THAT(harness_.Start(3), IsOk());
  EXPECT_TRUE(Acquire(0));
  EXPECT_FALSE(Acquire(1));
  EXPECT_FALSE(Acquire(2));
  EXPECT_TRUE(Acquire(0));  // Renewed by its holder.
  leases(0).ReleasePoll(kKey);
  EXPECT_TRUE(WaitUntil([&] { return Acquire(2); }));
  EXPECT_FALSE(Acquire(0));
  EXPECT_EQ(leases(0).stats().polls, 2);
  EXPECT_EQ(leases(0).stats().skipped, 1);
}

TEST_F(FleetLeasesTest, LeaseOfAReplicaThatStoppedRunsOut) {
  ASSERT_THAT(harness_.Start(2), IsOk());
  EXPECT_TRUE(Acquire(0, absl::Milliseconds(300)));
  EXPECT_FALSE(Acquire(1));
  EXPECT_TRUE(WaitUntil([&] { return Acquire(1); }, absl::Seconds(5)));
}

TEST_F(FleetLeasesTest, PollsReachTheOtherReplicasOnly) {
  ASSERT_THAT(harness_.Start(3), IsOk());
  RecordingListener listeners[3];
  for (int i = 0; i < 3; ++i) leases(i).SetListener(&listeners[i]);
  v1::Tracking tracking;
  tracking.set_carrier_code("dhl");
  tracking.set_tracking_number("RN1");
  tracking.set_status(v1::TRACKING_STATUS_TRANSIT);
  leases(0).PublishPoll(kKey, tracking);
  for (int i = 1; i < 3; ++i) {
    ASSERT_TRUE(WaitUntil([&] { return listeners[i].polls().size() == 1; }));
    EXPECT_EQ(listeners[i].polls()[0].first, kKey);
    EXPECT_EQ(listeners[i].polls()[0].second.status(),
              v1::TRACKING_STATUS_TRANSIT);
  }
  absl::SleepFor(absl::Milliseconds(100));
  EXPECT_TRUE(listeners[0].polls().empty());
  for (int i = 0; i < 3; ++i) leases(i).SetListener(nullptr);
}

TEST_F(FleetLeasesTest, WithoutRedisEveryReplicaPolls) {
  ASSERT_THAT(harness_.Start(2), IsOk());
  EXPECT_TRUE(Acquire(0));
  harness_.redis().Stop();
  ASSERT_TRUE(WaitUntil([&] { return !harness_.replica(1).healthy(); }));
  EXPECT_TRUE(Acquire(1));
  EXPECT_TRUE(Acquire(0));
  EXPECT_GE(leases(1).stats().errors, 1);
}

}  // namespace
}  // namespace tracktry::fleet
