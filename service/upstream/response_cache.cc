// Copyright 2026 The tracktry-grpc Authors.
#include "service/upstream/response_cache.h"

#include <algorithm>
#include <utility>

namespace tracktry {
namespace {

using Json = nlohmann::json;

// A heap block of `n` bytes as glibc malloc hands it out: 8 bytes of
// header, 16-byte granularity, 32 bytes at least.
size_t Block(size_t n) {
  return n == 0 ? 0 : std::max<size_t>(32, (n + 8 + 15) & ~size_t{15});
}

// The heap buffer of a std::string (none while it fits the inline buffer).
size_t StringHeap(const std::string& s) {
  return s.capacity() > 15 ? Block(s.capacity() + 1) : 0;
}

// Heap held by `value` beyond its own 16-byte node.
size_t JsonHeap(const Json& value) {
  switch (value.type()) {
    case Json::value_t::object: {
      const auto& object = value.get_ref<const Json::object_t&>();
      // std::map node: 32 bytes of tree links, the key, the value.
      constexpr size_t kMemberNode = 32 + sizeof(std::string) + sizeof(Json);
      size_t bytes = Block(sizeof(Json::object_t));
      for (const auto& [key, member] : object) {
        bytes += Block(kMemberNode) + StringHeap(key) + JsonHeap(member);
      }
      return bytes;
    }
    case Json::value_t::array: {
      const auto& array = value.get_ref<const Json::array_t&>();
      size_t bytes =
          Block(sizeof(Json::array_t)) + Block(array.capacity() * sizeof(Json));
      for (const Json& item : array) bytes += JsonHeap(item);
      return bytes;
    }
    case Json::value_t::string:
      return Block(sizeof(std::string)) +
             StringHeap(value.get_ref<const std::string&>());
    case Json::value_t::binary:
      return Block(sizeof(Json::binary_t)) +
             Block(value.get_binary().capacity());
    default:
      return 0;
  }
}

}  // namespace

size_t ResponseCache::EntryBytes(const std::string& key, const std::string& tag,
                                 const Envelope& value) {
  // The list node (Entry), the key again in entries_ (plus its slot), the
  // tag set's copy, the expiry index node, the shared Envelope with its
  // control block. Its data: the tape read from the body, and the document
  // where one is built already (a document built later, from the tape, for
  // a reader that needs one, is not counted).
  constexpr size_t kBookkeeping = 16 + sizeof(Entry) + sizeof(std::string) +
                                  sizeof(List::iterator) + 48 + 48 +
                                  sizeof(Envelope) + 16;
  // The key is held by the entry, entries_ and, when tagged, the tag's set.
  const size_t key_copies = tag.empty() ? 2 : 3;
  const Json* document = value.data_if_built();
  return kBookkeeping + key_copies * StringHeap(key) + 2 * StringHeap(tag) +
         StringHeap(value.meta_type) + StringHeap(value.meta_message) +
         value.data_tape_bytes() +
         (document == nullptr ? 0 : JsonHeap(*document));
}

ResponseCache::ResponseCache(size_t max_entries, size_t max_bytes)
    : max_entries_(max_entries), max_bytes_(max_bytes) {}

std::shared_ptr<const Envelope> ResponseCache::Get(const std::string& key,
                                                   absl::Time now) {
  auto it = entries_.find(key);
  if (it == entries_.end()) return nullptr;
  if (it->second->expires <= now) {
    Erase(it->second);
    ++expired_;
    return nullptr;
  }
  lru_.splice(lru_.begin(), lru_, it->second);
  return it->second->value;
}

void ResponseCache::Put(const std::string& key, const std::string& tag,
                        Envelope value, absl::Time expires) {
  if (max_entries_ == 0) return;
  if (auto it = entries_.find(key); it != entries_.end()) Erase(it->second);
  const size_t size = EntryBytes(key, tag, value);
  if (size > max_bytes_) return;
  lru_.push_front(Entry{key, tag,
                        std::make_shared<const Envelope>(std::move(value)),
                        expires, size, ExpiryIndex::iterator()});
  lru_.front().expiry = expiry_.emplace(expires, lru_.begin());
  entries_.emplace(key, lru_.begin());
  if (!tag.empty()) tags_[tag].insert(key);
  bytes_ += size;
  while (!lru_.empty() &&
         (entries_.size() > max_entries_ || bytes_ > max_bytes_)) {
    Erase(std::prev(lru_.end()));
    ++evictions_;
  }
}

size_t ResponseCache::DropExpired(
    absl::Time now, size_t max_drop,
    std::vector<std::shared_ptr<const Envelope>>* values) {
  size_t dropped = 0;
  while (dropped < max_drop && !expiry_.empty() &&
         expiry_.begin()->first <= now) {
    const List::iterator entry = expiry_.begin()->second;
    if (values != nullptr) values->push_back(std::move(entry->value));
    Erase(entry);
    ++dropped;
  }
  expired_ += static_cast<int64_t>(dropped);
  return dropped;
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
  expiry_.clear();
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
  expiry_.erase(it->expiry);
  entries_.erase(it->key);
  lru_.erase(it);
}

}  // namespace tracktry
