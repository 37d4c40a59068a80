// Copyright 2026 The tracktry-grpc Authors.
//
// WindowMonitor: observes the world around the measured window: the
// emulator's /_emulator/stats at the window's start and end (their
// difference is what the upstream saw; read synchronously by the window
// hooks), and VmRSS / Threads of a watched process sampled during the
// window by its own thread.
#ifndef TRACKTRY_BENCH_WINDOW_MONITOR_H_
#define TRACKTRY_BENCH_WINDOW_MONITOR_H_

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "nlohmann/json.hpp"

namespace tracktry::bench {

struct ProcessSample {
  int64_t rss_kb = 0;
  int64_t threads = 0;
};

// Reads VmRSS and Threads from /proc/<pid>/status. NOT_FOUND if the process
// is gone.
absl::StatusOr<ProcessSample> ReadProcessStatus(int pid);

// CPU time the process has used so far (utime + stime of /proc/<pid>/stat,
// every thread), in microseconds (clock-tick resolution, usually 10 ms).
// NOT_FOUND if the process is gone.
absl::StatusOr<int64_t> ReadProcessCpuMicros(int pid);

// GET <admin_base>/_emulator/stats, parsed. UNAVAILABLE on failure.
absl::StatusOr<nlohmann::json> FetchEmulatorStats(
    const std::string& admin_base);

// OnWindowStart()/OnWindowEnd() come from the load loop (each blocks for one
// stats request), the rest from the owner; Report() after Stop(). The
// watched process's CPU time is read at both hooks, so process.cpu_us is
// what it used during the window.
class WindowMonitor {
 public:
  // Empty `emulator_admin` / `pid` 0 disable that part.
  WindowMonitor(std::string emulator_admin, int pid, absl::Duration interval);
  ~WindowMonitor();

  void Start();
  void OnWindowStart();
  void OnWindowEnd();
  // Takes the final snapshot (if the window ended) and joins the thread.
  void Stop();

  // {"upstream": {...deltas...}, "process": {...}}; only the parts enabled.
  nlohmann::json Report() const;

 private:
  void Run();
  void Sample();
  void TakeSnapshot(std::optional<nlohmann::json>* slot);

  const std::string emulator_admin_;
  const int pid_;
  const absl::Duration interval_;
  std::thread thread_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool started_ = false;  // guarded by mu_
  bool ended_ = false;    // guarded by mu_
  bool stop_ = false;     // guarded by mu_
  // Written by the window hooks, read after Stop().
  std::optional<nlohmann::json> stats_before_;
  std::optional<nlohmann::json> stats_after_;
  std::string stats_error_;
  // Written by the monitor thread, read after Stop().
  int64_t samples_ = 0;
  int64_t rss_kb_max_ = 0;
  int64_t rss_kb_last_ = 0;
  int64_t threads_max_ = 0;
  int64_t threads_min_ = 0;
  // Written by the window hooks, read after Stop(); -1 = not read.
  int64_t cpu_us_start_ = -1;
  int64_t cpu_us_end_ = -1;
};

}  // namespace tracktry::bench

#endif  // TRACKTRY_BENCH_WINDOW_MONITOR_H_
