// Copyright 2026 The tracktry-grpc Authors.
//
// SharedRequestRecords: what IdempotencyStore needs to make request_id work
// across replicas (fleet mode; the implementation is
// service/fleet/shared_idempotency.h, on Redis): one record per request_id
// (its fingerprint and, per part, the definite answer or who runs it), so
// that a repeat reaching any replica replays the first answer or waits for
// it. The rules are IdempotencyStore's; a tier that cannot be reached
// answers kUnavailable and the store decides locally.
#ifndef TRACKTRY_SERVICE_UPSTREAM_SHARED_REQUEST_RECORDS_H_
#define TRACKTRY_SERVICE_UPSTREAM_SHARED_REQUEST_RECORDS_H_

#include <cstdint>
#include <string>

#include "absl/functional/any_invocable.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "service/translation/envelope.h"

namespace tracktry {

// Thread-safe. Callbacks run exactly once (unless a wait is cancelled),
// never inside the call that started them, on a tier thread; they must not
// block.
class SharedRequestRecords {
 public:
  // One part (batch chunk) of one request_id.
  struct Record {
    // UpstreamRequest::idempotency_key ("<Rpc>/<request_id>").
    std::string key;
    uint64_t fingerprint = 0;
    int part = 0;
  };

  enum class State {
    // Nobody ran this part yet: this replica runs it (Finish or Abandon
    // with `token`).
    kFirst,
    // Its definite answer is `result`.
    kDone,
    // Another replica runs it: AwaitFinish(), then Begin again.
    kRunning,
    // The request_id was used with another fingerprint.
    kReused,
    // The tier was not reached: decide locally.
    kUnavailable,
  };

  struct BeginResult {
    State state = State::kUnavailable;
    absl::StatusOr<Envelope> result = Envelope();
    uint64_t token = 0;
    // kRunning: time the runner's lease has left.
    absl::Duration lease_left;
  };

  enum class Wake { kFinished, kExpired, kLost };

  using BeginCallback = absl::AnyInvocable<void(BeginResult) &&>;
  using WakeCallback = absl::AnyInvocable<void(Wake) &&>;
  using DoneCallback = absl::AnyInvocable<void() &&>;
  using WaitId = uint64_t;

  virtual ~SharedRequestRecords() = default;

  // Reads the record and, when nobody ran the part, claims it (the record
  // is kept for `ttl`). By min(deadline, now + the tier's timeout).
  virtual void Begin(const Record& record, absl::Duration ttl,
                     absl::Time deadline, BeginCallback done) = 0;
  // Stores the definite `result` of a kFirst part for `ttl` and wakes the
  // replicas waiting for it; `done` once stored, failed, or by
  // min(deadline, now + the tier's timeout).
  virtual void Finish(const Record& record, uint64_t token,
                      const absl::StatusOr<Envelope>& result,
                      absl::Duration ttl, absl::Time deadline,
                      DoneCallback done) = 0;
  // The outcome of a kFirst part is unknown: forgets the claim (a repeat
  // runs it again) and wakes the waiters. Asynchronous.
  virtual void Abandon(const Record& record, uint64_t token) = 0;
  // Waits until the part's runner finishes or abandons it, or `until`.
  virtual WaitId AwaitFinish(const Record& record, absl::Time until,
                             WakeCallback done) = 0;
  // True when the wait was removed before `done` ran.
  virtual bool CancelWait(WaitId id) = 0;
};

}  // namespace tracktry

#endif  // TRACKTRY_SERVICE_UPSTREAM_SHARED_REQUEST_RECORDS_H_
