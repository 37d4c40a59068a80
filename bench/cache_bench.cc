// Copyright 2026 The tracktry-grpc Authors.
//
// cache_bench: measures how many upstream calls a Zipf-distributed
// GetTracking workload makes through the read cache and request coalescing.
//
// In one process: the Tracktry emulator (127.0.0.1, optional latency) and a
// real TracktryServer in front of it, reached over loopback gRPC by
// --clients blocking client threads. The tracking numbers are created first
// with BatchCreateTrackings (not counted). Then, for --seconds, every client
// draws a number from a Zipf(--zipf) distribution over --keys numbers and
// calls GetTracking. Reported: client calls, upstream GET calls (the
// emulator's own count), their ratio (goal <= 0.05), cache counters and
// client latency percentiles.
//
// The rate shaper is off (--rate-limit=off equivalent): with the real
// Tracktry limit (1 req/s) it would bound the upstream calls by itself, and
// this benchmark measures the cache, not the shaper.
//
//   cache_bench [--seconds=60] [--clients=64] [--keys=10000] [--zipf=1.1]
//               [--cache-ttl=60s] [--upstream-latency-ms=50] [--coalesce=true]
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "bench/key_space.h"
#include "emulator/emulator.h"
#include "grpcpp/grpcpp.h"
#include "service/server/server_options.h"
#include "service/server/tracktry_server.h"
#include "tracktry/v1/tracking_service.grpc.pb.h"

namespace tracktry::bench {
namespace {

struct Flags {
  int seconds = 60;
  int clients = 64;
  int64_t keys = 10000;
  double zipf = 1.1;
  absl::Duration cache_ttl = absl::Seconds(60);
  int upstream_latency_ms = 50;
  bool coalesce = true;
};

bool ParseFlags(int argc, char** argv, Flags* flags) {
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    const size_t eq = arg.find('=');
    const std::string name = arg.substr(0, eq);
    const std::string value = eq == std::string::npos ? "" : arg.substr(eq + 1);
    bool ok = true;
    if (name == "--seconds") {
      ok = absl::SimpleAtoi(value, &flags->seconds) && flags->seconds > 0;
    } else if (name == "--clients") {
      ok = absl::SimpleAtoi(value, &flags->clients) && flags->clients > 0;
    } else if (name == "--keys") {
      ok = absl::SimpleAtoi(value, &flags->keys) && flags->keys > 0 &&
           flags->keys <= 10000;
    } else if (name == "--zipf") {
      ok = absl::SimpleAtod(value, &flags->zipf) && flags->zipf >= 0;
    } else if (name == "--cache-ttl") {
      ok = absl::ParseDuration(value, &flags->cache_ttl);
    } else if (name == "--upstream-latency-ms") {
      ok = absl::SimpleAtoi(value, &flags->upstream_latency_ms) &&
           flags->upstream_latency_ms >= 0;
    } else if (name == "--coalesce") {
      ok = value == "true" || value == "false";
      flags->coalesce = value == "true";
    } else {
      ok = false;
    }
    if (!ok) {
      std::fprintf(stderr,
                   "usage: cache_bench [--seconds=60] [--clients=64] "
                   "[--keys=10000] [--zipf=1.1] [--cache-ttl=60s] "
                   "[--upstream-latency-ms=50] [--coalesce=true|false]\n"
                   "bad flag: %s\n",
                   arg.c_str());
      return false;
    }
  }
  return true;
}

std::unique_ptr<grpc::ClientContext> Context(absl::Duration timeout) {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(std::chrono::system_clock::now() +
                        absl::ToChronoMilliseconds(timeout));
  return context;
}

int Run(const Flags& flags) {
  emulator::EmulatorOptions emulator_options;
  emulator_options.config.api_key = "cache-bench-key";
  emulator_options.threads = 1;
  emulator::Emulator emulator(emulator_options);
  if (absl::Status status = emulator.Start(); !status.ok()) {
    std::fprintf(stderr, "emulator: %s\n", status.ToString().c_str());
    return 1;
  }

  ServerOptions options;
  options.listen_address = "127.0.0.1:0";
  options.upstream.base_url = emulator.base_url();
  options.upstream.api_key = "cache-bench-key";
  options.rate_shaping.enabled = false;  // See the file comment.
  options.cache.tracking_ttl = flags.cache_ttl;
  options.cache.coalesce = flags.coalesce;
  auto server = TracktryServer::Start(options, nullptr, nullptr);
  if (!server.ok()) {
    std::fprintf(stderr, "server: %s\n", server.status().ToString().c_str());
    return 1;
  }
  auto channel =
      grpc::CreateChannel(absl::StrCat("127.0.0.1:", (*server)->port()),
                          grpc::InsecureChannelCredentials());
  auto stub = v1::TrackingService::NewStub(channel);

  // Setup (not counted): every number exists upstream.
  const std::string prefix = "ZB";
  {
    v1::BatchCreateTrackingsRequest request;
    for (int64_t i = 0; i < flags.keys; ++i) {
      v1::NewTracking* item = request.add_trackings();
      item->set_carrier_code("dhl");
      item->set_tracking_number(TrackingNumber(prefix, i));
    }
    v1::BatchCreateTrackingsResponse response;
    auto context = Context(absl::Minutes(5));
    grpc::Status status =
        stub->BatchCreateTrackings(context.get(), request, &response);
    if (!status.ok()) {
      std::fprintf(stderr, "setup batch: %s\n", status.error_message().c_str());
      return 1;
    }
  }
  if (absl::Status status = emulator.SetLatencyMs(flags.upstream_latency_ms);
      !status.ok()) {
    std::fprintf(stderr, "latency: %s\n", status.ToString().c_str());
    return 1;
  }
  const int64_t gets_before = emulator.stats().requests_by_route["get"];
  const CacheStats cache_before = (*server)->cache()->stats();

  const KeySpace keys(flags.keys, flags.zipf);
  std::atomic<bool> stop{false};
  std::atomic<int64_t> calls{0};
  std::atomic<int64_t> errors{0};
  std::vector<std::vector<int32_t>> latencies_us(flags.clients);
  std::map<int, int64_t> error_codes;
  std::mutex error_mu;
  std::vector<std::thread> clients;
  const absl::Time start = absl::Now();
  for (int c = 0; c < flags.clients; ++c) {
    clients.emplace_back([&, c] {
      std::mt19937_64 rng(1000 + c);
      std::vector<int32_t>& samples = latencies_us[c];
      samples.reserve(1 << 20);
      while (!stop.load(std::memory_order_relaxed)) {
        v1::GetTrackingRequest request;
        request.set_carrier_code("dhl");
        request.set_tracking_number(TrackingNumber(prefix, keys.Next(rng)));
        v1::GetTrackingResponse response;
        auto context = Context(absl::Seconds(10));
        const absl::Time t0 = absl::Now();
        grpc::Status status =
            stub->GetTracking(context.get(), request, &response);
        samples.push_back(
            static_cast<int32_t>(absl::ToInt64Microseconds(absl::Now() - t0)));
        calls.fetch_add(1, std::memory_order_relaxed);
        if (!status.ok()) {
          errors.fetch_add(1, std::memory_order_relaxed);
          std::lock_guard<std::mutex> lock(error_mu);
          ++error_codes[status.error_code()];
        }
      }
    });
  }
  absl::SleepFor(absl::Seconds(flags.seconds));
  stop = true;
  for (std::thread& thread : clients) thread.join();
  const absl::Duration elapsed = absl::Now() - start;

  const int64_t upstream_gets =
      emulator.stats().requests_by_route["get"] - gets_before;
  const CacheStats cache = (*server)->cache()->stats();
  std::vector<int32_t> all;
  for (const auto& samples : latencies_us) {
    all.insert(all.end(), samples.begin(), samples.end());
  }
  std::sort(all.begin(), all.end());
  auto percentile = [&all](double p) -> double {
    if (all.empty()) return 0;
    const size_t index =
        std::min(all.size() - 1,
                 static_cast<size_t>(p * static_cast<double>(all.size())));
    return all[index] / 1000.0;
  };
  const double ratio = calls > 0 ? static_cast<double>(upstream_gets) /
                                       static_cast<double>(calls.load())
                                 : 0;

  std::printf(
      "cache_bench: %d s, %d clients, %lld keys, zipf s=%.2f, "
      "cache ttl %s, upstream latency %d ms, coalesce %s, shaper off\n",
      flags.seconds, flags.clients, static_cast<long long>(flags.keys),
      flags.zipf,  // NOLINT
      absl::FormatDuration(flags.cache_ttl).c_str(), flags.upstream_latency_ms,
      flags.coalesce ? "on" : "off");
  std::printf("client_calls           %lld\n",
              static_cast<long long>(calls.load()));  // NOLINT
  std::printf("client_errors          %lld\n",
              static_cast<long long>(errors.load()));  // NOLINT
  for (const auto& [code, count] : error_codes) {
    std::printf("  code %d: %lld\n", code,
                static_cast<long long>(count));  // NOLINT
  }
  std::printf(
      "client_calls_per_s     %.0f\n",
      static_cast<double>(calls.load()) / absl::ToDoubleSeconds(elapsed));
  std::printf("upstream_get_calls     %lld\n",
              static_cast<long long>(upstream_gets));  // NOLINT
  std::printf("upstream_per_client    %.4f   (goal <= 0.05: %s)\n", ratio,
              ratio <= 0.05 ? "met" : "NOT met");
  std::printf(
      "cache_hits             %lld\n",
      static_cast<long long>(cache.hits - cache_before.hits));  // NOLINT
  std::printf(
      "cache_misses           %lld\n",
      static_cast<long long>(cache.misses - cache_before.misses));  // NOLINT
  std::printf("coalesced              %lld\n",
              static_cast<long long>(cache.coalesced -
                                     cache_before.coalesced));  // NOLINT
  std::printf("cache_entries          %zu (%zu bytes)\n", cache.entries,
              cache.bytes);
  std::printf("latency_ms p50 %.3f  p90 %.3f  p99 %.3f  max %.3f\n",
              percentile(0.50), percentile(0.90), percentile(0.99),
              percentile(1.0));

  stub.reset();
  channel.reset();
  server->reset();
  emulator.Stop();
  return ratio <= 0.05 && errors.load() == 0 ? 0 : 2;
}

}  // namespace
}  // namespace tracktry::bench

int main(int argc, char** argv) {
  tracktry::bench::Flags flags;
  if (!tracktry::bench::ParseFlags(argc, argv, &flags)) return 64;
  return tracktry::bench::Run(flags);
}
