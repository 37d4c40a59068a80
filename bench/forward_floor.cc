// Copyright 2026 The tracktry-grpc Authors.
//
// tracktry-forward-floor: serves ForwardFloorService (see
// forward_floor_service.h) for bench/run's scenario 1.
//
// Usage: tracktry-forward-floor --listen=HOST:PORT --base-url=URL
// The API key comes from TRACKTRY_API_KEY. Serves until SIGTERM or SIGINT.
#include <signal.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <utility>

#include "absl/strings/match.h"
#include "bench/forward_floor_service.h"
#include "grpcpp/grpcpp.h"
#include "service/transport/curl_multi_transport.h"

namespace {

int Usage(const char* message) {
  std::fprintf(stderr,
               "tracktry-forward-floor: %s\n"
               "usage: tracktry-forward-floor --listen=HOST:PORT "
               "--base-url=URL (API key from TRACKTRY_API_KEY)\n",
               message);
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::string listen;
  std::string base_url;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (absl::StartsWith(arg, "--listen=")) {
      listen = arg.substr(9);
    } else if (absl::StartsWith(arg, "--base-url=")) {
      base_url = arg.substr(11);
    } else {
      return Usage("unknown argument");
    }
  }
  const char* key = std::getenv("TRACKTRY_API_KEY");
  if (listen.empty() || base_url.empty()) return Usage("missing flag");
  if (key == nullptr || *key == '\0') return Usage("TRACKTRY_API_KEY unset");

  // Block the stop signals before any thread starts; sigwait takes them.
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGTERM);
  sigaddset(&stop, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop, nullptr);

  tracktry::CurlMultiTransport transport;
  tracktry::TracktryClientOptions client;
  client.base_url = base_url;
  client.api_key = key;
  tracktry::bench::ForwardFloorService service(&transport, std::move(client));
  grpc::ServerBuilder builder;
  builder.AddListeningPort(listen, grpc::InsecureServerCredentials());
  service.AddTo(&builder);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (server == nullptr) return Usage("cannot listen");
  service.Start();
  std::fprintf(stderr, "tracktry-forward-floor: serving on %s\n",
               listen.c_str());
  int signal_number = 0;
  sigwait(&stop, &signal_number);
  server->Shutdown();
  service.Stop();
  return 0;
}
