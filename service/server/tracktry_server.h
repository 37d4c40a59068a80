// Copyright 2026 The tracktry-grpc Authors.
//
// TracktryServer: assembles transport, Tracktry client, TrackingService,
// health and reflection into a running grpc::Server.
#ifndef TRACKTRY_SERVICE_SERVER_TRACKTRY_SERVER_H_
#define TRACKTRY_SERVICE_SERVER_TRACKTRY_SERVER_H_

#include <memory>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "grpcpp/grpcpp.h"
#include "service/server/access_log_observer.h"
#include "service/server/json_logger.h"
#include "service/server/server_options.h"
#include "service/server/tracking_service_impl.h"
#include "service/transport/http_transport.h"
#include "service/upstream/tracktry_client.h"

namespace tracktry {

// The health-checked service name (besides "").
inline constexpr char kServiceName[] = "tracktry.v1.TrackingService";

class TracktryServer {
 public:
  // Starts serving. `transport` may be null, in which case a libcurl multi
  // transport is created from `options`. `logger` is not owned, may be null
  // (no access log) and must outlive the server.
  static absl::StatusOr<std::unique_ptr<TracktryServer>> Start(
      const ServerOptions& options, std::unique_ptr<HttpTransport> transport,
      JsonLogger* logger);

  ~TracktryServer();

  // The bound port (useful with port 0).
  int port() const { return port_; }

  // Sets the health status of "" and kServiceName.
  void SetServing(bool serving);

  // Graceful stop: health NOT_SERVING, stop accepting, wait up to `grace`
  // for in-flight RPCs, then cancel the rest. Idempotent.
  void Shutdown(absl::Duration grace);

  // Blocks until the server has shut down.
  void Wait();

  TracktryClient* client() { return client_.get(); }
  grpc::Server* grpc_server() { return server_.get(); }

 private:
  TracktryServer() = default;

  std::unique_ptr<HttpTransport> transport_;
  std::unique_ptr<TracktryClient> client_;
  std::unique_ptr<AccessLogObserver> access_log_;
  std::unique_ptr<TrackingServiceImpl> service_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
  bool shut_down_ = false;
};

}  // namespace tracktry

#endif  // TRACKTRY_SERVICE_SERVER_TRACKTRY_SERVER_H_
