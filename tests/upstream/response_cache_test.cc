// Copyright 2026 The tracktry-grpc Authors.
//
// ResponseCache: expiry-ordered reclaim of expired entries (bounded per
// call, counted), and the memory estimate the byte cap is applied to,
// checked against what malloc really hands out for a recorded tracking.
#include "service/upstream/response_cache.h"

#include <malloc.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tests/testing/testdata.h"

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

Envelope Small(int n = 0) {
  Envelope envelope;
  envelope.meta_code = 200;
  envelope.set_data({{"n", n}});
  return envelope;
}

TEST(ResponseCacheExpiryTest, DropExpiredDropsOnlyExpiredSoonestFirst) {
  ResponseCache cache(100, 1 << 20);
  const absl::Time t0 = absl::FromUnixSeconds(1000);
  cache.Put("late", "", Small(), t0 + absl::Seconds(30));
  cache.Put("early", "", Small(), t0 + absl::Seconds(10));
  cache.Put("middle", "tag", Small(), t0 + absl::Seconds(20));
  cache.Put("fresh", "", Small(), t0 + absl::Hours(1));
  const size_t bytes_before = cache.bytes();

  EXPECT_EQ(cache.DropExpired(t0 + absl::Seconds(5), 100), 0u);
  // Bounded: one per call, soonest expiry first.
  EXPECT_EQ(cache.DropExpired(t0 + absl::Seconds(25), 1), 1u);
  EXPECT_EQ(cache.Get("early", t0), nullptr);
  EXPECT_NE(cache.Get("middle", t0), nullptr);
  EXPECT_EQ(cache.DropExpired(t0 + absl::Seconds(25), 100), 1u);
  EXPECT_EQ(cache.Get("middle", t0), nullptr);
  EXPECT_EQ(cache.EraseTag("tag"), 0u);  // the tag went with the entry
  EXPECT_EQ(cache.size(), 2u);
  EXPECT_LT(cache.bytes(), bytes_before);
  EXPECT_EQ(cache.expired(), 2);
  EXPECT_EQ(cache.evictions(), 0);
}

TEST(ResponseCacheExpiryTest, LookupOfExpiredEntryCountsAsExpired) {
  ResponseCache cache(100, 1 << 20);
  const absl::Time t0 = absl::FromUnixSeconds(1000);
  cache.Put("a", "", Small(), t0 + absl::Seconds(10));
  EXPECT_EQ(cache.Get("a", t0 + absl::Seconds(10)), nullptr);
  EXPECT_EQ(cache.expired(), 1);
  EXPECT_EQ(cache.DropExpired(t0 + absl::Hours(1), 100), 0u);
  EXPECT_EQ(cache.bytes(), 0u);
}

TEST(ResponseCacheExpiryTest, ReplacedEntryKeepsOnlyItsNewExpiry) {
  ResponseCache cache(100, 1 << 20);
  const absl::Time t0 = absl::FromUnixSeconds(1000);
  cache.Put("a", "", Small(1), t0 + absl::Seconds(10));
  cache.Put("a", "", Small(2), t0 + absl::Seconds(100));
  EXPECT_EQ(cache.DropExpired(t0 + absl::Seconds(50), 100), 0u);
  ASSERT_NE(cache.Get("a", t0 + absl::Seconds(50)), nullptr);
  EXPECT_EQ(cache.Get("a", t0)->data().at("n"), 2);
  EXPECT_EQ(cache.DropExpired(t0 + absl::Seconds(100), 100), 1u);
  EXPECT_EQ(cache.size(), 0u);
}

TEST(ResponseCacheExpiryTest, EvictedAndClearedEntriesLeaveTheIndex) {
  ResponseCache cache(/*max_entries=*/3, 1 << 20);
  const absl::Time t0 = absl::FromUnixSeconds(1000);
  for (int i = 0; i < 10; ++i) {
    cache.Put("k" + std::to_string(i), "t" + std::to_string(i % 2), Small(i),
              t0 + absl::Seconds(i + 1));
  }
  EXPECT_EQ(cache.size(), 3u);
  EXPECT_EQ(cache.evictions(), 7);
  cache.EraseTag("t1");                                        // k7, k9
  EXPECT_EQ(cache.DropExpired(t0 + absl::Hours(1), 100), 1u);  // k8
  EXPECT_EQ(cache.size(), 0u);
  EXPECT_EQ(cache.bytes(), 0u);
  cache.Put("x", "", Small(), t0 + absl::Seconds(1));
  cache.Clear();
  EXPECT_EQ(cache.DropExpired(t0 + absl::Hours(1), 100), 0u);
}

TEST(ResponseCacheExpiryTest, ManyExpiredEntriesAreReclaimedInBatches) {
  ResponseCache cache(100000, size_t{1} << 30);
  const absl::Time t0 = absl::FromUnixSeconds(1000);
  for (int i = 0; i < 5000; ++i) {
    cache.Put("k" + std::to_string(i), "", Small(i),
              t0 + absl::Seconds(i % 2 == 0 ? 10 : 1000));
  }
  size_t total = 0;
  size_t calls = 0;
  std::vector<std::shared_ptr<const Envelope>> values;
  for (size_t n;
       (n = cache.DropExpired(t0 + absl::Seconds(60), 1000, &values)) > 0;) {
    EXPECT_LE(n, 1000u);
    total += n;
    ++calls;
  }
  EXPECT_EQ(total, 2500u);
  EXPECT_EQ(calls, 3u);
  EXPECT_EQ(cache.size(), 2500u);
  // The dropped answers were handed over (the caller frees them).
  ASSERT_EQ(values.size(), 2500u);
  for (const auto& value : values) {
    ASSERT_NE(value, nullptr);
    EXPECT_EQ(value.use_count(), 1);
    EXPECT_EQ(value->data().at("n").get<int>() % 2, 0);
  }
}

// The byte cap must bound real memory: the estimate of an entry is compared
// with the heap malloc really holds for it. The JSON text is a poor proxy
// (a parsed object member alone is a ~96-byte tree node).
TEST(ResponseCacheMemoryTest, EntryBytesTracksRealHeapUse) {
  if (!PlainGlibcMalloc()) {
    GTEST_SKIP() << "memory figures are meaningless under a sanitizer";
  }
  const std::string body = testing::ReadTestdata("get_cross_border.json");
  absl::StatusOr<Envelope> parsed = ParseEnvelope(body);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  const size_t text_bytes =
      parsed->data().dump().size() + parsed->meta_message.size();
  constexpr int kEntries = 2000;
  std::vector<std::string> keys;
  for (int i = 0; i < kEntries; ++i) {
    keys.push_back("GET\n/trackings/fedex/" + std::to_string(100000000 + i) +
                   "\n\n");
  }
  const absl::Time later = absl::Now() + absl::Hours(1);
  // Each entry is its own parse of the body, as each upstream answer is
  // (copies of one Envelope share its data): as a tape (answers read as a
  // tracking) or as the document (lists, carriers, ...).
  for (const EnvelopeData form :
       {EnvelopeData::kTape, EnvelopeData::kDocument}) {
    const bool tape = form == EnvelopeData::kTape;
    SCOPED_TRACE(tape ? "tape" : "document");
    auto cache = std::make_unique<ResponseCache>(kEntries, size_t{1} << 30);
    // Everything allocated from here on and still held at the end is the
    // cache's.
    const size_t before = mallinfo2().uordblks;
    for (int i = 0; i < kEntries; ++i) {
      absl::StatusOr<Envelope> entry = ParseEnvelope(body, form);
      ASSERT_TRUE(entry.ok());
      cache->Put(keys[i], "hong-kong-post/ra123456789hk", *std::move(entry),
                 later);
    }
    const size_t after = mallinfo2().uordblks;
    ASSERT_EQ(cache->size(), static_cast<size_t>(kEntries));
    const double real = static_cast<double>(after - before);
    const double estimated = static_cast<double>(cache->bytes());
    std::printf("%s: heap %.0f, estimated %.0f, text %zu per entry\n",
                tape ? "tape" : "document", real / kEntries,
                estimated / kEntries, text_bytes);
    EXPECT_GT(estimated, 0.8 * real) << "real " << real;
    EXPECT_LT(estimated, 1.25 * real) << "real " << real;
    // What the text-size accounting would have counted.
    EXPECT_LT(static_cast<double>(text_bytes) * kEntries, 0.6 * real);
  }
}

}  // namespace
}  // namespace tracktry
