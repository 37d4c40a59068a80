// Copyright 2026 The tracktry-grpc Authors.
//
// BearerTokenAuthenticator: checks the "authorization: Bearer <token>"
// request metadata against a set of tokens (e.g. a Kubernetes Secret
// mounted as a file). Only SHA-256 digests of the tokens are kept, and they
// are compared in constant time. The set can be replaced while serving
// (SetTokens, when the tokens file changes): each check reads the current
// set with one atomic load.
#ifndef TRACKTRY_SERVICE_OPS_BEARER_TOKEN_AUTHENTICATOR_H_
#define TRACKTRY_SERVICE_OPS_BEARER_TOKEN_AUTHENTICATOR_H_

#include <array>
#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace tracktry {

// Thread-safe.
class BearerTokenAuthenticator {
 public:
  // Reads tokens, one per line (ParseTokens). INVALID_ARGUMENT when the
  // file cannot be read or its content is rejected.
  static absl::StatusOr<std::unique_ptr<BearerTokenAuthenticator>> FromFile(
      const std::string& path);

  // The tokens of a tokens file: one per line; surrounding whitespace is
  // ignored, and so are empty lines and lines starting with '#'.
  // INVALID_ARGUMENT (naming `source` and the line, never the token) when
  // there is no token or a token fails CheckSecret (shorter than
  // kMinSecretLength, or containing whitespace).
  static absl::StatusOr<std::vector<std::string>> ParseTokens(
      absl::string_view content, absl::string_view source);

  // `tokens` must not be empty and must not contain empty strings.
  explicit BearerTokenAuthenticator(const std::vector<std::string>& tokens);
  BearerTokenAuthenticator(const BearerTokenAuthenticator&) = delete;
  BearerTokenAuthenticator& operator=(const BearerTokenAuthenticator&) = delete;

  // Replaces the accepted tokens (same requirements as the constructor).
  // Checks that already loaded the old set finish with it.
  void SetTokens(const std::vector<std::string>& tokens);

  // Checks the value of the "authorization" metadata (empty when absent).
  // OK for "Bearer <known token>" (scheme case-insensitive). Otherwise
  // UNAUTHENTICATED with ErrorInfo reason MISSING_CREDENTIALS (no or
  // non-Bearer header) or INVALID_CREDENTIALS (unknown token); the message
  // never contains the presented token.
  absl::Status Check(absl::string_view authorization) const;

  size_t token_count() const {
    return current_.load(std::memory_order_acquire)->size();
  }

 private:
  using Digest = std::array<unsigned char, 32>;
  using DigestSet = std::vector<Digest>;
  static Digest Sha256(absl::string_view text);

  // Every set ever installed is kept (distinct sets only; a few digests
  // each), so a set loaded by a running Check() is never freed under it.
  std::mutex mu_;  // Guards sets_ and serializes SetTokens().
  std::vector<std::unique_ptr<const DigestSet>> sets_;
  std::atomic<const DigestSet*> current_{nullptr};
};

}  // namespace tracktry

#endif  // TRACKTRY_SERVICE_OPS_BEARER_TOKEN_AUTHENTICATOR_H_
