// Copyright 2026 The tracktry-grpc Authors.
#include "service/ops/memory_limit.h"

#include <fstream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"

namespace tracktry {
namespace {

// v1 reports "unlimited" as the largest page-aligned int64; anything this
// large is no limit at all.
constexpr uint64_t kUnlimitedThreshold = uint64_t{1} << 60;

std::optional<std::string> ReadSmallFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

}  // namespace

std::optional<uint64_t> ParseCgroupMemoryLimit(absl::string_view contents) {
  const absl::string_view text = absl::StripAsciiWhitespace(contents);
  uint64_t limit = 0;
  if (text == "max" || !absl::SimpleAtoi(text, &limit) || limit == 0 ||
      limit >= kUnlimitedThreshold) {
    return std::nullopt;
  }
  return limit;
}

std::optional<uint64_t> ReadCgroupMemoryLimit(const std::string& cgroup_root) {
  if (std::optional<std::string> v2 =
          ReadSmallFile(cgroup_root + "/memory.max")) {
    return ParseCgroupMemoryLimit(*v2);
  }
  if (std::optional<std::string> v1 =
          ReadSmallFile(cgroup_root + "/memory/memory.limit_in_bytes")) {
    return ParseCgroupMemoryLimit(*v1);
  }
  return std::nullopt;
}

size_t CacheBytesForMemoryLimit(std::optional<uint64_t> limit,
                                size_t unlimited_default) {
  if (!limit.has_value()) return unlimited_default;
  return static_cast<size_t>(static_cast<double>(*limit) *
                             kCacheMemoryFraction);
}

}  // namespace tracktry
