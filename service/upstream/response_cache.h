// Copyright 2026 The tracktry-grpc Authors.
//
// ResponseCache: a bounded TTL + LRU map from a request key to an upstream
// Envelope, with a secondary "tag" (e.g. one tracking's carrier/number) so
// every entry of one tracking can be invalidated at once. The storage behind
// CachingCaller.
#ifndef TRACKTRY_SERVICE_UPSTREAM_RESPONSE_CACHE_H_
#define TRACKTRY_SERVICE_UPSTREAM_RESPONSE_CACHE_H_

#include <cstddef>
#include <cstdint>
#include <list>
#include <memory>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "service/translation/envelope.h"

namespace tracktry {

// Not thread-safe: the owner locks.
class ResponseCache {
 public:
  // At most `max_entries` entries and about `max_bytes` bytes (the size of
  // an entry is its key plus its serialized JSON); the least recently used
  // entries go first. 0 entries disables storing.
  ResponseCache(size_t max_entries, size_t max_bytes);
  ResponseCache(const ResponseCache&) = delete;
  ResponseCache& operator=(const ResponseCache&) = delete;

  // The entry for `key` if it has not expired at `now` (an expired one is
  // dropped), marking it most recently used; null otherwise.
  std::shared_ptr<const Envelope> Get(const std::string& key, absl::Time now);

  // Stores (or replaces) `key` until `expires`, tagged with `tag` ("" =
  // untagged). Evicts least recently used entries to stay within bounds.
  void Put(const std::string& key, const std::string& tag, Envelope value,
           absl::Time expires);

  // Drops every entry tagged `tag`; returns how many.
  size_t EraseTag(absl::string_view tag);

  void Clear();

  size_t size() const { return entries_.size(); }
  size_t bytes() const { return bytes_; }
  // Entries dropped to stay within bounds (not expiry, not EraseTag).
  int64_t evictions() const { return evictions_; }

 private:
  struct Entry {
    std::string key;
    std::string tag;
    std::shared_ptr<const Envelope> value;
    absl::Time expires;
    size_t bytes = 0;
  };
  using List = std::list<Entry>;

  void Erase(List::iterator it);

  const size_t max_entries_;
  const size_t max_bytes_;
  // Most recently used first.
  List lru_;
  absl::flat_hash_map<std::string, List::iterator> entries_;
  absl::flat_hash_map<std::string, absl::flat_hash_set<std::string>> tags_;
  size_t bytes_ = 0;
  int64_t evictions_ = 0;
};

}  // namespace tracktry

#endif  // TRACKTRY_SERVICE_UPSTREAM_RESPONSE_CACHE_H_
