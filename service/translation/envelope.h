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
#include "service/translation/json_tape.h"

namespace tracktry {

// How a parsed envelope holds its `data`.
enum class EnvelopeData {
  // nlohmann's document, built at once (from the tape, which is dropped).
  kDocument,
  // The tape, with the document built only if data() is asked: for answers
  // read as trackings (FirstTrackingFromData reads the tape itself).
  kTape,
};

// A parsed Tracktry envelope.
struct Envelope {
  // meta.code (200, 201, 4001, 4031, ...).
  int meta_code = 0;
  // meta.type ("Success", "Bad Request", ...); "" when absent or not a string.
  std::string meta_type;
  // meta.message; "" when absent or not a string.
  std::string meta_message;
  // Forms derived from this answer (e.g. the serialized GetTracking answer
  // per view), shared by every copy of this Envelope. Copies are the same
  // answer, so `data` must not change once a form may have been derived:
  // code that turns an Envelope into a different answer gives it a new
  // memo. Null: nothing is remembered (every form is computed per use).
  std::shared_ptr<AnswerMemo> memo = std::make_shared<AnswerMemo>();

  // The `data` member as sent; JSON null when absent. For an envelope
  // parsed into a tape, the document is built on first use (once, shared
  // by every copy; thread-safe).
  const nlohmann::json& data() const;
  // The `data` member as read from the tape of the parsed body, with no
  // document built; nullptr when this envelope has no tape (its body was
  // one only nlohmann parses, or its data was set). JSON null when absent.
  const JsonNode* data_tape() const;
  // A copy of `data`: for an envelope with a tape, built from it and not
  // kept (data() keeps what it builds), so a reader that needs a document
  // once (encoding for the fleet's cache, a watch's last answer) does not
  // add a document to an answer the cache holds as a tape.
  nlohmann::json data_copy() const;
  // Replaces `data` (and drops any tape).
  void set_data(nlohmann::json data);
  // The document of `data` if it exists yet (set, or built by data()),
  // else nullptr.
  const nlohmann::json* data_if_built() const;
  // Heap bytes of the tape `data` is read from, with the shared part's own
  // block (only that block without a tape; 0 without data).
  size_t data_tape_bytes() const;

 private:
  class Data;
  friend absl::StatusOr<Envelope> ParseEnvelope(absl::string_view body,
                                                EnvelopeData form);

  // Shared by copies; null for an envelope whose data was never set.
  std::shared_ptr<const Data> data_;
};

// Parses a response body. meta.code may be a JSON integer or a string holding
// an integer ("200"); it must fit an int.
//
// Errors: INTERNAL with ErrorInfo reason UPSTREAM_MALFORMED_RESPONSE when the
// body is not JSON, not an object, or meta/meta.code is missing or not an
// integer. The message never contains the body.
//
// Pure, never throws, thread-safe. The body is read into a tape (JsonTape)
// and `data` kept as `form` says; a body the tape does not take is parsed by
// nlohmann (and so has no tape whatever the form).
absl::StatusOr<Envelope> ParseEnvelope(
    absl::string_view body, EnvelopeData form = EnvelopeData::kDocument);

// The envelope of a plain successful answer carrying `data` (meta.code 200,
// "Success"), e.g. for a tracking received by webhook instead of a read.
Envelope SuccessEnvelope(nlohmann::json data);

}  // namespace tracktry

#endif  // TRACKTRY_SERVICE_TRANSLATION_ENVELOPE_H_
