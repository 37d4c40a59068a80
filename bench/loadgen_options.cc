// Copyright 2026 The tracktry-grpc Authors.
#include "bench/loadgen_options.h"

#include <cstdlib>
#include <optional>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace tracktry::bench {
namespace {

absl::Status BadValue(const std::string& flag) {
  return absl::InvalidArgumentError(absl::StrCat("invalid value for ", flag));
}

template <typename Int>
absl::Status ParseInt(const std::string& flag, const std::string& value,
                      Int min, Int* out) {
  if (!absl::SimpleAtoi(value, out) || *out < min) return BadValue(flag);
  return absl::OkStatus();
}

absl::Status ParseDuration(const std::string& flag, const std::string& value,
                           absl::Duration* out) {
  if (!absl::ParseDuration(value, out) || *out < absl::ZeroDuration()) {
    return BadValue(flag);
  }
  return absl::OkStatus();
}

}  // namespace

const char* LoadgenUsage() {
  return R"(usage: tracktry-loadgen [flags] [-- startup command]

Load: closed loop (--concurrency N calls in flight) or open loop (--rate R
calls/s) against tracktry-server (--target) or, with --direct, against the
Tracktry REST API itself (--upstream) through a libcurl multi loop.
  --target HOST:PORT       gRPC server
  --direct                 call the REST API directly (baseline)
  --upstream URL           REST base URL, e.g. http://127.0.0.1:8080/v1
  --api-key KEY            REST key (default: $TRACKTRY_API_KEY)
  --api-key-header NAME    (Tracktry-Api-Key)
  --rpc-mix SPEC           op:weight,... ops: get list create carriers detect
                           realtime batch health update watch (get:1)
  --concurrency N          in flight (closed loop) or cap (open loop) (64)
  --rate R                 open loop at R calls/s (0 = closed loop)
  --warmup DUR             unmeasured lead-in (2s)
  --duration DUR           measured window (10s)
  --requests N             stop after N calls instead (no warmup)
  --numbers N              key space size (10000)
  --zipf-s S               Zipf exponent over the key space (0 = uniform)
  --number-prefix P        tracking numbers are P + 8 digits (BN)
  --carrier CODE           (dhl)
  --page-size N            list page size (10)
  --batch-items N          trackings per batch call (40)
  --fresh-batches          batch items are new numbers, not the key space's
  --bypass-cache           set bypass_cache on reads
  --request-ids            creates and batches carry a request_id
  --repeat-unknown         repeat a create/batch answered UPSTREAM_OUTCOME_UNKNOWN
                           once with its request_id (op <op>_repeat)
  --watch-hold DUR         how long a watch stream is held (20s)
  --channels N             gRPC channels (1)
  --timeout DUR            per-call deadline (30s)
  --seed N                 (1)
  --emulator-admin URL     read emulator stats around the window
  --watch-pid PID          sample VmRSS/Threads of PID during the window
  --sample-interval DUR    (100ms)
  --json                   print one JSON object
  --timeline PATH          outcomes by operation per interval (JSON lines)
  --timeline-interval DUR  (5s)
Start-up: --startup-runs N [--startup-timeout DUR] [--startup-log PATH]
          -- CMD ARGS...
  runs CMD N times ("{port}" in ARGS becomes a free port) and reports the
  time from fork/exec to grpc.health.v1 SERVING for tracktry.v1.TrackingService.
)";
}

absl::StatusOr<LoadgenOptions> ParseLoadgenOptions(
    const std::vector<std::string>& args) {
  LoadgenOptions options;
  for (size_t i = 0; i < args.size(); ++i) {
    std::string flag = args[i];
    if (flag == "--") {
      options.startup_command.assign(args.begin() + i + 1, args.end());
      break;
    }
    if (flag == "--help" || flag == "-h") {
      return absl::CancelledError("help");
    }
    if (flag == "--direct") {
      options.direct = true;
      continue;
    }
    if (flag == "--bypass-cache") {
      options.bypass_cache = true;
      continue;
    }
    if (flag == "--json") {
      options.json = true;
      continue;
    }
    if (flag == "--fresh-batches") {
      options.fresh_batches = true;
      continue;
    }
    if (flag == "--request-ids") {
      options.request_ids = true;
      continue;
    }
    if (flag == "--repeat-unknown") {
      options.repeat_unknown = true;
      options.request_ids = true;
      continue;
    }
    if (!absl::StartsWith(flag, "--")) {
      return absl::InvalidArgumentError(
          absl::StrCat("unexpected argument ", flag));
    }
    std::optional<std::string> inline_value;
    if (const size_t eq = flag.find('='); eq != std::string::npos) {
      inline_value = flag.substr(eq + 1);
      flag = flag.substr(0, eq);
    }
    std::string value;
    if (inline_value.has_value()) {
      value = *inline_value;
    } else if (i + 1 < args.size()) {
      value = args[++i];
    } else {
      return absl::InvalidArgumentError(
          absl::StrCat("missing value for ", flag));
    }
    absl::Status status;
    if (flag == "--target") {
      options.target = value;
    } else if (flag == "--upstream") {
      options.upstream = value;
      while (!options.upstream.empty() && options.upstream.back() == '/') {
        options.upstream.pop_back();
      }
    } else if (flag == "--api-key") {
      options.api_key = value;
    } else if (flag == "--api-key-header") {
      options.api_key_header = value;
    } else if (flag == "--rpc-mix") {
      options.rpc_mix = value;
    } else if (flag == "--concurrency") {
      status = ParseInt(flag, value, 1, &options.concurrency);
    } else if (flag == "--rate") {
      if (!absl::SimpleAtod(value, &options.rate) || options.rate < 0) {
        status = BadValue(flag);
      }
    } else if (flag == "--warmup") {
      status = ParseDuration(flag, value, &options.warmup);
    } else if (flag == "--duration") {
      status = ParseDuration(flag, value, &options.duration);
    } else if (flag == "--requests") {
      status = ParseInt<int64_t>(flag, value, 0, &options.requests);
    } else if (flag == "--numbers") {
      status = ParseInt<int64_t>(flag, value, 1, &options.numbers);
      if (status.ok() && options.numbers > 100000000) status = BadValue(flag);
    } else if (flag == "--zipf-s") {
      if (!absl::SimpleAtod(value, &options.zipf_s) || options.zipf_s < 0) {
        status = BadValue(flag);
      }
    } else if (flag == "--number-prefix") {
      options.number_prefix = value;
    } else if (flag == "--carrier") {
      options.carrier = value;
    } else if (flag == "--page-size") {
      status = ParseInt(flag, value, 1, &options.page_size);
    } else if (flag == "--batch-items") {
      status = ParseInt(flag, value, 1, &options.batch_items);
    } else if (flag == "--channels") {
      status = ParseInt(flag, value, 1, &options.channels);
    } else if (flag == "--timeout") {
      status = ParseDuration(flag, value, &options.timeout);
    } else if (flag == "--seed") {
      status = ParseInt<uint64_t>(flag, value, 0, &options.seed);
    } else if (flag == "--emulator-admin") {
      options.emulator_admin = value;
      while (!options.emulator_admin.empty() &&
             options.emulator_admin.back() == '/') {
        options.emulator_admin.pop_back();
      }
    } else if (flag == "--watch-pid") {
      status = ParseInt(flag, value, 1, &options.watch_pid);
    } else if (flag == "--sample-interval") {
      status = ParseDuration(flag, value, &options.sample_interval);
    } else if (flag == "--watch-hold") {
      status = ParseDuration(flag, value, &options.watch_hold);
    } else if (flag == "--timeline") {
      options.timeline = value;
    } else if (flag == "--timeline-interval") {
      status = ParseDuration(flag, value, &options.timeline_interval);
    } else if (flag == "--startup-runs") {
      status = ParseInt(flag, value, 1, &options.startup_runs);
    } else if (flag == "--startup-log") {
      options.startup_log = value;
    } else if (flag == "--startup-timeout") {
      status = ParseDuration(flag, value, &options.startup_timeout);
    } else {
      return absl::InvalidArgumentError(absl::StrCat("unknown flag ", flag));
    }
    if (!status.ok()) return status;
  }
  if (options.api_key.empty()) {
    if (const char* key = std::getenv("TRACKTRY_API_KEY"); key != nullptr) {
      options.api_key = key;
    }
  }
  if (options.startup_runs > 0) {
    if (options.startup_command.empty()) {
      return absl::InvalidArgumentError(
          "--startup-runs needs a command after --");
    }
    return options;
  }
  if (options.direct) {
    if (options.upstream.empty()) {
      return absl::InvalidArgumentError("--direct needs --upstream");
    }
    if (options.api_key.empty()) {
      return absl::InvalidArgumentError(
          "--direct needs --api-key or TRACKTRY_API_KEY");
    }
  } else if (options.target.empty()) {
    return absl::InvalidArgumentError("--target is required (or --direct)");
  }
  if (options.sample_interval <= absl::ZeroDuration()) {
    return BadValue("--sample-interval");
  }
  if (options.timeline_interval <= absl::ZeroDuration()) {
    return BadValue("--timeline-interval");
  }
  if (options.watch_hold <= absl::ZeroDuration()) {
    return BadValue("--watch-hold");
  }
  return options;
}

}  // namespace tracktry::bench
