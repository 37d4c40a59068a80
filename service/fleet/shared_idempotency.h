// Copyright 2026 The tracktry-grpc Authors.
//
// SharedIdempotency: the SharedRequestRecords on Redis (see
// service/upstream/shared_request_records.h). Keys, under the fleet prefix
// P:
//   P:i:<request key>         HASH  fp -> fingerprint, p<part> -> the
//                                   part's definite answer (EncodeResult),
//                                   r<part> -> the token of its runner; kept
//                                   for the idempotency TTL
//   P:il:<request key>:<part> the runner's lease (SET PX lease_time),
//                             renewed while its upstream call runs; a
//                             runner that dies leaves the part unclaimed
//                             after at most lease_time (its outcome is
//                             unknown: a repeat runs it again)
// Begin, Finish and Abandon are one Lua script each; Finish and Abandon
// publish bus message 'd', which wakes the replicas waiting for the part.
#ifndef TRACKTRY_SERVICE_FLEET_SHARED_IDEMPOTENCY_H_
#define TRACKTRY_SERVICE_FLEET_SHARED_IDEMPOTENCY_H_

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>

#include "absl/time/time.h"
#include "service/fleet/event_loop.h"
#include "service/fleet/fleet_bus.h"
#include "service/fleet/fleet_wait_list.h"
#include "service/fleet/lease_renewer.h"
#include "service/fleet/redis_connection.h"
#include "service/upstream/shared_request_records.h"

namespace tracktry::fleet {

struct SharedIdempotencyStats {
  // Begin outcomes; Begins that did not reach Redis.
  int64_t first = 0;
  int64_t done = 0;
  int64_t running = 0;
  int64_t reused = 0;
  int64_t errors = 0;
  // Answers stored; claims given up.
  int64_t finished = 0;
  int64_t abandoned = 0;
};

// Thread-safe. Objects passed in are not owned and must outlive it.
class SharedIdempotency final : public SharedRequestRecords {
 public:
  // Registers its bus handler: construct before the subscriber starts.
  SharedIdempotency(EventLoop* loop, RedisConnection* commands, FleetBus* bus,
                    FleetWaitList* waits, std::string prefix,
                    absl::Duration lease_time);

  void Begin(const Record& record, absl::Duration ttl, absl::Time deadline,
             BeginCallback done) override;
  void Finish(const Record& record, uint64_t token,
              const absl::StatusOr<Envelope>& result, absl::Duration ttl,
              absl::Time deadline, DoneCallback done) override;
  void Abandon(const Record& record, uint64_t token) override;
  WaitId AwaitFinish(const Record& record, absl::Time until,
                     WakeCallback done) override;
  bool CancelWait(WaitId id) override;

  SharedIdempotencyStats stats() const;

 private:
  std::string RecordKey(const Record& record) const;
  std::string LeaseKey(const Record& record) const;
  std::string Token(uint64_t token) const;
  std::string DoneMessage(const Record& record) const;
  static std::string WaitName(const std::string& key, int part);
  void OnPartDone(absl::string_view payload);
  void Count(int64_t SharedIdempotencyStats::*counter);

  EventLoop* const loop_;
  RedisConnection* const commands_;
  FleetBus* const bus_;
  FleetWaitList* const waits_;
  const std::string prefix_;
  const absl::Duration lease_time_;
  LeaseRenewer renewer_;
  std::atomic<uint64_t> next_token_{1};

  mutable std::mutex stats_mu_;
  SharedIdempotencyStats stats_;  // Guarded by stats_mu_.
};

}  // namespace tracktry::fleet

#endif  // TRACKTRY_SERVICE_FLEET_SHARED_IDEMPOTENCY_H_
