// Copyright 2026 The tracktry-grpc Authors.
//
// ServerOptions: everything tracktry-server is configured with, read from
// flags and environment variables (flags win).
#ifndef TRACKTRY_SERVICE_SERVER_SERVER_OPTIONS_H_
#define TRACKTRY_SERVICE_SERVER_SERVER_OPTIONS_H_

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "service/server/tracking_service_impl.h"
#include "service/upstream/tracktry_client.h"

namespace tracktry {

struct ServerOptions {
  // gRPC listen address (--listen, TRACKTRY_LISTEN).
  std::string listen_address = "0.0.0.0:50051";
  // Upstream: base URL (--base-url, TRACKTRY_BASE_URL), API key
  // (TRACKTRY_API_KEY, or a file via --api-key-file / TRACKTRY_API_KEY_FILE;
  // deliberately no flag holding the key itself, so it never shows in ps),
  // key header (--api-key-header, TRACKTRY_API_KEY_HEADER).
  TracktryClientOptions upstream;
  // RPC behaviour (--default-deadline, --realtime-deadline,
  // --batch-chunk-size, --max-page-size).
  TrackingServiceOptions service;
  // Upstream connections per host, 0 = unlimited (--max-upstream-connections).
  int max_upstream_connections = 0;
  // Grace period for in-flight RPCs on SIGTERM (--shutdown-grace).
  absl::Duration shutdown_grace = absl::Seconds(10);
  // gRPC server reflection (--reflection=true|false).
  bool enable_reflection = true;
};

// Looks up an environment variable; nullopt when unset.
using EnvLookup = std::function<std::optional<std::string>(const std::string&)>;

// The process environment.
std::optional<std::string> ProcessEnv(const std::string& name);

// Parses `args` (without argv[0]) and the environment. Flags take the forms
// --name=value and --name value. Errors: INVALID_ARGUMENT for an unknown
// flag, a bad value or an unreadable key file. A missing API key is not an
// error here (the emulator accepts any non-empty key; see main).
absl::StatusOr<ServerOptions> ParseServerOptions(
    const std::vector<std::string>& args, const EnvLookup& env);

// Usage text for --help.
std::string ServerUsage();

}  // namespace tracktry

#endif  // TRACKTRY_SERVICE_SERVER_SERVER_OPTIONS_H_
