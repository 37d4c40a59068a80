// Copyright 2026 The tracktry-grpc Authors.
#include "service/ops/readiness_controller.h"

#include <utility>

namespace tracktry {

ReadinessController::ReadinessController(std::string service_name)
    : service_name_(std::move(service_name)) {}

void ReadinessController::Attach(grpc::HealthCheckServiceInterface* health) {
  std::lock_guard<std::mutex> lock(mu_);
  health_ = health;
  started_ = true;
  published_live_ = -1;
  published_ready_ = -1;
  PublishLocked();
}

void ReadinessController::Detach() {
  std::lock_guard<std::mutex> lock(mu_);
  health_ = nullptr;
}

void ReadinessController::SetDraining() {
  std::lock_guard<std::mutex> lock(mu_);
  draining_ = true;
  PublishLocked();
}

bool ReadinessController::live() const {
  std::lock_guard<std::mutex> lock(mu_);
  return !draining_;
}

bool ReadinessController::ready() const { return not_ready_reason().empty(); }

std::string ReadinessController::not_ready_reason() const {
  std::lock_guard<std::mutex> lock(mu_);
  if (draining_) return "draining";
  if (!started_) return "starting";
  return "";
}

void ReadinessController::PublishLocked() {
  if (health_ == nullptr) return;
  const int live = draining_ ? 0 : 1;
  const int ready = (started_ && !draining_) ? 1 : 0;
  if (live != published_live_) {
    health_->SetServingStatus("", live == 1);
    published_live_ = live;
  }
  if (ready != published_ready_) {
    health_->SetServingStatus(service_name_, ready == 1);
    published_ready_ = ready;
  }
}

}  // namespace tracktry
