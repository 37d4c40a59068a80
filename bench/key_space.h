// Copyright 2026 The tracktry-grpc Authors.
//
// KeySpace: draws tracking-number indexes uniformly or Zipf-distributed.
#ifndef TRACKTRY_BENCH_KEY_SPACE_H_
#define TRACKTRY_BENCH_KEY_SPACE_H_

#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace tracktry::bench {

// Immutable after construction; Next() is const and thread-compatible.
class KeySpace {
 public:
  // `size` >= 1 keys. `zipf_s` == 0: uniform; > 0: key k (0-based rank) has
  // probability proportional to 1 / (k + 1)^zipf_s.
  KeySpace(int64_t size, double zipf_s);

  int64_t Next(std::mt19937_64& rng) const;
  int64_t size() const { return size_; }

 private:
  int64_t size_;
  // Cumulative probabilities (Zipf only; empty when uniform).
  std::vector<double> cdf_;
};

// prefix + index zero-padded to 8 digits, e.g. "BN00000042".
std::string TrackingNumber(const std::string& prefix, int64_t index);

}  // namespace tracktry::bench

#endif  // TRACKTRY_BENCH_KEY_SPACE_H_
