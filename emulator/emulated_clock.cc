// Copyright 2026 The tracktry-grpc Authors.
#include "emulator/emulated_clock.h"

#include <cmath>

namespace tracktry::emulator {
namespace {

double SanitizeScale(double time_scale) {
  return (time_scale > 0 && std::isfinite(time_scale)) ? time_scale : 1.0;
}

}  // namespace

EmulatedClock::EmulatedClock(double time_scale, int64_t start_unix)
    : anchor_(std::chrono::steady_clock::now()),
      time_scale_(SanitizeScale(time_scale)) {
  if (start_unix != 0) {
    anchor_emulated_ = static_cast<double>(start_unix);
  } else {
    anchor_emulated_ = std::chrono::duration<double>(
                           std::chrono::system_clock::now().time_since_epoch())
                           .count();
  }
}

double EmulatedClock::NowLocked() const {
  const double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - anchor_)
          .count();
  return anchor_emulated_ + elapsed * time_scale_;
}

int64_t EmulatedClock::NowUnix() const {
  std::lock_guard<std::mutex> lock(mu_);
  return static_cast<int64_t>(std::floor(NowLocked())) + offset_seconds_;
}

void EmulatedClock::Advance(int64_t seconds) {
  std::lock_guard<std::mutex> lock(mu_);
  offset_seconds_ += seconds;
}

void EmulatedClock::ResetOffset() {
  std::lock_guard<std::mutex> lock(mu_);
  offset_seconds_ = 0;
}

void EmulatedClock::SetTimeScale(double time_scale) {
  std::lock_guard<std::mutex> lock(mu_);
  anchor_emulated_ = NowLocked();
  anchor_ = std::chrono::steady_clock::now();
  time_scale_ = SanitizeScale(time_scale);
}

double EmulatedClock::time_scale() const {
  std::lock_guard<std::mutex> lock(mu_);
  return time_scale_;
}

int64_t EmulatedClock::offset_seconds() const {
  std::lock_guard<std::mutex> lock(mu_);
  return offset_seconds_;
}

}  // namespace tracktry::emulator
