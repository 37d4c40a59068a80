// Copyright 2026 The tracktry-grpc Authors.
//
// ReadinessController: decides the two grpc.health.v1 statuses the server
// publishes and pushes them into gRPC's health service.
//
//   ""                             liveness: SERVING while the process runs,
//                                  NOT_SERVING only once draining started.
//                                  Never depends on the upstream.
//   "tracktry.v1.TrackingService"  readiness: SERVING unless
//                                  - the server is draining, or
//                                  - the upstream rejected the API key
//                                    (ErrorInfo reason
//                                    UPSTREAM_API_KEY_REJECTED on any
//                                    upstream answer) and no upstream
//                                    answer has accepted it since, or
//                                  - the upstream circuit breaker is open.
//
// While the key is rejected the pod receives no traffic, so nothing would
// ever show that the key works again: the controller then re-checks the
// upstream itself every `probe_interval` through a probe function (one cheap
// upstream call whose result comes back through OnUpstreamResult()).
// The circuit state is either pushed (SetCircuitOpen, e.g. from a breaker's
// state callback) or polled every `poll_interval` from a getter.
//
// Thread safety: every method may be called from any thread. Probe and
// getter run on the controller's own timer thread and must not block.
#ifndef TRACKTRY_SERVICE_OPS_READINESS_CONTROLLER_H_
#define TRACKTRY_SERVICE_OPS_READINESS_CONTROLLER_H_

#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "grpcpp/health_check_service_interface.h"
#include "service/upstream/scheduler.h"

namespace tracktry {

// ErrorInfo.reason that marks a rejected upstream API key.
inline constexpr char kApiKeyRejectedReason[] = "UPSTREAM_API_KEY_REJECTED";

struct ReadinessOptions {
  // Health service name of the readiness status.
  std::string service_name = "tracktry.v1.TrackingService";
  // How often the upstream is re-checked while the key is rejected.
  absl::Duration probe_interval = absl::Seconds(30);
  // How often the circuit getter (if any) is polled.
  absl::Duration poll_interval = absl::Seconds(1);
};

class ReadinessController {
 public:
  // Starts one upstream call whose result reaches OnUpstreamResult().
  using Probe = std::function<void()>;
  // True while the upstream circuit breaker is open.
  using CircuitOpenGetter = std::function<bool()>;

  explicit ReadinessController(ReadinessOptions options = {});
  ~ReadinessController();
  ReadinessController(const ReadinessController&) = delete;
  ReadinessController& operator=(const ReadinessController&) = delete;

  // Publishes into `health` (not owned; must stay valid until Detach() or
  // Stop()). Sets both statuses at once.
  void Attach(grpc::HealthCheckServiceInterface* health);
  // Stops publishing (call before the health service goes away).
  void Detach();

  // The probe used while the key is rejected; may be empty (no re-check).
  void SetProbe(Probe probe);
  // A polled circuit-state getter; may be empty.
  void SetCircuitOpenGetter(CircuitOpenGetter getter);

  // Stops the timer thread; no probe or getter runs after it returns.
  // Idempotent. Statuses can still be set afterwards.
  void Stop();

  // Liveness and readiness both become NOT_SERVING, for good.
  void SetDraining();
  // Feeds one upstream outcome: an error with ErrorInfo reason
  // UPSTREAM_API_KEY_REJECTED sets the key rejection; OK, or any other
  // error carrying an upstream meta.code (ErrorInfo metadata "metaCode",
  // e.g. 4017 not found: the key was accepted) clears it; errors without
  // one (transport, HTTP 5xx/429, circuit open) are ignored.
  void OnUpstreamResult(const absl::Status& status);
  // Pushed circuit state (e.g. from a breaker's state-change callback).
  void SetCircuitOpen(bool open);

  bool live() const;
  bool ready() const;
  // "" when ready, else "draining", "upstream_api_key_rejected" or
  // "circuit_open" (the first that applies).
  std::string not_ready_reason() const;

 private:
  void PublishLocked();
  void ScheduleTickLocked();
  void Tick();

  const ReadinessOptions options_;
  mutable std::mutex mu_;
  grpc::HealthCheckServiceInterface* health_ = nullptr;
  bool draining_ = false;
  bool key_rejected_ = false;
  bool circuit_pushed_open_ = false;
  bool circuit_polled_open_ = false;
  bool stopped_ = false;
  // Last published values (publish only on change).
  int published_live_ = -1;
  int published_ready_ = -1;
  absl::Time next_probe_ = absl::InfinitePast();
  Probe probe_;
  CircuitOpenGetter circuit_getter_;
  // Declared last: destroyed (thread joined) before everything above.
  std::unique_ptr<Scheduler> scheduler_;
};

}  // namespace tracktry

#endif  // TRACKTRY_SERVICE_OPS_READINESS_CONTROLLER_H_
