// Copyright 2026 The tracktry-grpc Authors.
#include "bench/latency_recorder.h"

#include <algorithm>
#include <cmath>

namespace tracktry::bench {

int64_t NearestRank(const std::vector<int64_t>& sorted, double percentile) {
  if (sorted.empty()) return 0;
  // The epsilon keeps 99.9% of 1000 at rank 999 despite rounding.
  const double rank =
      std::ceil(percentile * static_cast<double>(sorted.size()) / 100.0 - 1e-9);
  const size_t index = static_cast<size_t>(std::clamp(
                           rank, 1.0, static_cast<double>(sorted.size()))) -
                       1;
  return sorted[index];
}

void LatencyRecorder::Record(absl::string_view code, int64_t latency_ns,
                             bool timed) {
  ++count_;
  auto it = codes_.find(code);
  if (it == codes_.end()) it = codes_.emplace(std::string(code), 0).first;
  ++it->second;
  if (code != "OK") return;
  ++ok_;
  if (timed) samples_.push_back(latency_ns);
}

LatencySummary LatencyRecorder::Summarize() {
  std::sort(samples_.begin(), samples_.end());
  LatencySummary summary;
  summary.count = static_cast<int64_t>(samples_.size());
  if (samples_.empty()) return summary;
  double sum = 0;
  for (int64_t sample : samples_) sum += static_cast<double>(sample);
  summary.mean_us = sum / static_cast<double>(samples_.size()) / 1000.0;
  summary.p50_us = NearestRank(samples_, 50) / 1000.0;
  summary.p90_us = NearestRank(samples_, 90) / 1000.0;
  summary.p99_us = NearestRank(samples_, 99) / 1000.0;
  summary.p999_us = NearestRank(samples_, 99.9) / 1000.0;
  summary.max_us = samples_.back() / 1000.0;
  return summary;
}

}  // namespace tracktry::bench
