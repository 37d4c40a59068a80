// Copyright 2026 The tracktry-grpc Authors.
//
// SIGTERM drain of the real tracktry-server binary (spawned as a child
// process) against the emulator with 300 ms upstream latency: a client keeps
// 50 RPCs in flight, the test sends SIGTERM, and checks that every RPC in
// flight at that moment succeeds, that health turns NOT_SERVING during the
// drain, that new connections are refused afterwards, and that the process
// exits 0.
#include <signal.h>

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "emulator/emulator.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "tests/testing/server_process.h"
#include "tracktry/v1/tracking_service.grpc.pb.h"

namespace tracktry {
namespace {

using grpc::health::v1::HealthCheckResponse;
using testing::ServerProcess;

constexpr char kApiKey[] = "shutdown-test-key-5a1e";
constexpr int kInFlight = 50;

// Keeps `target` CreateTracking RPCs in flight over one channel until
// StopIssuing(); records the outcome of every RPC.
class LoadGenerator {
 public:
  explicit LoadGenerator(std::shared_ptr<grpc::Channel> channel)
      : stub_(v1::TrackingService::NewStub(channel)) {}

  ~LoadGenerator() { WaitIdle(absl::Seconds(30)); }

  void Start(int target) {
    for (int i = 0; i < target; ++i) Issue();
  }

  // Stops starting new RPCs; returns how many were in flight then.
  int StopIssuing() {
    std::lock_guard<std::mutex> lock(mu_);
    issuing_ = false;
    return in_flight_;
  }

  // Waits until nothing is in flight; false on timeout.
  bool WaitIdle(absl::Duration timeout) {
    std::unique_lock<std::mutex> lock(mu_);
    return idle_.wait_for(lock, absl::ToChronoMilliseconds(timeout),
                          [this] { return in_flight_ == 0; });
  }

  int ok() const {
    std::lock_guard<std::mutex> l(mu_);
    return ok_;
  }
  std::vector<std::string> failures() const {
    std::lock_guard<std::mutex> l(mu_);
    return failures_;
  }

 private:
  struct Call {
    grpc::ClientContext context;
    v1::CreateTrackingRequest request;
    v1::CreateTrackingResponse response;
  };

  void Issue() {
    auto call = std::make_shared<Call>();
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (!issuing_) return;
      ++in_flight_;
      call->request.mutable_tracking()->set_tracking_number(
          absl::StrCat("SHUTDOWN", next_number_++));
    }
    call->request.mutable_tracking()->set_carrier_code("dhl");
    call->context.set_deadline(std::chrono::system_clock::now() +
                               std::chrono::seconds(30));
    stub_->async()->CreateTracking(
        &call->context, &call->request, &call->response,
        [this, call](grpc::Status status) {
          bool again;
          {
            std::lock_guard<std::mutex> lock(mu_);
            if (status.ok()) {
              ++ok_;
            } else {
              failures_.push_back(absl::StrCat(status.error_code(), ": ",
                                               status.error_message()));
            }
            --in_flight_;
            again = issuing_;
            if (in_flight_ == 0) idle_.notify_all();
          }
          if (again) Issue();
        });
  }

  std::unique_ptr<v1::TrackingService::Stub> stub_;
  mutable std::mutex mu_;
  std::condition_variable idle_;
  bool issuing_ = true;
  int in_flight_ = 0;
  int next_number_ = 1000000;
  int ok_ = 0;
  std::vector<std::string> failures_;
};

HealthCheckResponse::ServingStatus Health(
    std::shared_ptr<grpc::Channel> channel, const std::string& service) {
  auto stub = grpc::health::v1::Health::NewStub(channel);
  grpc::health::v1::HealthCheckRequest request;
  request.set_service(service);
  HealthCheckResponse response;
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::seconds(2));
  if (!stub->Check(&context, request, &response).ok()) {
    return HealthCheckResponse::UNKNOWN;
  }
  return response.status();
}

class GracefulShutdownTest : public ::testing::Test {
 protected:
  void SetUp() override {
    emulator::EmulatorOptions options;
    options.config.api_key = kApiKey;
    options.config.latency_ms = 300;
    emulator_ = std::make_unique<emulator::Emulator>(options);
    ASSERT_TRUE(emulator_->Start().ok());
  }

  // The tracktry-server binary against the emulator, with `flags`.
  std::unique_ptr<ServerProcess> StartServer(
      const std::vector<std::string>& flags) {
    std::vector<std::string> args = {"--listen=127.0.0.1:0",
                                     "--rate-limit=off"};
    args.insert(args.end(), flags.begin(), flags.end());
    return std::make_unique<ServerProcess>(
        args, std::vector<std::string>{
                  absl::StrCat("TRACKTRY_API_KEY=", kApiKey),
                  absl::StrCat("TRACKTRY_BASE_URL=", emulator_->base_url())});
  }

  std::unique_ptr<emulator::Emulator> emulator_;
};

TEST_F(GracefulShutdownTest, SigtermDrainsInFlightRpcsAndExitsZero) {
  const auto server =
      StartServer({"--shutdown-delay=1s", "--shutdown-grace=10s"});
  ASSERT_TRUE(server->started());
  ASSERT_TRUE(server->WaitForServing()) << server->log();
  const int port = server->port();
  auto channel = grpc::CreateChannel(absl::StrCat("127.0.0.1:", port),
                                     grpc::InsecureChannelCredentials());
  auto health_channel = grpc::CreateChannel(absl::StrCat("127.0.0.1:", port),
                                            grpc::InsecureChannelCredentials());
  ASSERT_EQ(Health(health_channel, ""), HealthCheckResponse::SERVING);
  ASSERT_EQ(Health(health_channel, "tracktry.v1.TrackingService"),
            HealthCheckResponse::SERVING);

  LoadGenerator load(channel);
  load.Start(kInFlight);
  absl::SleepFor(absl::Milliseconds(1200));  // A few rounds of load.
  ASSERT_GT(load.ok(), kInFlight) << "load did not run";
  const absl::Time sigterm = absl::Now();
  server->Signal(SIGTERM);
  // Health turns NOT_SERVING at once, while RPCs are still answered.
  absl::SleepFor(absl::Milliseconds(200));
  EXPECT_EQ(Health(health_channel, ""), HealthCheckResponse::NOT_SERVING);
  EXPECT_EQ(Health(health_channel, "tracktry.v1.TrackingService"),
            HealthCheckResponse::NOT_SERVING);
  const int in_flight = load.StopIssuing();
  EXPECT_GT(in_flight, kInFlight / 2);

  ASSERT_TRUE(load.WaitIdle(absl::Seconds(15)));
  EXPECT_TRUE(load.failures().empty())
      << load.failures().size() << " failed, first: " << load.failures()[0];
  EXPECT_EQ(server->WaitForExit(absl::Seconds(15)), 0) << server->log();
  // Delay (1 s) plus the drain of ~300 ms RPCs, well within the grace.
  EXPECT_LT(absl::Now() - sigterm, absl::Seconds(5));
  EXPECT_NE(server->log().find("\"message\":\"stopped\""), std::string::npos);
}

TEST_F(GracefulShutdownTest,
       SigtermWithoutDelayFinishesAcceptedRpcsAndRefusesNew) {
  const auto server = StartServer({"--shutdown-grace=10s"});
  ASSERT_TRUE(server->started());
  ASSERT_TRUE(server->WaitForServing()) << server->log();
  const int port = server->port();
  const std::string target = absl::StrCat("127.0.0.1:", port);
  auto channel =
      grpc::CreateChannel(target, grpc::InsecureChannelCredentials());

  // A health watcher sees the NOT_SERVING transition.
  auto health = grpc::health::v1::Health::NewStub(channel);
  grpc::ClientContext watch_context;
  grpc::health::v1::HealthCheckRequest watch_request;
  watch_request.set_service("tracktry.v1.TrackingService");
  auto watch = health->Watch(&watch_context, watch_request);
  HealthCheckResponse update;
  ASSERT_TRUE(watch->Read(&update));
  ASSERT_EQ(update.status(), HealthCheckResponse::SERVING);

  // One wave of 50 RPCs, given time to reach the server (they then wait
  // 300 ms on the upstream).
  LoadGenerator load(channel);
  load.Start(kInFlight);
  absl::SleepFor(absl::Milliseconds(100));
  EXPECT_EQ(load.StopIssuing(), kInFlight);
  server->Signal(SIGTERM);

  ASSERT_TRUE(watch->Read(&update));
  EXPECT_EQ(update.status(), HealthCheckResponse::NOT_SERVING);
  ASSERT_TRUE(load.WaitIdle(absl::Seconds(15)));
  EXPECT_EQ(load.ok(), kInFlight);
  EXPECT_TRUE(load.failures().empty()) << load.failures()[0];
  watch_context.TryCancel();
  EXPECT_EQ(server->WaitForExit(absl::Seconds(15)), 0) << server->log();

  // Nothing listens any more.
  auto fresh = grpc::CreateChannel(target, grpc::InsecureChannelCredentials());
  EXPECT_EQ(Health(fresh, ""), HealthCheckResponse::UNKNOWN);
}

TEST_F(GracefulShutdownTest, SigintAlsoDrainsAndExitsZero) {
  const auto server = StartServer({});
  ASSERT_TRUE(server->started());
  ASSERT_TRUE(server->WaitForServing()) << server->log();
  server->Signal(SIGINT);
  EXPECT_EQ(server->WaitForExit(absl::Seconds(10)), 0) << server->log();
}

TEST_F(GracefulShutdownTest, GraceExpiryCancelsStragglersAndStillExitsZero) {
  ASSERT_TRUE(emulator_->SetLatencyMs(5000).ok());
  const auto server = StartServer({"--shutdown-grace=300ms"});
  ASSERT_TRUE(server->started());
  ASSERT_TRUE(server->WaitForServing()) << server->log();
  const int port = server->port();
  auto channel = grpc::CreateChannel(absl::StrCat("127.0.0.1:", port),
                                     grpc::InsecureChannelCredentials());
  LoadGenerator load(channel);
  load.Start(5);
  absl::SleepFor(absl::Milliseconds(200));
  load.StopIssuing();
  const absl::Time sigterm = absl::Now();
  server->Signal(SIGTERM);
  EXPECT_EQ(server->WaitForExit(absl::Seconds(10)), 0) << server->log();
  EXPECT_LT(absl::Now() - sigterm, absl::Seconds(3));
  ASSERT_TRUE(load.WaitIdle(absl::Seconds(10)));
  EXPECT_EQ(load.failures().size(), 5u);
}

}  // namespace
}  // namespace tracktry
