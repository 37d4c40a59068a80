// Copyright 2026 The tracktry-grpc Authors.
#include "service/upstream/scheduler.h"

#include <algorithm>

namespace tracktry {
namespace {

// Longest single sleep of the scheduler thread.
constexpr absl::Duration kMaxWait = absl::Hours(1);

}  // namespace

Scheduler::Scheduler() : thread_([this] { Loop(); }) {}

Scheduler::~Scheduler() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

Scheduler::TaskId Scheduler::RunAt(absl::Time when, Task task) {
  TaskId id;
  {
    std::lock_guard<std::mutex> lock(mu_);
    id = next_id_++;
    tasks_.emplace(std::make_pair(when, id), std::move(task));
    times_.emplace(id, when);
  }
  wake_.notify_all();
  return id;
}

bool Scheduler::Cancel(TaskId id) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = times_.find(id);
  if (it == times_.end()) return false;
  tasks_.erase(std::make_pair(it->second, id));
  times_.erase(it);
  return true;
}

size_t Scheduler::pending() const {
  std::lock_guard<std::mutex> lock(mu_);
  return tasks_.size();
}

void Scheduler::Loop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stopping_) {
    if (tasks_.empty()) {
      wake_.wait(lock);
      continue;
    }
    auto first = tasks_.begin();
    const absl::Time when = first->first.first;
    const absl::Time now = absl::Now();
    if (when > now) {
      // Capped: steady_clock::now() + a huge duration overflows inside
      // wait_for (undefined; with some builds an endless busy loop that
      // starves RunAt()). The loop re-checks after each wake-up anyway.
      wake_.wait_for(lock,
                     absl::ToChronoNanoseconds(std::min(when - now, kMaxWait)));
      continue;
    }
    Task task = std::move(first->second);
    times_.erase(first->first.second);
    tasks_.erase(first);
    lock.unlock();
    std::move(task)();
    lock.lock();
  }
}

}  // namespace tracktry
