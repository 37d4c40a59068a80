// Copyright 2026 The tracktry-grpc Authors.
//
// ReadinessController: decides the two grpc.health.v1 statuses the server
// publishes and pushes them into gRPC's health service.
//
//   ""                             liveness: SERVING while the process runs,
//                                  NOT_SERVING once draining started.
//   "tracktry.v1.TrackingService"  readiness: SERVING once the server has
//                                  started (Attach) and until draining
//                                  starts (SIGTERM).
//
// Readiness means "this replica can serve". Trouble with the upstream (an
// open circuit, a rejected API key, a 429 pause) does not change it: every
// replica shares the same upstream, so taking them all out of the Service
// would turn the fast, explained answers they give (UNAVAILABLE
// CIRCUIT_OPEN with RetryInfo, FAILED_PRECONDITION
// UPSTREAM_API_KEY_REJECTED, RESOURCE_EXHAUSTED with RetryInfo) into
// connection errors and block node drains. Upstream states are reported by
// metrics and logs instead (UpstreamHealth, docs/operating.md).
//
// Thread safety: every method may be called from any thread.
#ifndef TRACKTRY_SERVICE_OPS_READINESS_CONTROLLER_H_
#define TRACKTRY_SERVICE_OPS_READINESS_CONTROLLER_H_

#include <mutex>
#include <string>

#include "grpcpp/health_check_service_interface.h"

namespace tracktry {

class ReadinessController {
 public:
  // `service_name` is the health service name of the readiness status.
  explicit ReadinessController(
      std::string service_name = "tracktry.v1.TrackingService");
  ReadinessController(const ReadinessController&) = delete;
  ReadinessController& operator=(const ReadinessController&) = delete;

  // The server has started: publishes into `health` (not owned; must stay
  // valid until Detach()). Sets both statuses at once.
  void Attach(grpc::HealthCheckServiceInterface* health);
  // Stops publishing (call before the health service goes away).
  void Detach();

  // Liveness and readiness both become NOT_SERVING, for good.
  void SetDraining();

  bool live() const;
  bool ready() const;
  // "" when ready, else "starting" or "draining".
  std::string not_ready_reason() const;

 private:
  void PublishLocked();

  const std::string service_name_;
  mutable std::mutex mu_;
  grpc::HealthCheckServiceInterface* health_ = nullptr;
  bool started_ = false;
  bool draining_ = false;
  // Last published values (publish only on change).
  int published_live_ = -1;
  int published_ready_ = -1;
};

}  // namespace tracktry

#endif  // TRACKTRY_SERVICE_OPS_READINESS_CONTROLLER_H_
