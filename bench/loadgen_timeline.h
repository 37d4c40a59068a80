// Copyright 2026 The tracktry-grpc Authors.
//
// OutcomeTimeline: the outcomes of a load run in fixed intervals, written
// as one JSON line per interval as the run goes (--timeline FILE):
//   {"interval": 3, "start_unix_ms": ..., "end_unix_ms": ..., "calls": 512,
//    "failed": 2, "late": 0, "ops": {"get": {"OK": 400, ...}, ...}}
// A call belongs to the interval in which its completion was observed.
// "late": calls that ended more than the late slack after their deadline
// (a hang the deadline did not stop). Every interval is written, also
// empty ones, so a stalled loop shows as intervals without calls. bench/soak
// lines the intervals up with the faults it injected (wall-clock times).
#ifndef TRACKTRY_BENCH_LOADGEN_TIMELINE_H_
#define TRACKTRY_BENCH_LOADGEN_TIMELINE_H_

#include <cstdint>
#include <ostream>

#include "absl/strings/string_view.h"
#include "bench/loadgen_outcomes.h"

namespace tracktry::bench {

// Not thread-safe: the load loop's thread records into it.
class OutcomeTimeline {
 public:
  // Intervals of `interval_ns` from `origin_ns` (MonotonicNanos()), which
  // is the wall-clock time `origin_unix_ms`. `out` is not owned.
  OutcomeTimeline(std::ostream* out, int64_t origin_ns, int64_t interval_ns,
                  int64_t origin_unix_ms);

  // Writes the intervals that ended before `end_ns`, then counts the call.
  void Record(int64_t end_ns, absl::string_view op, absl::string_view outcome,
              bool late);
  // Writes every interval that ended at or before `now_ns`.
  void Flush(int64_t now_ns);
  // Writes the remaining intervals, the current one cut at `now_ns`.
  void Finish(int64_t now_ns);

  int64_t intervals_written() const { return written_; }

 private:
  void WriteCurrent(int64_t end_ns);

  std::ostream* const out_;
  const int64_t origin_ns_;
  const int64_t interval_ns_;
  const int64_t origin_unix_ms_;
  int64_t index_ = 0;  // the interval being filled
  int64_t written_ = 0;
  int64_t late_ = 0;
  OutcomeTable current_;
};

}  // namespace tracktry::bench

#endif  // TRACKTRY_BENCH_LOADGEN_TIMELINE_H_
