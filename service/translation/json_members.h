// Copyright 2026 The tracktry-grpc Authors.
//
// JsonMembers: the values of one JSON object's members named in a
// JsonKeySet, by the key's index.
//
// For a tape object (JsonNode) the members are walked once and each key is
// looked up in the set; a repeated key keeps its last value, as nlohmann's
// document does. For a document (nlohmann::json) each key is found in its
// map. Either way `members[i]` is what JsonMember(object, keys.key(i))
// would give.
//
// Not copyable; refers to the object and the set, which must outlive it.
#ifndef TRACKTRY_SERVICE_TRANSLATION_JSON_MEMBERS_H_
#define TRACKTRY_SERVICE_TRANSLATION_JSON_MEMBERS_H_

#include <algorithm>
#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <type_traits>

#include "absl/strings/string_view.h"
#include "nlohmann/json.hpp"
#include "service/translation/json_key_set.h"
#include "service/translation/json_tape.h"
#include "service/translation/json_values.h"

namespace tracktry {

template <typename Value>
class JsonMembers {
 public:
  // The members of `object` named in `keys` (none when it is not an
  // object).
  JsonMembers(const Value& object, const JsonKeySet& keys) {
    std::fill_n(values_.begin(), keys.size(), nullptr);
    Fill(object, keys);
  }

  JsonMembers(const JsonMembers&) = delete;
  JsonMembers& operator=(const JsonMembers&) = delete;

  // The value of the key with index `index` (< keys.size()), or nullptr
  // when absent.
  const Value* operator[](size_t index) const { return values_[index]; }

  // f(text) where text is JsonToString of that value ("" when absent), as
  // an absl::string_view, without building the string where it is a tape
  // string's own text. f must not keep the view.
  template <typename F>
  auto WithString(size_t index, F&& f) const {
    const Value* value = values_[index];
    if (value == nullptr) return f(absl::string_view());
    if constexpr (std::is_same_v<Value, JsonNode>) {
      if (const std::optional<absl::string_view> text =
              JsonStringView(*value)) {
        return f(*text);
      }
    }
    const std::string text = JsonToString(*value);
    return f(absl::string_view(text));
  }

  // Sets the proto string field that `mutable_field` returns to that text,
  // leaving it untouched when that is "": an unset proto3
  // string reads and serializes as "", while setting "" still costs the
  // message a string (on an arena, an allocation and a destructor to run).
  // Meant for a field that is still empty (one set before keeps its value
  // when the text is ""). A tape's string is copied once, straight into
  // the field.
  template <typename Message>
  void SetString(size_t index, Message* message,
                 std::string* (Message::*mutable_field)()) const {
    WithString(index, [message, mutable_field](absl::string_view text) {
      if (!text.empty()) {
        (message->*mutable_field)()->assign(text.data(), text.size());
      }
    });
  }

 private:
  void Fill(const JsonNode& object, const JsonKeySet& keys) {
    object.ForEachMember(
        [this, &keys](absl::string_view key, const JsonNode& value) {
          const int index = keys.IndexOf(key);
          if (index >= 0) values_[index] = &value;
        });
  }
  void Fill(const nlohmann::json& object, const JsonKeySet& keys) {
    for (size_t index = 0; index < keys.size(); ++index) {
      values_[index] = JsonMember(object, keys.key(index));
    }
  }

  std::array<const Value*, JsonKeySet::kMaxKeys> values_;
};

}  // namespace tracktry

#endif  // TRACKTRY_SERVICE_TRANSLATION_JSON_MEMBERS_H_
