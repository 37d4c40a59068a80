// Copyright 2026 The tracktry-grpc Authors.
//
// Start-up timing: spawns a server command and measures the time from the
// spawn to the first grpc.health.v1 SERVING answer for
// tracktry.v1.TrackingService.
#ifndef TRACKTRY_BENCH_STARTUP_PROBE_H_
#define TRACKTRY_BENCH_STARTUP_PROBE_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace tracktry::bench {

struct StartupReport {
  // Milliseconds per successful run, in run order.
  std::vector<double> runs_ms;
  double median_ms = 0;
  double min_ms = 0;
  double max_ms = 0;
  int failures = 0;
  std::string last_error;
};

// Runs `command` `runs` times, one after the other. Every "{port}" in the
// arguments becomes a free 127.0.0.1 port chosen per run. The child's
// stdout and stderr are appended to `log_path` ("" = /dev/null); it is
// stopped with SIGTERM (SIGKILL
// after 5 s) once SERVING or after `timeout`. INVALID_ARGUMENT for an empty
// command; a run that fails counts in `failures`.
absl::StatusOr<StartupReport> MeasureStartup(
    const std::vector<std::string>& command, int runs, absl::Duration timeout,
    const std::string& log_path = "");

}  // namespace tracktry::bench

#endif  // TRACKTRY_BENCH_STARTUP_PROBE_H_
