// Copyright 2026 The tracktry-grpc Authors.
#include "bench/key_space.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace tracktry::bench {

KeySpace::KeySpace(int64_t size, double zipf_s)
    : size_(std::max<int64_t>(size, 1)) {
  if (zipf_s <= 0) return;
  cdf_.resize(static_cast<size_t>(size_));
  double sum = 0;
  for (int64_t k = 0; k < size_; ++k) {
    sum += 1.0 / std::pow(static_cast<double>(k + 1), zipf_s);
    cdf_[static_cast<size_t>(k)] = sum;
  }
  for (double& value : cdf_) value /= sum;
  cdf_.back() = 1.0;
}

int64_t KeySpace::Next(std::mt19937_64& rng) const {
  if (cdf_.empty()) {
    return static_cast<int64_t>(rng() % static_cast<uint64_t>(size_));
  }
  const double u = std::uniform_real_distribution<double>(0.0, 1.0)(rng);
  const auto it = std::lower_bound(cdf_.begin(), cdf_.end(), u);
  return std::min<int64_t>(it - cdf_.begin(), size_ - 1);
}

std::string TrackingNumber(const std::string& prefix, int64_t index) {
  char digits[32];
  std::snprintf(digits, sizeof(digits), "%08lld",
                static_cast<long long>(index));  // NOLINT(runtime/int)
  return prefix + digits;
}

}  // namespace tracktry::bench
