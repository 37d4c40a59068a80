// Copyright 2026 The tracktry-grpc Authors.
#include "service/translation/batch_translation.h"

#include <optional>
#include <string>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "service/translation/json_values.h"
#include "service/translation/tracking_translation.h"
#include "service/translation/translation_errors.h"

namespace tracktry {
namespace {

using json = nlohmann::json;

// Longest message kept from an error entry that is a non-JSON string.
constexpr size_t kMaxPlainMessageBytes = 512;

// How many times a string entry may be JSON-decoded (a string holding a
// JSON-encoded string holding an object is seen as double encoding).
constexpr int kMaxStringDecodings = 2;

// Fills the fields of `error` that are still empty from `object`.
void FillFromFlatObject(const json& object, BatchItemError* error) {
  if (error->tracking_number.empty()) {
    error->tracking_number = JsonMemberString(object, "tracking_number");
  }
  if (error->carrier_code.empty()) {
    error->carrier_code = JsonMemberString(object, "carrier_code");
  }
  if (error->code == 0) {
    if (const json* code = JsonMember(object, "code")) {
      error->code = JsonToInt32(*code).value_or(0);
    }
  }
  if (error->message.empty()) {
    error->message = JsonMemberString(object, "message");
  }
}

BatchItemError ErrorFromObject(const json& object) {
  BatchItemError error;
  FillFromFlatObject(object, &error);
  if (const json* meta = JsonMember(object, "meta");
      meta != nullptr && meta->is_object()) {
    FillFromFlatObject(*meta, &error);
  }
  if (const json* data = JsonMember(object, "data")) {
    const json* item = data;
    if (data->is_array() && !data->empty()) item = &data->front();
    if (item->is_object()) FillFromFlatObject(*item, &error);
  }
  return error;
}

// `text` cut to at most `max_bytes` without splitting a UTF-8 sequence.
std::string TruncateUtf8(const std::string& text, size_t max_bytes) {
  if (text.size() <= max_bytes) return SanitizeUtf8(text);
  size_t cut = max_bytes;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) {
    --cut;
  }
  return SanitizeUtf8(absl::string_view(text.data(), cut));
}

std::optional<BatchItemError> ErrorFromEntry(const json& entry) {
  if (entry.is_object()) return ErrorFromObject(entry);
  if (!entry.is_string()) return std::nullopt;
  const std::string* text = &entry.get_ref<const std::string&>();
  json decoded;
  for (int round = 0; round < kMaxStringDecodings; ++round) {
    json next = json::parse(*text, /*cb=*/nullptr, /*allow_exceptions=*/false);
    if (next.is_object()) return ErrorFromObject(next);
    if (!next.is_string()) break;
    decoded = std::move(next);
    text = &decoded.get_ref<const std::string&>();
  }
  const absl::string_view trimmed = absl::StripAsciiWhitespace(*text);
  if (trimmed.empty() || absl::EqualsIgnoreCase(trimmed, "null")) {
    return std::nullopt;
  }
  BatchItemError error;
  error.message = TruncateUtf8(*text, kMaxPlainMessageBytes);
  return error;
}

absl::Status AppendCreated(const json& items, BatchOutcome* outcome) {
  if (items.is_null()) return absl::OkStatus();
  if (!items.is_array()) {
    return MalformedResponseError("batch trackings is not an array");
  }
  absl::StatusOr<std::vector<tracktry::v1::Tracking>> created =
      TrackingsFromData(items);
  if (!created.ok()) return std::move(created).status();
  outcome->created = std::move(created).value();
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<BatchOutcome> BatchOutcomeFromData(const json& data) {
  BatchOutcome outcome;
  if (data.is_null()) return outcome;
  if (data.is_array()) {
    if (absl::Status status = AppendCreated(data, &outcome); !status.ok()) {
      return status;
    }
    outcome.submitted = static_cast<int64_t>(outcome.created.size());
    outcome.added = outcome.submitted;
    return outcome;
  }
  if (!data.is_object()) {
    return MalformedResponseError("batch data is not an object");
  }

  const json* created = JsonMember(data, "trackings");
  if (created == nullptr) created = JsonMember(data, "items");
  if (created != nullptr) {
    if (absl::Status status = AppendCreated(*created, &outcome); !status.ok()) {
      return status;
    }
  }
  if (const json* errors = JsonMember(data, "errors"); errors != nullptr) {
    if (errors->is_array()) {
      for (const json& entry : errors->get_ref<const json::array_t&>()) {
        if (std::optional<BatchItemError> error = ErrorFromEntry(entry)) {
          outcome.errors.push_back(std::move(*error));
        }
      }
    } else if (std::optional<BatchItemError> error = ErrorFromEntry(*errors)) {
      outcome.errors.push_back(std::move(*error));  // a lone entry
    }
  }

  std::optional<int64_t> submitted;
  if (const json* value = JsonMember(data, "submitted")) {
    submitted = JsonToInt64(*value);
  }
  std::optional<int64_t> added;
  if (const json* value = JsonMember(data, "added")) {
    added = JsonToInt64(*value);
  }
  outcome.added = added.value_or(static_cast<int64_t>(outcome.created.size()));
  outcome.submitted = submitted.value_or(
      static_cast<int64_t>(outcome.created.size() + outcome.errors.size()));
  return outcome;
}

}  // namespace tracktry
