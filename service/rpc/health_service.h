// Copyright 2026 The tracktry-grpc Authors.
//
// HealthService: grpc.health.v1.Health on the async API, next to the
// TrackingService on the same completion queues. gRPC's own health service
// is built on its callback API, whose threads would take every RPC's events
// first (see CompletionQueueThreads); this one behaves the same way:
// - "" is SERVING from the start; names are known once a status was set;
// - Check answers a known name's status, NOT_FOUND for an unknown one;
// - Watch sends the status at once (SERVICE_UNKNOWN for an unknown name)
//   and then each change, the newest only when the reader is behind;
// - after Shutdown() every name is NOT_SERVING for good.
//
// Usage: builder.RegisterService(health.grpc_service()); the server built,
// health.methods().Arm(&threads). Must outlive every RPC.
#ifndef TRACKTRY_SERVICE_RPC_HEALTH_SERVICE_H_
#define TRACKTRY_SERVICE_RPC_HEALTH_SERVICE_H_

#include <map>
#include <mutex>
#include <set>
#include <string>

#include "grpc/health/v1/health.grpc.pb.h"
#include "grpcpp/health_check_service_interface.h"
#include "service/rpc/async_methods.h"

namespace tracktry {

class HealthService final : public grpc::HealthCheckServiceInterface {
 public:
  using ServingStatus = grpc::health::v1::HealthCheckResponse::ServingStatus;

  // A Watch call's reactor (health_service.cc).
  class Watcher {
   public:
    virtual ~Watcher() = default;
    // The status of the watched name changed. Called with the service's
    // lock held.
    virtual void OnStatus(ServingStatus status) = 0;
  };

  HealthService();
  HealthService(const HealthService&) = delete;
  HealthService& operator=(const HealthService&) = delete;

  grpc::Service* grpc_service() { return &service_; }
  const AsyncMethods& methods() const { return methods_; }

  // grpc::HealthCheckServiceInterface.
  void SetServingStatus(const std::string& service_name, bool serving) override;
  void SetServingStatus(bool serving) override;
  void Shutdown() override;

  // The status of `service_name`: SERVICE_UNKNOWN when unknown.
  ServingStatus Status(const std::string& service_name) const;

  // Watch calls: `watcher` hears of every change of `service_name` until
  // RemoveWatcher. Returns the status now.
  ServingStatus AddWatcher(const std::string& service_name, Watcher* watcher);
  void RemoveWatcher(const std::string& service_name, Watcher* watcher);

 private:
  // Requires mu_.
  void SetLocked(const std::string& service_name, ServingStatus status);

  grpc::health::v1::Health::AsyncService service_;
  AsyncMethods methods_;

  mutable std::mutex mu_;
  std::map<std::string, ServingStatus> statuses_;
  std::multimap<std::string, Watcher*> watchers_;
  bool shut_down_ = false;
};

}  // namespace tracktry

#endif  // TRACKTRY_SERVICE_RPC_HEALTH_SERVICE_H_
