// Copyright 2026 The tracktry-grpc Authors.
//
// WatchFleetLink: what WatchHub needs to share its pollers with the other
// replicas (fleet mode; the implementation is service/fleet/fleet_leases.h,
// on Redis): a poll lease per watched tracking, so that one replica polls it
// per interval, and a channel on which the poller's results reach every
// replica's watchers. A link that cannot reach its store lets every replica
// poll (AcquirePoll answers true).
#ifndef TRACKTRY_SERVICE_LIVE_WATCH_FLEET_LINK_H_
#define TRACKTRY_SERVICE_LIVE_WATCH_FLEET_LINK_H_

#include <string>

#include "absl/functional/any_invocable.h"
#include "absl/time/time.h"
#include "tracktry/v1/tracking_service.pb.h"

namespace tracktry {

// Thread-safe. Callbacks never run inside the call that started them.
class WatchFleetLink {
 public:
  // Hears polls made by other replicas. Called on a link thread; must not
  // call back into the link.
  class Listener {
   public:
    virtual ~Listener() = default;
    virtual void OnRemotePoll(const std::string& key,
                              const v1::Tracking& tracking) = 0;
  };

  virtual ~WatchFleetLink() = default;

  // Whether this replica polls the tracking `key` now: true when it holds
  // (or took) the poll lease, renewed for `ttl`, or when the link could not
  // decide by min(deadline, now + its timeout).
  virtual void AcquirePoll(const std::string& key, absl::Duration ttl,
                           absl::Time deadline,
                           absl::AnyInvocable<void(bool poll) &&> done) = 0;
  // Sends a tracking this replica polled to the other replicas.
  virtual void PublishPoll(const std::string& key,
                           const v1::Tracking& tracking) = 0;
  // Gives the lease of `key` up (if held), so another replica may take it.
  virtual void ReleasePoll(const std::string& key) = 0;
  // Where other replicas' polls go (null: nowhere). Once it returned, the
  // previous listener is not called any more.
  virtual void SetListener(Listener* listener) = 0;
};

}  // namespace tracktry

#endif  // TRACKTRY_SERVICE_LIVE_WATCH_FLEET_LINK_H_
