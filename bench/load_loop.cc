// Copyright 2026 The tracktry-grpc Authors.
#include "bench/load_loop.h"

#include <time.h>

#include <algorithm>
#include <limits>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"

namespace tracktry::bench {

int64_t MonotonicNanos() {
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return static_cast<int64_t>(now.tv_sec) * 1'000'000'000 + now.tv_nsec;
}

LoadLoop::LoadLoop(const LoadPlan& plan, const RpcMix* mix,
                   const KeySpace* keys, CallEngine* engine,
                   LatencyRecorder* recorder)
    : plan_(plan),
      mix_(mix),
      keys_(keys),
      engine_(engine),
      recorder_(recorder),
      rng_(plan.seed) {}

void LoadLoop::SetWindowHooks(std::function<void()> on_start,
                              std::function<void()> on_end) {
  on_start_ = std::move(on_start);
  on_end_ = std::move(on_end);
}

void LoadLoop::SetOutcomeSinks(OutcomeTable* window,
                               OutcomeTimeline* timeline) {
  outcomes_ = window;
  timeline_ = timeline;
}

WorkItem LoadLoop::NextItem() {
  WorkItem item;
  item.op = mix_->Pick(rng_);
  switch (item.op) {
    case Op::kCreate:
      item.key = create_counter_++;
      break;
    case Op::kBatch:
      item.key = batch_counter_++;
      break;
    default:
      item.key = keys_->Next(rng_);
      break;
  }
  return item;
}

void LoadLoop::OnCompletion(const Completion& completion) {
  if (!completion.repeat) ++completed_;
  const bool late =
      completion.deadline_ns > 0 &&
      completion.end_ns - completion.deadline_ns > plan_.late_slack_ns;
  const std::string op = completion.repeat
                             ? absl::StrCat(OpName(completion.op), "_repeat")
                             : std::string(OpName(completion.op));
  const std::string outcome = OutcomeName(completion.code, completion.reason);
  if (completion.start_ns >= measure_start_ns_ &&
      completion.end_ns <= measure_end_ns_) {
    recorder_->Record(completion.code, completion.end_ns - completion.start_ns,
                      /*timed=*/!completion.stream);
    if (outcomes_ != nullptr) outcomes_->Record(op, outcome);
    if (late) ++late_;
  }
  if (timeline_ != nullptr) {
    timeline_->Record(completion.end_ns, op, outcome, late);
  }
  // Answered in the window, whenever started: the same span as the
  // upstream calls the emulator counts.
  if (completion.op == Op::kGet && completion.code == "OK" &&
      completion.end_ns >= measure_start_ns_ &&
      completion.end_ns <= measure_end_ns_) {
    ok_keys_.insert(completion.key);
  }
}

LoadResult LoadLoop::Run() {
  LoadResult result;
  const int64_t begin = MonotonicNanos();
  const bool counted = plan_.requests > 0;
  if (counted) {
    measure_start_ns_ = begin;
    measure_end_ns_ = std::numeric_limits<int64_t>::max();
  } else {
    measure_start_ns_ = begin + plan_.warmup_ns;
    measure_end_ns_ = measure_start_ns_ + plan_.duration_ns;
  }
  bool window_started = false;
  const auto maybe_start_window = [&](int64_t now) {
    if (!window_started && now >= measure_start_ns_) {
      window_started = true;
      if (on_start_) on_start_();
    }
  };
  const auto on_completion = [this](const Completion& c) { OnCompletion(c); };
  const double period_ns = plan_.rate > 0 ? 1e9 / plan_.rate : 0;
  int64_t sent = 0;
  int64_t now = begin;
  maybe_start_window(now);
  while (true) {
    if (counted) {
      if (completed_ >= plan_.requests) break;
    } else if (now >= measure_end_ns_) {
      break;
    }
    int64_t wake =
        counted ? std::numeric_limits<int64_t>::max() : measure_end_ns_;
    if (!window_started) wake = std::min(wake, measure_start_ns_);
    if (plan_.rate > 0) {
      while (true) {
        const int64_t due =
            begin + static_cast<int64_t>(static_cast<double>(sent) * period_ns);
        if (due > now || (counted && sent >= plan_.requests)) {
          if (!(counted && sent >= plan_.requests)) wake = std::min(wake, due);
          break;
        }
        ++sent;
        if (engine_->outstanding() >= plan_.concurrency) {
          ++result.overloaded;
          if (due >= measure_start_ns_) recorder_->Record("CLIENT_OVERLOAD", 0);
          continue;
        }
        engine_->Start(NextItem(), due);
        ++result.started;
      }
    } else {
      while (engine_->outstanding() < plan_.concurrency &&
             !(counted && sent >= plan_.requests)) {
        ++sent;
        engine_->Start(NextItem(), MonotonicNanos());
        ++result.started;
      }
    }
    engine_->Poll(wake, on_completion);
    now = MonotonicNanos();
    if (timeline_ != nullptr) timeline_->Flush(now);
    maybe_start_window(now);
  }
  if (counted) measure_end_ns_ = MonotonicNanos();
  if (on_end_) on_end_();
  result.measure_start_ns = measure_start_ns_;
  result.measure_end_ns = measure_end_ns_;
  result.distinct_ok_keys = static_cast<int64_t>(ok_keys_.size());

  // Drain: completions after the window are not recorded.
  const int64_t drain_deadline = MonotonicNanos() + plan_.drain_ns;
  while (engine_->outstanding() > 0 && MonotonicNanos() < drain_deadline) {
    engine_->Poll(drain_deadline, on_completion);
  }
  result.abandoned = engine_->outstanding();
  if (result.abandoned > 0) {
    engine_->CancelAll();
    const int64_t cancel_deadline = MonotonicNanos() + 2'000'000'000;
    while (engine_->outstanding() > 0 && MonotonicNanos() < cancel_deadline) {
      engine_->Poll(cancel_deadline, on_completion);
    }
  }
  if (timeline_ != nullptr) timeline_->Finish(MonotonicNanos());
  result.late = late_;
  return result;
}

}  // namespace tracktry::bench
