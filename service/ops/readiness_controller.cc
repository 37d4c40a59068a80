// Copyright 2026 The tracktry-grpc Authors.
#include "service/ops/readiness_controller.h"

#include <optional>
#include <utility>

#include "absl/time/clock.h"
#include "common/error_details.h"

namespace tracktry {

ReadinessController::ReadinessController(ReadinessOptions options)
    : options_(std::move(options)), scheduler_(std::make_unique<Scheduler>()) {
  std::lock_guard<std::mutex> lock(mu_);
  ScheduleTickLocked();
}

ReadinessController::~ReadinessController() { Stop(); }

void ReadinessController::Attach(grpc::HealthCheckServiceInterface* health) {
  std::lock_guard<std::mutex> lock(mu_);
  health_ = health;
  published_live_ = -1;
  published_ready_ = -1;
  PublishLocked();
}

void ReadinessController::Detach() {
  std::lock_guard<std::mutex> lock(mu_);
  health_ = nullptr;
}

void ReadinessController::SetProbe(Probe probe) {
  std::lock_guard<std::mutex> lock(mu_);
  probe_ = std::move(probe);
}

void ReadinessController::SetCircuitOpenGetter(CircuitOpenGetter getter) {
  std::lock_guard<std::mutex> lock(mu_);
  circuit_getter_ = std::move(getter);
}

void ReadinessController::Stop() {
  std::unique_ptr<Scheduler> scheduler;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopped_ = true;
    scheduler = std::move(scheduler_);
  }
  // Joins the timer thread outside the lock (a running Tick takes it).
  scheduler.reset();
}

void ReadinessController::SetDraining() {
  std::lock_guard<std::mutex> lock(mu_);
  draining_ = true;
  PublishLocked();
}

void ReadinessController::OnUpstreamResult(const absl::Status& status) {
  bool rejected;
  if (status.ok()) {
    rejected = false;
  } else {
    std::optional<google::rpc::ErrorInfo> info = GetErrorInfo(status);
    if (!info.has_value()) return;
    if (info->reason() == kApiKeyRejectedReason) {
      rejected = true;
    } else if (info->metadata().contains("metaCode")) {
      // An application-level answer (e.g. 4017 not found): the upstream
      // accepted the key to get that far.
      rejected = false;
    } else {
      return;  // Transport errors, 5xx, 429: nothing about the key.
    }
  }
  std::lock_guard<std::mutex> lock(mu_);
  if (rejected == key_rejected_) return;
  key_rejected_ = rejected;
  if (rejected) next_probe_ = absl::Now() + options_.probe_interval;
  PublishLocked();
}

void ReadinessController::SetCircuitOpen(bool open) {
  std::lock_guard<std::mutex> lock(mu_);
  circuit_pushed_open_ = open;
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
  if (key_rejected_) return "upstream_api_key_rejected";
  if (circuit_pushed_open_ || circuit_polled_open_) return "circuit_open";
  return "";
}

void ReadinessController::PublishLocked() {
  if (health_ == nullptr) return;
  const int live = draining_ ? 0 : 1;
  const int ready = (draining_ || key_rejected_ || circuit_pushed_open_ ||
                     circuit_polled_open_)
                        ? 0
                        : 1;
  if (live != published_live_) {
    health_->SetServingStatus("", live == 1);
    published_live_ = live;
  }
  if (ready != published_ready_) {
    health_->SetServingStatus(options_.service_name, ready == 1);
    published_ready_ = ready;
  }
}

void ReadinessController::ScheduleTickLocked() {
  if (stopped_ || scheduler_ == nullptr) return;
  scheduler_->RunAfter(options_.poll_interval, [this] { Tick(); });
}

void ReadinessController::Tick() {
  CircuitOpenGetter getter;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopped_) return;
    getter = circuit_getter_;
  }
  // Getter and probe run without the lock: they may call back into us.
  const bool circuit_open = getter ? getter() : false;
  Probe probe;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopped_) return;
    circuit_polled_open_ = circuit_open;
    PublishLocked();
    const absl::Time now = absl::Now();
    if (key_rejected_ && !draining_ && now >= next_probe_) {
      next_probe_ = now + options_.probe_interval;
      probe = probe_;
    }
    ScheduleTickLocked();
  }
  if (probe) probe();
}

}  // namespace tracktry
