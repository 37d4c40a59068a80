// Copyright 2026 The tracktry-grpc Authors.
//
// ResponseCache: a bounded TTL + LRU map from a request key to an upstream
// Envelope, with a secondary "tag" (e.g. one tracking's carrier/number) so
// every entry of one tracking can be invalidated at once. The storage behind
// CachingCaller.
//
// Expired entries are dropped when looked up, and in bulk by DropExpired(),
// which walks an expiry-ordered index: each call costs O(k log n) for the k
// entries it drops (at most `max_drop`), nothing for entries still fresh.
#ifndef TRACKTRY_SERVICE_UPSTREAM_RESPONSE_CACHE_H_
#define TRACKTRY_SERVICE_UPSTREAM_RESPONSE_CACHE_H_

#include <cstddef>
#include <cstdint>
#include <list>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "service/translation/envelope.h"

namespace tracktry {

// Not thread-safe: the owner locks.
class ResponseCache {
 public:
  // At most `max_entries` entries and about `max_bytes` bytes of memory
  // (EntryBytes()); the least recently used entries go first. 0 entries
  // disables storing.
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

  // Drops entries that have expired at `now`, soonest expiry first, at most
  // `max_drop` of them; returns how many. When `values` is given, the
  // dropped values are moved there, so the caller can free them after
  // releasing its lock (a tracking is a tree of ~100 heap blocks).
  size_t DropExpired(
      absl::Time now, size_t max_drop,
      std::vector<std::shared_ptr<const Envelope>>* values = nullptr);

  // Drops every entry tagged `tag`; returns how many.
  size_t EraseTag(absl::string_view tag);

  void Clear();

  size_t size() const { return entries_.size(); }
  size_t bytes() const { return bytes_; }
  size_t max_bytes() const { return max_bytes_; }
  // Entries dropped to stay within bounds (not expiry, not EraseTag).
  int64_t evictions() const { return evictions_; }
  // Entries dropped because they expired (by Get() or DropExpired()).
  int64_t expired() const { return expired_; }

  // The memory an entry for `key`/`tag`/`value` takes, as counted against
  // max_bytes: an estimate of the heap blocks of the parsed JSON tree
  // (nodes, strings, object members, array storage; glibc malloc rounding)
  // plus the entry's bookkeeping. The parsed tree is several times the
  // size of the JSON text (each object member is a ~96-byte tree node), so
  // counting the text would let the cache hold several times its cap.
  static size_t EntryBytes(const std::string& key, const std::string& tag,
                           const Envelope& value);

 private:
  struct Entry;
  using List = std::list<Entry>;
  // Expiry time -> entry, soonest first.
  using ExpiryIndex = std::multimap<absl::Time, List::iterator>;
  struct Entry {
    std::string key;
    std::string tag;
    std::shared_ptr<const Envelope> value;
    absl::Time expires;
    size_t bytes = 0;
    ExpiryIndex::iterator expiry;
  };

  void Erase(List::iterator it);

  const size_t max_entries_;
  const size_t max_bytes_;
  // Most recently used first.
  List lru_;
  absl::flat_hash_map<std::string, List::iterator> entries_;
  absl::flat_hash_map<std::string, absl::flat_hash_set<std::string>> tags_;
  ExpiryIndex expiry_;
  size_t bytes_ = 0;
  int64_t evictions_ = 0;
  int64_t expired_ = 0;
};

}  // namespace tracktry

#endif  // TRACKTRY_SERVICE_UPSTREAM_RESPONSE_CACHE_H_
