// Copyright 2026 The tracktry-grpc Authors.
//
// JsonTape: a parsed JSON text as one flat array of nodes, read in place.
//
// An upstream answer is read once (translated into the proto answer) and
// then kept only for what may come later. Building nlohmann's document for
// it (a tree node per member, a heap string per string) and destroying it
// again was a seventh of a GetTracking miss (bench/RESULTS.md, issue 15).
// A tape is what RapidJSON's reader reports, written down in order: one
// 24-byte node per value and per key, strings decoded in place inside the
// tape's own copy of the text. Two allocations in all, freed at once.
//
// The tape reads exactly as the nlohmann document of the same text would
// (ParseEnvelope's contract): the same value types (non-negative integers
// unsigned, negative ones signed, the rest double), the same UTF-8 rule for
// strings, and for a duplicated key the last member wins. Texts that
// RapidJSON or those rules reject give no tape (Parse returns nullopt); the
// caller then asks nlohmann, so both accept the same texts.
//
// Thread-safe to read; immutable once parsed.
#ifndef TRACKTRY_SERVICE_TRANSLATION_JSON_TAPE_H_
#define TRACKTRY_SERVICE_TRANSLATION_JSON_TAPE_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "absl/strings/string_view.h"
#include "nlohmann/json.hpp"

namespace tracktry {

// One value of a tape. A container's members follow it directly on the
// tape (an object's as key, value, key, value, ...), so a node is read
// through a pointer into its tape, like a `const nlohmann::json*`; the
// accessors are named as nlohmann's where they mean the same.
class JsonNode {
 public:
  enum class Kind : uint8_t {
    kNull,
    kBoolean,
    kUnsigned,
    kInteger,
    kFloat,
    kString,
    kArray,
    kObject,
  };

  // A node that is JSON null and belongs to no tape.
  static const JsonNode& Null();

  Kind kind() const { return kind_; }
  bool is_null() const { return kind_ == Kind::kNull; }
  bool is_boolean() const { return kind_ == Kind::kBoolean; }
  bool is_number_unsigned() const { return kind_ == Kind::kUnsigned; }
  bool is_number_integer() const {
    return kind_ == Kind::kUnsigned || kind_ == Kind::kInteger;
  }
  bool is_number_float() const { return kind_ == Kind::kFloat; }
  bool is_number() const { return is_number_integer() || is_number_float(); }
  bool is_string() const { return kind_ == Kind::kString; }
  bool is_array() const { return kind_ == Kind::kArray; }
  bool is_object() const { return kind_ == Kind::kObject; }
  // Never: a tape holds no discarded value (nlohmann's parse failure).
  bool is_discarded() const { return false; }

  // The value of a scalar of that kind (undefined for other kinds).
  bool boolean() const { return scalar_.boolean; }
  uint64_t unsigned_value() const { return scalar_.unsigned_value; }
  int64_t integer() const { return scalar_.integer; }
  double number_float() const { return scalar_.number_float; }
  // A string's decoded text (for other kinds: empty).
  absl::string_view text() const {
    return is_string() ? absl::string_view(scalar_.text, size_)
                       : absl::string_view();
  }

  // Members of an object or elements of an array, as sent (duplicate keys
  // included); 0 for scalars.
  size_t size() const { return is_array() || is_object() ? size_ : 0; }
  bool empty() const { return size() == 0; }

  // The member `key` of an object (the last one when the key is repeated,
  // as in nlohmann's document), or nullptr when this is not an object or
  // has no such member.
  const JsonNode* Find(absl::string_view key) const;

  // Calls f(key, value) for each member of an object, in the order sent
  // (duplicate keys included), or f(element) for each element of an array.
  template <typename F>
  void ForEachMember(F&& f) const {
    if (!is_object()) return;
    const JsonNode* node = this + 1;
    for (uint32_t i = 0; i < size_; ++i) {
      const JsonNode* value = node + 1;
      f(node->text(), *value);
      node = value->Next();
    }
  }
  template <typename F>
  void ForEachElement(F&& f) const {
    if (!is_array()) return;
    const JsonNode* node = this + 1;
    for (uint32_t i = 0; i < size_; ++i) {
      f(*node);
      node = node->Next();
    }
  }

  // The nlohmann document of this value (the one nlohmann's parser gives
  // for its text). Iterative: any nesting depth the tape holds.
  nlohmann::json ToJson() const;

 private:
  friend class JsonTapeBuilder;

  // The node after this value's subtree.
  const JsonNode* Next() const { return this + span_; }

  Kind kind_ = Kind::kNull;
  // Strings: length; containers: members or elements.
  uint32_t size_ = 0;
  // Nodes in this value's subtree, itself included.
  uint32_t span_ = 1;
  union Scalar {
    bool boolean;
    uint64_t unsigned_value;
    int64_t integer;
    double number_float;
    const char* text;
  } scalar_{};
};

class JsonTape {
 public:
  // The tape of the JSON text `text`; nullopt when the text is not JSON, or
  // is one RapidJSON rejects though nlohmann would take it (a byte order
  // mark, 1e400, ...), or holds a string that is not valid UTF-8.
  static std::optional<JsonTape> Parse(absl::string_view text);

  JsonTape(JsonTape&&) = default;
  JsonTape& operator=(JsonTape&&) = default;

  const JsonNode& root() const { return nodes_.front(); }

  // Heap bytes held (the text's copy and the nodes).
  size_t heap_bytes() const;

 private:
  JsonTape() = default;
  friend class JsonTapeBuilder;

  // The text decoded in situ; nodes' strings point into it.
  std::unique_ptr<char[]> text_;
  size_t text_capacity_ = 0;
  std::vector<JsonNode> nodes_;
};

}  // namespace tracktry

#endif  // TRACKTRY_SERVICE_TRANSLATION_JSON_TAPE_H_
