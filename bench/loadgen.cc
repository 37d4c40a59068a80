// Copyright 2026 The tracktry-grpc Authors.
//
// tracktry-loadgen: load generator for tracktry-server and its REST
// baseline. See LoadgenUsage() (bench/loadgen_options.cc) and bench/run.
// Exit codes: 0 done (failed calls are data, see "codes"), 1 could not run
// (e.g. the target never connected), 2 bad flags.
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <time.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "bench/direct_engine.h"
#include "bench/grpc_engine.h"
#include "bench/key_space.h"
#include "bench/latency_recorder.h"
#include "bench/load_loop.h"
#include "bench/loadgen_options.h"
#include "bench/loadgen_outcomes.h"
#include "bench/loadgen_timeline.h"
#include "bench/rpc_mix.h"
#include "bench/startup_probe.h"
#include "bench/window_monitor.h"
#include "nlohmann/json.hpp"

namespace tracktry::bench {
namespace {

void RaiseFileLimit() {
  struct rlimit limit;
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0 &&
      limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
  }
}

double Round(double value, double unit) {
  return static_cast<double>(static_cast<int64_t>(value / unit + 0.5)) * unit;
}

int RunStartup(const LoadgenOptions& options) {
  absl::StatusOr<StartupReport> report =
      MeasureStartup(options.startup_command, options.startup_runs,
                     options.startup_timeout, options.startup_log);
  if (!report.ok()) {
    std::cerr << "tracktry-loadgen: " << report.status().message() << "\n";
    return 1;
  }
  nlohmann::json out = {{"mode", "startup"},
                        {"runs", options.startup_runs},
                        {"ok_runs", report->runs_ms.size()},
                        {"failures", report->failures},
                        {"median_ms", Round(report->median_ms, 0.01)},
                        {"min_ms", Round(report->min_ms, 0.01)},
                        {"max_ms", Round(report->max_ms, 0.01)},
                        {"runs_ms", nlohmann::json::array()}};
  for (double ms : report->runs_ms) out["runs_ms"].push_back(Round(ms, 0.01));
  if (report->failures > 0) out["last_error"] = report->last_error;
  if (options.json) {
    std::cout << out.dump() << "\n";
  } else {
    std::printf(
        "start-up to SERVING: median %.2f ms (min %.2f, max %.2f) over "
        "%zu runs, %d failed\n",
        report->median_ms, report->min_ms, report->max_ms,
        report->runs_ms.size(), report->failures);
  }
  return report->runs_ms.empty() ? 1 : 0;
}

void PrintText(const nlohmann::json& out) {
  std::printf("%s %s mix=%s concurrency=%d rate=%g window=%.2fs\n",
              out["mode"].get<std::string>().c_str(),
              out["endpoint"].get<std::string>().c_str(),
              out["rpc_mix"].get<std::string>().c_str(),
              out["concurrency"].get<int>(), out["rate"].get<double>(),
              out["window_s"].get<double>());
  std::printf("calls %lld (ok %lld)  throughput %.1f/s (ok %.1f/s)\n",
              static_cast<long long>(out["calls"].get<int64_t>()),  // NOLINT
              static_cast<long long>(out["ok"].get<int64_t>()),     // NOLINT
              out["throughput"].get<double>(),
              out["ok_throughput"].get<double>());
  const nlohmann::json& l = out["latency_us"];
  std::printf(
      "latency us: p50 %.1f  p90 %.1f  p99 %.1f  p99.9 %.1f  max %.1f"
      "  mean %.1f\n",
      l["p50"].get<double>(), l["p90"].get<double>(), l["p99"].get<double>(),
      l["p999"].get<double>(), l["max"].get<double>(), l["mean"].get<double>());
  std::printf("codes: %s\n", out["codes"].dump().c_str());
  std::printf("outcomes: %s\n", out["outcomes"].dump().c_str());
  if (out.contains("upstream")) {
    std::printf("upstream: %s\n", out["upstream"].dump().c_str());
  }
  if (out.contains("process")) {
    std::printf("process: %s\n", out["process"].dump().c_str());
  }
}

int Run(const LoadgenOptions& options) {
  absl::StatusOr<RpcMix> mix = RpcMix::Parse(options.rpc_mix);
  if (!mix.ok()) {
    std::cerr << "tracktry-loadgen: " << mix.status().message() << "\n";
    return 2;
  }
  const KeySpace keys(options.numbers, options.zipf_s);
  std::unique_ptr<CallEngine> engine;
  if (options.direct) {
    engine = std::make_unique<DirectEngine>(options);
  } else {
    auto grpc_engine = std::make_unique<GrpcEngine>(options);
    if (!grpc_engine->WaitForConnected(absl::Seconds(10))) {
      std::cerr << "tracktry-loadgen: cannot connect to " << options.target
                << "\n";
      return 1;
    }
    engine = std::move(grpc_engine);
  }
  LatencyRecorder recorder;
  LoadPlan plan;
  plan.concurrency = options.concurrency;
  plan.rate = options.rate;
  plan.warmup_ns = absl::ToInt64Nanoseconds(options.warmup);
  plan.duration_ns = absl::ToInt64Nanoseconds(options.duration);
  plan.requests = options.requests;
  // Calls started at the end of the window may finish: the unary ones
  // within their deadline (at most 10 s waited for), watches when held.
  absl::Duration drain = std::min(options.timeout, absl::Seconds(10));
  if (mix->Contains(Op::kWatch)) drain = std::max(drain, options.watch_hold);
  plan.drain_ns = absl::ToInt64Nanoseconds(drain + absl::Seconds(1));
  plan.seed = options.seed;
  WindowMonitor monitor(options.emulator_admin, options.watch_pid,
                        options.sample_interval);
  monitor.Start();
  LoadLoop loop(plan, &*mix, &keys, engine.get(), &recorder);
  loop.SetWindowHooks([&monitor] { monitor.OnWindowStart(); },
                      [&monitor] { monitor.OnWindowEnd(); });
  OutcomeTable outcomes;
  std::ofstream timeline_file;
  std::unique_ptr<OutcomeTimeline> timeline;
  if (!options.timeline.empty()) {
    timeline_file.open(options.timeline, std::ios::out | std::ios::trunc);
    if (!timeline_file) {
      std::cerr << "tracktry-loadgen: cannot write " << options.timeline
                << "\n";
      return 1;
    }
    struct timespec wall;
    clock_gettime(CLOCK_REALTIME, &wall);
    timeline = std::make_unique<OutcomeTimeline>(
        &timeline_file, MonotonicNanos(),
        absl::ToInt64Nanoseconds(options.timeline_interval),
        static_cast<int64_t>(wall.tv_sec) * 1000 + wall.tv_nsec / 1'000'000);
  }
  loop.SetOutcomeSinks(&outcomes, timeline.get());
  const LoadResult result = loop.Run();
  monitor.Stop();
  engine.reset();

  const LatencySummary latency = recorder.Summarize();
  const double window = result.window_seconds();
  nlohmann::json out;
  out["mode"] = options.direct ? "direct" : "grpc";
  out["endpoint"] = options.direct ? options.upstream : options.target;
  out["rpc_mix"] = options.rpc_mix;
  out["concurrency"] = options.concurrency;
  out["rate"] = options.rate;
  out["zipf_s"] = options.zipf_s;
  out["numbers"] = options.numbers;
  out["window_s"] = Round(window, 0.001);
  out["calls"] = recorder.count();
  out["ok"] = recorder.ok_count();
  out["throughput"] = window > 0 ? Round(recorder.count() / window, 0.1) : 0.0;
  out["ok_throughput"] =
      window > 0 ? Round(recorder.ok_count() / window, 0.1) : 0.0;
  out["started"] = result.started;
  out["overloaded"] = result.overloaded;
  out["abandoned"] = result.abandoned;
  out["late"] = result.late;
  out["distinct_ok_keys"] = result.distinct_ok_keys;
  out["latency_us"] = {{"p50", Round(latency.p50_us, 0.1)},
                       {"p90", Round(latency.p90_us, 0.1)},
                       {"p99", Round(latency.p99_us, 0.1)},
                       {"p999", Round(latency.p999_us, 0.1)},
                       {"max", Round(latency.max_us, 0.1)},
                       {"mean", Round(latency.mean_us, 0.1)}};
  out["codes"] = nlohmann::json::object();
  for (const auto& [code, count] : recorder.codes()) out["codes"][code] = count;
  out["outcomes"] = outcomes.ToJson();
  const nlohmann::json monitored = monitor.Report();
  for (auto it = monitored.begin(); it != monitored.end(); ++it) {
    out[it.key()] = it.value();
  }
  if (options.json) {
    std::cout << out.dump() << "\n";
  } else {
    PrintText(out);
  }
  return 0;
}

}  // namespace
}  // namespace tracktry::bench

int main(int argc, char** argv) {
  signal(SIGPIPE, SIG_IGN);
  tracktry::bench::RaiseFileLimit();
  // Open-loop sends are timed to the microsecond; the default 50 us timer
  // slack would add up to 50 us to every measured latency.
  prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL);
  const std::vector<std::string> args(argv + 1, argv + argc);
  absl::StatusOr<tracktry::bench::LoadgenOptions> options =
      tracktry::bench::ParseLoadgenOptions(args);
  if (!options.ok()) {
    if (absl::IsCancelled(options.status())) {
      std::fputs(tracktry::bench::LoadgenUsage(), stdout);
      return 0;
    }
    std::fprintf(stderr, "tracktry-loadgen: %s\n%s",
                 std::string(options.status().message()).c_str(),
                 tracktry::bench::LoadgenUsage());
    return 2;
  }
  if (options->startup_runs > 0) return tracktry::bench::RunStartup(*options);
  return tracktry::bench::Run(*options);
}
