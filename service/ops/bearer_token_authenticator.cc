// Copyright 2026 The tracktry-grpc Authors.
#include "service/ops/bearer_token_authenticator.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <fstream>
#include <sstream>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/error_details.h"
#include "service/errors/secret_redaction.h"

namespace tracktry {

absl::StatusOr<std::unique_ptr<BearerTokenAuthenticator>>
BearerTokenAuthenticator::FromFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    return absl::InvalidArgumentError(
        absl::StrCat("cannot read auth tokens file ", path));
  }
  std::stringstream content;
  content << in.rdbuf();
  absl::StatusOr<std::vector<std::string>> tokens =
      ParseTokens(content.str(), absl::StrCat("auth tokens file ", path));
  if (!tokens.ok()) return tokens.status();
  return std::make_unique<BearerTokenAuthenticator>(*tokens);
}

absl::StatusOr<std::vector<std::string>> BearerTokenAuthenticator::ParseTokens(
    absl::string_view content, absl::string_view source) {
  std::vector<std::string> tokens;
  int line_number = 0;
  for (absl::string_view line : absl::StrSplit(content, '\n')) {
    ++line_number;
    absl::string_view token = absl::StripAsciiWhitespace(line);
    if (token.empty() || token.front() == '#') continue;
    if (absl::Status valid = CheckSecret(
            absl::StrCat("the token on line ", line_number, " of ", source),
            token);
        !valid.ok()) {
      return valid;
    }
    tokens.emplace_back(token);
  }
  if (tokens.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(source, " holds no token"));
  }
  return tokens;
}

BearerTokenAuthenticator::BearerTokenAuthenticator(
    const std::vector<std::string>& tokens) {
  SetTokens(tokens);
}

void BearerTokenAuthenticator::SetTokens(
    const std::vector<std::string>& tokens) {
  auto set = std::make_unique<DigestSet>();
  set->reserve(tokens.size());
  for (const std::string& token : tokens) set->push_back(Sha256(token));
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& known : sets_) {
    if (*known == *set) {
      current_.store(known.get(), std::memory_order_release);
      return;
    }
  }
  sets_.push_back(std::move(set));
  current_.store(sets_.back().get(), std::memory_order_release);
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
  for (const Digest& digest : *current_.load(std::memory_order_acquire)) {
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
