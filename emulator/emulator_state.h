// Copyright 2026 The tracktry-grpc Authors.
//
// EmulatorState: everything an emulator instance holds — the emulated clock,
// the Tracktry account (TracktryApi), fault rules, rate limiter, stats and
// the runtime configuration — plus the admin operations on them. Shared by
// the API pipeline, the admin API and the Emulator facade. Thread-safe.
#ifndef TRACKTRY_EMULATOR_EMULATOR_STATE_H_
#define TRACKTRY_EMULATOR_EMULATOR_STATE_H_

#include <cstdint>
#include <mutex>

#include "absl/status/status.h"
#include "emulator/emulated_clock.h"
#include "emulator/emulator_options.h"
#include "emulator/emulator_stats.h"
#include "emulator/envelope.h"
#include "emulator/fault_injector.h"
#include "emulator/rate_limiter.h"
#include "emulator/route_table.h"
#include "emulator/tracktry_api.h"
#include "nlohmann/json.hpp"

namespace tracktry::emulator {

class EmulatorState {
 public:
  explicit EmulatorState(const EmulatorOptions& options);

  EmulatorState(const EmulatorState&) = delete;
  EmulatorState& operator=(const EmulatorState&) = delete;

  EmulatedClock& clock() { return clock_; }
  TracktryApi& api() { return api_; }
  FaultInjector& faults() { return faults_; }
  RateLimiter& rate_limiter() { return rate_limiter_; }
  EmulatorStats& stats() { return stats_; }
  const RouteTable& routes() const { return routes_; }
  uint64_t seed() const { return seed_; }

  RuntimeConfig config() const;
  // Validates and applies `config` (time scale to the clock, rate limit to
  // the limiter, which is refilled). kInvalidArgument if a value is out of
  // range; nothing changes then.
  absl::Status SetConfig(const RuntimeConfig& config);
  // Applies the fields present in a PUT /_emulator/config body.
  absl::Status PatchConfigFromJson(const nlohmann::json& patch);
  // GET /_emulator/config: the configuration without the API key value
  // ("api_key_set": bool instead).
  OrderedJson ConfigToJson() const;

  // Clears trackings, fault rules, stats and the clock offset; refills the
  // rate-limit bucket and re-seeds the fault RNG. Keeps the configuration.
  void Reset();

  // {"now_unix", "now", "offset_seconds", "time_scale"}.
  OrderedJson ClockToJson() const;

 private:
  const uint64_t seed_;
  EmulatedClock clock_;
  TracktryApi api_;
  FaultInjector faults_;
  RateLimiter rate_limiter_;
  EmulatorStats stats_;
  const RouteTable routes_;

  mutable std::mutex mu_;
  RuntimeConfig config_;
};

}  // namespace tracktry::emulator

#endif  // TRACKTRY_EMULATOR_EMULATOR_STATE_H_
