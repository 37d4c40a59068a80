// Copyright 2026 The tracktry-grpc Authors.
//
// The Tracktry response envelope:
//   {"meta":{"code":<int>,"type":"<string>","message":"<string>"},"data":...}
// Errors arrive inside HTTP 200 with the real result in meta.code, so every
// response body goes through ParseEnvelope before its `data` is translated.
#ifndef TRACKTRY_SERVICE_TRANSLATION_ENVELOPE_H_
#define TRACKTRY_SERVICE_TRANSLATION_ENVELOPE_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "nlohmann/json.hpp"
#include "service/translation/answer_memo.h"

namespace tracktry {

// A parsed Tracktry envelope.
struct Envelope {
  // meta.code (200, 201, 4001, 4031, ...).
  int meta_code = 0;
  // meta.type ("Success", "Bad Request", ...); "" when absent or not a string.
  std::string meta_type;
  // meta.message; "" when absent or not a string.
  std::string meta_message;
  // The `data` member as sent; JSON null when absent.
  nlohmann::json data;
  // Forms derived from this answer (e.g. the serialized GetTracking answer
  // per view), shared by every copy of this Envelope. Copies are the same
  // answer, so `data` must not change once a form may have been derived:
  // code that turns an Envelope into a different answer gives it a new
  // memo. Null: nothing is remembered (every form is computed per use).
  std::shared_ptr<AnswerMemo> memo = std::make_shared<AnswerMemo>();
};

// Parses a response body. meta.code may be a JSON integer or a string holding
// an integer ("200"); it must fit an int.
//
// Errors: INTERNAL with ErrorInfo reason UPSTREAM_MALFORMED_RESPONSE when the
// body is not JSON, not an object, or meta/meta.code is missing or not an
// integer. The message never contains the body.
//
// Pure, never throws, thread-safe. `data` is moved out of the parsed
// document, never deep-copied.
absl::StatusOr<Envelope> ParseEnvelope(absl::string_view body);

// The envelope of a plain successful answer carrying `data` (meta.code 200,
// "Success"), e.g. for a tracking received by webhook instead of a read.
Envelope SuccessEnvelope(nlohmann::json data);

}  // namespace tracktry

#endif  // TRACKTRY_SERVICE_TRANSLATION_ENVELOPE_H_
