// Copyright 2026 The tracktry-grpc Authors.
//
// Lenient readers for loosely typed Tracktry JSON values. Tracktry sends
// numbers as strings, "null" as a string, booleans as "true"/"false" and so
// on; these helpers turn such values into plain C++ values.
//
// Every function is pure, never throws and accepts any nlohmann::json value
// (including discarded, binary and deeply nested values), or a node of a
// JsonTape, which reads the same as the document of the same text.
// Thread-safe.
#ifndef TRACKTRY_SERVICE_TRANSLATION_JSON_VALUES_H_
#define TRACKTRY_SERVICE_TRANSLATION_JSON_VALUES_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/strings/string_view.h"
#include "nlohmann/json.hpp"
#include "service/translation/json_tape.h"

namespace tracktry {

// The member `key` of `object`, or nullptr when `object` is not an object or
// has no such member. The pointer is owned by `object`.
const nlohmann::json* JsonMember(const nlohmann::json& object,
                                 absl::string_view key);
const JsonNode* JsonMember(const JsonNode& object, absl::string_view key);

// True when `value` carries no information: JSON null, a missing/discarded
// value, or a string that is empty or the literal "null" (any case, blanks
// around it ignored).
bool JsonIsNullish(const nlohmann::json& value);
bool JsonIsNullish(const JsonNode& value);

// A string view of `value`:
//   string -> itself, except "null" (any case, trimmed) -> "";
//   integer/float -> its JSON text ("12", "1.5"); bool -> "true"/"false";
//   anything else (null, object, array, ...) -> "".
// Invalid UTF-8 bytes are replaced by U+FFFD so the result is always safe for
// a proto3 string field.
std::string JsonToString(const nlohmann::json& value);
std::string JsonToString(const JsonNode& value);

// JsonToString(value) for a tape's string, as a view of the tape's own text
// (no copy; "" for the "null" literals); nullopt for any other kind of
// value, whose string JsonToString has to build.
std::optional<absl::string_view> JsonStringView(const JsonNode& value);

// JsonToString of the member `key` of `object` ("" when absent).
std::string JsonMemberString(const nlohmann::json& object,
                             absl::string_view key);
std::string JsonMemberString(const JsonNode& object, absl::string_view key);

// The text of a string value as sent (no "null" or UTF-8 rule applied);
// empty for any other value.
absl::string_view JsonText(const nlohmann::json& value);
absl::string_view JsonText(const JsonNode& value);

// An integer from an integer, an integral float within range, or a string
// holding one ("42", " 42 ", "42.0"). nullopt for everything else, including
// out-of-range values.
std::optional<int64_t> JsonToInt64(const nlohmann::json& value);
std::optional<int64_t> JsonToInt64(const JsonNode& value);

// JsonToInt64 restricted to the int32 range.
std::optional<int32_t> JsonToInt32(const nlohmann::json& value);
std::optional<int32_t> JsonToInt32(const JsonNode& value);

// A boolean from true/false, the strings "true"/"false"/"1"/"0" (any case,
// trimmed) or the integers 1/0. nullopt for everything else.
std::optional<bool> JsonToBool(const nlohmann::json& value);
std::optional<bool> JsonToBool(const JsonNode& value);

// Calls f(element) for each element of `array` (nothing when it is not an
// array).
template <typename F>
void ForEachJsonElement(const nlohmann::json& array, F&& f) {
  if (!array.is_array()) return;
  for (const nlohmann::json& element :
       array.get_ref<const nlohmann::json::array_t&>()) {
    f(element);
  }
}
template <typename F>
void ForEachJsonElement(const JsonNode& array, F&& f) {
  array.ForEachElement(f);
}

// `text` with every invalid UTF-8 sequence replaced by U+FFFD.
std::string SanitizeUtf8(absl::string_view text);

// The length of the longest prefix of `text` that is valid UTF-8 as RFC 3629
// (and nlohmann) define it: no overlong forms, no surrogates, nothing above
// U+10FFFF. ASCII runs are skipped eight bytes at a time.
size_t ValidUtf8Prefix(absl::string_view text);
// Whether all of `text` is valid UTF-8 (ValidUtf8Prefix is all of it).
bool IsValidUtf8(absl::string_view text);

}  // namespace tracktry

#endif  // TRACKTRY_SERVICE_TRANSLATION_JSON_VALUES_H_
