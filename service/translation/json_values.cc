// Copyright 2026 The tracktry-grpc Authors.
#include "service/translation/json_values.h"

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string_view>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace tracktry {
namespace {

using json = nlohmann::json;

// Length of the valid UTF-8 sequence starting at text[i], or 0 if invalid.
size_t ValidSequenceLength(absl::string_view text, size_t i) {
  const auto byte = [&](size_t k) {
    return static_cast<unsigned char>(text[k]);
  };
  const unsigned char lead = byte(i);
  if (lead < 0x80) return 1;
  size_t length;
  unsigned char min_second = 0x80;
  unsigned char max_second = 0xBF;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    if (lead == 0xE0) min_second = 0xA0;  // overlong
    if (lead == 0xED) max_second = 0x9F;  // surrogates
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    if (lead == 0xF0) min_second = 0x90;  // overlong
    if (lead == 0xF4) max_second = 0x8F;  // above U+10FFFF
  } else {
    return 0;
  }
  if (i + length > text.size()) return 0;
  if (byte(i + 1) < min_second || byte(i + 1) > max_second) return 0;
  for (size_t k = 2; k < length; ++k) {
    if (byte(i + k) < 0x80 || byte(i + k) > 0xBF) return 0;
  }
  return length;
}

bool IsNullLiteral(absl::string_view text) {
  return absl::EqualsIgnoreCase(absl::StripAsciiWhitespace(text), "null");
}

}  // namespace

namespace {

// What the readers below need of a value, for both kinds of value.
absl::string_view TextOf(const json& value) {
  return value.get_ref<const std::string&>();
}
absl::string_view TextOf(const JsonNode& value) { return value.text(); }
// A string value's text, safe for a proto3 string field. A document may
// hold any bytes (one built in code); a tape holds valid UTF-8 only (it
// rejects the rest when parsing), so its text is taken as it is.
std::string Utf8TextOf(const json& value) {
  return SanitizeUtf8(TextOf(value));
}
std::string Utf8TextOf(const JsonNode& value) {
  return std::string(value.text());
}
bool BoolOf(const json& value) { return value.get<bool>(); }
bool BoolOf(const JsonNode& value) { return value.boolean(); }
int64_t SignedOf(const json& value) {
  return value.get<json::number_integer_t>();
}
int64_t SignedOf(const JsonNode& value) { return value.integer(); }
uint64_t UnsignedOf(const json& value) {
  return value.get<json::number_unsigned_t>();
}
uint64_t UnsignedOf(const JsonNode& value) { return value.unsigned_value(); }
double FloatOf(const json& value) { return value.get<json::number_float_t>(); }
double FloatOf(const JsonNode& value) { return value.number_float(); }
// A finite number's JSON text as nlohmann writes it.
std::string NumberText(const json& value) {
  return value.dump();  // a scalar: not recursive, never throws
}
std::string NumberText(const JsonNode& value) {
  if (value.is_number_unsigned()) return absl::StrCat(value.unsigned_value());
  if (value.is_number_integer()) return absl::StrCat(value.integer());
  return json(value.number_float()).dump();
}

template <typename Value>
bool IsNullish(const Value& value) {
  if (value.is_null() || value.is_discarded()) return true;
  if (!value.is_string()) return false;
  const absl::string_view text = TextOf(value);
  return absl::StripAsciiWhitespace(text).empty() || IsNullLiteral(text);
}

template <typename Value>
std::string ToString(const Value& value) {
  if (value.is_string()) {
    if (IsNullLiteral(TextOf(value))) return "";
    return Utf8TextOf(value);
  }
  if (value.is_number()) {
    if (value.is_number_float() && !std::isfinite(FloatOf(value))) return "";
    return NumberText(value);
  }
  if (value.is_boolean()) return BoolOf(value) ? "true" : "false";
  return "";
}

template <typename Value>
std::optional<int64_t> ToInt64(const Value& value) {
  constexpr double kTwoPow63 = 9223372036854775808.0;
  double as_double = 0;
  if (value.is_number_unsigned()) {
    const uint64_t unsigned_value = UnsignedOf(value);
    if (unsigned_value >
        static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
      return std::nullopt;
    }
    return static_cast<int64_t>(unsigned_value);
  } else if (value.is_number_integer()) {
    return SignedOf(value);
  } else if (value.is_number_float()) {
    as_double = FloatOf(value);
  } else if (value.is_string()) {
    const absl::string_view text = absl::StripAsciiWhitespace(TextOf(value));
    int64_t parsed = 0;
    if (absl::SimpleAtoi(text, &parsed)) return parsed;
    if (text.empty() || !absl::SimpleAtod(text, &as_double)) {
      return std::nullopt;
    }
  } else {
    return std::nullopt;
  }
  if (!std::isfinite(as_double) || std::trunc(as_double) != as_double ||
      as_double < -kTwoPow63 || as_double >= kTwoPow63) {
    return std::nullopt;
  }
  return static_cast<int64_t>(as_double);
}

template <typename Value>
std::optional<int32_t> ToInt32(const Value& value) {
  const std::optional<int64_t> wide = ToInt64(value);
  if (!wide.has_value() || *wide < std::numeric_limits<int32_t>::min() ||
      *wide > std::numeric_limits<int32_t>::max()) {
    return std::nullopt;
  }
  return static_cast<int32_t>(*wide);
}

template <typename Value>
std::optional<bool> ToBool(const Value& value) {
  if (value.is_boolean()) return BoolOf(value);
  if (value.is_number_integer()) {
    const std::optional<int64_t> number = ToInt64(value);
    if (number == 0) return false;
    if (number == 1) return true;
    return std::nullopt;
  }
  if (value.is_string()) {
    const absl::string_view text = absl::StripAsciiWhitespace(TextOf(value));
    if (absl::EqualsIgnoreCase(text, "true") || text == "1") return true;
    if (absl::EqualsIgnoreCase(text, "false") || text == "0") return false;
  }
  return std::nullopt;
}

}  // namespace

const json* JsonMember(const json& object, absl::string_view key) {
  if (!object.is_object()) return nullptr;
  const auto& members = object.get_ref<const json::object_t&>();
  const auto it = members.find(std::string_view(key.data(), key.size()));
  if (it == members.end()) return nullptr;
  return &it->second;
}
const JsonNode* JsonMember(const JsonNode& object, absl::string_view key) {
  return object.Find(key);
}

bool JsonIsNullish(const json& value) { return IsNullish(value); }
bool JsonIsNullish(const JsonNode& value) { return IsNullish(value); }

size_t ValidUtf8Prefix(absl::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    if (text.size() - i >= 8) {
      uint64_t word;
      std::memcpy(&word, text.data() + i, 8);
      if ((word & 0x8080808080808080ULL) == 0) {  // eight ASCII bytes
        i += 8;
        continue;
      }
    }
    if (static_cast<unsigned char>(text[i]) < 0x80) {
      ++i;
      continue;
    }
    const size_t length = ValidSequenceLength(text, i);
    if (length == 0) break;
    i += length;
  }
  return i;
}

bool IsValidUtf8(absl::string_view text) {
  return ValidUtf8Prefix(text) == text.size();
}

std::string SanitizeUtf8(absl::string_view text) {
  // Fast path (bench/RESULTS.md): text is almost always valid, so find the
  // valid prefix first and copy it in one piece instead of per sequence.
  size_t i = ValidUtf8Prefix(text);
  std::string out(text.data(), i);
  if (i == text.size()) return out;
  out.reserve(text.size() + 2);
  while (i < text.size()) {
    const size_t length = ValidSequenceLength(text, i);
    if (length == 0) {
      out.append("\xEF\xBF\xBD");
      ++i;
    } else {
      out.append(text.data() + i, length);
      i += length;
    }
  }
  return out;
}

std::string JsonToString(const json& value) { return ToString(value); }
std::string JsonToString(const JsonNode& value) { return ToString(value); }

std::optional<absl::string_view> JsonStringView(const JsonNode& value) {
  if (!value.is_string()) return std::nullopt;
  // As ToString: a tape's text is valid UTF-8 already (Utf8TextOf).
  if (IsNullLiteral(value.text())) return absl::string_view();
  return value.text();
}

std::string JsonMemberString(const json& object, absl::string_view key) {
  const json* member = JsonMember(object, key);
  return member == nullptr ? std::string() : ToString(*member);
}
std::string JsonMemberString(const JsonNode& object, absl::string_view key) {
  const JsonNode* member = JsonMember(object, key);
  return member == nullptr ? std::string() : ToString(*member);
}

absl::string_view JsonText(const json& value) {
  return value.is_string() ? TextOf(value) : absl::string_view();
}
absl::string_view JsonText(const JsonNode& value) { return value.text(); }

std::optional<int64_t> JsonToInt64(const json& value) { return ToInt64(value); }
std::optional<int64_t> JsonToInt64(const JsonNode& value) {
  return ToInt64(value);
}

std::optional<int32_t> JsonToInt32(const json& value) { return ToInt32(value); }
std::optional<int32_t> JsonToInt32(const JsonNode& value) {
  return ToInt32(value);
}

std::optional<bool> JsonToBool(const json& value) { return ToBool(value); }
std::optional<bool> JsonToBool(const JsonNode& value) { return ToBool(value); }

}  // namespace tracktry
