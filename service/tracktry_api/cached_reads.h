// Copyright 2026 The tracktry-grpc Authors.
//
// CachedReads: a synchronous look into the read cache. The RPC edge uses it
// to answer a cache hit on the thread that received the call, where a hit
// sent through UpstreamCaller::Send() (whose completions never run inside
// Send()) would be a hand-off to the scheduler thread and back: for a hit,
// which needs no upstream, those thread switches were most of its cost
// (bench/RESULTS.md). Implemented by CachingCaller
// (service/upstream/caching_caller.h).
#ifndef TRACKTRY_SERVICE_TRACKTRY_API_CACHED_READS_H_
#define TRACKTRY_SERVICE_TRACKTRY_API_CACHED_READS_H_

#include <memory>

#include "service/tracktry_api/upstream_request.h"
#include "service/translation/envelope.h"

namespace tracktry {

// Thread-safe.
class CachedReads {
 public:
  virtual ~CachedReads() = default;

  // The answer cached for `request` when it is a cacheable read without
  // bypass_cache and its entry is fresh now; the lookup counts as a cache
  // hit. Null otherwise, counting nothing: the caller then sends `request`
  // through the upstream chain as usual (which counts the miss). Never
  // blocks on the upstream.
  virtual std::shared_ptr<const Envelope> Peek(
      const UpstreamRequest& request) = 0;
};

}  // namespace tracktry

#endif  // TRACKTRY_SERVICE_TRACKTRY_API_CACHED_READS_H_
