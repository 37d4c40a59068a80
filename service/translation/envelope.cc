// Copyright 2026 The tracktry-grpc Authors.
#include "service/translation/envelope.h"

#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <utility>
#include <vector>

// RapidJSON scans strings and whitespace 16 bytes at a time where SSE2 is
// there (every x86-64). Its aligned loads read up to 15 bytes past the end of
// the text (within the 16-byte block holding the terminator), so the buffer
// parsed carries kParsePadding spare bytes (ParseJson).
#if defined(__SSE2__)
#define RAPIDJSON_SSE2
#endif
#include "rapidjson/reader.h"
#include "service/translation/json_values.h"
#include "service/translation/translation_errors.h"

namespace tracktry {
namespace {

using json = nlohmann::json;

absl::Status Malformed(absl::string_view what) {
  return MalformedResponseError(what);
}

// Whether a decoded string is UTF-8 as nlohmann requires it: RFC 3629
// sequences (no overlongs, no surrogates, at most U+10FFFF). Catches invalid
// raw bytes and also the escaped lone low surrogates (U+DC00-U+DFFF) that
// RapidJSON 1.1 lets through as ED B0-BF xx. ASCII runs are skipped 8 bytes
// at a time.
bool IsUtf8(const char* text, size_t length) {
  const auto* p = reinterpret_cast<const unsigned char*>(text);
  const unsigned char* end = p + length;
  while (p < end) {
    if (end - p >= 8) {
      uint64_t word;
      std::memcpy(&word, p, 8);
      if ((word & 0x8080808080808080ULL) == 0) {
        p += 8;
        continue;
      }
    }
    const unsigned char c = *p;
    if (c < 0x80) {
      ++p;
      continue;
    }
    size_t n;
    unsigned char low = 0x80;
    unsigned char high = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) {
      n = 1;
    } else if (c >= 0xE0 && c <= 0xEF) {
      n = 2;
      if (c == 0xE0) low = 0xA0;
      if (c == 0xED) high = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      n = 3;
      if (c == 0xF0) low = 0x90;
      if (c == 0xF4) high = 0x8F;
    } else {
      return false;
    }
    if (static_cast<size_t>(end - p) <= n) return false;
    if (p[1] < low || p[1] > high) return false;
    for (size_t i = 2; i <= n; ++i) {
      if (p[i] < 0x80 || p[i] > 0xBF) return false;
    }
    p += n + 1;
  }
  return true;
}

// The number nlohmann's lexer makes of the JSON number `token` (already
// known to be one): an integer without fraction or exponent that fits is
// unsigned (or signed, when negative), anything else a double; nullopt
// where nlohmann's parse fails (a double out of range).
std::optional<json> NumberLikeNlohmann(const std::string& token) {
  const bool integral = token.find_first_of(".eE") == std::string::npos;
  char* end = nullptr;
  if (integral) {
    errno = 0;
    if (token[0] == '-') {
      const long long value = std::strtoll(token.c_str(), &end, 10);
      if (errno == 0 && end == token.c_str() + token.size()) {
        return json(static_cast<json::number_integer_t>(value));
      }
    } else {
      const unsigned long long value = std::strtoull(token.c_str(), &end, 10);
      if (errno == 0 && end == token.c_str() + token.size()) {
        return json(static_cast<json::number_unsigned_t>(value));
      }
    }
  }
  const double value = std::strtod(token.c_str(), &end);
  if (end != token.c_str() + token.size() || !std::isfinite(value)) {
    return std::nullopt;
  }
  return json(value);
}

// RapidJSON SAX events -> the nlohmann::json document nlohmann's own parser
// would build (same value types: non-negative integers unsigned, negative
// ones signed, the rest double; duplicate keys: the last one wins). Any
// event it cannot take as nlohmann would makes the parse fail, and
// ParseJson() then asks nlohmann itself.
class DomBuilder {
 public:
  json& root() { return root_; }

  bool Null() { return Add(json(nullptr)); }
  bool Bool(bool value) { return Add(json(value)); }
  bool Int(int value) {
    return Add(json(static_cast<json::number_integer_t>(value)));
  }
  bool Uint(unsigned value) {
    return Add(json(static_cast<json::number_unsigned_t>(value)));
  }
  bool Int64(int64_t value) {
    return Add(json(static_cast<json::number_integer_t>(value)));
  }
  bool Uint64(uint64_t value) {
    return Add(json(static_cast<json::number_unsigned_t>(value)));
  }
  bool Double(double value) { return Add(json(value)); }
  // Numbers come as their text (kParseNumbersAsStringsFlag) and are
  // converted the way nlohmann's lexer converts them (strtoull / strtoll,
  // else strtod); RapidJSON's own conversions are not used: its
  // full-precision path hands zero to __builtin_clzll for texts like 0e62
  // (undefined behaviour, found by script/fuzz).
  bool RawNumber(const char* text, rapidjson::SizeType length, bool) {
    std::optional<json> number = NumberLikeNlohmann(std::string(text, length));
    return number.has_value() && Add(*std::move(number));
  }
  bool String(const char* text, rapidjson::SizeType length, bool) {
    if (!IsUtf8(text, length)) return false;
    return Add(json(std::string(text, length)));
  }
  bool Key(const char* text, rapidjson::SizeType length, bool) {
    if (!IsUtf8(text, length)) return false;
    key_.assign(text, length);
    return true;
  }
  bool StartObject() { return Open(json::object()); }
  bool EndObject(rapidjson::SizeType) { return Close(); }
  bool StartArray() { return Open(json::array()); }
  bool EndArray(rapidjson::SizeType) { return Close(); }

 private:
  // Places `value` in the innermost open container (or as the root) and
  // returns where it went.
  json* Place(json value) {
    if (open_.empty()) {
      root_ = std::move(value);
      return &root_;
    }
    json& parent = *open_.back();
    if (parent.is_object()) {
      json& slot = parent[std::move(key_)];
      slot = std::move(value);
      return &slot;
    }
    auto& elements = parent.get_ref<json::array_t&>();
    elements.push_back(std::move(value));
    // Stable while it is open: its array gets no element until it closes.
    return &elements.back();
  }
  bool Add(json value) {
    Place(std::move(value));
    return true;
  }
  bool Open(json container) {
    open_.push_back(Place(std::move(container)));
    return true;
  }
  bool Close() {
    open_.pop_back();
    return true;
  }

  json root_;
  std::vector<json*> open_;
  std::string key_;
};

// The JSON text `body` as a document; discarded when it is not JSON.
// RapidJSON's reader lexes several times faster than nlohmann's (whose
// lexer was two thirds of the parse, bench/RESULTS.md) and builds the same
// document; whatever it rejects (e.g. a byte order mark, which nlohmann
// skips, or 1e400) is left to nlohmann, so both accept the same texts.
json ParseJson(absl::string_view body) {
  // In situ: strings are decoded inside a copy of the body and handed over
  // without a per-character copy; the handler checks their UTF-8.
  constexpr unsigned kFlags = rapidjson::kParseInsituFlag |
                              rapidjson::kParseNumbersAsStringsFlag |
                              rapidjson::kParseIterativeFlag;
  if (body.find('\0') == absl::string_view::npos) {
    // NUL-terminated, as in-situ parsing needs, with room for the SSE2
    // scan's reads past the terminator (see the include).
    constexpr size_t kParsePadding = 16;
    std::string text;
    text.reserve(body.size() + kParsePadding);
    text.assign(body.data(), body.size());
    DomBuilder builder;
    rapidjson::InsituStringStream stream(text.data());
    rapidjson::Reader reader;
    if (!reader.Parse<kFlags>(stream, builder).IsError()) {
      return std::move(builder.root());
    }
  }
  try {
    return json::parse(body.begin(), body.end(), /*cb=*/nullptr,
                       /*allow_exceptions=*/false);
  } catch (...) {  // parse does not throw when asked not to; be certain
    return json(json::value_t::discarded);
  }
}

}  // namespace

absl::StatusOr<Envelope> ParseEnvelope(absl::string_view body) {
  json document = ParseJson(body);
  if (document.is_discarded()) return Malformed("body is not JSON");
  if (!document.is_object()) return Malformed("body is not a JSON object");

  const json* meta = JsonMember(document, "meta");
  if (meta == nullptr || !meta->is_object()) {
    return Malformed("meta is missing");
  }
  const json* code = JsonMember(*meta, "code");
  if (code == nullptr) return Malformed("meta.code is missing");
  if (!code->is_number() && !code->is_string()) {
    return Malformed("meta.code is not an integer");
  }
  const std::optional<int32_t> meta_code = JsonToInt32(*code);
  if (!meta_code.has_value()) return Malformed("meta.code is not an integer");

  Envelope envelope;
  envelope.meta_code = *meta_code;
  if (const json* type = JsonMember(*meta, "type");
      type != nullptr && type->is_string()) {
    envelope.meta_type = SanitizeUtf8(type->get_ref<const std::string&>());
  }
  if (const json* message = JsonMember(*meta, "message");
      message != nullptr && message->is_string()) {
    envelope.meta_message =
        SanitizeUtf8(message->get_ref<const std::string&>());
  }
  auto& members = document.get_ref<json::object_t&>();
  if (auto data = members.find("data"); data != members.end()) {
    envelope.data = std::move(data->second);
  }
  return envelope;
}

Envelope SuccessEnvelope(nlohmann::json data) {
  Envelope envelope;
  envelope.meta_code = 200;
  envelope.meta_type = "Success";
  envelope.meta_message = "Success";
  envelope.data = std::move(data);
  return envelope;
}

}  // namespace tracktry
