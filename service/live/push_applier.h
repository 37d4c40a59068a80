// Copyright 2026 The tracktry-grpc Authors.
//
// PushApplier: what a verified, first-seen webhook push does to the read
// cache and to WatchTracking streams.
//
// The push signature (Tracktry's scheme) covers only `timeStr`, not the
// body, so a captured push could carry a forged body for as long as its
// timestamp is within the receiver's skew window. By default a push is
// therefore only a hint: the tracking is re-read upstream through the
// upstream chain (api::GetTracking with bypass_cache: shaped like any other
// read, coalesced with reads of it already in flight, and refreshing the
// read cache with the answer) and what the read returns goes to the
// watchers. The cost is one upstream call per distinct pushed tracking.
//
// With `trust_push_body` (an operator's opt-in) the pushed tracking itself
// refreshes the cache and goes to the watchers at once, with no upstream
// call: cheaper and faster, at the price of believing the push's body.
#ifndef TRACKTRY_SERVICE_LIVE_PUSH_APPLIER_H_
#define TRACKTRY_SERVICE_LIVE_PUSH_APPLIER_H_

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <set>

#include "absl/time/time.h"
#include "nlohmann/json.hpp"
#include "service/live/watch_hub.h"
#include "service/tracktry_api/upstream_caller.h"
#include "service/upstream/caching_caller.h"
#include "tracktry/v1/tracking_service.pb.h"

namespace tracktry {

struct PushApplierOptions {
  // Believe push bodies (see above); off by default.
  bool trust_push_body = false;
  // Deadline of one re-read.
  absl::Duration reread_deadline = absl::Seconds(30);
};

struct PushApplierStats {
  // Pushes applied from their own body (trust_push_body).
  int64_t trusted = 0;
  // Re-reads that answered (and were published) / failed (nothing
  // published; the next poll or push tries again).
  int64_t rereads = 0;
  int64_t reread_failures = 0;
  // Fleet mode: pushes another replica applied and shared, applied here.
  int64_t shared = 0;
};

// Thread-safe. `upstream` (the top of the upstream chain), `hub` and
// `cache` (both may be null) are not owned and must outlive the applier.
// The destructor cancels re-reads in flight and waits for their callbacks.
class PushApplier {
 public:
  PushApplier(UpstreamCaller* upstream, WatchHub* hub, CachingCaller* cache,
              PushApplierOptions options);
  PushApplier(const PushApplier&) = delete;
  PushApplier& operator=(const PushApplier&) = delete;
  ~PushApplier();

  // Applies one verified push: `data` is its tracking object as sent,
  // `pushed` its translation. Never blocks on the upstream.
  void Apply(const nlohmann::json& data, const v1::Tracking& pushed);

  // Fleet mode. `share` hears the `data` of every push this replica
  // applied: the pushed body when trusted, else the re-read answer's
  // `data`. Call before the first Apply().
  void SetShare(std::function<void(const nlohmann::json& data)> share);
  // Applies what another replica shared: `data` (a GetTracking answer's
  // `data` or a trusted push body) replaces this replica's cache entry of
  // the tracking and goes to its watchers, with no upstream call. Ignored
  // when it holds no tracking.
  void ApplyShared(const nlohmann::json& data);

  PushApplierStats stats() const;

 private:
  void Reread(const v1::Tracking& pushed);

  UpstreamCaller* const upstream_;
  WatchHub* const hub_;
  CachingCaller* const cache_;
  const PushApplierOptions options_;

  mutable std::mutex mu_;
  std::condition_variable idle_;
  bool stopping_ = false;
  // Re-reads in flight (their upstream call ids; 0 until Send returned).
  std::set<UpstreamCaller::CallId> calls_;
  int busy_ = 0;
  PushApplierStats stats_;
  std::function<void(const nlohmann::json& data)> share_;
};

}  // namespace tracktry

#endif  // TRACKTRY_SERVICE_LIVE_PUSH_APPLIER_H_
