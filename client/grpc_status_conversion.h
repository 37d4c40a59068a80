// Copyright 2026 The tracktry-grpc Authors.
//
// The client-side edge between gRPC and absl: converts a grpc::Status
// received from TrackingService into an absl::Status whose payloads carry
// the AIP-193 error details, in the representation common/error_details.h uses,
// so GetErrorInfo / GetRetryDelay / GetBadRequest work on both sides.
#ifndef TRACKTRY_CLIENT_GRPC_STATUS_CONVERSION_H_
#define TRACKTRY_CLIENT_GRPC_STATUS_CONVERSION_H_

#include "absl/status/status.h"
#include "grpcpp/support/status.h"

namespace tracktry {

// Returns the absl equivalent of `status`:
// - the code is carried over unchanged (gRPC and absl codes are identical
//   by design); a number outside 0..16 becomes kUnknown;
// - the message is copied;
// - when error_details() holds a serialized google.rpc.Status, each of its
//   `details` (a google.protobuf.Any) becomes one payload keyed by the Any's
//   type URL, holding the Any's serialized value unchanged. Undecodable
//   details bytes are ignored (the code and message are still returned).
// An OK status yields absl::OkStatus() (details are ignored).
absl::Status FromGrpcStatus(const grpc::Status& status);

}  // namespace tracktry

#endif  // TRACKTRY_CLIENT_GRPC_STATUS_CONVERSION_H_
