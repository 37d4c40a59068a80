// Copyright 2026 The tracktry-grpc Authors.
//
// The skeleton every Tracktry operation shares: send one UpstreamRequest,
// read the answer's envelope into the typed result, report one
// absl::Status. Also the rule for Tracktry's "successful but empty" answer
// (meta.code 4031), which lives only here.
#ifndef TRACKTRY_SERVICE_TRACKTRY_API_OPERATION_CALL_H_
#define TRACKTRY_SERVICE_TRACKTRY_API_OPERATION_CALL_H_

#include <utility>

#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "nlohmann/json.hpp"
#include "service/tracktry_api/upstream_caller.h"
#include "service/tracktry_api/upstream_request.h"
#include "service/translation/envelope.h"

namespace tracktry {

// How an operation ends: OK once its result is written, or the error.
using StatusCallback = absl::AnyInvocable<void(absl::Status) &&>;

// Tracktry answers meta.code 4031 ("successful but empty") where a list is
// empty and sometimes where a lookup found nothing. The status table treats
// it as a success; operations read it as "no data".
inline constexpr int kMetaCodeEmpty = 4031;

inline bool IsEmptyAnswer(const Envelope& envelope) {
  return envelope.meta_code == kMetaCodeEmpty;
}

// The JSON text of a request body, serialized once (invalid UTF-8 is
// replaced rather than thrown on).
inline std::string SerializeBody(const nlohmann::json& body) {
  return body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// Sends `request` through `upstream` by `deadline`. On an answer, `read`
// (absl::Status(Envelope&)) turns it into the typed result and its status
// goes to `done`; an upstream error goes to `done` as is. `read` runs only
// on an answer, on whatever thread `upstream` completes on.
template <typename Read>
UpstreamCaller::CallId SendAndRead(UpstreamCaller* upstream,
                                   UpstreamRequest request, absl::Time deadline,
                                   Read read, StatusCallback done) {
  return upstream->Send(
      std::move(request), deadline,
      [read = std::move(read),
       done = std::move(done)](absl::StatusOr<Envelope> envelope) mutable {
        std::move(done)(envelope.ok() ? read(*envelope) : envelope.status());
      });
}

}  // namespace tracktry

#endif  // TRACKTRY_SERVICE_TRACKTRY_API_OPERATION_CALL_H_
