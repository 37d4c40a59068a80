// Copyright 2026 The tracktry-grpc Authors.
//
// Emulator: an in-process, stateful Tracktry API emulator with fault
// injection, served over HTTP/1.1 on a local port. Used as the service's
// default upstream when there is no internet, by the tracktry-emulator
// binary, and directly by tests.
//
//   EmulatorOptions options;               // 127.0.0.1, port 0, seed 1
//   options.config.api_key = "test-key";   // optional
//   Emulator emulator(options);
//   ASSERT_TRUE(emulator.Start().ok());
//   // point the client at emulator.base_url() ("http://127.0.0.1:PORT/v1")
//   emulator.SetFaultsJson(R"({"rules":[{"route":"get","kind":"hang"}]})");
//   ...
//   emulator.Stop();
//
// Tracktry routes are served under /v1 and /v2; the admin API under
// /_emulator (see admin_api.h). The C++ admin methods below have the same
// semantics as their HTTP counterparts.
//
// Thread safety: Start/Stop from one controlling thread; every other method
// is thread-safe and may be called while requests are served.
#ifndef TRACKTRY_EMULATOR_EMULATOR_H_
#define TRACKTRY_EMULATOR_EMULATOR_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "emulator/emulator_options.h"
#include "emulator/emulator_stats.h"
#include "emulator/fault_injector.h"
#include "emulator/tracking_generator.h"
#include "emulator/webhook_pusher.h"

namespace tracktry::emulator {

class AdminApi;
class ApiPipeline;
class EmulatorState;
class HttpServer;

class Emulator {
 public:
  explicit Emulator(EmulatorOptions options = {});
  // Stops the server if running.
  ~Emulator();

  Emulator(const Emulator&) = delete;
  Emulator& operator=(const Emulator&) = delete;

  // Binds options.listen_host:options.port and starts the io threads.
  // kInvalidArgument for a bad host/port, kUnavailable if binding fails,
  // kFailedPrecondition if already started.
  absl::Status Start();

  // Closes all connections and joins the io threads. Idempotent.
  void Stop();

  // The bound port (0 before Start()).
  int port() const;
  // "http://127.0.0.1:PORT/v1" (the listen host, with wildcard and
  // "localhost" shown as 127.0.0.1).
  std::string base_url() const;
  // "http://127.0.0.1:PORT/_emulator".
  std::string admin_url() const;

  // --- Admin operations -------------------------------------------------
  // Clears trackings, fault rules, stats and the clock offset (keeps the
  // configuration).
  void Reset();
  // Replaces the fault rules.
  void SetFaults(std::vector<FaultRule> rules);
  // Replaces the fault rules from JSON ({"rules":[...]} or [...]); same
  // format as PUT /_emulator/faults. kInvalidArgument on bad input (rules
  // unchanged).
  absl::Status SetFaultsJson(absl::string_view json);
  // The rules with their runtime counters (FaultRule::applied).
  std::vector<FaultRule> faults() const;
  void ClearFaults();
  // A snapshot of the counters (see emulator_stats.h for exact semantics).
  StatsSnapshot stats() const;
  // Number of stored trackings.
  size_t tracking_count() const;
  // Moves the emulated clock forward by `seconds`.
  void AdvanceClock(int64_t seconds);
  // Emulated unix time.
  int64_t NowUnix() const;
  // Runtime configuration (includes the API key: C++ callers only).
  RuntimeConfig config() const;
  // Replaces the runtime configuration; kInvalidArgument if out of range.
  absl::Status SetConfig(const RuntimeConfig& config);
  // Shorthands over SetConfig().
  absl::Status SetRateLimit(const RateLimitConfig& rate_limit);
  absl::Status SetApiKey(absl::string_view api_key,
                         absl::string_view header = "Tracktry-Api-Key");
  absl::Status SetLatencyMs(int latency_ms);
  absl::Status SetQuirks(bool enabled);
  absl::Status SetTimeScale(double time_scale);

  // Sends a webhook push to push.url (blocking, 5 s timeout); same as
  // POST /_emulator/webhook/push. Returns the receiver's HTTP status.
  absl::StatusOr<int> PushWebhook(const WebhookPushRequest& push);

  // The deterministic generator (same seed as the emulator): lets tests
  // predict scenarios, quirks and ids of tracking numbers.
  const TrackingGenerator& generator() const;

 private:
  const EmulatorOptions options_;
  std::unique_ptr<EmulatorState> state_;
  std::unique_ptr<ApiPipeline> pipeline_;
  std::unique_ptr<AdminApi> admin_;
  std::unique_ptr<HttpServer> server_;
};

}  // namespace tracktry::emulator

#endif  // TRACKTRY_EMULATOR_EMULATOR_H_
