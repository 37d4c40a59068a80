// Copyright 2026 The tracktry-grpc Authors.
#include "service/translation/answer_memo.h"

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "service/translation/envelope.h"

namespace tracktry {
namespace {

TEST(AnswerMemoTest, StoresOneFormPerKey) {
  AnswerMemo memo;
  EXPECT_EQ(memo.Find(1), nullptr);
  const AnswerMemo::Form basic = memo.Insert(1, "basic");
  ASSERT_NE(basic, nullptr);
  EXPECT_EQ(*basic, "basic");
  EXPECT_EQ(memo.Find(1), basic);
  EXPECT_EQ(memo.Find(2), nullptr);
  const AnswerMemo::Form full = memo.Insert(2, "full form");
  EXPECT_EQ(*memo.Find(2), "full form");
  EXPECT_EQ(memo.Find(1), basic);
  EXPECT_EQ(memo.bytes(), 5u + 9u);
  (void)full;
}

TEST(AnswerMemoTest, TheFirstInsertWins) {
  AnswerMemo memo;
  const AnswerMemo::Form first = memo.Insert(7, "first");
  const AnswerMemo::Form second = memo.Insert(7, "second");
  EXPECT_EQ(second, first);
  EXPECT_EQ(*memo.Find(7), "first");
}

// Threads deriving the same form at once all end up sharing one copy.
TEST(AnswerMemoTest, ConcurrentInsertsShareOneForm) {
  AnswerMemo memo;
  constexpr int kThreads = 8;
  std::vector<AnswerMemo::Form> got(kThreads);
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&memo, &got, i] {
      for (int round = 0; round < 100; ++round) {
        AnswerMemo::Form form = memo.Find(3);
        if (form == nullptr) form = memo.Insert(3, "x" + std::to_string(i));
        got[i] = form;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (const AnswerMemo::Form& form : got) EXPECT_EQ(form, got.front());
}

// Copies of an Envelope are the same answer: they share its memo. Parsed
// and success envelopes get a fresh one each.
TEST(AnswerMemoTest, EnvelopeCopiesShareTheMemo) {
  absl::StatusOr<Envelope> parsed =
      ParseEnvelope(R"({"meta":{"code":200},"data":{"a":1}})");
  ASSERT_TRUE(parsed.ok());
  ASSERT_NE(parsed->memo, nullptr);
  const Envelope copy = *parsed;
  EXPECT_EQ(copy.memo, parsed->memo);
  parsed->memo->Insert(1, "bytes");
  EXPECT_EQ(*copy.memo->Find(1), "bytes");
  absl::StatusOr<Envelope> other =
      ParseEnvelope(R"({"meta":{"code":200},"data":{"a":1}})");
  ASSERT_TRUE(other.ok());
  EXPECT_NE(other->memo, parsed->memo);
  EXPECT_EQ(other->memo->Find(1), nullptr);
  const Envelope pushed = SuccessEnvelope(nlohmann::json::object());
  ASSERT_NE(pushed.memo, nullptr);
  EXPECT_NE(pushed.memo, parsed->memo);
}

}  // namespace
}  // namespace tracktry
