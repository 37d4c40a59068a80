// Copyright 2026 The tracktry-grpc Authors.
#include "service/translation/json_key_set.h"

#include <cstdlib>

namespace tracktry {

JsonKeySet::JsonKeySet(absl::Span<const absl::string_view> keys)
    : keys_(keys.begin(), keys.end()) {
  // A programming error in a static table, caught by any test that reads
  // with the set.
  if (keys_.size() > kMaxKeys) std::abort();
  size_t capacity = 16;
  while (capacity < 4 * keys_.size()) capacity *= 2;
  slots_.assign(capacity, -1);
  mask_ = capacity - 1;
  for (size_t index = 0; index < keys_.size(); ++index) {
    const absl::string_view key = keys_[index];
    if (key.empty() || IndexOf(key) >= 0) std::abort();
    size_t slot = Hash(key) & mask_;
    while (slots_[slot] >= 0) slot = (slot + 1) & mask_;
    slots_[slot] = static_cast<int8_t>(index);
  }
}

}  // namespace tracktry
