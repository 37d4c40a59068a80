// Copyright 2026 The tracktry-grpc Authors.
//
// ServerReplica: one tracktry-server process (a ServerProcess) listening on
// 127.0.0.1:0, reading the upstream at `base_url` with the API key in its
// environment, and a TrackingService stub to it. For the tests that run
// several real servers against one emulator (shared quota, fleet mode).
// Header-only, test-only.
#ifndef TRACKTRY_TESTS_TESTING_SERVER_REPLICA_H_
#define TRACKTRY_TESTS_TESTING_SERVER_REPLICA_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "grpcpp/grpcpp.h"
#include "tests/testing/server_process.h"
#include "tracktry/v1/tracking_service.grpc.pb.h"

namespace tracktry::testing {

class ServerReplica {
 public:
  ServerReplica() = default;
  ~ServerReplica() { Stop(); }
  ServerReplica(const ServerReplica&) = delete;
  ServerReplica& operator=(const ServerReplica&) = delete;

  // Starts the server with `flags` after --listen and --base-url, and waits
  // up to `timeout` for it to serve.
  absl::Status Start(const std::vector<std::string>& flags,
                     const std::string& base_url, const std::string& api_key,
                     absl::Duration timeout = absl::Seconds(30)) {
    std::vector<std::string> args = {"--listen", "127.0.0.1:0", "--base-url",
                                     base_url};
    args.insert(args.end(), flags.begin(), flags.end());
    process_ = std::make_unique<ServerProcess>(
        args,
        std::vector<std::string>{absl::StrCat("TRACKTRY_API_KEY=", api_key)});
    if (!process_->started()) {
      return absl::NotFoundError(
          absl::StrCat("cannot start ", ServerProcess::ServerBinary()));
    }
    if (!process_->WaitForServing(timeout)) {
      return absl::InternalError(
          absl::StrCat("server did not report its port: ", Log()));
    }
    channel_ = grpc::CreateChannel(absl::StrCat("127.0.0.1:", port()),
                                   grpc::InsecureChannelCredentials());
    stub_ = v1::TrackingService::NewStub(channel_);
    return absl::OkStatus();
  }

  // Closes the client side first (the server's graceful stop waits for open
  // client connections), then stops the server gracefully (SIGTERM).
  void Stop() {
    stub_.reset();
    channel_.reset();
    if (process_ != nullptr) process_->Stop();
  }

  std::string Log() const { return process_ ? process_->log() : ""; }
  int port() const { return process_ ? process_->port() : 0; }
  int metrics_port() const { return process_ ? process_->metrics_port() : 0; }
  v1::TrackingService::Stub* stub() { return stub_.get(); }

 private:
  std::unique_ptr<ServerProcess> process_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::TrackingService::Stub> stub_;
};

}  // namespace tracktry::testing

#endif  // TRACKTRY_TESTS_TESTING_SERVER_REPLICA_H_
