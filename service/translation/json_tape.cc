// Copyright 2026 The tracktry-grpc Authors.
#include "service/translation/json_tape.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <string>
#include <utility>
#include <vector>

// RapidJSON scans strings and whitespace 16 bytes at a time where SSE2 is
// there (every x86-64). Its aligned loads read up to 15 bytes past the end of
// the text (within the 16-byte block holding the terminator), so the copy
// parsed carries kParsePadding spare bytes (JsonTape::Parse).
#if defined(__SSE2__)
#define RAPIDJSON_SSE2
#endif
#include "rapidjson/reader.h"
#include "service/translation/json_values.h"

namespace tracktry {
namespace {

using json = nlohmann::json;

// A byte that keeps a text from the tape: NUL, or a raw 0x1A-0x1F (see
// JsonTape::Parse).
bool IsRejectedByte(unsigned char byte) {
  return byte == 0 || (byte >= 0x1A && byte <= 0x1F);
}

// What JsonTape::Parse needs to know of a text before parsing it.
struct TextScan {
  bool rejected = false;   // holds a rejected byte
  bool non_ascii = false;  // holds a byte >= 0x80
};

// Eight bytes at a step: a word with no byte below 0x20 (the usual word of a
// compact answer) holds no rejected byte.
TextScan ScanText(absl::string_view text) {
  constexpr uint64_t kOnes = 0x0101010101010101u;
  constexpr uint64_t kHighBits = 0x8080808080808080u;
  TextScan scan;
  uint64_t any = 0;
  const char* at = text.data();
  const char* const end = at + text.size();
  for (; end - at >= 8; at += 8) {
    uint64_t word;
    std::memcpy(&word, at, sizeof(word));
    any |= word;
    // Non-zero exactly when some byte of the word is below 0x20.
    if (((word - kOnes * 0x20) & ~word & kHighBits) == 0) continue;
    for (int i = 0; i < 8; ++i) {
      if (IsRejectedByte(static_cast<unsigned char>(at[i]))) {
        scan.rejected = true;
        return scan;
      }
    }
  }
  for (; at < end; ++at) {
    const auto byte = static_cast<unsigned char>(*at);
    any |= byte;
    if (IsRejectedByte(byte)) {
      scan.rejected = true;
      return scan;
    }
  }
  scan.non_ascii = (any & kHighBits) != 0;
  return scan;
}

}  // namespace

// RapidJSON SAX events -> tape nodes. Numbers come as their text
// (kParseNumbersAsStringsFlag) and are converted the way nlohmann's lexer
// converts them (strtoull / strtoll, else strtod); RapidJSON's own
// conversions are not used: its full-precision path hands zero to
// __builtin_clzll for texts like 0e62 (undefined behaviour, found by
// script/fuzz). Any event nlohmann would not take as it comes fails the
// parse.
class JsonTapeBuilder {
 public:
  // `max_depth`: containers open at once before the parse stops (0: no
  // limit), for RapidJSON's recursive reader. `check_utf8`: whether strings
  // may hold anything but ASCII (see JsonTape::Parse).
  JsonTapeBuilder(std::vector<JsonNode>* nodes, size_t max_depth,
                  bool check_utf8)
      : nodes_(*nodes), max_depth_(max_depth), check_utf8_(check_utf8) {}

  // Whether the parse stopped at max_depth.
  bool too_deep() const { return too_deep_; }

  bool Null() {
    Push(JsonNode::Kind::kNull);
    return true;
  }
  bool Bool(bool value) {
    Push(JsonNode::Kind::kBoolean).scalar_.boolean = value;
    return true;
  }
  // Not called: numbers arrive as text (RawNumber).
  bool Int(int) { return false; }
  bool Uint(unsigned) { return false; }
  bool Int64(int64_t) { return false; }
  bool Uint64(uint64_t) { return false; }
  bool Double(double) { return false; }
  // `text` is the number's token in situ: not NUL-terminated, but followed
  // by a character no number conversion reads on (a delimiter or the end).
  bool RawNumber(const char* text, rapidjson::SizeType length, bool) {
    const char* const token_end = text + length;
    const bool integral = std::find_if(text, token_end, [](char c) {
                            return c == '.' || c == 'e' || c == 'E';
                          }) == token_end;
    char* end = nullptr;
    if (integral) {
      errno = 0;
      if (text[0] == '-') {
        const long long value = std::strtoll(text, &end, 10);
        if (errno == 0 && end == token_end) {
          Push(JsonNode::Kind::kInteger).scalar_.integer = value;
          return true;
        }
      } else {
        const unsigned long long value = std::strtoull(text, &end, 10);
        if (errno == 0 && end == token_end) {
          Push(JsonNode::Kind::kUnsigned).scalar_.unsigned_value = value;
          return true;
        }
      }
    }
    const double value = std::strtod(text, &end);
    if (end != token_end || !std::isfinite(value)) return false;
    Push(JsonNode::Kind::kFloat).scalar_.number_float = value;
    return true;
  }
  // Strings must be UTF-8 as nlohmann requires it (IsValidUtf8), which also
  // catches the escaped lone low surrogates (U+DC00-U+DFFF) that RapidJSON
  // 1.1 lets through as ED B0-BF xx.
  bool String(const char* text, rapidjson::SizeType length, bool) {
    if (check_utf8_ && !IsValidUtf8(absl::string_view(text, length))) {
      return false;
    }
    JsonNode& node = Push(JsonNode::Kind::kString);
    node.scalar_.text = text;
    node.size_ = length;
    return true;
  }
  bool Key(const char* text, rapidjson::SizeType length, bool copy) {
    return String(text, length, copy);
  }
  bool StartObject() { return Open(JsonNode::Kind::kObject); }
  bool EndObject(rapidjson::SizeType members) { return Close(members); }
  bool StartArray() { return Open(JsonNode::Kind::kArray); }
  bool EndArray(rapidjson::SizeType elements) { return Close(elements); }

 private:
  JsonNode& Push(JsonNode::Kind kind) {
    JsonNode& node = nodes_.emplace_back();
    node.kind_ = kind;
    return node;
  }
  bool Open(JsonNode::Kind kind) {
    if (max_depth_ != 0 && open_.size() >= max_depth_) {
      too_deep_ = true;
      return false;
    }
    open_.push_back(nodes_.size());
    Push(kind);
    return true;
  }
  bool Close(rapidjson::SizeType count) {
    const size_t at = open_.back();
    open_.pop_back();
    const size_t span = nodes_.size() - at;
    if (span > std::numeric_limits<uint32_t>::max()) return false;
    nodes_[at].size_ = count;
    nodes_[at].span_ = static_cast<uint32_t>(span);
    return true;
  }

  std::vector<JsonNode>& nodes_;
  const size_t max_depth_;
  const bool check_utf8_;
  bool too_deep_ = false;
  // Indices of the containers open.
  std::vector<size_t> open_;
};

const JsonNode& JsonNode::Null() {
  static const JsonNode* const kNull = new JsonNode();
  return *kNull;
}

const JsonNode* JsonNode::Find(absl::string_view key) const {
  if (!is_object()) return nullptr;
  const JsonNode* found = nullptr;
  const JsonNode* node = this + 1;
  for (uint32_t i = 0; i < size_; ++i) {
    const JsonNode* value = node + 1;
    if (node->size_ == key.size() &&
        std::memcmp(node->scalar_.text, key.data(), key.size()) == 0) {
      found = value;  // a later duplicate replaces it, as in nlohmann's
    }
    node = value->Next();
  }
  return found;
}

json JsonNode::ToJson() const {
  json root;
  // The containers open, innermost last, with the node their subtree ends
  // before.
  struct Open {
    json* container;
    const JsonNode* end;
  };
  std::vector<Open> open;
  const JsonNode* const end = Next();
  for (const JsonNode* node = this; node < end; ++node) {
    while (!open.empty() && node == open.back().end) open.pop_back();
    json* slot = &root;
    if (!open.empty()) {
      json& parent = *open.back().container;
      if (parent.is_object()) {
        // The key's node, then the value's; a repeated key's last value
        // replaces the earlier ones.
        slot = &parent[std::string(node->text())];
        ++node;
      } else {
        slot = &parent.get_ref<json::array_t&>().emplace_back();
      }
    }
    switch (node->kind_) {
      case Kind::kNull:
        *slot = nullptr;
        break;
      case Kind::kBoolean:
        *slot = node->scalar_.boolean;
        break;
      case Kind::kUnsigned:
        *slot =
            static_cast<json::number_unsigned_t>(node->scalar_.unsigned_value);
        break;
      case Kind::kInteger:
        *slot = static_cast<json::number_integer_t>(node->scalar_.integer);
        break;
      case Kind::kFloat:
        *slot = node->scalar_.number_float;
        break;
      case Kind::kString:
        *slot = std::string(node->text());
        break;
      case Kind::kArray:
        *slot = json::array();
        // Stable while it is open: its parent gets no element until then.
        slot->get_ref<json::array_t&>().reserve(node->size_);
        if (node->size_ > 0) open.push_back({slot, node->Next()});
        break;
      case Kind::kObject:
        *slot = json::object();
        if (node->size_ > 0) open.push_back({slot, node->Next()});
        break;
    }
  }
  return root;
}

std::optional<JsonTape> JsonTape::Parse(absl::string_view text) {
  // In situ (strings decoded inside the copy, no per-string copy) needs a
  // NUL-terminated text; one holding a NUL is left to nlohmann. So is one
  // holding a raw 0x1A-0x1F: RapidJSON 1.1's SSE2 string scan compares
  // against 0x19 instead of 0x1F and lets those through inside strings,
  // which JSON (and nlohmann) forbid (script/fuzz found it; the scalar scan
  // rejects every raw control character).
  const TextScan scan = ScanText(text);
  if (scan.rejected) return std::nullopt;
  // A string can only be other than ASCII, and so other than valid UTF-8,
  // when the text holds a byte >= 0x80 or a \u escape: otherwise the
  // per-string check is skipped.
  const bool check_utf8 =
      scan.non_ascii || text.find("\\u") != absl::string_view::npos;
  // RapidJSON's recursive reader is the faster one, and Tracktry's answers
  // nest a few levels deep; a text nested deeper than kMaxRecursion is read
  // again with the iterative reader, which keeps its stack on the heap.
  constexpr unsigned kFlags =
      rapidjson::kParseInsituFlag | rapidjson::kParseNumbersAsStringsFlag;
  constexpr size_t kMaxRecursion = 256;
  constexpr size_t kParsePadding = 16;
  JsonTape tape;
  tape.text_capacity_ = text.size() + kParsePadding;
  tape.text_.reset(new char[tape.text_capacity_]);
  const auto copy_text = [&tape, text] {
    std::memcpy(tape.text_.get(), text.data(), text.size());
    std::memset(tape.text_.get() + text.size(), 0, kParsePadding);
  };
  copy_text();
  // About one value or key per 10 bytes of a compact Tracktry answer.
  tape.nodes_.reserve(text.size() / 10 + 4);
  {
    JsonTapeBuilder builder(&tape.nodes_, kMaxRecursion, check_utf8);
    rapidjson::InsituStringStream stream(tape.text_.get());
    rapidjson::Reader reader;
    const bool ok = !reader.Parse<kFlags>(stream, builder).IsError();
    if (!ok && !builder.too_deep()) return std::nullopt;
    if (!ok) {
      tape.nodes_.clear();
      copy_text();  // the recursive pass decoded strings in place
      JsonTapeBuilder deep_builder(&tape.nodes_, 0, check_utf8);
      rapidjson::InsituStringStream deep_stream(tape.text_.get());
      if (reader
              .Parse<kFlags | rapidjson::kParseIterativeFlag>(deep_stream,
                                                              deep_builder)
              .IsError()) {
        return std::nullopt;
      }
    }
  }
  // Tapes may be kept (in the cache): not with a quarter or more unused.
  if (tape.nodes_.capacity() - tape.nodes_.size() > tape.nodes_.size() / 4) {
    tape.nodes_.shrink_to_fit();
  }
  return tape;
}

size_t JsonTape::heap_bytes() const {
  return text_capacity_ + nodes_.capacity() * sizeof(JsonNode);
}

}  // namespace tracktry
