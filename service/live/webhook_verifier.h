// Copyright 2026 The tracktry-grpc Authors.
//
// Webhook push parsing and verification (TrackingMore "Webhook V2" style,
// reference section 6): a JSON body {"meta":{...},"data":{<tracking>},
// "verifyInfo":{"timeStr":<string|int>,"signature":"<hex>"}} where
// signature = hex(HMAC-SHA256(key = account e-mail, message = timeStr)).
// Pure functions; thread-safe.
#ifndef TRACKTRY_SERVICE_LIVE_WEBHOOK_VERIFIER_H_
#define TRACKTRY_SERVICE_LIVE_WEBHOOK_VERIFIER_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "nlohmann/json.hpp"

namespace tracktry {

struct WebhookPush {
  // The tracking object ("data"; the first element when it is an array).
  nlohmann::json data;
  // verifyInfo.timeStr as text ("" when missing) and signature.
  std::string time_str;
  std::string signature;
};

// Lower-case hex HMAC-SHA256 of `message` keyed with `key`.
std::string HmacSha256Hex(absl::string_view key, absl::string_view message);

// Parses a push body. Text before the first '{' and after the last '}' is
// ignored (the official SDK extracts /\{.*\}/ from the raw body).
// Errors: INVALID_ARGUMENT when there is no JSON object or no "data" object.
absl::StatusOr<WebhookPush> ParseWebhookBody(absl::string_view body);

// Checks the signature (constant-time compare) and that timeStr (unix
// seconds, or milliseconds when larger than 1e11) lies within `max_skew`
// of `now`. Errors: UNAUTHENTICATED (missing/bad signature, bad or stale
// timestamp, empty key). Never puts the key in the message.
absl::Status VerifyWebhookPush(const WebhookPush& push, absl::string_view key,
                               absl::Time now, absl::Duration max_skew);

}  // namespace tracktry

#endif  // TRACKTRY_SERVICE_LIVE_WEBHOOK_VERIFIER_H_
