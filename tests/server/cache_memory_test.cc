// Copyright 2026 The tracktry-grpc Authors.
//
// The read cache keeps the server inside a container memory limit. A fake
// cgroup says 64 MiB; the cap is derived from it exactly as the server
// derives it (service/ops/memory_limit.h) and passed with
// --cache-max-bytes, since a test cannot create a real cgroup. The real
// tracktry-server binary then serves thousands of distinct GetTracking
// answers (emulated trackings with all their checkpoints), and its peak
// resident memory (VmHWM) must stay below the limit while the cache's byte
// count (from /metrics) stays at or below the cap.
//
// The same fill with the cap ignored (--cache-max-bytes of 1 GiB) runs
// first, as a control: it must go over the limit, or the fill is too small
// to show anything.
#include <curl/curl.h>
#include <malloc.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "service/ops/memory_limit.h"
#include "service/upstream/caching_caller.h"
#include "tests/testing/emulator_harness.h"
#include "tests/testing/server_process.h"
#include "tracktry/v1/tracking_service.grpc.pb.h"

// False in sanitizer builds, whose allocators keep no glibc statistics
// (and whose shadow memory makes heap and RSS figures meaningless). Checked
// at run time: the TSan build undefines __SANITIZE_THREAD__.
void* volatile malloc_probe = nullptr;  // escapes: the block is real
size_t MallocInUse() {
  const struct mallinfo2 info = mallinfo2();
  return info.uordblks + info.hblkhd;  // heap + mmapped blocks
}
bool PlainGlibcMalloc() {
  const size_t before = MallocInUse();
  malloc_probe = std::malloc(size_t{1} << 20);
  const bool counted = MallocInUse() >= before + (size_t{1} << 20);
  std::free(malloc_probe);
  return counted;
}

namespace tracktry {
namespace {

using testing::EmulatorHarness;
using testing::ServerProcess;

constexpr uint64_t kMemoryLimit = uint64_t{64} << 20;
constexpr int kTrackings = 9000;
constexpr int kClientThreads = 4;

size_t AppendBody(char* data, size_t size, size_t count, void* out) {
  static_cast<std::string*>(out)->append(data, size * count);
  return size * count;
}

std::string HttpGet(int port, const std::string& path) {
  std::string body;
  CURL* curl = curl_easy_init();
  const std::string url = absl::StrCat("http://127.0.0.1:", port, path);
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, AppendBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &body);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 5000L);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_perform(curl);
  curl_easy_cleanup(curl);
  return body;
}

// The value of an unlabelled sample in Prometheus text, or -1.
double Sample(const std::string& text, const std::string& name) {
  const std::regex line("(^|\\n)" + name + " ([0-9.e+]+)");
  std::smatch match;
  if (!std::regex_search(text, match, line)) return -1;
  return std::stod(match[2]);
}

// A fake cgroup v2 tree saying `limit`.
class FakeCgroup {
 public:
  explicit FakeCgroup(uint64_t limit) {
    char dir[] = "/tmp/tracktry-cache-memory-cgroup-XXXXXX";
    if (mkdtemp(dir) == nullptr) return;
    root_ = dir;
    std::ofstream(root_ + "/memory.max") << limit << "\n";
  }
  ~FakeCgroup() {
    std::remove((root_ + "/memory.max").c_str());
    rmdir(root_.c_str());
  }
  const std::string& root() const { return root_; }

 private:
  std::string root_;
};

std::string Number(int i) { return absl::StrCat("JD", 1000000000 + i); }

struct FillResult {
  int64_t peak_rss = -1;
  double cache_bytes = -1;
  double cache_max_bytes = -1;
  double evictions = -1;
  int64_t answer_bytes = 0;
  int failures = 0;
};

class CacheMemoryTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!PlainGlibcMalloc()) return;
    emulator::EmulatorOptions options = EmulatorHarness::DefaultOptions();
    options.threads = 2;
    emulator_ = new EmulatorHarness(options);
    ASSERT_TRUE(emulator_->Start().ok());
    for (int first = 0; first < kTrackings; first += 40) {
      nlohmann::json batch = nlohmann::json::array();
      for (int i = first; i < std::min(first + 40, kTrackings); ++i) {
        batch.push_back({{"tracking_number", Number(i)},
                         {"carrier_code", "dhl"},
                         {"title", "Parcel " + Number(i)},
                         {"customer_name", "Customer " + Number(i)}});
      }
      ASSERT_EQ(
          emulator_->Api("POST", "/trackings/batch", batch.dump()).MetaCode(),
          200);
    }
    // Every checkpoint of every scenario has happened.
    emulator_->emulator().AdvanceClock(90 * 86400);
  }
  static void TearDownTestSuite() {
    delete emulator_;
    emulator_ = nullptr;
  }

  // Starts tracktry-server with `cache_max_bytes`, reads every tracking
  // through it once, and measures.
  static FillResult Fill(size_t cache_max_bytes) {
    FillResult result;
    ServerProcess server(
        {"--listen=127.0.0.1:0", "--metrics-listen=127.0.0.1:0",
         "--rate-limit=off",
         absl::StrCat("--cache-max-bytes=", cache_max_bytes)},
        {absl::StrCat("TRACKTRY_API_KEY=", EmulatorHarness::kApiKey),
         absl::StrCat("TRACKTRY_BASE_URL=", emulator_->emulator().base_url())});
    if (!server.WaitForServing()) {
      ADD_FAILURE() << "server did not start: " << server.log();
      return result;
    }
    auto channel =
        grpc::CreateChannel(absl::StrCat("127.0.0.1:", server.port()),
                            grpc::InsecureChannelCredentials());
    auto stub = v1::TrackingService::NewStub(channel);
    std::atomic<int> next{0};
    std::atomic<int> failures{0};
    std::atomic<int64_t> answer_bytes{0};
    std::vector<std::thread> clients;
    for (int t = 0; t < kClientThreads; ++t) {
      clients.emplace_back([&] {
        for (int i; (i = next++) < kTrackings;) {
          v1::GetTrackingRequest request;
          request.set_carrier_code("dhl");
          request.set_tracking_number(Number(i));
          v1::GetTrackingResponse response;
          grpc::ClientContext context;
          context.set_deadline(std::chrono::system_clock::now() +
                               std::chrono::seconds(30));
          if (stub->GetTracking(&context, request, &response).ok()) {
            answer_bytes += static_cast<int64_t>(response.ByteSizeLong());
          } else {
            ++failures;
          }
        }
      });
    }
    for (auto& client : clients) client.join();
    const std::string metrics = HttpGet(server.metrics_port(), "/metrics");
    result.peak_rss = server.StatusBytes("VmHWM");
    result.cache_bytes = Sample(metrics, "tracktry_cache_bytes");
    result.cache_max_bytes = Sample(metrics, "tracktry_cache_max_bytes");
    result.evictions = Sample(metrics, "tracktry_cache_evictions_total");
    result.answer_bytes = answer_bytes;
    result.failures = failures;
    std::printf(
        "cap %zu: peak RSS %.1f MiB, cache %.1f MiB (cap %.1f MiB), "
        "%.0f evictions, %.1f MiB of answers\n",
        cache_max_bytes, result.peak_rss / 1048576.0,
        result.cache_bytes / 1048576.0, result.cache_max_bytes / 1048576.0,
        result.evictions, result.answer_bytes / 1048576.0);
    return result;
  }

  static EmulatorHarness* emulator_;
};

EmulatorHarness* CacheMemoryTest::emulator_ = nullptr;

TEST_F(CacheMemoryTest, DerivedCapKeepsTheServerUnderTheMemoryLimit) {
  if (!PlainGlibcMalloc()) {
    GTEST_SKIP() << "memory figures are meaningless under a sanitizer";
  }
  ASSERT_NE(emulator_, nullptr);
  FakeCgroup cgroup(kMemoryLimit);
  const std::optional<uint64_t> limit = ReadCgroupMemoryLimit(cgroup.root());
  ASSERT_EQ(limit, kMemoryLimit);
  const size_t cap = CacheBytesForMemoryLimit(limit, kDefaultCacheMaxBytes);
  ASSERT_EQ(cap, size_t{16} << 20);

  // Control: the same fill with the cap ignored breaks the limit.
  const FillResult uncapped = Fill(size_t{1} << 30);
  ASSERT_EQ(uncapped.failures, 0);
  ASSERT_GT(uncapped.peak_rss, static_cast<int64_t>(kMemoryLimit))
      << "the fill is too small to test the cap";
  ASSERT_GT(uncapped.cache_bytes, static_cast<double>(kMemoryLimit));

  const FillResult capped = Fill(cap);
  EXPECT_EQ(capped.failures, 0);
  ASSERT_GT(capped.peak_rss, 0);
  EXPECT_LT(capped.peak_rss, static_cast<int64_t>(kMemoryLimit));
  EXPECT_EQ(capped.cache_max_bytes, static_cast<double>(cap));
  EXPECT_GT(capped.cache_bytes, 0.5 * static_cast<double>(cap));
  EXPECT_LE(capped.cache_bytes, static_cast<double>(cap));
  EXPECT_GT(capped.evictions, 0);  // the cap was reached and held
}

}  // namespace
}  // namespace tracktry
