// Copyright 2026 The tracktry-grpc Authors.
//
// BearerTokenAuthenticator: checks the "authorization: Bearer <token>"
// request metadata against a fixed set of tokens (e.g. a Kubernetes Secret
// mounted as a file). Only SHA-256 digests of the tokens are kept, and they
// are compared in constant time.
#ifndef TRACKTRY_SERVICE_OPS_BEARER_TOKEN_AUTHENTICATOR_H_
#define TRACKTRY_SERVICE_OPS_BEARER_TOKEN_AUTHENTICATOR_H_

#include <array>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace tracktry {

// Thread-safe (immutable after construction).
class BearerTokenAuthenticator {
 public:
  // Reads tokens, one per line; surrounding whitespace is ignored, and so
  // are empty lines and lines starting with '#'. INVALID_ARGUMENT when the
  // file cannot be read or holds no token.
  static absl::StatusOr<std::unique_ptr<BearerTokenAuthenticator>> FromFile(
      const std::string& path);

  // `tokens` must not be empty and must not contain empty strings.
  explicit BearerTokenAuthenticator(const std::vector<std::string>& tokens);

  // Checks the value of the "authorization" metadata (empty when absent).
  // OK for "Bearer <known token>" (scheme case-insensitive). Otherwise
  // UNAUTHENTICATED with ErrorInfo reason MISSING_CREDENTIALS (no or
  // non-Bearer header) or INVALID_CREDENTIALS (unknown token); the message
  // never contains the presented token.
  absl::Status Check(absl::string_view authorization) const;

  size_t token_count() const { return digests_.size(); }

 private:
  using Digest = std::array<unsigned char, 32>;
  static Digest Sha256(absl::string_view text);

  std::vector<Digest> digests_;
};

}  // namespace tracktry

#endif  // TRACKTRY_SERVICE_OPS_BEARER_TOKEN_AUTHENTICATOR_H_
