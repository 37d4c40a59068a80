// Copyright 2026 The tracktry-grpc Authors.
//
// FleetWaitList: callers waiting for news from another replica (a lease
// holder's answer), by name. A wait ends exactly once: when its name is
// signalled (a bus message), when `until` passes (the holder's lease ran out
// and it may be gone), or when the bus is lost (no message can come), unless
// it is cancelled first. Waiting holds no thread: the deadline is a timer on
// the event loop.
#ifndef TRACKTRY_SERVICE_FLEET_FLEET_WAIT_LIST_H_
#define TRACKTRY_SERVICE_FLEET_FLEET_WAIT_LIST_H_

#include <cstdint>
#include <map>
#include <mutex>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/functional/any_invocable.h"
#include "absl/time/time.h"
#include "service/fleet/event_loop.h"

namespace tracktry::fleet {

// Add and Cancel are thread-safe; Signal and LoseAll run on the loop thread.
// Callbacks run on the loop thread, never inside Add or Cancel.
class FleetWaitList {
 public:
  enum class Reason { kSignalled, kExpired, kLost };
  struct Wake {
    Reason reason = Reason::kExpired;
    // With kSignalled: the signal's value.
    int signal = 0;
  };
  using Callback = absl::AnyInvocable<void(Wake) &&>;
  using WaitId = uint64_t;

  // `loop` (not owned) must outlive the list.
  explicit FleetWaitList(EventLoop* loop) : loop_(loop) {}
  FleetWaitList(const FleetWaitList&) = delete;
  FleetWaitList& operator=(const FleetWaitList&) = delete;

  WaitId Add(std::string name, absl::Time until, Callback done);
  // True when the wait was removed before its callback ran.
  bool Cancel(WaitId id);
  // Ends every wait on `name` with kSignalled and `signal`.
  void Signal(const std::string& name, int signal);
  // Ends every wait with kLost.
  void LoseAll();

  size_t size() const;

 private:
  struct Entry {
    std::string name;
    Callback done;
  };
  void Expire(WaitId id);

  EventLoop* const loop_;
  mutable std::mutex mu_;
  WaitId next_id_ = 1;
  absl::flat_hash_map<WaitId, Entry> waits_;
  std::multimap<std::string, WaitId> by_name_;
};

}  // namespace tracktry::fleet

#endif  // TRACKTRY_SERVICE_FLEET_FLEET_WAIT_LIST_H_
