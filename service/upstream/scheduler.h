// Copyright 2026 The tracktry-grpc Authors.
//
// Scheduler: one thread running tasks at given times. The upstream
// discipline layers use it for everything that waits (rate-limit queues,
// retry back-off, cool-downs), so waiting never holds a thread per call.
#ifndef TRACKTRY_SERVICE_UPSTREAM_SCHEDULER_H_
#define TRACKTRY_SERVICE_UPSTREAM_SCHEDULER_H_

#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <thread>
#include <utility>

#include "absl/functional/any_invocable.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace tracktry {

// Thread-safe. Tasks run one at a time on the scheduler's thread, in time
// order (ties in submission order), and must not block.
class Scheduler {
 public:
  using TaskId = uint64_t;
  using Task = absl::AnyInvocable<void() &&>;

  Scheduler();
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;
  // Stops the thread. Tasks still pending are destroyed without running,
  // so owners must not rely on them after destruction starts.
  ~Scheduler();

  // Runs `task` at `when` (at once if `when` has passed). Never runs it
  // inside RunAt().
  TaskId RunAt(absl::Time when, Task task);
  TaskId RunAfter(absl::Duration delay, Task task) {
    return RunAt(absl::Now() + delay, std::move(task));
  }

  // Removes a pending task. True if it was removed before it started.
  bool Cancel(TaskId id);

  // Number of pending tasks.
  size_t pending() const;

 private:
  void Loop();

  mutable std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;
  TaskId next_id_ = 1;
  // (time, id) -> task; id breaks ties in submission order.
  std::map<std::pair<absl::Time, TaskId>, Task> tasks_;
  std::map<TaskId, absl::Time> times_;
  std::thread thread_;
};

}  // namespace tracktry

#endif  // TRACKTRY_SERVICE_UPSTREAM_SCHEDULER_H_
