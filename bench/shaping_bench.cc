// Copyright 2026 The tracktry-grpc Authors.
//
// shaping_bench: does the rate shaper keep an upstream that enforces R req/s
// free of 429s while still using the quota?
//
// In one process: the Tracktry emulator on 127.0.0.1 enforcing --rate
// req/s with a bucket of --burst (it answers meta.code 429 beyond, like
// Tracktry), a real TracktryServer in front of it configured with the same
// rate (shaper defaults otherwise: safety 0.97, jitter compensation 0.1,
// default 120 s pause after a 429), and an open-loop gRPC client sending
// GetTracking of new tracking numbers (bypass_cache) at --load x R for
// --seconds, each call with --deadline.
//
// Reported: upstream 429s (the emulator's count), the achieved upstream
// rate (requests the emulator answered per second, measured over the load
// window after the first second, and from answer timestamps), its
// percentage of R, client outcomes by gRPC code and ErrorInfo reason, and
// the shaper's counters. Goal: zero 429s and >= 95% of R.
//
//   shaping_bench [--seconds=60] [--rate=5] [--burst=1] [--load=10]
//                 [--deadline=2s] [--safety=0.97]
//                 [--jitter-compensation=0.1] [--upstream-latency-ms=0]
#include <algorithm>
#include <condition_variable>
#include <cstdio>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "client/grpc_status_conversion.h"
#include "common/error_details.h"
#include "emulator/emulator.h"
#include "grpcpp/grpcpp.h"
#include "service/server/server_options.h"
#include "service/server/tracktry_server.h"
#include "tracktry/v1/tracking_service.grpc.pb.h"

namespace tracktry::bench {
namespace {

constexpr char kApiKey[] = "shaping-bench-api-key";

struct Flags {
  int seconds = 60;
  double rate = 5;
  int burst = 1;
  double load = 10;
  absl::Duration deadline = absl::Seconds(2);
  double safety = 0.97;
  double jitter_compensation = 0.1;
  int upstream_latency_ms = 0;
};

bool ParseFlags(int argc, char** argv, Flags* flags) {
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    const size_t eq = arg.find('=');
    if (!absl::StartsWith(arg, "--") || eq == std::string::npos) {
      std::fprintf(stderr, "bad argument %s (use --name=value)\n", arg.c_str());
      return false;
    }
    const std::string name = arg.substr(2, eq - 2);
    const std::string value = arg.substr(eq + 1);
    bool ok = true;
    if (name == "seconds") {
      ok = absl::SimpleAtoi(value, &flags->seconds) && flags->seconds > 1;
    } else if (name == "rate") {
      ok = absl::SimpleAtod(value, &flags->rate) && flags->rate > 0;
    } else if (name == "burst") {
      ok = absl::SimpleAtoi(value, &flags->burst) && flags->burst >= 1;
    } else if (name == "load") {
      ok = absl::SimpleAtod(value, &flags->load) && flags->load > 0;
    } else if (name == "deadline") {
      ok = absl::ParseDuration(value, &flags->deadline) &&
           flags->deadline > absl::ZeroDuration();
    } else if (name == "safety") {
      ok = absl::SimpleAtod(value, &flags->safety);
    } else if (name == "jitter-compensation") {
      ok = absl::SimpleAtod(value, &flags->jitter_compensation);
    } else if (name == "upstream-latency-ms") {
      ok = absl::SimpleAtoi(value, &flags->upstream_latency_ms);
    } else {
      ok = false;
    }
    if (!ok) {
      std::fprintf(stderr, "bad flag %s\n", arg.c_str());
      return false;
    }
  }
  return true;
}

std::string ReasonOf(const grpc::Status& status) {
  auto info = GetErrorInfo(FromGrpcStatus(status));
  return info.has_value() ? info->reason() : "-";
}

struct Outcomes {
  std::mutex mu;
  std::condition_variable cv;
  int outstanding = 0;
  std::map<std::string, int64_t> by_code_reason;
  std::vector<absl::Time> upstream_answers;
  std::vector<absl::Duration> answered_latency;
};

int Run(const Flags& flags) {
  emulator::EmulatorOptions emulator_options;
  emulator_options.config.api_key = kApiKey;
  emulator_options.config.latency_ms = flags.upstream_latency_ms;
  emulator_options.config.rate_limit.rps = flags.rate;
  emulator_options.config.rate_limit.burst = flags.burst;
  emulator::Emulator emulator(emulator_options);
  if (absl::Status status = emulator.Start(); !status.ok()) {
    std::fprintf(stderr, "emulator: %s\n", status.ToString().c_str());
    return 1;
  }

  ServerOptions options;
  options.listen_address = "127.0.0.1:0";
  options.upstream.base_url = emulator.base_url();
  options.upstream.api_key = kApiKey;
  for (TokenBucketLimit& limit : options.rate_shaping.limits) {
    limit.rate = flags.rate;
  }
  options.rate_shaping.safety = flags.safety;
  options.rate_shaping.jitter_compensation = flags.jitter_compensation;
  absl::StatusOr<std::unique_ptr<TracktryServer>> server =
      TracktryServer::Start(options, nullptr, nullptr);
  if (!server.ok()) {
    std::fprintf(stderr, "server: %s\n", server.status().ToString().c_str());
    return 1;
  }
  auto channel =
      grpc::CreateChannel(absl::StrCat("127.0.0.1:", (*server)->port()),
                          grpc::InsecureChannelCredentials());
  auto stub = v1::TrackingService::NewStub(channel);

  struct Call {
    grpc::ClientContext context;
    v1::GetTrackingRequest request;
    v1::GetTrackingResponse response;
    absl::Time sent;
  };
  Outcomes outcomes;
  const double offered = flags.load * flags.rate;
  const absl::Duration interval = absl::Seconds(1.0 / offered);
  const absl::Duration duration = absl::Seconds(flags.seconds);
  const absl::Time start = absl::Now();
  // The measuring window: from 1 s after the start to the end of the load,
  // so the shaper's queue is full throughout.
  const absl::Time window_start = start + absl::Seconds(1);
  int64_t requests_at_window_start = -1;
  int64_t sent = 0;
  for (int64_t i = 0; i * interval < duration; ++i) {
    const absl::Time due = start + i * interval;
    absl::SleepFor(due - absl::Now());
    if (requests_at_window_start < 0 && absl::Now() >= window_start) {
      requests_at_window_start = emulator.stats().requests_total;
    }
    auto* call = new Call;
    call->sent = absl::Now();
    call->context.set_deadline(absl::ToChronoTime(call->sent + flags.deadline));
    call->request.set_carrier_code("dhl");
    call->request.set_tracking_number(absl::StrCat("SB", 100000000 + i));
    call->request.set_bypass_cache(true);
    {
      std::lock_guard<std::mutex> lock(outcomes.mu);
      ++outcomes.outstanding;
    }
    ++sent;
    stub->async()->GetTracking(
        &call->context, &call->request, &call->response,
        [call, &outcomes](grpc::Status status) {
          const std::string key =
              absl::StrCat(grpc::StatusCode(status.error_code()), " ",
                           status.ok() ? "OK" : ReasonOf(status));
          const absl::Time now = absl::Now();
          std::lock_guard<std::mutex> lock(outcomes.mu);
          ++outcomes.by_code_reason[key];
          if (status.ok() ||
              status.error_code() == grpc::StatusCode::NOT_FOUND) {
            outcomes.upstream_answers.push_back(now);
            outcomes.answered_latency.push_back(now - call->sent);
          }
          delete call;
          if (--outcomes.outstanding == 0) outcomes.cv.notify_all();
        });
  }
  const absl::Time window_end = absl::Now();
  const int64_t requests_at_window_end = emulator.stats().requests_total;
  {
    std::unique_lock<std::mutex> lock(outcomes.mu);
    outcomes.cv.wait(lock, [&] { return outcomes.outstanding == 0; });
  }
  const emulator::StatsSnapshot stats = emulator.stats();
  const RateShaperStats shaper = (*server)->rate_shaper()->Stats();

  const double window_rate =
      (requests_at_window_end - requests_at_window_start) /
      absl::ToDoubleSeconds(window_end - window_start);
  std::vector<absl::Time>& answers = outcomes.upstream_answers;
  std::sort(answers.begin(), answers.end());
  const double answer_rate =
      answers.size() < 2
          ? 0
          : (answers.size() - 1) /
                absl::ToDoubleSeconds(answers.back() - answers.front());
  std::vector<absl::Duration>& latency = outcomes.answered_latency;
  std::sort(latency.begin(), latency.end());
  auto percentile = [&](double p) {
    if (latency.empty()) return 0.0;
    return absl::ToDoubleMilliseconds(latency[std::min(
        latency.size() - 1, static_cast<size_t>(p * latency.size()))]);
  };

  std::printf(
      "shaping_bench: R=%.3g req/s (emulator burst %d), offered %.3g "
      "req/s (%.3gx R) for %d s, deadline %s, safety %.3g, jitter "
      "compensation %.3g\n",
      flags.rate, flags.burst, offered, flags.load, flags.seconds,
      absl::FormatDuration(flags.deadline).c_str(), flags.safety,
      flags.jitter_compensation);
  std::printf("  upstream 429s:             %lld\n",
              static_cast<long long>(stats.rate_limited_total));
  std::printf("  upstream requests:         %lld\n",
              static_cast<long long>(stats.requests_total));
  std::printf("  upstream rate (window):    %.3f req/s = %.1f%% of R\n",
              window_rate, 100 * window_rate / flags.rate);
  std::printf("  upstream rate (answers):   %.3f req/s = %.1f%% of R\n",
              answer_rate, 100 * answer_rate / flags.rate);
  std::printf("  client calls sent:         %lld\n",
              static_cast<long long>(sent));
  for (const auto& [key, n] : outcomes.by_code_reason) {
    std::printf("    %-34s %lld\n", key.c_str(), static_cast<long long>(n));
  }
  std::printf(
      "  answered-call latency ms:  p50 %.1f  p90 %.1f  p99 %.1f  "
      "max %.1f\n",
      percentile(0.5), percentile(0.9), percentile(0.99), percentile(1.0));
  const RateShaperStats::Class& c = shaper.classes[0];
  std::printf(
      "  shaper (default class):    forwarded %lld, rejected %lld, "
      "max queue %lld, mean wait %.1f ms, max wait %.1f ms, "
      "compensations %lld (total %.1f ms), pauses %lld\n",
      static_cast<long long>(c.forwarded), static_cast<long long>(c.rejected),
      static_cast<long long>(c.max_queued),
      c.forwarded == 0 ? 0.0
                       : absl::ToDoubleMilliseconds(c.total_wait) / c.forwarded,
      absl::ToDoubleMilliseconds(c.max_wait),
      static_cast<long long>(c.compensations),
      absl::ToDoubleMilliseconds(c.total_compensation),
      static_cast<long long>(shaper.pauses));
  const bool goal =
      stats.rate_limited_total == 0 && window_rate >= 0.95 * flags.rate;
  std::printf("  goal (0 x 429, >= 95%% of R): %s\n", goal ? "MET" : "MISSED");

  stub.reset();
  channel.reset();
  server->reset();
  emulator.Stop();
  return goal ? 0 : 3;
}

}  // namespace
}  // namespace tracktry::bench

int main(int argc, char** argv) {
  tracktry::bench::Flags flags;
  if (!tracktry::bench::ParseFlags(argc, argv, &flags)) return 2;
  return tracktry::bench::Run(flags);
}
