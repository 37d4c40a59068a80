// Copyright 2026 The tracktry-grpc Authors.
//
// MetricsHttpServer: serves GET /metrics (Prometheus text format) on its own
// listen address with prometheus-cpp's Exposer (civetweb, 2 threads).
#ifndef TRACKTRY_SERVICE_OPS_METRICS_HTTP_SERVER_H_
#define TRACKTRY_SERVICE_OPS_METRICS_HTTP_SERVER_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "prometheus/collectable.h"

namespace prometheus {
class Exposer;
}  // namespace prometheus

namespace tracktry {

// Thread-safe (scrapes run on the exposer's threads).
class MetricsHttpServer {
 public:
  // Listens on `address` ("HOST:PORT"; port 0 picks a free port) and serves
  // `collectable` at /metrics. Keeps a reference to `collectable`.
  // UNAVAILABLE when the address cannot be bound, INVALID_ARGUMENT when it
  // has no port.
  static absl::StatusOr<std::unique_ptr<MetricsHttpServer>> Start(
      const std::string& address,
      std::shared_ptr<prometheus::Collectable> collectable);

  // Stops listening.
  ~MetricsHttpServer();

  // The bound port.
  int port() const { return port_; }

 private:
  MetricsHttpServer() = default;

  std::shared_ptr<prometheus::Collectable> collectable_;
  std::unique_ptr<prometheus::Exposer> exposer_;
  int port_ = 0;
};

}  // namespace tracktry

#endif  // TRACKTRY_SERVICE_OPS_METRICS_HTTP_SERVER_H_
