// Copyright 2026 The tracktry-grpc Authors.
//
// FleetLeases: the WatchFleetLink on Redis (see
// service/live/watch_fleet_link.h). One poll lease per watched tracking,
// P:w:<carrier>\n<number>\n<lang> = the holder replica's id, taken or
// renewed (SET PX / PEXPIRE) by the holder at every poll; while it lives the
// other replicas do not poll that tracking. The holder's polls go to every
// replica as bus message 'w' (the watch key and the serialized tracking).
#ifndef TRACKTRY_SERVICE_FLEET_FLEET_LEASES_H_
#define TRACKTRY_SERVICE_FLEET_FLEET_LEASES_H_

#include <cstdint>
#include <mutex>
#include <string>

#include "absl/time/time.h"
#include "service/fleet/fleet_bus.h"
#include "service/fleet/redis_connection.h"
#include "service/live/watch_fleet_link.h"

namespace tracktry::fleet {

struct FleetLeasesStats {
  // AcquirePoll answers: this replica polls (lease held or taken, or Redis
  // not reached), another replica does.
  int64_t polls = 0;
  int64_t skipped = 0;
  int64_t errors = 0;
  // Polls sent to / received from other replicas.
  int64_t published = 0;
  int64_t received = 0;
};

// Thread-safe. Objects passed in are not owned and must outlive it.
class FleetLeases final : public WatchFleetLink {
 public:
  // Registers its bus handler: construct before the subscriber starts.
  FleetLeases(RedisConnection* commands, FleetBus* bus, std::string prefix);

  void AcquirePoll(const std::string& key, absl::Duration ttl,
                   absl::Time deadline,
                   absl::AnyInvocable<void(bool poll) &&> done) override;
  void PublishPoll(const std::string& key,
                   const v1::Tracking& tracking) override;
  void ReleasePoll(const std::string& key) override;
  void SetListener(Listener* listener) override;

  FleetLeasesStats stats() const;

 private:
  std::string LeaseKey(const std::string& key) const;
  void OnPoll(absl::string_view payload, bool own);
  void Count(int64_t FleetLeasesStats::*counter);

  RedisConnection* const commands_;
  FleetBus* const bus_;
  const std::string prefix_;

  std::mutex listener_mu_;
  Listener* listener_ = nullptr;  // Guarded by listener_mu_.

  mutable std::mutex stats_mu_;
  FleetLeasesStats stats_;  // Guarded by stats_mu_.
};

}  // namespace tracktry::fleet

#endif  // TRACKTRY_SERVICE_FLEET_FLEET_LEASES_H_
