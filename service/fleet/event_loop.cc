// Copyright 2026 The tracktry-grpc Authors.
#include "service/fleet/event_loop.h"

#include <event2/event.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <future>
#include <memory>

#include "absl/time/clock.h"

namespace tracktry::fleet {

EventLoop::EventLoop() {
  base_ = event_base_new();
  wake_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (base_ == nullptr || wake_fd_ < 0) std::abort();
  wake_event_ = event_new(base_, wake_fd_, EV_READ | EV_PERSIST,
                          &EventLoop::OnWake, this);
  timer_event_ = evtimer_new(base_, &EventLoop::OnTimer, this);
  event_add(wake_event_, nullptr);
  // Shared: set_value may still run on the new thread after wait() returned
  // here.
  auto started = std::make_shared<std::promise<void>>();
  std::future<void> ready = started->get_future();
  thread_ = std::thread([this, started] {
    loop_thread_ = std::this_thread::get_id();
    started->set_value();
    event_base_loop(base_, EVLOOP_NO_EXIT_ON_EMPTY);
    // Tasks posted before the stop request (and those they post) still run.
    DrainPosted();
  });
  ready.wait();
}

EventLoop::~EventLoop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  const uint64_t one = 1;
  (void)!write(wake_fd_, &one, sizeof(one));
  thread_.join();
  timers_.clear();
  timer_times_.clear();
  event_free(timer_event_);
  event_free(wake_event_);
  event_base_free(base_);
  close(wake_fd_);
}

bool EventLoop::InLoopThread() const {
  return std::this_thread::get_id() == loop_thread_;
}

void EventLoop::Post(Task task) {
  bool wake;
  {
    std::lock_guard<std::mutex> lock(mu_);
    wake = posted_.empty();
    posted_.push_back(std::move(task));
  }
  if (!wake) return;
  if (InLoopThread()) {
    // No system call from the loop itself: the wake event runs after the
    // current handler.
    event_active(wake_event_, EV_READ, 0);
  } else {
    const uint64_t one = 1;
    (void)!write(wake_fd_, &one, sizeof(one));
  }
}

void EventLoop::Run(Task task) {
  // Shared: set_value may still run on the loop after wait() returned here
  // (and this frame, with `task`, is gone).
  auto done = std::make_shared<std::promise<void>>();
  std::future<void> finished = done->get_future();
  Post([&task, done]() mutable {
    std::move(task)();
    done->set_value();
  });
  finished.wait();
}

void EventLoop::OnWake(int fd, short, void* self) {
  auto* loop = static_cast<EventLoop*>(self);
  uint64_t count;
  (void)!read(fd, &count, sizeof(count));  // EAGAIN after event_active.
  loop->DrainPosted();
  bool stopping;
  {
    std::lock_guard<std::mutex> lock(loop->mu_);
    stopping = loop->stopping_;
  }
  if (stopping) event_base_loopbreak(loop->base_);
}

void EventLoop::DrainPosted() {
  for (;;) {
    std::deque<Task> batch;
    {
      std::lock_guard<std::mutex> lock(mu_);
      batch.swap(posted_);
    }
    if (batch.empty()) return;
    for (Task& task : batch) std::move(task)();
  }
}

EventLoop::TimerId EventLoop::RunAt(absl::Time when, Task task) {
  const TimerId id = next_timer_++;
  timers_.emplace(std::make_pair(when, id), std::move(task));
  timer_times_.emplace(id, when);
  if (timers_.begin()->first.second == id) ArmTimer();
  return id;
}

bool EventLoop::Cancel(TimerId id) {
  auto it = timer_times_.find(id);
  if (it == timer_times_.end()) return false;
  const bool first = timers_.begin()->first.second == id;
  timers_.erase(std::make_pair(it->second, id));
  timer_times_.erase(it);
  if (first) ArmTimer();
  return true;
}

void EventLoop::OnTimer(int, short, void* self) {
  static_cast<EventLoop*>(self)->RunDueTimers();
}

void EventLoop::RunDueTimers() {
  const absl::Time now = absl::Now();
  while (!timers_.empty() && timers_.begin()->first.first <= now) {
    auto it = timers_.begin();
    Task task = std::move(it->second);
    timer_times_.erase(it->first.second);
    timers_.erase(it);
    std::move(task)();
  }
  ArmTimer();
}

void EventLoop::ArmTimer() {
  if (timers_.empty()) {
    evtimer_del(timer_event_);
    return;
  }
  const absl::Duration delay = std::max(
      absl::ZeroDuration(), timers_.begin()->first.first - absl::Now());
  const timeval tv = absl::ToTimeval(delay);
  evtimer_add(timer_event_, &tv);
}

}  // namespace tracktry::fleet
