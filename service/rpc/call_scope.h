// Copyright 2026 The tracktry-grpc Authors.
//
// CallScope: the upstream as one RPC sees it. An UpstreamCaller over the
// shared upstream chain that remembers the calls the RPC started, runs each
// completion under the RPC's lock and only while the RPC is unfinished (a
// completion that arrives later is dropped, never run: the RPC's request
// and response may be gone), and cancels every call still in flight when
// the RPC finishes, so the upstream sees the caller go away.
#ifndef TRACKTRY_SERVICE_RPC_CALL_SCOPE_H_
#define TRACKTRY_SERVICE_RPC_CALL_SCOPE_H_

#include <atomic>
#include <mutex>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "service/tracktry_api/upstream_caller.h"

namespace tracktry {

class CallScope final : public UpstreamCaller {
 public:
  // The reactor that owns the scope.
  class Owner {
   public:
    virtual ~Owner() = default;
    // Keep the owner alive while a call is in flight.
    virtual void Ref() = 0;
    virtual void Unref() = 0;
    // Called with the lock held when a call is started past `deadline`:
    // the owner finishes the RPC with DEADLINE_EXCEEDED.
    virtual void OnStartedLate() = 0;
  };

  // `upstream` and `owner` are not owned and must outlive the scope.
  CallScope(UpstreamCaller* upstream, Owner* owner);

  // The RPC's lock: held while completions run; recursive, so completions
  // may start calls or finish the RPC.
  std::recursive_mutex& mu() { return mu_; }

  // Requires mu(). Marks the RPC finished and cancels the calls in flight;
  // false if it was finished already.
  bool FinishLocked();
  // Requires mu().
  bool finished() const { return finished_; }
  // Any thread; final once the RPC is finished.
  int calls_started() const {
    return calls_started_.load(std::memory_order_relaxed);
  }

  // Starts a call for the RPC. Past `deadline`, no call starts: the owner's
  // OnStartedLate() runs and 0 is returned (`done` is dropped). Once the
  // RPC is finished, nothing starts and `done` is dropped.
  CallId Send(UpstreamRequest request, absl::Time deadline,
              EnvelopeCallback done) override;
  void Cancel(CallId id) override;

 private:
  UpstreamCaller* const upstream_;
  Owner* const owner_;
  std::recursive_mutex mu_;
  bool finished_ = false;
  std::vector<CallId> in_flight_;
  // Written under mu_; read without it (OnDone must not wait for the lock
  // that the completing thread still holds).
  std::atomic<int> calls_started_{0};
};

}  // namespace tracktry

#endif  // TRACKTRY_SERVICE_RPC_CALL_SCOPE_H_
