// Copyright 2026 The tracktry-grpc Authors.
#include "tests/testing/service_harness.h"

#include <chrono>
#include <utility>

#include "absl/strings/str_cat.h"

namespace tracktry::testing {

ServiceHarness::ServiceHarness(ServerOptions options,
                               emulator::EmulatorOptions emulator_options)
    : options_(std::move(options)),
      emulator_options_(std::move(emulator_options)) {}

ServiceHarness::~ServiceHarness() { Stop(); }

absl::Status ServiceHarness::Start() {
  if (emulator_options_.config.api_key.empty()) {
    emulator_options_.config.api_key = kApiKey;
  }
  emulator_ = std::make_unique<emulator::Emulator>(emulator_options_);
  if (absl::Status status = emulator_->Start(); !status.ok()) return status;

  options_.listen_address = "127.0.0.1:0";
  options_.upstream.base_url = emulator_->base_url();
  if (options_.upstream.api_key.empty()) options_.upstream.api_key = kApiKey;

  log_ = std::make_unique<LogCapture>();
  log_->logger().AddSecret(options_.upstream.api_key);

  absl::StatusOr<std::unique_ptr<TracktryServer>> server =
      TracktryServer::Start(options_, nullptr, &log_->logger());
  if (!server.ok()) return server.status();
  server_ = std::move(*server);
  channel_ = grpc::CreateChannel(target(), grpc::InsecureChannelCredentials());
  stub_ = v1::TrackingService::NewStub(channel_);
  return absl::OkStatus();
}

void ServiceHarness::Stop() {
  stub_.reset();
  channel_.reset();
  server_.reset();
  if (emulator_ != nullptr) emulator_->Stop();
}

std::string ServiceHarness::target() const {
  return absl::StrCat("127.0.0.1:", server_->port());
}

std::string ServiceHarness::ReadLog() const {
  return log_ != nullptr ? log_->Text() : "";
}

std::unique_ptr<grpc::ClientContext> ServiceHarness::Context(
    absl::Duration timeout) {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(std::chrono::system_clock::now() +
                        absl::ToChronoMilliseconds(timeout));
  return context;
}

}  // namespace tracktry::testing
