// Copyright 2026 The tracktry-grpc Authors.
//
// The container's memory limit (from the cgroup file system) and the read
// cache size derived from it.
//
// In a container the process's own cgroup is mounted at /sys/fs/cgroup:
//   cgroup v2: memory.max, "max" when unlimited;
//   cgroup v1: memory/memory.limit_in_bytes, a huge page-aligned number
//              (9223372036854771712) when unlimited.
// Outside a container these files are absent (the root cgroup has no
// memory.max), which counts as no limit.
#ifndef TRACKTRY_SERVICE_OPS_MEMORY_LIMIT_H_
#define TRACKTRY_SERVICE_OPS_MEMORY_LIMIT_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "absl/strings/string_view.h"

namespace tracktry {

// Share of the memory limit the read cache gets by default. The rest is
// for everything else the process holds: its baseline (gRPC, libcurl, TLS;
// ~20-30 MiB), in-flight RPCs and upstream answers (up to 8 MiB each),
// ListTrackings pages, the idempotency store and watch hub, and malloc
// fragmentation, which turns freed cache entries into resident memory that
// is reused rather than returned.
inline constexpr double kCacheMemoryFraction = 0.25;

// The limit in one cgroup memory file's `contents`: bytes, or nullopt for
// "max", an unlimited v1 value (>= 2^60), or anything unparsable.
std::optional<uint64_t> ParseCgroupMemoryLimit(absl::string_view contents);

// The memory limit of the cgroup mounted at `cgroup_root`: v2
// <root>/memory.max if the file exists, else v1
// <root>/memory/memory.limit_in_bytes; nullopt when neither exists or it
// says unlimited.
std::optional<uint64_t> ReadCgroupMemoryLimit(
    const std::string& cgroup_root = "/sys/fs/cgroup");

// The default cache byte cap: kCacheMemoryFraction of `limit`, or
// `unlimited_default` when there is no limit.
size_t CacheBytesForMemoryLimit(std::optional<uint64_t> limit,
                                size_t unlimited_default);

}  // namespace tracktry

#endif  // TRACKTRY_SERVICE_OPS_MEMORY_LIMIT_H_
