// Copyright 2026 The tracktry-grpc Authors.
#include "service/fleet/event_loop.h"

#include <atomic>
#include <future>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace tracktry::fleet {
namespace {

using ::testing::ElementsAre;

TEST(EventLoopTest, RunsPostedTasksInOrderOnItsThread) {
  EventLoop loop;
  std::mutex mu;
  std::vector<int> order;
  std::thread::id loop_thread;
  for (int i = 0; i < 100; ++i) {
    loop.Post([&, i] {
      std::lock_guard<std::mutex> lock(mu);
      order.push_back(i);
      loop_thread = std::this_thread::get_id();
    });
  }
  bool in_loop = false;
  loop.Run([&] { in_loop = loop.InLoopThread(); });
  EXPECT_TRUE(in_loop);
  EXPECT_FALSE(loop.InLoopThread());
  std::lock_guard<std::mutex> lock(mu);
  ASSERT_EQ(order.size(), 100u);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(order[i], i);
  EXPECT_NE(loop_thread, std::this_thread::get_id());
}

TEST(EventLoopTest, TaskPostedFromTheLoopRunsAfterTheCurrentOne) {
  EventLoop loop;
  std::vector<std::string> order;
  loop.Run([&] {
    loop.Post([&] { order.push_back("posted"); });
    order.push_back("current");
  });
  loop.Run([] {});
  EXPECT_THAT(order, ElementsAre("current", "posted"));
}

TEST(EventLoopTest, TimersRunInTimeOrderAndCanBeCancelled) {
  EventLoop loop;
  std::mutex mu;
  std::vector<int> fired;
  auto last = std::make_shared<std::promise<void>>();
  const absl::Time now = absl::Now();
  loop.Run([&] {
    auto record = [&](int n) {
      return [&, n] {
        std::lock_guard<std::mutex> lock(mu);
        fired.push_back(n);
      };
    };
    loop.RunAt(now + absl::Milliseconds(60), record(3));
    loop.RunAt(now + absl::Milliseconds(20), record(1));
    const EventLoop::TimerId cancelled =
        loop.RunAt(now + absl::Milliseconds(40), record(2));
    EXPECT_TRUE(loop.Cancel(cancelled));
    EXPECT_FALSE(loop.Cancel(cancelled));
    loop.RunAt(now - absl::Seconds(1), record(0));  // Already due.
    loop.RunAt(now + absl::Milliseconds(80), [last] { last->set_value(); });
  });
  last->get_future().wait();
  EXPECT_GE(absl::Now() - now, absl::Milliseconds(80));
  std::lock_guard<std::mutex> lock(mu);
  EXPECT_THAT(fired, ElementsAre(0, 1, 3));
}

TEST(EventLoopTest, DestructionRunsWhatWasPostedAndDropsTimers) {
  std::atomic<int> ran{0};
  std::atomic<bool> timer_ran{false};
  {
    EventLoop loop;
    loop.Run([&] {
      loop.RunAt(absl::Now() + absl::Hours(1), [&] { timer_ran = true; });
    });
    for (int i = 0; i < 10; ++i) {
      loop.Post([&] {
        ran.fetch_add(1);
        // Posted while stopping: still runs.
        loop.Post([&] { ran.fetch_add(1); });
      });
    }
  }
  EXPECT_EQ(ran.load(), 20);
  EXPECT_FALSE(timer_ran.load());
}

}  // namespace
}  // namespace tracktry::fleet
