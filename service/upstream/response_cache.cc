// Copyright 2026 The tracktry-grpc Authors.
#include "service/upstream/response_cache.h"

#include <utility>

namespace tracktry {

ResponseCache::ResponseCache(size_t max_entries, size_t max_bytes)
    : max_entries_(max_entries), max_bytes_(max_bytes) {}

std::shared_ptr<const Envelope> ResponseCache::Get(const std::string& key,
                                                   absl::Time now) {
  auto it = entries_.find(key);
  if (it == entries_.end()) return nullptr;
  if (it->second->expires <= now) {
    Erase(it->second);
    return nullptr;
  }
  lru_.splice(lru_.begin(), lru_, it->second);
  return it->second->value;
}

void ResponseCache::Put(const std::string& key, const std::string& tag,
                        Envelope value, absl::Time expires) {
  if (max_entries_ == 0) return;
  if (auto it = entries_.find(key); it != entries_.end()) Erase(it->second);
  const size_t size =
      key.size() + value.meta_message.size() + value.meta_type.size() +
      value.data.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)
          .size();
  if (size > max_bytes_) return;
  lru_.push_front(Entry{key, tag,
                        std::make_shared<const Envelope>(std::move(value)),
                        expires, size});
  entries_.emplace(key, lru_.begin());
  if (!tag.empty()) tags_[tag].insert(key);
  bytes_ += size;
  while (!lru_.empty() &&
         (entries_.size() > max_entries_ || bytes_ > max_bytes_)) {
    Erase(std::prev(lru_.end()));
    ++evictions_;
  }
}

size_t ResponseCache::EraseTag(absl::string_view tag) {
  auto it = tags_.find(tag);
  if (it == tags_.end()) return 0;
  // Erase() edits tags_: work on a copy of the key set.
  const absl::flat_hash_set<std::string> keys = std::move(it->second);
  tags_.erase(it);
  size_t erased = 0;
  for (const std::string& key : keys) {
    if (auto entry = entries_.find(key); entry != entries_.end()) {
      Erase(entry->second);
      ++erased;
    }
  }
  return erased;
}

void ResponseCache::Clear() {
  lru_.clear();
  entries_.clear();
  tags_.clear();
  bytes_ = 0;
}

void ResponseCache::Erase(List::iterator it) {
  if (!it->tag.empty()) {
    if (auto tag = tags_.find(it->tag); tag != tags_.end()) {
      tag->second.erase(it->key);
      if (tag->second.empty()) tags_.erase(tag);
    }
  }
  bytes_ -= it->bytes;
  entries_.erase(it->key);
  lru_.erase(it);
}

}  // namespace tracktry
