// Copyright 2026 The tracktry-grpc Authors.
//
// The cgroup memory limit from fake cgroup v1/v2 trees in a temporary
// directory, and the cache size derived from it.
#include "service/ops/memory_limit.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace tracktry {
namespace {

constexpr size_t kDefault = size_t{256} << 20;

// A temporary directory standing in for /sys/fs/cgroup.
class FakeCgroupRoot {
 public:
  FakeCgroupRoot() {
    char dir[] = "/tmp/tracktry-cgroup-test-XXXXXX";
    if (mkdtemp(dir) != nullptr) root_ = dir;
  }
  ~FakeCgroupRoot() {
    for (auto it = files_.rbegin(); it != files_.rend(); ++it) {
      std::remove(it->c_str());
    }
    rmdir((root_ + "/memory").c_str());
    rmdir(root_.c_str());
  }
  // Writes <root>/<relative> (v1 files go under <root>/memory/).
  void Write(const std::string& relative, const std::string& content) {
    if (relative.rfind("memory/", 0) == 0) {
      mkdir((root_ + "/memory").c_str(), 0755);
    }
    const std::string path = root_ + "/" + relative;
    std::ofstream(path) << content;
    files_.push_back(path);
  }
  const std::string& root() const { return root_; }

 private:
  std::string root_;
  std::vector<std::string> files_;
};

TEST(ParseCgroupMemoryLimitTest, NumbersAndUnlimitedValues) {
  EXPECT_EQ(ParseCgroupMemoryLimit("268435456\n"), uint64_t{268435456});
  EXPECT_EQ(ParseCgroupMemoryLimit("  67108864  "), uint64_t{67108864});
  EXPECT_EQ(ParseCgroupMemoryLimit("max\n"), std::nullopt);
  // cgroup v1's "unlimited" (PAGE_COUNTER_MAX pages).
  EXPECT_EQ(ParseCgroupMemoryLimit("9223372036854771712\n"), std::nullopt);
  EXPECT_EQ(ParseCgroupMemoryLimit(""), std::nullopt);
  EXPECT_EQ(ParseCgroupMemoryLimit("0"), std::nullopt);
  EXPECT_EQ(ParseCgroupMemoryLimit("-1"), std::nullopt);
  EXPECT_EQ(ParseCgroupMemoryLimit("lots"), std::nullopt);
}

TEST(ReadCgroupMemoryLimitTest, CgroupV2) {
  FakeCgroupRoot cgroup;
  cgroup.Write("memory.max", "268435456\n");
  EXPECT_EQ(ReadCgroupMemoryLimit(cgroup.root()), uint64_t{268435456});
}

TEST(ReadCgroupMemoryLimitTest, CgroupV2Unlimited) {
  FakeCgroupRoot cgroup;
  cgroup.Write("memory.max", "max\n");
  // v2 decides even if a v1-looking file exists too.
  cgroup.Write("memory/memory.limit_in_bytes", "1048576\n");
  EXPECT_EQ(ReadCgroupMemoryLimit(cgroup.root()), std::nullopt);
}

TEST(ReadCgroupMemoryLimitTest, CgroupV1) {
  FakeCgroupRoot cgroup;
  cgroup.Write("memory/memory.limit_in_bytes", "536870912\n");
  EXPECT_EQ(ReadCgroupMemoryLimit(cgroup.root()), uint64_t{536870912});
}

TEST(ReadCgroupMemoryLimitTest, CgroupV1Unlimited) {
  FakeCgroupRoot cgroup;
  cgroup.Write("memory/memory.limit_in_bytes", "9223372036854771712\n");
  EXPECT_EQ(ReadCgroupMemoryLimit(cgroup.root()), std::nullopt);
}

TEST(ReadCgroupMemoryLimitTest, NoFilesIsNoLimit) {
  FakeCgroupRoot cgroup;
  EXPECT_EQ(ReadCgroupMemoryLimit(cgroup.root()), std::nullopt);
  EXPECT_EQ(ReadCgroupMemoryLimit("/nonexistent/cgroup"), std::nullopt);
}

TEST(CacheBytesForMemoryLimitTest, QuarterOfTheLimitElseTheDefault) {
  EXPECT_EQ(CacheBytesForMemoryLimit(uint64_t{256} << 20, kDefault),
            size_t{64} << 20);
  EXPECT_EQ(CacheBytesForMemoryLimit(uint64_t{64} << 20, kDefault),
            size_t{16} << 20);
  EXPECT_EQ(CacheBytesForMemoryLimit(std::nullopt, kDefault), kDefault);
}

TEST(CacheBytesForMemoryLimitTest, FromAFakeCgroupEndToEnd) {
  FakeCgroupRoot cgroup;
  cgroup.Write("memory.max", "67108864\n");
  EXPECT_EQ(
      CacheBytesForMemoryLimit(ReadCgroupMemoryLimit(cgroup.root()), kDefault),
      size_t{16} << 20);
}

}  // namespace
}  // namespace tracktry
