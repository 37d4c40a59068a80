// Copyright 2026 The tracktry-grpc Authors.
//
// EventLoop: one thread running a libevent event_base, for the fleet tier's
// asynchronous Redis connections (hiredis' libevent adapter). Other threads
// hand it work with Post(); timers run on it too. Nothing that runs on the
// loop may block.
#ifndef TRACKTRY_SERVICE_FLEET_EVENT_LOOP_H_
#define TRACKTRY_SERVICE_FLEET_EVENT_LOOP_H_

#include <atomic>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <thread>
#include <utility>

#include "absl/functional/any_invocable.h"
#include "absl/time/time.h"

struct event;
struct event_base;

namespace tracktry::fleet {

// Thread-safe where noted; everything else is for the loop thread only.
class EventLoop {
 public:
  using Task = absl::AnyInvocable<void() &&>;
  using TimerId = uint64_t;

  // Starts the thread.
  EventLoop();
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;
  // Stops the thread: tasks already posted still run (tasks they post run
  // too), timers still pending are dropped without running. Owners must
  // have released every libevent object on the loop first (Run()).
  ~EventLoop();

  // Thread-safe. Runs `task` on the loop thread, after the current event
  // handler (never inside Post()), in posting order.
  void Post(Task task);
  // Thread-safe; not from the loop thread. Runs `task` on the loop and
  // waits for it.
  void Run(Task task);
  // Thread-safe.
  bool InLoopThread() const;

  // Loop thread only. Runs `task` at `when` (after the current handler if
  // that has passed).
  TimerId RunAt(absl::Time when, Task task);
  // Loop thread only. True if the timer was removed before it ran.
  bool Cancel(TimerId id);

  // Loop thread only: the libevent base (for hiredis' adapter).
  event_base* base() { return base_; }

 private:
  static void OnWake(int fd, short what, void* self);
  static void OnTimer(int fd, short what, void* self);
  // Runs every posted task, including those posted meanwhile.
  void DrainPosted();
  void RunDueTimers();
  void ArmTimer();

  event_base* base_ = nullptr;
  int wake_fd_ = -1;
  event* wake_event_ = nullptr;
  event* timer_event_ = nullptr;
  std::thread::id loop_thread_;
  std::thread thread_;

  std::mutex mu_;
  std::deque<Task> posted_;  // Guarded by mu_.
  bool stopping_ = false;    // Guarded by mu_.

  // Loop thread only.
  TimerId next_timer_ = 1;
  std::map<std::pair<absl::Time, TimerId>, Task> timers_;
  std::map<TimerId, absl::Time> timer_times_;
};

}  // namespace tracktry::fleet

#endif  // TRACKTRY_SERVICE_FLEET_EVENT_LOOP_H_
