// Copyright 2026 The tracktry-grpc Authors.
#include "service/translation/json_values.h"

#include <cmath>
#include <limits>
#include <string_view>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"

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

const json* JsonMember(const json& object, absl::string_view key) {
  if (!object.is_object()) return nullptr;
  const auto& members = object.get_ref<const json::object_t&>();
  const auto it = members.find(std::string_view(key.data(), key.size()));
  if (it == members.end()) return nullptr;
  return &it->second;
}

bool JsonIsNullish(const json& value) {
  if (value.is_null() || value.is_discarded()) return true;
  if (!value.is_string()) return false;
  const auto& text = value.get_ref<const std::string&>();
  return absl::StripAsciiWhitespace(text).empty() || IsNullLiteral(text);
}

std::string SanitizeUtf8(absl::string_view text) {
  // Fast path (bench/RESULTS.md): text is almost always valid, so find the
  // valid prefix first and copy it in one piece instead of per sequence.
  size_t i = 0;
  while (i < text.size()) {
    if (static_cast<unsigned char>(text[i]) < 0x80) {
      ++i;
      continue;
    }
    const size_t length = ValidSequenceLength(text, i);
    if (length == 0) break;
    i += length;
  }
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

std::string JsonToString(const json& value) {
  switch (value.type()) {
    case json::value_t::string: {
      const auto& text = value.get_ref<const std::string&>();
      if (IsNullLiteral(text)) return "";
      return SanitizeUtf8(text);
    }
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
    case json::value_t::number_float:
      if (value.is_number_float() &&
          !std::isfinite(value.get<json::number_float_t>())) {
        return "";
      }
      return value.dump();  // a scalar: not recursive, never throws
    case json::value_t::boolean:
      return value.get<bool>() ? "true" : "false";
    default:
      return "";
  }
}

std::string JsonMemberString(const json& object, absl::string_view key) {
  const json* member = JsonMember(object, key);
  return member == nullptr ? std::string() : JsonToString(*member);
}

std::optional<int64_t> JsonToInt64(const json& value) {
  constexpr double kTwoPow63 = 9223372036854775808.0;
  double as_double = 0;
  switch (value.type()) {
    case json::value_t::number_integer:
      return value.get<json::number_integer_t>();
    case json::value_t::number_unsigned: {
      const auto unsigned_value = value.get<json::number_unsigned_t>();
      if (unsigned_value >
          static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
        return std::nullopt;
      }
      return static_cast<int64_t>(unsigned_value);
    }
    case json::value_t::number_float:
      as_double = value.get<json::number_float_t>();
      break;
    case json::value_t::string: {
      const absl::string_view text =
          absl::StripAsciiWhitespace(value.get_ref<const std::string&>());
      int64_t parsed = 0;
      if (absl::SimpleAtoi(text, &parsed)) return parsed;
      if (text.empty() || !absl::SimpleAtod(text, &as_double)) {
        return std::nullopt;
      }
      break;
    }
    default:
      return std::nullopt;
  }
  if (!std::isfinite(as_double) || std::trunc(as_double) != as_double ||
      as_double < -kTwoPow63 || as_double >= kTwoPow63) {
    return std::nullopt;
  }
  return static_cast<int64_t>(as_double);
}

std::optional<int32_t> JsonToInt32(const json& value) {
  const std::optional<int64_t> wide = JsonToInt64(value);
  if (!wide.has_value() || *wide < std::numeric_limits<int32_t>::min() ||
      *wide > std::numeric_limits<int32_t>::max()) {
    return std::nullopt;
  }
  return static_cast<int32_t>(*wide);
}

std::optional<bool> JsonToBool(const json& value) {
  if (value.is_boolean()) return value.get<bool>();
  if (value.is_number_integer()) {
    const std::optional<int64_t> number = JsonToInt64(value);
    if (number == 0) return false;
    if (number == 1) return true;
    return std::nullopt;
  }
  if (value.is_string()) {
    const absl::string_view text =
        absl::StripAsciiWhitespace(value.get_ref<const std::string&>());
    if (absl::EqualsIgnoreCase(text, "true") || text == "1") return true;
    if (absl::EqualsIgnoreCase(text, "false") || text == "0") return false;
  }
  return std::nullopt;
}

}  // namespace tracktry
