// Copyright 2026 The tracktry-grpc Authors.
//
// ReadinessController: liveness vs readiness, API-key rejection and its
// re-check probe, circuit state (pushed and polled), draining.
#include "service/ops/readiness_controller.h"

#include <atomic>
#include <map>
#include <mutex>
#include <string>
#include <thread>

#include "absl/time/clock.h"
#include "common/error_details.h"
#include "gtest/gtest.h"

namespace tracktry {
namespace {

// Records the statuses the controller publishes.
class FakeHealth final : public grpc::HealthCheckServiceInterface {
 public:
  void SetServingStatus(const std::string& service_name,
                        bool serving) override {
    std::lock_guard<std::mutex> lock(mu_);
    status_[service_name] = serving;
    ++sets_;
  }
  void SetServingStatus(bool serving) override {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto& [name, value] : status_) value = serving;
  }
  // -1 unknown, 0 NOT_SERVING, 1 SERVING.
  int Get(const std::string& name) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = status_.find(name);
    return it == status_.end() ? -1 : (it->second ? 1 : 0);
  }
  int sets() {
    std::lock_guard<std::mutex> lock(mu_);
    return sets_;
  }

 private:
  std::mutex mu_;
  std::map<std::string, bool> status_;
  int sets_ = 0;
};

constexpr char kService[] = "tracktry.v1.TrackingService";

absl::Status KeyRejected() {
  return MakeError(absl::StatusCode::kFailedPrecondition, "key rejected",
                   kApiKeyRejectedReason, {{"httpStatus", "401"}});
}

// Polls `condition` for up to 5 s.
template <typename Condition>
bool Eventually(Condition condition) {
  const absl::Time deadline = absl::Now() + absl::Seconds(5);
  while (absl::Now() < deadline) {
    if (condition()) return true;
    absl::SleepFor(absl::Milliseconds(5));
  }
  return condition();
}

TEST(ReadinessControllerTest, AttachPublishesLiveAndReady) {
  FakeHealth health;
  ReadinessController controller;
  controller.Attach(&health);
  EXPECT_EQ(health.Get(""), 1);
  EXPECT_EQ(health.Get(kService), 1);
  EXPECT_TRUE(controller.live());
  EXPECT_TRUE(controller.ready());
  EXPECT_EQ(controller.not_ready_reason(), "");
}

TEST(ReadinessControllerTest, RejectedKeyMakesUnreadyButStaysLive) {
  FakeHealth health;
  ReadinessController controller;
  controller.Attach(&health);
  controller.OnUpstreamResult(KeyRejected());
  EXPECT_EQ(health.Get(""), 1);
  EXPECT_EQ(health.Get(kService), 0);
  EXPECT_TRUE(controller.live());
  EXPECT_EQ(controller.not_ready_reason(), "upstream_api_key_rejected");
}

TEST(ReadinessControllerTest, UpstreamSuccessClearsRejectedKey) {
  FakeHealth health;
  ReadinessController controller;
  controller.Attach(&health);
  controller.OnUpstreamResult(KeyRejected());
  controller.OnUpstreamResult(absl::OkStatus());
  EXPECT_EQ(health.Get(kService), 1);
  EXPECT_TRUE(controller.ready());
}

TEST(ReadinessControllerTest, OtherUpstreamErrorsDoNotChangeReadiness) {
  FakeHealth health;
  ReadinessController controller;
  controller.Attach(&health);
  controller.OnUpstreamResult(MakeError(absl::StatusCode::kUnavailable, "down",
                                        "UPSTREAM_UNAVAILABLE"));
  controller.OnUpstreamResult(absl::UnavailableError("no details"));
  EXPECT_TRUE(controller.ready());
  controller.OnUpstreamResult(KeyRejected());
  controller.OnUpstreamResult(MakeError(absl::StatusCode::kUnavailable, "down",
                                        "UPSTREAM_UNAVAILABLE",
                                        {{"httpStatus", "503"}}));
  controller.OnUpstreamResult(
      MakeError(absl::StatusCode::kUnavailable, "open", "CIRCUIT_OPEN"));
  EXPECT_FALSE(controller.ready());
}

TEST(ReadinessControllerTest, UpstreamAnswerWithMetaCodeClearsRejectedKey) {
  FakeHealth health;
  ReadinessController controller;
  controller.Attach(&health);
  controller.OnUpstreamResult(KeyRejected());
  controller.OnUpstreamResult(
      MakeError(absl::StatusCode::kNotFound, "gone", "TRACKING_NOT_FOUND",
                {{"httpStatus", "200"}, {"metaCode", "4017"}}));
  EXPECT_TRUE(controller.ready());
  EXPECT_EQ(health.Get(kService), 1);
}

TEST(ReadinessControllerTest, PushedCircuitStateTogglesReadiness) {
  FakeHealth health;
  ReadinessController controller;
  controller.Attach(&health);
  controller.SetCircuitOpen(true);
  EXPECT_EQ(health.Get(kService), 0);
  EXPECT_EQ(health.Get(""), 1);
  EXPECT_EQ(controller.not_ready_reason(), "circuit_open");
  controller.SetCircuitOpen(false);
  EXPECT_EQ(health.Get(kService), 1);
}

TEST(ReadinessControllerTest, PolledCircuitStateTogglesReadiness) {
  FakeHealth health;
  ReadinessOptions options;
  options.poll_interval = absl::Milliseconds(10);
  ReadinessController controller(options);
  std::atomic<bool> open{false};
  controller.SetCircuitOpenGetter([&open] { return open.load(); });
  controller.Attach(&health);
  open = true;
  EXPECT_TRUE(Eventually([&] { return health.Get(kService) == 0; }));
  EXPECT_EQ(health.Get(""), 1);
  open = false;
  EXPECT_TRUE(Eventually([&] { return health.Get(kService) == 1; }));
  controller.Stop();
}

TEST(ReadinessControllerTest, DrainingMakesBothNotServingForGood) {
  FakeHealth health;
  ReadinessController controller;
  controller.Attach(&health);
  controller.SetDraining();
  EXPECT_EQ(health.Get(""), 0);
  EXPECT_EQ(health.Get(kService), 0);
  controller.OnUpstreamResult(absl::OkStatus());
  controller.SetCircuitOpen(false);
  EXPECT_FALSE(controller.live());
  EXPECT_EQ(controller.not_ready_reason(), "draining");
  EXPECT_EQ(health.Get(kService), 0);
}

TEST(ReadinessControllerTest, ProbesUpstreamWhileKeyIsRejected) {
  FakeHealth health;
  ReadinessOptions options;
  options.poll_interval = absl::Milliseconds(5);
  options.probe_interval = absl::Milliseconds(20);
  ReadinessController controller(options);
  std::atomic<int> probes{0};
  controller.SetProbe([&probes] { ++probes; });
  controller.Attach(&health);
  absl::SleepFor(absl::Milliseconds(100));
  EXPECT_EQ(probes.load(), 0) << "no probe while the key is fine";
  controller.OnUpstreamResult(KeyRejected());
  EXPECT_TRUE(Eventually([&] { return probes.load() >= 2; }));
  // The probe's success makes the pod ready again and stops probing.
  controller.OnUpstreamResult(absl::OkStatus());
  EXPECT_EQ(health.Get(kService), 1);
  absl::SleepFor(absl::Milliseconds(50));
  const int after = probes.load();
  absl::SleepFor(absl::Milliseconds(100));
  EXPECT_EQ(probes.load(), after);
  controller.Stop();
}

TEST(ReadinessControllerTest, PublishesOnlyChanges) {
  FakeHealth health;
  ReadinessController controller;
  controller.Attach(&health);
  const int sets = health.sets();
  controller.OnUpstreamResult(absl::OkStatus());
  controller.SetCircuitOpen(false);
  EXPECT_EQ(health.sets(), sets);
}

TEST(ReadinessControllerTest, DetachedControllerStopsPublishing) {
  FakeHealth health;
  ReadinessController controller;
  controller.Attach(&health);
  controller.Detach();
  controller.SetDraining();
  EXPECT_EQ(health.Get(""), 1);
  EXPECT_FALSE(controller.live());
}

}  // namespace
}  // namespace tracktry
