// Copyright 2026 The tracktry-grpc Authors.
//
// The gRPC edge (style P2): the only absl::Status -> grpc::Status conversion
// in the service. Call it once per RPC, in the service adapter.
#ifndef TRACKTRY_SERVICE_ERRORS_GRPC_STATUS_H_
#define TRACKTRY_SERVICE_ERRORS_GRPC_STATUS_H_

#include <cstddef>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "grpcpp/support/status.h"

namespace tracktry {

// Longest message a returned grpc::Status carries, in bytes.
inline constexpr size_t kMaxGrpcMessageBytes = 1024;

// Converts `status` for the wire:
//  - OK -> grpc::Status::OK.
//  - The code is cast unchanged (absl and gRPC share the numbering).
//  - The message is made valid UTF-8 and cut to kMaxGrpcMessageBytes.
//  - error_details (the grpc-status-details-bin trailer) holds a serialized
//    google.rpc.Status{code, message, details}, one google.protobuf.Any per
//    payload of `status`, keyed by the payload's type URL (ErrorInfo,
//    RetryInfo, BadRequest; see error_details.h).
//  - There is always exactly one ErrorInfo: when `status` has none (or an
//    unreadable one), one is added with domain "tracktry.v1" and reason
//    absl::StatusCodeToString(code), e.g. "INTERNAL".
//  - Every registered secret (SetSecretsToRedact, AddSecretToRedact) is
//    replaced by "[REDACTED]" where it stands as a whole token
//    (service/errors/secret_redaction.h) in the message and in ErrorInfo
//    metadata and BadRequest text; a payload of another type that contains
//    a secret anywhere is dropped.
// Thread-safe.
grpc::Status ToGrpcStatus(const absl::Status& status);

// Replaces the process-wide list of secrets (such as the upstream API key)
// that ToGrpcStatus must never send. Empty strings are ignored. Call it at
// startup, before serving; it is thread-safe, and later calls replace the
// list for conversions that start afterwards.
void SetSecretsToRedact(std::vector<std::string> secrets);

// Adds one secret to the list, keeping the others (a rotated API key: the
// old value stays redacted too). Empty strings and known secrets are
// ignored. Thread-safe; conversions that start afterwards see it.
void AddSecretToRedact(std::string secret);

// Replaces every whole-token occurrence of a registered secret in `text`
// with "[REDACTED]" (RedactSecretTokens). Exposed for logs that want the
// same scrubbing. Thread-safe.
std::string RedactSecrets(std::string text);

}  // namespace tracktry

#endif  // TRACKTRY_SERVICE_ERRORS_GRPC_STATUS_H_
