// Copyright 2026 The tracktry-grpc Authors.
//
// The "request may have reached the upstream" mark on HttpTransport errors.
//
// A transport error alone does not tell whether the upstream saw the
// request: a refused connection means it did not, a connection that died
// after the request went out means it may have acted on it (stored a
// create, counted a rate-limit token) and only the answer was lost. For
// reads the difference does not matter; for writes it decides between
// "not applied" and "outcome unknown". Transports mark the second kind with
// a status payload; the layer that knows whether the request was a write
// (TracktryClient) reads it.
//
// Example:
//   absl::Status status = WithRequestSent(absl::UnavailableError("reset"));
//   RequestMaybeSent(status);  // true
#ifndef TRACKTRY_SERVICE_TRANSPORT_REQUEST_SENT_H_
#define TRACKTRY_SERVICE_TRANSPORT_REQUEST_SENT_H_

#include "absl/status/status.h"

namespace tracktry {

// Type URL of the payload (its value is empty). Not a protobuf message:
// the mark never leaves the process (the status table builds new errors).
inline constexpr char kRequestSentPayloadUrl[] =
    "type.tracktry.dev/tracktry.transport.RequestSent";

// `status` with the mark: the transport had started sending the request
// when the call failed, so the upstream may have received it. OK stays OK.
absl::Status WithRequestSent(absl::Status status);

// True if `status` carries the mark. A failed call without it never sent a
// byte of its request (connect refused or timed out, DNS failure, invalid
// request, deadline or cancellation before the send).
bool RequestMaybeSent(const absl::Status& status);

}  // namespace tracktry

#endif  // TRACKTRY_SERVICE_TRANSPORT_REQUEST_SENT_H_
