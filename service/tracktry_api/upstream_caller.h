// Copyright 2026 The tracktry-grpc Authors.
//
// UpstreamCaller: the asynchronous "send one Tracktry request" interface.
// TracktryClient implements it over HTTP; the upstream-discipline layers
// (rate shaping, retries, circuit breaking, caching, coalescing) implement
// it as decorators around another UpstreamCaller, so the service only ever
// sees this interface.
#ifndef TRACKTRY_SERVICE_TRACKTRY_API_UPSTREAM_CALLER_H_
#define TRACKTRY_SERVICE_TRACKTRY_API_UPSTREAM_CALLER_H_

#include <cstdint>

#include "absl/functional/any_invocable.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "service/tracktry_api/upstream_request.h"
#include "service/translation/envelope.h"

namespace tracktry {

// Completion of one upstream call: the envelope of a successful answer
// (meta.code 200/201/202, or 4031 "empty"), or the mapped error.
using EnvelopeCallback = absl::AnyInvocable<void(absl::StatusOr<Envelope>) &&>;

// Thread-safe.
class UpstreamCaller {
 public:
  using CallId = uint64_t;

  UpstreamCaller() = default;
  UpstreamCaller(const UpstreamCaller&) = delete;
  UpstreamCaller& operator=(const UpstreamCaller&) = delete;
  virtual ~UpstreamCaller() = default;

  // Starts `request`, to be answered by `deadline`. `done` runs exactly
  // once, never inside Send(), on an internal thread, and must not block.
  virtual CallId Send(UpstreamRequest request, absl::Time deadline,
                      EnvelopeCallback done) = 0;

  // Cancels a call started by Send(); its callback gets CANCELLED unless it
  // already ran. Unknown or finished ids are ignored.
  virtual void Cancel(CallId id) = 0;
};

}  // namespace tracktry

#endif  // TRACKTRY_SERVICE_TRACKTRY_API_UPSTREAM_CALLER_H_
