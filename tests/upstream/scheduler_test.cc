// Copyright 2026 The tracktry-grpc Authors.
//
// Scheduler: time order, ties in submission order, RunAfter timing, Cancel,
// tasks scheduled from tasks, and destruction with pending tasks.
#include "service/upstream/scheduler.h"

#include <time.h>

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace tracktry {
namespace {

using ::testing::ElementsAre;

// Collects ints from the scheduler thread and lets the test wait for them.
class Recorder {
 public:
  void Add(int value) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      values_.push_back(value);
    }
    cv_.notify_all();
  }
  bool WaitForCount(size_t n, absl::Duration timeout = absl::Seconds(5)) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, absl::ToChronoNanoseconds(timeout),
                        [&] { return values_.size() >= n; });
  }
  std::vector<int> values() {
    std::lock_guard<std::mutex> lock(mu_);
    return values_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<int> values_;
};

// CPU time used by the whole process so far.
absl::Duration ProcessCpuTime() {
  timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return absl::DurationFromTimespec(ts);
}

TEST(SchedulerTest, TasksRunInTimeOrderNotSubmissionOrder) {
  Recorder recorder;  // outlives the scheduler's tasks
  Scheduler scheduler;
  const absl::Time base = absl::Now() + absl::Milliseconds(50);
  scheduler.RunAt(base + absl::Milliseconds(30), [&] { recorder.Add(3); });
  scheduler.RunAt(base + absl::Milliseconds(10), [&] { recorder.Add(1); });
  scheduler.RunAt(base + absl::Milliseconds(20), [&] { recorder.Add(2); });
  ASSERT_TRUE(recorder.WaitForCount(3));
  EXPECT_THAT(recorder.values(), ElementsAre(1, 2, 3));
}

TEST(SchedulerTest, EqualTimesRunInSubmissionOrder) {
  Recorder recorder;  // outlives the scheduler's tasks
  Scheduler scheduler;
  // Hold the scheduler thread so every task is queued before any runs.
  absl::Notification release;
  scheduler.RunAfter(absl::ZeroDuration(),
                     [&] { release.WaitForNotification(); });
  const absl::Time when = absl::Now();
  for (int i = 0; i < 20; ++i) {
    scheduler.RunAt(when, [&recorder, i] { recorder.Add(i); });
  }
  release.Notify();
  ASSERT_TRUE(recorder.WaitForCount(20));
  std::vector<int> expected;
  for (int i = 0; i < 20; ++i) expected.push_back(i);
  EXPECT_EQ(recorder.values(), expected);
}

TEST(SchedulerTest, RunAfterWaitsAtLeastTheDelay) {
  Scheduler scheduler;
  absl::Notification ran;
  std::atomic<int64_t> ran_at_ns{0};
  const absl::Time start = absl::Now();
  scheduler.RunAfter(absl::Milliseconds(400), [&] {
    ran_at_ns = absl::ToUnixNanos(absl::Now());
    ran.Notify();
  });
  // Not yet run well before the delay.
  absl::SleepFor(absl::Milliseconds(50));
  EXPECT_FALSE(ran.HasBeenNotified());
  ASSERT_TRUE(ran.WaitForNotificationWithTimeout(absl::Seconds(5)));
  const absl::Duration waited = absl::FromUnixNanos(ran_at_ns) - start;
  EXPECT_GE(waited, absl::Milliseconds(400));
  EXPECT_LT(waited, absl::Seconds(2));
}

// "Never inside RunAt()": the task runs on the scheduler's own thread, even
// when its time has already passed.
TEST(SchedulerTest, PastTimeRunsPromptlyOnTheSchedulerThread) {
  Scheduler scheduler;
  absl::Notification ran;
  std::mutex mu;
  std::thread::id task_thread;
  const absl::Time start = absl::Now();
  scheduler.RunAt(start - absl::Seconds(10), [&] {
    {
      std::lock_guard<std::mutex> lock(mu);
      task_thread = std::this_thread::get_id();
    }
    ran.Notify();
  });
  ASSERT_TRUE(ran.WaitForNotificationWithTimeout(absl::Seconds(2)));
  EXPECT_LT(absl::Now() - start, absl::Seconds(1));
  std::lock_guard<std::mutex> lock(mu);
  EXPECT_NE(task_thread, std::this_thread::get_id());
  EXPECT_NE(task_thread, std::thread::id());
}

TEST(SchedulerTest, CancelBeforeRunPreventsTheTask) {
  Scheduler scheduler;
  std::atomic<bool> cancelled_ran{false};
  absl::Notification later_ran;
  const Scheduler::TaskId id =
      scheduler.RunAfter(absl::Milliseconds(50), [&] { cancelled_ran = true; });
  EXPECT_EQ(scheduler.pending(), 1u);
  EXPECT_TRUE(scheduler.Cancel(id));
  EXPECT_EQ(scheduler.pending(), 0u);
  // A later task proves the scheduler went past the cancelled time.
  scheduler.RunAfter(absl::Milliseconds(120), [&] { later_ran.Notify(); });
  ASSERT_TRUE(later_ran.WaitForNotificationWithTimeout(absl::Seconds(5)));
  EXPECT_FALSE(cancelled_ran);
}

TEST(SchedulerTest, CancelAfterRunOrUnknownIdReturnsFalse) {
  Scheduler scheduler;
  absl::Notification ran;
  const Scheduler::TaskId id =
      scheduler.RunAfter(absl::ZeroDuration(), [&] { ran.Notify(); });
  ASSERT_TRUE(ran.WaitForNotificationWithTimeout(absl::Seconds(2)));
  EXPECT_FALSE(scheduler.Cancel(id));
  EXPECT_FALSE(scheduler.Cancel(id + 1000));
  // Cancelling twice: only the first removes it.
  const Scheduler::TaskId pending_id =
      scheduler.RunAfter(absl::Hours(1), [] {});
  EXPECT_TRUE(scheduler.Cancel(pending_id));
  EXPECT_FALSE(scheduler.Cancel(pending_id));
}

TEST(SchedulerTest, CancelledEarlierTaskDoesNotDelayLaterOnes) {
  Recorder recorder;  // outlives the scheduler's tasks
  Scheduler scheduler;
  const Scheduler::TaskId first =
      scheduler.RunAfter(absl::Milliseconds(30), [&] { recorder.Add(1); });
  scheduler.RunAfter(absl::Milliseconds(60), [&] { recorder.Add(2); });
  ASSERT_TRUE(scheduler.Cancel(first));
  ASSERT_TRUE(recorder.WaitForCount(1));
  EXPECT_THAT(recorder.values(), ElementsAre(2));
}

TEST(SchedulerTest, EarlierTaskAddedWhileWaitingRunsFirst) {
  Recorder recorder;  // outlives the scheduler's tasks
  Scheduler scheduler;
  scheduler.RunAfter(absl::Milliseconds(400), [&] { recorder.Add(2); });
  // Let the thread start waiting for the 400 ms task.
  absl::SleepFor(absl::Milliseconds(30));
  const absl::Time start = absl::Now();
  absl::Notification early_ran;
  scheduler.RunAfter(absl::Milliseconds(20), [&] {
    recorder.Add(1);
    early_ran.Notify();
  });
  ASSERT_TRUE(early_ran.WaitForNotificationWithTimeout(absl::Seconds(5)));
  EXPECT_LT(absl::Now() - start, absl::Milliseconds(300));
  ASSERT_TRUE(recorder.WaitForCount(2));
  EXPECT_THAT(recorder.values(), ElementsAre(1, 2));
}

TEST(SchedulerTest, TaskMayScheduleAndCancelOtherTasks) {
  Recorder recorder;  // outlives the scheduler's tasks
  Scheduler scheduler;
  std::atomic<Scheduler::TaskId> victim{0};
  victim =
      scheduler.RunAfter(absl::Milliseconds(100), [&] { recorder.Add(99); });
  scheduler.RunAfter(absl::ZeroDuration(), [&] {
    recorder.Add(1);
    EXPECT_TRUE(scheduler.Cancel(victim));
    scheduler.RunAfter(absl::Milliseconds(10), [&] {
      recorder.Add(2);
      scheduler.RunAfter(absl::ZeroDuration(), [&] { recorder.Add(3); });
    });
  });
  ASSERT_TRUE(recorder.WaitForCount(3));
  // Give the cancelled task's time a chance to pass.
  absl::SleepFor(absl::Milliseconds(150));
  EXPECT_THAT(recorder.values(), ElementsAre(1, 2, 3));
}

TEST(SchedulerTest, ManyTasksFromManyThreadsAllRunOnce) {
  Scheduler scheduler;
  std::atomic<int> runs{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 250; ++i) {
        scheduler.RunAfter(absl::Microseconds(i % 7 * 100), [&] { ++runs; });
      }
    });
  }
  for (auto& thread : threads) thread.join();
  const absl::Time give_up = absl::Now() + absl::Seconds(5);
  while (runs.load() < 1000 && absl::Now() < give_up) {
    absl::SleepFor(absl::Milliseconds(5));
  }
  EXPECT_EQ(runs.load(), 1000);
  EXPECT_EQ(scheduler.pending(), 0u);
}

TEST(SchedulerTest, DestructionWithPendingTasksDestroysThemWithoutRunning) {
  std::atomic<bool> ran{false};
  auto token = std::make_shared<int>(7);
  std::weak_ptr<int> watch = token;
  const absl::Time start = absl::Now();
  {
    Scheduler scheduler;
    scheduler.RunAfter(absl::Hours(1),
                       [&ran, token = std::move(token)] { ran = true; });
    scheduler.RunAfter(absl::Milliseconds(200), [&ran] { ran = true; });
    EXPECT_EQ(scheduler.pending(), 2u);
  }
  EXPECT_FALSE(ran);
  EXPECT_TRUE(watch.expired()) << "pending task not destroyed";
  EXPECT_LT(absl::Now() - start, absl::Seconds(1));
}

TEST(SchedulerTest, DestructionWaitsForTheRunningTask) {
  std::atomic<bool> finished{false};
  absl::Notification started;
  {
    Scheduler scheduler;
    scheduler.RunAfter(absl::ZeroDuration(), [&] {
      started.Notify();
      absl::SleepFor(absl::Milliseconds(100));
      finished = true;
    });
    ASSERT_TRUE(started.WaitForNotificationWithTimeout(absl::Seconds(2)));
  }
  EXPECT_TRUE(finished);
}

TEST(SchedulerTest, IdleSchedulerWithFarFutureTaskDoesNotSpin) {
  Scheduler scheduler;
  scheduler.RunAt(absl::InfiniteFuture(), [] {});
  scheduler.RunAfter(absl::Hours(24 * 365 * 100), [] {});
  absl::SleepFor(absl::Milliseconds(20));  // let the thread settle
  const absl::Duration cpu_before = ProcessCpuTime();
  absl::SleepFor(absl::Milliseconds(300));
  const absl::Duration cpu_used = ProcessCpuTime() - cpu_before;
  EXPECT_LT(cpu_used, absl::Milliseconds(100))
      << "the scheduler thread busy-waits on a far-future task";
  EXPECT_EQ(scheduler.pending(), 2u);
}

}  // namespace
}  // namespace tracktry
