// Copyright 2026 The tracktry-grpc Authors.
//
// The text forms in which the fleet tier keeps upstream answers in Redis:
//   * an Envelope (read cache, L2): compact JSON
//       {"c":<meta.code>,"t":"<meta.type>","m":"<meta.message>","d":<data>}
//   * an answer or error (request_id records): {"e":<envelope>} for an
//     answer, {"s":<absl code>,"m":"<message>","p":[["<type url>",
//     "<base64 payload>"],...]} for an error, so that a replayed error keeps
//     its google.rpc details (ErrorInfo, BadRequest, ...).
// Invalid UTF-8 in strings is replaced rather than thrown on.
#ifndef TRACKTRY_SERVICE_FLEET_ENVELOPE_CODEC_H_
#define TRACKTRY_SERVICE_FLEET_ENVELOPE_CODEC_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "service/translation/envelope.h"

namespace tracktry::fleet {

std::string EncodeEnvelope(const Envelope& envelope);
// INVALID_ARGUMENT when `text` is not an encoded envelope.
absl::StatusOr<Envelope> DecodeEnvelope(absl::string_view text);

std::string EncodeResult(const absl::StatusOr<Envelope>& result);
// The outer status is INVALID_ARGUMENT when `text` is not an encoded
// result; the inner one is the stored answer or error.
absl::StatusOr<absl::StatusOr<Envelope>> DecodeResult(absl::string_view text);

}  // namespace tracktry::fleet

#endif  // TRACKTRY_SERVICE_FLEET_ENVELOPE_CODEC_H_
