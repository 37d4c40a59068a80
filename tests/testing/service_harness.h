// Copyright 2026 The tracktry-grpc Authors.
//
// ServiceHarness: the whole service in-process for end-to-end tests:
// a real TrackingService stub -> real gRPC server (127.0.0.1:0) -> real
// libcurl multi transport -> the Tracktry emulator on 127.0.0.1:0.
#ifndef TRACKTRY_TESTS_TESTING_SERVICE_HARNESS_H_
#define TRACKTRY_TESTS_TESTING_SERVICE_HARNESS_H_

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "emulator/emulator.h"
#include "grpcpp/grpcpp.h"
#include "service/server/server_options.h"
#include "service/server/tracktry_server.h"
#include "tests/testing/log_capture.h"
#include "tracktry/v1/tracking_service.grpc.pb.h"

namespace tracktry::testing {

class ServiceHarness {
 public:
  static constexpr char kApiKey[] = "harness-secret-api-key-0123456789";

  // `options` may override anything; the upstream base URL and key are
  // pointed at the emulator unless `keep_upstream` is true.
  explicit ServiceHarness(ServerOptions options = {},
                          emulator::EmulatorOptions emulator_options = {});
  ~ServiceHarness();

  // Starts the emulator and the server. Returns the first failure.
  absl::Status Start();
  // Stops the server (grace 0) and the emulator.
  void Stop();

  emulator::Emulator& emulator() { return *emulator_; }
  TracktryServer& server() { return *server_; }
  v1::TrackingService::Stub& stub() { return *stub_; }
  std::shared_ptr<grpc::Channel> channel() { return channel_; }
  std::string target() const;
  // What the server logged so far (JSON lines; kept after Stop()).
  std::string ReadLog() const;

  // A client context with a deadline `timeout` from now.
  static std::unique_ptr<grpc::ClientContext> Context(
      absl::Duration timeout = absl::Seconds(10));

 private:
  ServerOptions options_;
  emulator::EmulatorOptions emulator_options_;
  std::unique_ptr<emulator::Emulator> emulator_;
  std::unique_ptr<LogCapture> log_;
  std::unique_ptr<TracktryServer> server_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::TrackingService::Stub> stub_;
};

}  // namespace tracktry::testing

#endif  // TRACKTRY_TESTS_TESTING_SERVICE_HARNESS_H_
