// Copyright 2026 The tracktry-grpc Authors.
//
// EmulatedClock: the emulator's notion of "now" for checkpoint progression.
//   now = start + (real elapsed seconds) * time_scale + offset
// where offset grows with Advance(). Thread-safe.
#ifndef TRACKTRY_EMULATOR_EMULATED_CLOCK_H_
#define TRACKTRY_EMULATOR_EMULATED_CLOCK_H_

#include <chrono>
#include <cstdint>
#include <mutex>

namespace tracktry::emulator {

class EmulatedClock {
 public:
  // `start_unix` == 0 starts at the real wall-clock time. `time_scale` must
  // be > 0 (other values are treated as 1).
  EmulatedClock(double time_scale, int64_t start_unix);

  EmulatedClock(const EmulatedClock&) = delete;
  EmulatedClock& operator=(const EmulatedClock&) = delete;

  // Emulated unix time in seconds (floor).
  int64_t NowUnix() const;

  // Moves the clock forward by `seconds` (negative moves it back).
  void Advance(int64_t seconds);

  // Drops the accumulated Advance() offset.
  void ResetOffset();

  // Changes the speed from now on without a jump in NowUnix().
  void SetTimeScale(double time_scale);

  double time_scale() const;
  int64_t offset_seconds() const;

 private:
  double NowLocked() const;

  mutable std::mutex mu_;
  // Emulated seconds (without offset) at anchor_.
  double anchor_emulated_;
  std::chrono::steady_clock::time_point anchor_;
  double time_scale_;
  int64_t offset_seconds_ = 0;
};

}  // namespace tracktry::emulator

#endif  // TRACKTRY_EMULATOR_EMULATED_CLOCK_H_
