// Copyright 2026 The tracktry-grpc Authors.
//
// tracktry-server: flags/env -> ServerOptions (service/server/
// server_options.h; --help prints every flag), start, serve until SIGTERM or
// SIGINT, then drain gracefully and exit 0. Exit 2 on a bad flag (message
// and usage on stderr) or without an API key, 1 when the server cannot
// start.
#include <pthread.h>
#include <signal.h>
#include <sys/resource.h>

#include <cstdio>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "service/ops/json_logger.h"
#include "service/server/server_options.h"
#include "service/server/tracktry_server.h"

int main(int argc, char** argv) {
  // Signals are taken synchronously by sigwait() below; block them before
  // any thread starts so every thread inherits the mask.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  signal(SIGPIPE, SIG_IGN);
  // Debian builds Abseil without NDEBUG, which leaves absl::Mutex's deadlock
  // detector on: every lock of gRPC's mutexes updated a lock graph (~2% of
  // the server's CPU per RPC, bench/RESULTS.md). Lock order is checked by
  // the ThreadSanitizer runs of script/test instead.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  // One descriptor per upstream connection and per client connection.
  struct rlimit files;
  if (getrlimit(RLIMIT_NOFILE, &files) == 0 &&
      files.rlim_cur < files.rlim_max) {
    files.rlim_cur = files.rlim_max;
    setrlimit(RLIMIT_NOFILE, &files);
  }

  tracktry::JsonLogger logger(stdout);
  std::vector<std::string> args(argv + 1, argv + argc);
  absl::StatusOr<tracktry::ServerOptions> options =
      tracktry::ParseServerOptions(args, tracktry::ProcessEnv);
  if (!options.ok()) {
    if (absl::IsCancelled(options.status())) {
      std::fputs(tracktry::ServerUsage().c_str(), stdout);
      return 0;
    }
    std::fprintf(stderr, "tracktry-server: %s\n\n%s",
                 std::string(options.status().message()).c_str(),
                 tracktry::ServerUsage().c_str());
    return 2;
  }
  if (options->upstream.api_key.empty()) {
    logger.Error(
        "no API key: set TRACKTRY_API_KEY or --api-key-file (script/server "
        "starts the bundled emulator with a local key)");
    return 2;
  }
  logger.AddSecret(options->upstream.api_key);
  if (!options->rate_shaping.redis_password.empty()) {
    logger.AddSecret(options->rate_shaping.redis_password);
  }
  logger.StartPeriodicFlush(options->log_flush_interval);

  absl::StatusOr<std::unique_ptr<tracktry::TracktryServer>> server =
      tracktry::TracktryServer::Start(*options, nullptr, &logger);
  if (!server.ok()) {
    logger.Error("cannot start",
                 {{"error", std::string(server.status().message())}});
    return 1;
  }
  logger.Info("serving", {{"listen", options->listen_address},
                          {"port", (*server)->port()},
                          {"upstream", options->upstream.base_url},
                          {"reflection", options->enable_reflection},
                          {"metrics_port", (*server)->metrics_port()},
                          {"tls", !options->tls_cert_file.empty()},
                          {"mtls", !options->tls_client_ca_file.empty()},
                          {"auth", !options->auth_tokens_file.empty()}});
  // Whoever waits for this line (a supervisor, a test) sees it at once.
  logger.Flush();

  int signal_number = 0;
  sigwait(&signals, &signal_number);
  // Health NOT_SERVING first; keep serving for --shutdown-delay so load
  // balancers stop routing here, then stop accepting and drain.
  (*server)->StartDraining();
  logger.Info(
      "draining",
      {{"signal", signal_number == SIGTERM ? "SIGTERM" : "SIGINT"},
       {"delay_ms", absl::ToInt64Milliseconds(options->shutdown_delay)},
       {"grace_ms", absl::ToInt64Milliseconds(options->shutdown_grace)}});
  if (options->shutdown_delay > absl::ZeroDuration()) {
    absl::SleepFor(options->shutdown_delay);
  }
  (*server)->Shutdown(options->shutdown_grace);
  (*server)->Wait();
  server->reset();
  logger.Info("stopped");
  return 0;
}
