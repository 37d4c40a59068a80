// Copyright 2026 The tracktry-grpc Authors.
#include "service/ops/metrics_http_server.h"

#include <exception>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "prometheus/exposer.h"

namespace tracktry {

absl::StatusOr<std::unique_ptr<MetricsHttpServer>> MetricsHttpServer::Start(
    const std::string& address,
    std::shared_ptr<prometheus::Collectable> collectable) {
  const size_t colon = address.rfind(':');
  if (colon == std::string::npos || colon + 1 == address.size()) {
    return absl::InvalidArgumentError(
        absl::StrCat("metrics address needs HOST:PORT: ", address));
  }
  std::unique_ptr<MetricsHttpServer> server(new MetricsHttpServer());
  server->collectable_ = std::move(collectable);
  // civetweb throws when it cannot listen; keep the exception here.
  try {
    server->exposer_ = std::make_unique<prometheus::Exposer>(
        std::vector<std::string>{"listening_ports", address, "num_threads", "2",
                                 "request_timeout_ms", "10000"});
  } catch (const std::exception& e) {
    return absl::UnavailableError(
        absl::StrCat("cannot serve metrics on ", address, ": ", e.what()));
  }
  server->exposer_->RegisterCollectable(server->collectable_);
  const std::vector<int> ports = server->exposer_->GetListeningPorts();
  if (ports.empty()) {
    return absl::UnavailableError(
        absl::StrCat("cannot serve metrics on ", address));
  }
  server->port_ = ports.front();
  return server;
}

MetricsHttpServer::~MetricsHttpServer() = default;

}  // namespace tracktry
