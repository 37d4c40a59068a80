// Copyright 2026 The tracktry-grpc Authors.
#include "service/errors/secret_redaction.h"

#include "absl/strings/str_cat.h"

namespace tracktry {
namespace {

// Position of the first whole-token occurrence of `secret` in `text` at or
// after `from`, or npos.
size_t FindToken(absl::string_view text, absl::string_view secret,
                 size_t from) {
  const bool check_left = IsSecretTokenChar(secret.front());
  const bool check_right = IsSecretTokenChar(secret.back());
  for (size_t pos = text.find(secret, from); pos != absl::string_view::npos;
       pos = text.find(secret, pos + 1)) {
    const size_t end = pos + secret.size();
    const bool left_ok =
        !check_left || pos == 0 || !IsSecretTokenChar(text[pos - 1]);
    const bool right_ok =
        !check_right || end == text.size() || !IsSecretTokenChar(text[end]);
    if (left_ok && right_ok) return pos;
  }
  return absl::string_view::npos;
}

}  // namespace

bool IsSecretTokenChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c >= '0' && c <= '9') || c == '_' || c == '-';
}

std::string RedactSecretTokens(std::string text,
                               const std::vector<std::string>& secrets) {
  for (const std::string& secret : secrets) {
    if (secret.empty()) continue;
    size_t pos = FindToken(text, secret, 0);
    if (pos == std::string::npos) continue;
    std::string out;
    out.reserve(text.size());
    size_t copied = 0;
    while (pos != std::string::npos) {
      out.append(text, copied, pos - copied);
      out += kRedactedText;
      copied = pos + secret.size();
      pos = FindToken(text, secret, copied);
    }
    out.append(text, copied, std::string::npos);
    text = std::move(out);
  }
  return text;
}

bool ContainsSecretToken(absl::string_view text,
                         const std::vector<std::string>& secrets) {
  for (const std::string& secret : secrets) {
    if (!secret.empty() &&
        FindToken(text, secret, 0) != absl::string_view::npos) {
      return true;
    }
  }
  return false;
}

bool ContainsSecretSubstring(absl::string_view text,
                             const std::vector<std::string>& secrets) {
  for (const std::string& secret : secrets) {
    if (!secret.empty() && text.find(secret) != absl::string_view::npos) {
      return true;
    }
  }
  return false;
}

absl::Status CheckSecret(absl::string_view what, absl::string_view secret) {
  if (secret.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(what, " is empty"));
  }
  if (secret.size() < kMinSecretLength) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, " is shorter than ", kMinSecretLength,
                     " characters, too short to be redacted from logs safely"));
  }
  for (char c : secret) {
    const unsigned char u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7f) {
      return absl::InvalidArgumentError(
          absl::StrCat(what, " contains whitespace or a control character"));
    }
  }
  return absl::OkStatus();
}

}  // namespace tracktry
