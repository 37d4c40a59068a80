// Copyright 2026 The tracktry-grpc Authors.
//
// Whole-token secret redaction and the rules a secret (the upstream API key,
// a caller bearer token) must follow to be redacted safely.
//
// A secret is replaced only where it stands as a whole token: the
// characters right before and right after it must not be token characters
// [A-Za-z0-9_-] (the start and the end of the text count as boundaries).
// So "key=K", "\"K\"", "K:", "/path?k=K&x=1" and "K" alone are redacted,
// while a longer word that merely contains K ("xK", "K2") is left alone:
// substring replacement mangled ordinary words when a key was short. The
// boundary is checked only at an end of the secret that is itself a token
// character (like a regex \b), so a secret ending in '=' (base64 padding)
// is still found before a letter.
//
// Leak risk of the rule: a secret glued to token characters is not found.
// API keys and tokens are surrounded by separators in every text the
// service produces (headers, URLs, JSON, messages); a binary payload whose
// schema is unknown is still checked by substring (ContainsSecretSubstring).
#ifndef TRACKTRY_SERVICE_ERRORS_SECRET_REDACTION_H_
#define TRACKTRY_SERVICE_ERRORS_SECRET_REDACTION_H_

#include <cstddef>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace tracktry {

// What a redacted secret is replaced with.
inline constexpr char kRedactedText[] = "[REDACTED]";

// Shortest accepted API key or bearer token. Below this, a whole-token match
// is no longer specific: short ids, numbers and words ("GET", "200",
// "123456") appear whole in log lines and would be blanked, and such a key
// is a placeholder or typo anyway (Tracktry keys are 36-character UUIDs).
// 8 still admits the test and emulator keys in use ("test-key").
inline constexpr size_t kMinSecretLength = 8;

// [A-Za-z0-9_-].
bool IsSecretTokenChar(char c);

// `text` with every whole-token occurrence of each non-empty secret replaced
// by kRedactedText. Secrets are applied in order.
std::string RedactSecretTokens(std::string text,
                               const std::vector<std::string>& secrets);

// True if a non-empty secret occurs in `text` as a whole token.
bool ContainsSecretToken(absl::string_view text,
                         const std::vector<std::string>& secrets);

// True if a non-empty secret occurs anywhere in `text` (conservative check
// for bytes whose structure is unknown).
bool ContainsSecretSubstring(absl::string_view text,
                             const std::vector<std::string>& secrets);

// OK if `secret` can be used and redacted: at least kMinSecretLength bytes,
// no whitespace or control characters (which would also break the HTTP
// header it travels in). Otherwise INVALID_ARGUMENT naming `what` (e.g.
// "the API key in /run/secrets/api-key") and the rule, never the value.
absl::Status CheckSecret(absl::string_view what, absl::string_view secret);

}  // namespace tracktry

#endif  // TRACKTRY_SERVICE_ERRORS_SECRET_REDACTION_H_
