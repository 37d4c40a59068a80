// Copyright 2026 The tracktry-grpc Authors.
//
// JsonKeySet: the member names a reader of one kind of JSON object looks
// up, each with its index, found by a cheap hash.
//
// A tape object's members are read by scanning them (JsonNode::Find): a
// reader that looks up 30 keys in a tracking of 30 members compares about
// 900 keys, and a seventeenth of a GetTracking miss went there
// (bench/RESULTS.md, issue 15). With a key set the object's members are
// walked once instead, each looked up here (JsonMembers), and the reader
// takes its values by index.
//
// Thread-safe; immutable once built.
#ifndef TRACKTRY_SERVICE_TRANSLATION_JSON_KEY_SET_H_
#define TRACKTRY_SERVICE_TRANSLATION_JSON_KEY_SET_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace tracktry {

class JsonKeySet {
 public:
  // The set of `keys`, indexed in the order given. The views must outlive
  // the set (string literals). Keys must be distinct and non-empty, and at
  // most kMaxKeys.
  explicit JsonKeySet(absl::Span<const absl::string_view> keys);

  JsonKeySet(const JsonKeySet&) = delete;
  JsonKeySet& operator=(const JsonKeySet&) = delete;

  static constexpr size_t kMaxKeys = 64;

  // The index of `key`, or -1 when it is not in the set.
  int IndexOf(absl::string_view key) const {
    if (key.empty()) return -1;
    for (size_t slot = Hash(key) & mask_;; slot = (slot + 1) & mask_) {
      const int index = slots_[slot];
      if (index < 0 || keys_[index] == key) return index;
    }
  }

  size_t size() const { return keys_.size(); }
  absl::string_view key(size_t index) const { return keys_[index]; }

 private:
  // Three bytes and the length: enough to spread a few dozen member names
  // (probing settles the rest), and a fraction of a full hash's cost.
  static size_t Hash(absl::string_view key) {
    const auto byte = [key](size_t i) {
      return static_cast<size_t>(static_cast<unsigned char>(key[i]));
    };
    return (key.size() * 31 + byte(0) * 7 + byte(key.size() / 2) * 3 +
            byte(key.size() - 1)) *
               0x9E3779B1u >>
           7;
  }

  std::vector<absl::string_view> keys_;
  // Open addressing, at most a quarter full: an index into keys_, or -1.
  std::vector<int8_t> slots_;
  size_t mask_ = 0;
};

}  // namespace tracktry

#endif  // TRACKTRY_SERVICE_TRANSLATION_JSON_KEY_SET_H_
