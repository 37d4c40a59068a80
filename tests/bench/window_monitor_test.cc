// Copyright 2026 The tracktry-grpc Authors.
//
// The loadgen's view of a watched process: CPU time from /proc/<pid>/stat
// (bench/run's server CPU per call).
#include "bench/window_monitor.h"

#include <sys/prctl.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <ctime>

#include "gtest/gtest.h"

namespace tracktry {
namespace {

// Spins for `cpu` of this thread's CPU time.
void BurnCpu(std::chrono::milliseconds cpu) {
  const std::clock_t end =
      std::clock() +
      static_cast<std::clock_t>(cpu.count()) * CLOCKS_PER_SEC / 1000;
  volatile uint64_t sink = 0;
  while (std::clock() < end) sink = sink + 1;
}

TEST(ReadProcessCpuMicrosTest, GrowsWithTheCpuTheProcessUses) {
  const absl::StatusOr<int64_t> before = bench::ReadProcessCpuMicros(getpid());
  ASSERT_TRUE(before.ok()) << before.status();
  BurnCpu(std::chrono::milliseconds(300));
  const absl::StatusOr<int64_t> after = bench::ReadProcessCpuMicros(getpid());
  ASSERT_TRUE(after.ok()) << after.status();
  // Clock ticks are 10 ms: 300 ms of CPU reads as 280-400 ms.
  EXPECT_GE(*after - *before, 280000);
  EXPECT_LE(*after - *before, 400000);
}

// The command name may hold spaces and parentheses; fields are counted
// after the last ')'.
TEST(ReadProcessCpuMicrosTest, OddCommandNamesDoNotShiftTheFields) {
  char name[16] = {};
  prctl(PR_GET_NAME, name);
  prctl(PR_SET_NAME, "a) b (c) d");
  BurnCpu(std::chrono::milliseconds(50));
  const absl::StatusOr<int64_t> cpu = bench::ReadProcessCpuMicros(getpid());
  prctl(PR_SET_NAME, name);
  ASSERT_TRUE(cpu.ok()) << cpu.status();
  EXPECT_GT(*cpu, 0);
}

TEST(ReadProcessCpuMicrosTest, AMissingProcessIsNotFound) {
  EXPECT_EQ(bench::ReadProcessCpuMicros(-1).status().code(),
            absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace tracktry
