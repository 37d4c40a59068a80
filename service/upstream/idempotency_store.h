// Copyright 2026 The tracktry-grpc Authors.
//
// IdempotencyStore: AIP-155 request_id for CreateTracking and
// BatchCreateTrackings, as an UpstreamCaller decorator just below the
// service. The service tags each upstream call of such an RPC with
// UpstreamRequest::idempotency_key ("<Rpc>/<request_id>"),
// idempotency_fingerprint (RequestFingerprint of the RPC request without its
// request_id) and idempotency_part (the batch chunk index; 0 for create).
// Calls without a key pass through unchanged.
//
// For a tagged call:
//   * first use of the key: the call goes upstream; when it ends with a
//     definite answer (success, INVALID_ARGUMENT or ALREADY_EXISTS) that
//     answer is remembered for `ttl`; any other error (UNAVAILABLE,
//     DEADLINE_EXCEEDED, CANCELLED, INTERNAL, RESOURCE_EXHAUSTED, ...)
//     leaves the outcome unknown, so it is forgotten and a repeat tries the
//     upstream again;
//   * a repeat (same key and fingerprint) within the TTL gets the
//     remembered answer without any upstream call; a repeat while the first
//     is still in flight waits for it and gets the same answer;
//   * the same key with a different fingerprint fails with INVALID_ARGUMENT
//     (field request_id), reason REQUEST_ID_REUSED, without an upstream
//     call.
// At most `max_keys` request_ids are remembered; the oldest finished ones
// are forgotten first.
//
// Fleet mode (SetSharedRecords; service/fleet): the records live in the
// shared tier too, so the same rules hold across replicas. A call whose
// request_id this replica does not know asks the tier first: a definite
// answer stored by any replica is replayed; a part another replica is
// running is waited for (woken when it finishes; a runner that dies frees
// the part within the tier's lease time, and the repeat then runs it); a
// different fingerprint is REQUEST_ID_REUSED. The first run stores its
// definite answer in the tier before its caller gets it. When the tier is
// unreachable or slow the store decides locally, as on one replica.
#ifndef TRACKTRY_SERVICE_UPSTREAM_IDEMPOTENCY_STORE_H_
#define TRACKTRY_SERVICE_UPSTREAM_IDEMPOTENCY_STORE_H_

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/time/time.h"
#include "google/protobuf/message.h"
#include "service/tracktry_api/upstream_caller.h"
#include "service/upstream/scheduler.h"
#include "service/upstream/shared_request_records.h"

namespace tracktry {

struct IdempotencyOptions {
  // How long a finished answer is remembered; zero disables the store
  // (tagged calls then pass through).
  absl::Duration ttl = absl::Hours(1);
  size_t max_keys = 100000;
};

// Thread-safe. `inner` and `scheduler` are not owned and must outlive the
// store. The destructor cancels what is still running and waits for the
// callbacks; callers must not call Send() once destruction starts.
class IdempotencyStore final : public UpstreamCaller {
 public:
  using Clock = std::function<absl::Time()>;

  // `clock` (default absl::Now) decides expiry.
  IdempotencyStore(UpstreamCaller* inner, Scheduler* scheduler,
                   IdempotencyOptions options, Clock clock = nullptr);
  ~IdempotencyStore() override;

  // `done` runs exactly once, never inside Send() or Cancel(); replays are
  // answered on the scheduler thread.
  CallId Send(UpstreamRequest request, absl::Time deadline,
              EnvelopeCallback done) override;
  void Cancel(CallId id) override;

  // Answers served from memory (replays and joined waits).
  int64_t replays() const { return replays_.load(); }
  // request_ids remembered now.
  size_t size() const;

  // True when `status` is a definite answer worth remembering.
  static bool IsDefinite(const absl::Status& status);

  // Fleet mode: adds the shared records (not owned; must outlive the
  // store). Call once, before the first Send().
  void SetSharedRecords(SharedRequestRecords* shared);

 private:
  struct Part;
  struct Entry;

  CallId PassThrough(UpstreamRequest request, absl::Time deadline,
                     EnvelopeCallback done);
  void OnPartDone(const std::shared_ptr<Entry>& entry, int part, CallId run_id,
                  uint64_t token, absl::StatusOr<Envelope> result);
  // Sends the part's upstream call (run `run_id`; `token`: its shared
  // claim, 0 = none).
  void SendUpstream(const std::shared_ptr<Entry>& entry, int part,
                    CallId run_id, uint64_t token, UpstreamRequest request,
                    absl::Time deadline);
  // Fleet mode: asks the shared records about run `run_id` of a part.
  void BeginShared(const std::shared_ptr<Entry>& entry, int part,
                   CallId run_id);
  void OnSharedBegin(const std::shared_ptr<Entry>& entry, int part,
                     CallId run_id, SharedRequestRecords::BeginResult begin);
  void OnSharedWake(const std::shared_ptr<Entry>& entry, int part,
                    CallId run_id, SharedRequestRecords::Wake wake);
  // Requires mu_. The callbacks of every waiter of `part` (removed).
  std::vector<EnvelopeCallback> TakeWaitersLocked(Part& part);
  // Requires mu_. Forgets part `index` of `entry` (and the entry when it
  // has no part left).
  void ForgetPartLocked(const std::shared_ptr<Entry>& entry, int index);
  // Requires mu_. Forgets expired and surplus finished entries.
  void SweepLocked(absl::Time now);
  // Requires mu_; the task must call TaskFinished() at its end.
  void ScheduleLocked(Scheduler::Task task);
  void TaskFinished();

  UpstreamCaller* const inner_;
  Scheduler* const scheduler_;
  const IdempotencyOptions options_;
  const Clock clock_;

  mutable std::mutex mu_;
  std::condition_variable idle_;
  bool stopping_ = false;
  CallId next_id_ = 1;
  absl::flat_hash_map<std::string, std::shared_ptr<Entry>> entries_;
  // Keys in creation order (oldest first), for expiry and the size bound.
  std::list<std::string> order_;
  // Waiting call -> (entry, part).
  absl::flat_hash_map<CallId, std::pair<std::shared_ptr<Entry>, int>> waiting_;
  // Upstream calls running (tagged or not) -> inner id (0 until known).
  absl::flat_hash_map<CallId, CallId> running_;
  int tasks_ = 0;
  std::atomic<int64_t> replays_{0};
  // Fleet mode.
  SharedRequestRecords* shared_ = nullptr;
};

}  // namespace tracktry

#endif  // TRACKTRY_SERVICE_UPSTREAM_IDEMPOTENCY_STORE_H_
