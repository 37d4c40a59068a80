// Copyright 2026 The tracktry-grpc Authors.
#include "bench/startup_probe.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "bench/call_engine.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpcpp/grpcpp.h"

extern char** environ;

namespace tracktry::bench {
namespace {

constexpr char kServiceName[] = "tracktry.v1.TrackingService";

// A port that was free a moment ago.
int FreePort() {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return 0;
  sockaddr_in address = {};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof(address);
  int port = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0) {
    port = ntohs(address.sin_port);
  }
  close(fd);
  return port;
}

bool TcpAccepts(int port) {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_in address = {};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(static_cast<uint16_t>(port));
  const bool ok =
      connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0;
  close(fd);
  return ok;
}

void StopChild(pid_t pid) {
  kill(pid, SIGTERM);
  for (int i = 0; i < 500; ++i) {
    if (waitpid(pid, nullptr, WNOHANG) == pid) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  kill(pid, SIGKILL);
  waitpid(pid, nullptr, 0);
}

// One run: the spawn-to-SERVING time in ms.
absl::StatusOr<double> RunOnce(const std::vector<std::string>& command,
                               absl::Duration timeout,
                               const std::string& log_path) {
  const int port = FreePort();
  if (port == 0) return absl::UnavailableError("no free port");
  std::vector<std::string> args;
  for (const std::string& arg : command) {
    args.push_back(absl::StrReplaceAll(arg, {{"{port}", absl::StrCat(port)}}));
  }
  std::vector<char*> argv;
  for (std::string& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  const char* log = log_path.empty() ? "/dev/null" : log_path.c_str();
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log,
                                   O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  pid_t pid = 0;
  const int64_t begin = MonotonicNanos();
  const int spawned =
      posix_spawnp(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (spawned != 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("cannot spawn ", command[0]));
  }
  const int64_t deadline = begin + absl::ToInt64Nanoseconds(timeout);
  // Cheap TCP probes until the listener exists, then health checks.
  while (!TcpAccepts(port)) {
    if (waitpid(pid, nullptr, WNOHANG) == pid) {
      return absl::AbortedError("server exited before listening");
    }
    if (MonotonicNanos() > deadline) {
      StopChild(pid);
      return absl::DeadlineExceededError("server did not listen in time");
    }
    std::this_thread::sleep_for(std::chrono::microseconds(100));
  }
  grpc::ChannelArguments channel_args;
  channel_args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  auto channel = grpc::CreateCustomChannel(absl::StrCat("127.0.0.1:", port),
                                           grpc::InsecureChannelCredentials(),
                                           channel_args);
  auto stub = grpc::health::v1::Health::NewStub(channel);
  while (true) {
    grpc::ClientContext context;
    context.set_wait_for_ready(true);
    context.set_deadline(std::chrono::system_clock::now() +
                         std::chrono::milliseconds(500));
    grpc::health::v1::HealthCheckRequest request;
    request.set_service(kServiceName);
    grpc::health::v1::HealthCheckResponse response;
    const grpc::Status status = stub->Check(&context, request, &response);
    if (status.ok() &&
        response.status() == grpc::health::v1::HealthCheckResponse::SERVING) {
      break;
    }
    if (MonotonicNanos() > deadline) {
      StopChild(pid);
      return absl::DeadlineExceededError("server not SERVING in time");
    }
    std::this_thread::sleep_for(std::chrono::microseconds(100));
  }
  const double elapsed_ms = (MonotonicNanos() - begin) / 1e6;
  // Close the connection first: an idle client answers the server's
  // shutdown GOAWAY ping only when its backup poller runs (every 5 s).
  stub.reset();
  channel.reset();
  StopChild(pid);
  return elapsed_ms;
}

}  // namespace

absl::StatusOr<StartupReport> MeasureStartup(
    const std::vector<std::string>& command, int runs, absl::Duration timeout,
    const std::string& log_path) {
  if (command.empty()) return absl::InvalidArgumentError("empty command");
  {
    // Initialise the gRPC client library outside the timed region.
    auto warm =
        grpc::CreateChannel("127.0.0.1:1", grpc::InsecureChannelCredentials());
    (void)warm->GetState(false);
  }
  StartupReport report;
  for (int i = 0; i < runs; ++i) {
    absl::StatusOr<double> ms = RunOnce(command, timeout, log_path);
    if (ms.ok()) {
      report.runs_ms.push_back(*ms);
    } else {
      ++report.failures;
      report.last_error = std::string(ms.status().message());
    }
  }
  if (!report.runs_ms.empty()) {
    std::vector<double> sorted = report.runs_ms;
    std::sort(sorted.begin(), sorted.end());
    const size_t n = sorted.size();
    report.median_ms =
        n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    report.min_ms = sorted.front();
    report.max_ms = sorted.back();
  }
  return report;
}

}  // namespace tracktry::bench
