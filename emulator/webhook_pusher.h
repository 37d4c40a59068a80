// Copyright 2026 The tracktry-grpc Authors.
//
// Webhook pushes from the emulator (TrackingMore "Webhook V2" style, see
// the reference section 6): builds the signed (or unsigned) push body and
// POSTs it with a small blocking HTTP/1.1 client. Thread-safe functions.
#ifndef TRACKTRY_EMULATOR_WEBHOOK_PUSHER_H_
#define TRACKTRY_EMULATOR_WEBHOOK_PUSHER_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "nlohmann/json.hpp"

namespace tracktry::emulator {

class EmulatorState;

struct WebhookPushRequest {
  // "http://HOST:PORT/path" of the receiver.
  std::string url;
  std::string carrier_code;
  std::string tracking_number;
  // Sign with `email`; false sends verifyInfo without a signature.
  bool sign = true;
  std::string email;
  // Added to the current (real) unix time for timeStr (negative = stale).
  int64_t time_offset_s = 0;
};

// Lower-case hex HMAC-SHA256(key = email, message = time_str).
std::string WebhookSignature(absl::string_view email,
                             absl::string_view time_str);

// {"meta":{"code":200,...},"data":<tracking>,"verifyInfo":{"timeStr":
// "<time_unix>","signature":<hex or "">}}.
std::string BuildWebhookPushBody(const nlohmann::json& tracking, bool sign,
                                 absl::string_view email, int64_t time_unix);

// POSTs `body` (application/json) to `url` (http only) and returns the
// HTTP status. INVALID_ARGUMENT for a bad URL, UNAVAILABLE when the
// receiver cannot be reached within `timeout`.
absl::StatusOr<int> PostWebhook(absl::string_view url, absl::string_view body,
                                absl::Duration timeout = absl::Seconds(5));

// The admin body {"url","carrier_code","tracking_number","signed",
// "email","time_offset_s"} (url, carrier_code, tracking_number required).
absl::StatusOr<WebhookPushRequest> WebhookPushRequestFromJson(
    const nlohmann::json& json);

// The push of `request`: the stored tracking as GET renders it (without
// quirks), or a synthesized "transit" one when it is not stored; posted to
// request.url. Returns the receiver's HTTP status.
absl::StatusOr<int> PushWebhookFromState(EmulatorState& state,
                                         const WebhookPushRequest& request);

}  // namespace tracktry::emulator

#endif  // TRACKTRY_EMULATOR_WEBHOOK_PUSHER_H_
