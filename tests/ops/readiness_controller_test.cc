// Copyright 2026 The tracktry-grpc Authors.
//
// ReadinessController: liveness vs readiness, starting, draining, and that
// nothing else changes them.
#include "service/ops/readiness_controller.h"

#include <map>
#include <mutex>
#include <string>

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

TEST(ReadinessControllerTest, NotReadyUntilStarted) {
  ReadinessController controller;
  EXPECT_TRUE(controller.live());
  EXPECT_FALSE(controller.ready());
  EXPECT_EQ(controller.not_ready_reason(), "starting");
}

TEST(ReadinessControllerTest, AttachPublishesLiveAndReady) {
  FakeHealth health;
  ReadinessController controller;
  controller.Attach(&health);
  EXPECT_EQ(health.Get(""), 1);
  EXPECT_EQ(health.Get(kService), 1);
  EXPECT_TRUE(controller.ready());
  EXPECT_EQ(controller.not_ready_reason(), "");
}

TEST(ReadinessControllerTest, ServiceNameIsConfigurable) {
  FakeHealth health;
  ReadinessController controller("other.v1.Service");
  controller.Attach(&health);
  EXPECT_EQ(health.Get("other.v1.Service"), 1);
  EXPECT_EQ(health.Get(kService), -1);
}

TEST(ReadinessControllerTest, DrainingMakesBothNotServingForGood) {
  FakeHealth health;
  ReadinessController controller;
  controller.Attach(&health);
  controller.SetDraining();
  EXPECT_EQ(health.Get(""), 0);
  EXPECT_EQ(health.Get(kService), 0);
  EXPECT_FALSE(controller.live());
  EXPECT_EQ(controller.not_ready_reason(), "draining");
  // A re-attach (e.g. a new health service) keeps it drained.
  controller.Attach(&health);
  EXPECT_EQ(health.Get(kService), 0);
}

TEST(ReadinessControllerTest, PublishesOnlyChanges) {
  FakeHealth health;
  ReadinessController controller;
  controller.Attach(&health);
  const int sets = health.sets();
  controller.SetDraining();
  EXPECT_EQ(health.sets(), sets + 2);
  controller.SetDraining();
  EXPECT_EQ(health.sets(), sets + 2);
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
