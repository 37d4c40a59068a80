// Copyright 2026 The tracktry-grpc Authors.
//
// WatchHub: the shared upstream pollers behind WatchTracking. Every watched
// tracking (carrier, number, lang) has one poller, shared by all of its
// watchers; it polls GetTracking through the upstream chain (rate shaper,
// cache, retries) every `interval`, on the Scheduler, so watching costs no
// thread. Changes (status, substatus, checkpoint count, newest checkpoint)
// are sent to every watcher; a webhook push (Publish) is sent at once. When
// the tracking is delivered or expired, every watcher gets the final
// message and then OnEnd(OK), and the poller stops. The poller also stops
// when its last watcher leaves.
//
// Fleet mode (SetFleetLink; service/fleet): one poller per watched tracking
// across every replica. After its first read (which may come from the
// shared cache), a poller polls the upstream only while it holds the
// tracking's poll lease (taken or renewed at each turn, for 2 x interval);
// the holder sends what it polled to every replica, whose pollers apply it
// to their watchers as if they had polled. A holder that stops (last
// watcher gone, or the replica died) lets another replica take over at its
// next turn. When the link cannot decide, every replica polls.
#ifndef TRACKTRY_SERVICE_LIVE_WATCH_HUB_H_
#define TRACKTRY_SERVICE_LIVE_WATCH_HUB_H_

#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "service/live/watch_fleet_link.h"
#include "service/tracktry_api/upstream_caller.h"
#include "service/upstream/scheduler.h"
#include "tracktry/v1/tracking_service.pb.h"

namespace tracktry {

struct WatchHubOptions {
  // Time between two upstream polls of one tracking (--watch-interval).
  absl::Duration interval = absl::Seconds(60);
  // Deadline of one upstream poll.
  absl::Duration poll_deadline = absl::Seconds(30);
};

// Receives the messages of one watch. Called with the hub's lock held: the
// methods must not block and must not call back into the hub.
class WatchSink {
 public:
  virtual ~WatchSink() = default;
  // A message to send (the sink may coalesce pending ones).
  virtual void OnWatchMessage(const v1::WatchTrackingResponse& message) = 0;
  // The watch is over (after its last message); no call follows.
  virtual void OnWatchEnd(const absl::Status& status) = 0;
};

// The kinds of change from `before` to `after` (empty when none).
std::vector<v1::ChangeKind> TrackingChanges(const v1::Tracking& before,
                                            const v1::Tracking& after);

// True for delivered and expired trackings (a watch ends on them).
bool IsTerminalTracking(const v1::Tracking& tracking);

// Thread-safe. `upstream` and `scheduler` are not owned and must outlive
// the hub. The destructor cancels polls and waits for their callbacks;
// sinks still attached get no further call.
class WatchHub {
 public:
  using WatchId = uint64_t;

  WatchHub(UpstreamCaller* upstream, Scheduler* scheduler,
           WatchHubOptions options);
  WatchHub(const WatchHub&) = delete;
  WatchHub& operator=(const WatchHub&) = delete;
  ~WatchHub();

  // Attaches `sink` (not owned; must stay valid until Unwatch() returned or
  // OnWatchEnd ran) to the poller of (carrier_code, tracking_number, lang),
  // starting it if needed. The sink gets the current tracking at once when
  // the poller already has it, otherwise after the first poll.
  WatchId Watch(const std::string& carrier_code,
                const std::string& tracking_number, const std::string& lang,
                WatchSink* sink);
  // Detaches a watch; after it returns the sink is never called again.
  // Unknown ids are ignored.
  void Unwatch(WatchId id);

  // Applies a tracking received out of band (webhook) to every poller of
  // its carrier/number (any lang): watchers get the changes at once with
  // `source`. No-op when nobody watches it.
  void Publish(const v1::Tracking& tracking, v1::ChangeSource source);

  // Running pollers and attached watchers.
  size_t poller_count() const;
  size_t watcher_count() const;

  // Fleet mode: shares the pollers with the other replicas through `link`
  // (not owned; must outlive the hub). Call once, before the first Watch().
  void SetFleetLink(WatchFleetLink* link);
  // Upstream polls this hub made (tests, metrics).
  int64_t polls() const;

 private:
  struct Poller;

  class LinkListener;

  void StartPollLocked(const std::shared_ptr<Poller>& poller);
  // The upstream read of one poll.
  void StartUpstreamPollLocked(const std::shared_ptr<Poller>& poller);
  // Fleet mode: the link decided whether this replica polls now.
  void OnPollTurn(const std::shared_ptr<Poller>& poller, bool poll);
  void ScheduleNextPollLocked(const std::shared_ptr<Poller>& poller);
  // Fleet mode: a poll made by another replica.
  void ApplyRemote(const std::string& key, const v1::Tracking& tracking);
  void OnPollDone(const std::shared_ptr<Poller>& poller,
                  const absl::Status& status);
  // Requires mu_. Sends `tracking` to the sinks of `poller` and ends the
  // poller when it is terminal.
  void ApplyLocked(const std::shared_ptr<Poller>& poller,
                   const v1::Tracking& tracking, v1::ChangeSource source);
  void EndPollerLocked(const std::shared_ptr<Poller>& poller,
                       const absl::Status& status);

  UpstreamCaller* const upstream_;
  Scheduler* const scheduler_;
  const WatchHubOptions options_;

  mutable std::mutex mu_;
  std::condition_variable idle_;
  bool stopping_ = false;
  // Upstream calls and scheduled tasks not finished yet.
  int busy_ = 0;
  WatchId next_id_ = 1;
  // "carrier\nnumber\nlang" -> poller.
  std::map<std::string, std::shared_ptr<Poller>> pollers_;
  std::map<WatchId, std::shared_ptr<Poller>> watches_;
  // Upstream polls in flight (also of ended pollers), cancelled on
  // destruction.
  std::set<UpstreamCaller::CallId> calls_;
  int64_t polls_ = 0;
  // Fleet mode.
  WatchFleetLink* link_ = nullptr;
  std::unique_ptr<LinkListener> link_listener_;
};

}  // namespace tracktry

#endif  // TRACKTRY_SERVICE_LIVE_WATCH_HUB_H_
