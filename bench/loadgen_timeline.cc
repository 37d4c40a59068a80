// Copyright 2026 The tracktry-grpc Authors.
#include "bench/loadgen_timeline.h"

#include <algorithm>
#include <utility>

#include "nlohmann/json.hpp"

namespace tracktry::bench {

OutcomeTimeline::OutcomeTimeline(std::ostream* out, int64_t origin_ns,
                                 int64_t interval_ns, int64_t origin_unix_ms)
    : out_(out),
      origin_ns_(origin_ns),
      interval_ns_(std::max<int64_t>(interval_ns, 1)),
      origin_unix_ms_(origin_unix_ms) {}

void OutcomeTimeline::Record(int64_t end_ns, absl::string_view op,
                             absl::string_view outcome, bool late) {
  Flush(end_ns);
  current_.Record(op, outcome);
  if (late) ++late_;
}

void OutcomeTimeline::Flush(int64_t now_ns) {
  while (origin_ns_ + (index_ + 1) * interval_ns_ <= now_ns) {
    WriteCurrent(origin_ns_ + (index_ + 1) * interval_ns_);
  }
}

void OutcomeTimeline::Finish(int64_t now_ns) {
  Flush(now_ns);
  const int64_t start = origin_ns_ + index_ * interval_ns_;
  if (now_ns > start || current_.total() > 0) {
    WriteCurrent(std::max(now_ns, start));
  }
}

void OutcomeTimeline::WriteCurrent(int64_t end_ns) {
  const int64_t start_ns = origin_ns_ + index_ * interval_ns_;
  nlohmann::json line = {
      {"interval", index_},
      {"start_unix_ms", origin_unix_ms_ + (start_ns - origin_ns_) / 1'000'000},
      {"end_unix_ms", origin_unix_ms_ + (end_ns - origin_ns_) / 1'000'000},
      {"calls", current_.total()},
      {"failed", current_.failed()},
      {"late", late_},
      {"ops", current_.ToJson()}};
  *out_ << line.dump() << "\n";
  out_->flush();
  ++index_;
  ++written_;
  late_ = 0;
  current_.Clear();
}

}  // namespace tracktry::bench
