// Copyright 2026 The tracktry-grpc Authors.
#include "service/server/tracktry_server.h"

#include <chrono>
#include <utility>

#include "absl/strings/str_cat.h"
#include "grpc/health/v1/health.pb.h"
#include "grpcpp/ext/proto_server_reflection_plugin.h"
#include "grpcpp/health_check_service_interface.h"
#include "service/errors/grpc_status.h"
#include "service/transport/curl_multi_transport.h"

namespace tracktry {

absl::StatusOr<std::unique_ptr<TracktryServer>> TracktryServer::Start(
    const ServerOptions& options, std::unique_ptr<HttpTransport> transport,
    JsonLogger* logger) {
  std::unique_ptr<TracktryServer> server(new TracktryServer());
  if (transport == nullptr) {
    CurlMultiTransport::Options transport_options;
    transport_options.max_connections_per_host =
        options.max_upstream_connections;
    transport = std::make_unique<CurlMultiTransport>(transport_options);
  }
  server->transport_ = std::move(transport);
  server->client_ = std::make_unique<TracktryClient>(server->transport_.get(),
                                                     options.upstream);
  RpcObserver* observer = nullptr;
  if (logger != nullptr) {
    server->access_log_ = std::make_unique<AccessLogObserver>(logger);
    observer = server->access_log_.get();
  }
  server->service_ = std::make_unique<TrackingServiceImpl>(
      server->client_.get(), observer, options.service);
  SetSecretsToRedact({options.upstream.api_key});

  grpc::EnableDefaultHealthCheckService(true);
  if (options.enable_reflection) {
    grpc::reflection::InitProtoReflectionServerBuilderPlugin();
    // Links health.proto into the descriptor pool so reflection can
    // describe grpc.health.v1.Health.
    (void)grpc::health::v1::HealthCheckRequest::descriptor();
  }
  grpc::ServerBuilder builder;
  builder.AddListeningPort(options.listen_address,
                           grpc::InsecureServerCredentials(), &server->port_);
  builder.RegisterService(server->service_.get());
  // Accept client keepalive pings down to every 30 s (the bundled client
  // pings every 60 s) instead of answering them with GOAWAY too_many_pings.
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS,
                             30000);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  server->server_ = builder.BuildAndStart();
  if (server->server_ == nullptr || server->port_ == 0) {
    return absl::UnavailableError(
        absl::StrCat("cannot listen on ", options.listen_address));
  }
  server->SetServing(true);
  return server;
}

TracktryServer::~TracktryServer() {
  Shutdown(absl::ZeroDuration());
  if (server_ != nullptr) server_->Wait();
  // Members go in reverse order; the transport goes last, delivering
  // CANCELLED to any upstream completion a finished reactor still awaits.
}

void TracktryServer::SetServing(bool serving) {
  if (server_ == nullptr) return;
  grpc::HealthCheckServiceInterface* health = server_->GetHealthCheckService();
  if (health == nullptr) return;
  health->SetServingStatus(serving);
  health->SetServingStatus(kServiceName, serving);
}

void TracktryServer::Shutdown(absl::Duration grace) {
  if (shut_down_ || server_ == nullptr) return;
  shut_down_ = true;
  SetServing(false);
  server_->Shutdown(std::chrono::system_clock::now() +
                    absl::ToChronoNanoseconds(grace));
}

void TracktryServer::Wait() {
  if (server_ != nullptr) server_->Wait();
}

}  // namespace tracktry
