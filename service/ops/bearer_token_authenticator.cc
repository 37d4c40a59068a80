// Copyright 2026 The tracktry-grpc Authors.
#include "service/ops/bearer_token_authenticator.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <fstream>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/error_details.h"

namespace tracktry {

absl::StatusOr<std::unique_ptr<BearerTokenAuthenticator>>
BearerTokenAuthenticator::FromFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    return absl::InvalidArgumentError(
        absl::StrCat("cannot read auth tokens file ", path));
  }
  std::vector<std::string> tokens;
  std::string line;
  while (std::getline(in, line)) {
    absl::string_view token = absl::StripAsciiWhitespace(line);
    if (token.empty() || token.front() == '#') continue;
    tokens.emplace_back(token);
  }
  if (tokens.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("auth tokens file ", path, " holds no token"));
  }
  return std::make_unique<BearerTokenAuthenticator>(tokens);
}

BearerTokenAuthenticator::BearerTokenAuthenticator(
    const std::vector<std::string>& tokens) {
  digests_.reserve(tokens.size());
  for (const std::string& token : tokens) digests_.push_back(Sha256(token));
}

BearerTokenAuthenticator::Digest BearerTokenAuthenticator::Sha256(
    absl::string_view text) {
  Digest digest{};
  unsigned int size = 0;
  EVP_Digest(text.data(), text.size(), digest.data(), &size, EVP_sha256(),
             nullptr);
  return digest;
}

absl::Status BearerTokenAuthenticator::Check(
    absl::string_view authorization) const {
  absl::string_view value = absl::StripAsciiWhitespace(authorization);
  constexpr absl::string_view kScheme = "bearer ";
  if (value.size() <= kScheme.size() ||
      !absl::StartsWithIgnoreCase(value, kScheme)) {
    return MakeError(absl::StatusCode::kUnauthenticated,
                     "missing credentials: send \"authorization: Bearer "
                     "<token>\" metadata",
                     "MISSING_CREDENTIALS");
  }
  const Digest presented =
      Sha256(absl::StripAsciiWhitespace(value.substr(kScheme.size())));
  bool match = false;
  // Every digest is compared, so timing does not reveal which one matched.
  for (const Digest& digest : digests_) {
    match |= CRYPTO_memcmp(digest.data(), presented.data(), digest.size()) == 0;
  }
  if (!match) {
    return MakeError(absl::StatusCode::kUnauthenticated,
                     "invalid credentials: the bearer token is not accepted",
                     "INVALID_CREDENTIALS");
  }
  return absl::OkStatus();
}

}  // namespace tracktry
