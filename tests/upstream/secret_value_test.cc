// Copyright 2026 The tracktry-grpc Authors.
//
// SecretValue: replacement, de-duplication of values seen before, and
// readers racing a writer (run under TSan by script/sanitize).
#include "service/upstream/secret_value.h"

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"

namespace tracktry {
namespace {

TEST(SecretValueTest, SetReplacesAndReportsChange) {
  SecretValue value("first-value");
  EXPECT_EQ(value.Get(), "first-value");
  EXPECT_FALSE(value.Set("first-value"));
  EXPECT_TRUE(value.Set("second-value"));
  EXPECT_EQ(value.Get(), "second-value");
  EXPECT_EQ(value.distinct_values(), 2u);
}

TEST(SecretValueTest, ValuesSeenBeforeAreReusedAndReferencesStayValid) {
  SecretValue value("a-value-0001");
  const std::string& first = value.Get();
  value.Set("b-value-0002");
  value.Set("a-value-0001");
  value.Set("b-value-0002");
  EXPECT_EQ(value.distinct_values(), 2u);
  // The reference from before the changes still reads the first value.
  EXPECT_EQ(first, "a-value-0001");
  EXPECT_EQ(&value.Get(), &value.Get());
}

TEST(SecretValueTest, ReadersSeeWholeValuesWhileAWriterSwaps) {
  SecretValue value("aaaaaaaaaaaaaaaaaaaaaaaa");
  std::atomic<bool> stop{false};
  std::atomic<int> torn{0};
  std::vector<std::thread> readers;
  for (int t = 0; t < 3; ++t) {
    readers.emplace_back([&] {
      while (!stop) {
        const std::string copy = value.Get();
        if (copy != "aaaaaaaaaaaaaaaaaaaaaaaa" &&
            copy != "bbbbbbbbbbbbbbbbbbbbbbbb") {
          ++torn;
        }
      }
    });
  }
  for (int i = 0; i < 20000; ++i) {
    value.Set(i % 2 == 0 ? "bbbbbbbbbbbbbbbbbbbbbbbb"
                         : "aaaaaaaaaaaaaaaaaaaaaaaa");
  }
  stop = true;
  for (auto& reader : readers) reader.join();
  EXPECT_EQ(torn.load(), 0);
}

}  // namespace
}  // namespace tracktry
