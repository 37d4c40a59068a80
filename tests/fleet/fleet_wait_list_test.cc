// Copyright 2026 The tracktry-grpc Authors.
#include "service/fleet/fleet_wait_list.h"

#include <atomic>
#include <future>
#include <vector>

#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "service/fleet/event_loop.h"

namespace tracktry::fleet {
namespace {

using Wake = FleetWaitList::Wake;
using Reason = FleetWaitList::Reason;

class FleetWaitListTest : public ::testing::Test {
 protected:
  // A wait whose wake lands in the returned future.
  std::future<Wake> Add(const std::string& name, absl::Duration until,
                        FleetWaitList::WaitId* id = nullptr) {
    auto promise = std::make_shared<std::promise<Wake>>();
    const FleetWaitList::WaitId added =
        waits_.Add(name, absl::Now() + until,
                   [promise](Wake wake) { promise->set_value(wake); });
    if (id != nullptr) *id = added;
    return promise->get_future();
  }

  EventLoop loop_;
  FleetWaitList waits_{&loop_};
};

TEST_F(FleetWaitListTest, SignalWakesEveryWaitOfTheName) {
  auto a = Add("x", absl::Hours(1));
  auto b = Add("x", absl::Hours(1));
  auto other = Add("y", absl::Hours(1));
  EXPECT_EQ(waits_.size(), 3u);
  loop_.Run([&] { waits_.Signal("x", 7); });
  const Wake wa = a.get();
  EXPECT_EQ(wa.reason, Reason::kSignalled);
  EXPECT_EQ(wa.signal, 7);
  EXPECT_EQ(b.get().reason, Reason::kSignalled);
  EXPECT_EQ(other.wait_for(std::chrono::milliseconds(50)),
            std::future_status::timeout);
  EXPECT_EQ(waits_.size(), 1u);
  loop_.Run([&] { waits_.LoseAll(); });
  EXPECT_EQ(other.get().reason, Reason::kLost);
  EXPECT_EQ(waits_.size(), 0u);
}

TEST_F(FleetWaitListTest, ExpiresAtItsTime) {
  const absl::Time start = absl::Now();
  auto wait = Add("x", absl::Milliseconds(80));
  EXPECT_EQ(wait.get().reason, Reason::kExpired);
  EXPECT_GE(absl::Now() - start, absl::Milliseconds(75));
  // A signal after that finds nobody.
  loop_.Run([&] { waits_.Signal("x", 1); });
}

TEST_F(FleetWaitListTest, CancelledWaitIsNeverWoken) {
  std::atomic<bool> woken{false};
  const FleetWaitList::WaitId id = waits_.Add(
      "x", absl::Now() + absl::Milliseconds(30), [&](Wake) { woken = true; });
  EXPECT_TRUE(waits_.Cancel(id));
  EXPECT_FALSE(waits_.Cancel(id));
  loop_.Run([&] { waits_.Signal("x", 1); });
  absl::SleepFor(absl::Milliseconds(60));
  loop_.Run([&] { waits_.LoseAll(); });
  EXPECT_FALSE(woken.load());
  EXPECT_EQ(waits_.size(), 0u);
}

}  // namespace
}  // namespace tracktry::fleet
