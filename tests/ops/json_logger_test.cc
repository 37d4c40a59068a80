// Copyright 2026 The tracktry-grpc Authors.
//
// JsonLogger: one JSON object per line, the fixed fields, extra fields,
// secret redaction, whole lines under concurrency and periodic flushing.
#include "service/ops/json_logger.h"

#include <cmath>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/testing/log_capture.h"
#include "tests/testing/wait_until.h"

namespace tracktry {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// A logger writing to a temporary file, and the file's lines.
class JsonLoggerTest : public ::testing::Test {
 public:
  std::string Contents() { return log_.Text(); }

  // Every line parsed; fails the test on a line that is not a JSON object.
  std::vector<nlohmann::json> Lines() {
    const std::string text = Contents();
    EXPECT_TRUE(text.empty() || text.back() == '\n') << "unterminated line";
    std::vector<nlohmann::json> lines = testing::LogCapture::ParseLines(text);
    for (const nlohmann::json& line : lines) {
      EXPECT_TRUE(line.is_object()) << text;
    }
    return lines;
  }

  testing::LogCapture log_;
  JsonLogger& logger_ = log_.logger();
};

TEST_F(JsonLoggerTest, OneObjectPerLineWithTheFixedFields) {
  logger_.Info("first");
  logger_.Warning("second");
  logger_.Error("third");
  logger_.Log("DEBUG", "fourth");
  const std::vector<nlohmann::json> lines = Lines();
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_EQ(lines[0]["severity"], "INFO");
  EXPECT_EQ(lines[0]["message"], "first");
  EXPECT_EQ(lines[1]["severity"], "WARNING");
  EXPECT_EQ(lines[2]["severity"], "ERROR");
  EXPECT_EQ(lines[3]["severity"], "DEBUG");
  EXPECT_EQ(lines[3]["message"], "fourth");
  for (const auto& line : lines) {
    ASSERT_TRUE(line["time"].is_string());
    absl::Time time;
    std::string error;
    EXPECT_TRUE(absl::ParseTime("%Y-%m-%dT%H:%M:%E*SZ",
                                line["time"].get<std::string>(), &time, &error))
        << line["time"] << " " << error;
    EXPECT_LT(absl::AbsDuration(absl::Now() - time), absl::Minutes(1));
  }
}

TEST_F(JsonLoggerTest, FieldsAreMergedIntoTheObject) {
  logger_.Info(
      "with fields",
      {{"port", 50051}, {"upstream", "http://x"}, {"nested", {{"a", true}}}});
  const std::vector<nlohmann::json> lines = Lines();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0]["port"], 50051);
  EXPECT_EQ(lines[0]["upstream"], "http://x");
  EXPECT_EQ(lines[0]["nested"]["a"], true);
  EXPECT_EQ(lines[0]["message"], "with fields");
}

TEST_F(JsonLoggerTest, NonObjectFieldsAreIgnored) {
  logger_.Info("array fields", nlohmann::json::array({1, 2}));
  logger_.Info("string fields", "oops");
  const std::vector<nlohmann::json> lines = Lines();
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0].size(), 3u) << lines[0];
  EXPECT_EQ(lines[1].size(), 3u) << lines[1];
}

TEST_F(JsonLoggerTest, QuotesBackslashesAndNonAsciiRoundTrip) {
  const std::string tricky = "say \"hi\" \\ path C:\\x \xC3\xA9t\xC3\xA9 \x7F";
  logger_.Log(tricky, "plain", {{tricky, tricky}, {"n", 1}});
  const std::vector<nlohmann::json> lines = Lines();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0]["severity"], tricky);
  EXPECT_EQ(lines[0]["message"], "plain");
  EXPECT_EQ(lines[0][tricky], tricky);
  EXPECT_EQ(lines[0]["n"], 1);
  EXPECT_EQ(lines[0].size(), 5u) << lines[0];
}

TEST_F(JsonLoggerTest, FieldsCannotForgeTheFixedKeys) {
  logger_.Info("real", {{"message", "forged"},
                        {"severity", "ERROR"},
                        {"time", "yesterday"},
                        {"kept", 1}});
  const std::string text = Contents();
  const std::vector<nlohmann::json> lines = Lines();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0]["message"], "real");
  EXPECT_EQ(lines[0]["severity"], "INFO");
  EXPECT_NE(lines[0]["time"], "yesterday");
  EXPECT_EQ(lines[0]["kept"], 1);
  EXPECT_THAT(text, Not(HasSubstr("forged")));
  EXPECT_THAT(text, Not(HasSubstr("yesterday")));
}

TEST_F(JsonLoggerTest, NewlinesAndBadUtf8StayInsideOneLine) {
  logger_.Info("line one\nline two\r\n{\"forged\":1}",
               {{"bytes", std::string("bad \xFF\xFE utf8")}});
  const std::vector<nlohmann::json> lines = Lines();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0]["message"], "line one\nline two\r\n{\"forged\":1}");
  EXPECT_THAT(lines[0]["bytes"].get<std::string>(), HasSubstr("bad "));
}

TEST_F(JsonLoggerTest, SecretsAreRedactedEverywhere) {
  logger_.AddSecret("s3cr3t-key-ABC");
  logger_.AddSecret("");  // ignored, must not redact everything
  logger_.Info("key is s3cr3t-key-ABC", {{"url", "http://h/?k=s3cr3t-key-ABC"},
                                         {"s3cr3t-key-ABC", "as a key"},
                                         {"list", {"x", "s3cr3t-key-ABC"}}});
  const std::string text = Contents();
  EXPECT_THAT(text, Not(HasSubstr("s3cr3t-key-ABC")));
  EXPECT_THAT(text, HasSubstr("[REDACTED]"));
  const std::vector<nlohmann::json> lines = Lines();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0]["message"], "key is [REDACTED]");
  EXPECT_EQ(lines[0]["url"], "http://h/?k=[REDACTED]");
}

TEST_F(JsonLoggerTest, WordsContainingASecretAreLeftAlone) {
  logger_.AddSecret("track123");
  logger_.Info("track1234 retracked xtrack123",
               {{"word", "track123x"}, {"id", "track123"}});
  const std::vector<nlohmann::json> lines = Lines();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0]["message"], "track1234 retracked xtrack123");
  EXPECT_EQ(lines[0]["word"], "track123x");
  EXPECT_EQ(lines[0]["id"], "[REDACTED]");
}

TEST_F(JsonLoggerTest, SecretStandingAloneIsRedactedInEveryContext) {
  logger_.AddSecret("a1b2-c3d4-e5f6");
  logger_.Info("key a1b2-c3d4-e5f6",
               {{"quoted", "\"a1b2-c3d4-e5f6\""},
                {"header", "Tracktry-Api-Key:a1b2-c3d4-e5f6"},
                {"assign", "api_key=a1b2-c3d4-e5f6"},
                {"url", "https://h/v1/x?k=a1b2-c3d4-e5f6&lang=en"},
                // JSON escapes these as \n, \t, \u0001: the letter or digit
                // of the escape must not count as part of a word.
                {"newline", "line\na1b2-c3d4-e5f6"},
                {"tab", "\ta1b2-c3d4-e5f6\t"},
                {"control",
                 "\x01"
                 "a1b2-c3d4-e5f6"},
                {"nested", {{"a1b2-c3d4-e5f6", {"x a1b2-c3d4-e5f6"}}}}});
  const std::string text = Contents();
  EXPECT_THAT(text, Not(HasSubstr("a1b2-c3d4-e5f6")));
  const std::vector<nlohmann::json> lines = Lines();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0]["message"], "key [REDACTED]");
  EXPECT_EQ(lines[0]["quoted"], "\"[REDACTED]\"");
  EXPECT_EQ(lines[0]["header"], "Tracktry-Api-Key:[REDACTED]");
  EXPECT_EQ(lines[0]["assign"], "api_key=[REDACTED]");
  EXPECT_EQ(lines[0]["url"], "https://h/v1/x?k=[REDACTED]&lang=en");
  EXPECT_EQ(lines[0]["newline"], "line\n[REDACTED]");
  EXPECT_EQ(lines[0]["tab"], "\t[REDACTED]\t");
  EXPECT_EQ(lines[0]["control"], "\x01[REDACTED]");
  EXPECT_EQ(lines[0]["nested"]["[REDACTED]"][0], "x [REDACTED]");
}

TEST_F(JsonLoggerTest, SecretNeedingJsonEscapesIsRedacted) {
  logger_.AddSecret("ab\"cd\\ef");
  logger_.Info("v ab\"cd\\ef", {{"f", "ab\"cd\\ef"}});
  const std::vector<nlohmann::json> lines = Lines();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0]["message"], "v [REDACTED]");
  EXPECT_EQ(lines[0]["f"], "[REDACTED]");
}

TEST_F(JsonLoggerTest, RotatedSecretsStayRedacted) {
  logger_.AddSecret("first-key-1111");
  logger_.AddSecret("second-key-2222");
  logger_.AddSecret("first-key-1111");
  logger_.Info("first-key-1111 second-key-2222");
  const std::vector<nlohmann::json> lines = Lines();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0]["message"], "[REDACTED] [REDACTED]");
}

TEST_F(JsonLoggerTest, TextWithoutSecretsIsUnchanged) {
  logger_.AddSecret("zzz-secret");
  logger_.Info("plain text", {{"a", "b"}});
  const std::vector<nlohmann::json> lines = Lines();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0]["message"], "plain text");
  EXPECT_EQ(lines[0]["a"], "b");
}

TEST_F(JsonLoggerTest, MembersWrittenDirectlyMakeTheSameLine) {
  std::string members;
  JsonLogger::AppendStringMember("code", "OK", &members);
  JsonLogger::AppendFixedMember("latency_ms", 12.25, &members);
  JsonLogger::AppendStringMember("quoted", "a \"b\"\n\\c \xff", &members);
  JsonLogger::AppendIntMember("n", -42, &members);
  logger_.LogMembers("INFO", "rpc finished", members);
  logger_.Info("rpc finished", {{"code", "OK"},
                                {"latency_ms", 12.25},
                                {"quoted", "a \"b\"\n\\c \xff"},
                                {"n", -42}});
  const std::vector<nlohmann::json> lines = Lines();
  ASSERT_EQ(lines.size(), 2u);
  nlohmann::json direct = lines[0];
  nlohmann::json built = lines[1];
  direct.erase("time");
  built.erase("time");
  EXPECT_EQ(direct, built);
  EXPECT_EQ(direct["quoted"], "a \"b\"\n\\c \xef\xbf\xbd");
  EXPECT_EQ(direct["latency_ms"], 12.25);
}

TEST_F(JsonLoggerTest, NoMembersLeavesTheFixedFields) {
  logger_.LogMembers("WARNING", "plain", "");
  const std::vector<nlohmann::json> lines = Lines();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].size(), 3u);
  EXPECT_EQ(lines[0]["severity"], "WARNING");
}

TEST_F(JsonLoggerTest, NonFiniteFixedMemberIsNull) {
  std::string members;
  JsonLogger::AppendFixedMember("x", std::nan(""), &members);
  logger_.LogMembers("INFO", "m", members);
  const std::vector<nlohmann::json> lines = Lines();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_TRUE(lines[0]["x"].is_null());
}

TEST_F(JsonLoggerTest, SecretsInMembersAreRedacted) {
  logger_.AddSecret("member-secret");
  std::string members;
  JsonLogger::AppendStringMember("request_id", "id member-secret", &members);
  JsonLogger::AppendStringMember("member-secret", "key", &members);
  logger_.LogMembers("INFO", "about member-secret", members);
  const std::string text = Contents();
  EXPECT_THAT(text, Not(HasSubstr("member-secret")));
  const std::vector<nlohmann::json> lines = Lines();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0]["message"], "about [REDACTED]");
  EXPECT_EQ(lines[0]["request_id"], "id [REDACTED]");
  EXPECT_EQ(lines[0]["[REDACTED]"], "key");
}

// 8 threads log 300 lines each: every line whole, each thread's in order.
void LogConcurrentlyAndCheck(JsonLoggerTest* test, JsonLogger& logger) {
  logger.AddSecret("concurrent-secret");
  constexpr int kThreads = 8;
  constexpr int kLines = 300;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&logger, t] {
      for (int i = 0; i < kLines; ++i) {
        logger.Info(absl::StrCat("thread ", t, " line ", i,
                                 " concurrent-secret ", std::string(200, 'p')),
                    {{"thread", t}, {"i", i}});
      }
    });
  }
  for (auto& thread : threads) thread.join();
  logger.Flush();
  const std::vector<nlohmann::json> lines = test->Lines();
  ASSERT_EQ(lines.size(), static_cast<size_t>(kThreads * kLines));
  std::vector<int> next(kThreads, 0);
  for (const auto& line : lines) {
    const int t = line["thread"].get<int>();
    // Each thread's lines appear in its own order.
    EXPECT_EQ(line["i"].get<int>(), next[t]++);
    EXPECT_THAT(line["message"].get<std::string>(),
                Not(HasSubstr("concurrent-secret")));
  }
}

TEST_F(JsonLoggerTest, ConcurrentLoggingProducesWholeLines) {
  LogConcurrentlyAndCheck(this, logger_);
}

TEST_F(JsonLoggerTest, ConcurrentLoggingWithPeriodicFlushProducesWholeLines) {
  logger_.StartPeriodicFlush(absl::Milliseconds(1));
  LogConcurrentlyAndCheck(this, logger_);
}

TEST_F(JsonLoggerTest, PeriodicFlushHoldsInfoLinesUntilAWarning) {
  logger_.StartPeriodicFlush(absl::Hours(1));
  logger_.Info("first");
  logger_.Info("second");
  EXPECT_EQ(Contents(), "");
  // A warning is written at once, with what was buffered before it.
  logger_.Warning("third");
  const std::vector<nlohmann::json> lines = Lines();
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0]["message"], "first");
  EXPECT_EQ(lines[1]["message"], "second");
  EXPECT_EQ(lines[2]["message"], "third");
  logger_.Info("fourth");
  logger_.Error("fifth");
  EXPECT_EQ(Lines().size(), 5u);
}

TEST_F(JsonLoggerTest, PeriodicFlushWritesWithinTheInterval) {
  logger_.StartPeriodicFlush(absl::Milliseconds(20));
  logger_.Info("soon", {{"a", 1}});
  EXPECT_TRUE(testing::WaitUntil([this] { return Lines().size() == 1; },
                                 absl::Seconds(10)));
  EXPECT_EQ(Lines()[0]["a"], 1);
}

TEST_F(JsonLoggerTest, FlushWritesTheBufferedLines) {
  logger_.StartPeriodicFlush(absl::Hours(1));
  logger_.AddSecret("buffered-secret");
  logger_.Info("with buffered-secret");
  EXPECT_EQ(Contents(), "");
  logger_.Flush();
  const std::vector<nlohmann::json> lines = Lines();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0]["message"], "with [REDACTED]");
}

TEST_F(JsonLoggerTest, PeriodicFlushWritesWhenTheBufferFills) {
  logger_.StartPeriodicFlush(absl::Hours(1));
  // 100 lines of about 1 KiB exceed the 64 KiB buffer.
  for (int i = 0; i < 100; ++i) logger_.Info(std::string(1000, 'x'));
  const size_t written = Lines().size();
  EXPECT_GE(written, 60u);
  EXPECT_LT(written, 100u);
}

TEST_F(JsonLoggerTest, ZeroIntervalKeepsWritingEachLine) {
  logger_.StartPeriodicFlush(absl::ZeroDuration());
  logger_.Info("at once");
  EXPECT_EQ(Lines().size(), 1u);
}

// The "time" field as absl::FormatTime writes it, whether or not the
// second was formatted before on this thread.
TEST(JsonLoggerTimestampTest, MatchesFormatTimeAcrossSeconds) {
  const absl::Time base = absl::FromUnixMillis(1796486400000);  // 2026-12-05
  std::vector<absl::Time> times;
  for (const int64_t offset_ms :
       {0, 1, 999, 1000, 1001, 59999, 60000, 86399999, -1, -999, -1000}) {
    times.push_back(base + absl::Milliseconds(offset_ms));
  }
  times.push_back(absl::FromUnixMillis(-1));  // 1969-12-31T23:59:59.999Z
  times.push_back(absl::FromUnixMicros(1796486400123999));  // .123, not .124
  times.push_back(absl::Now());
  for (int pass = 0; pass < 2; ++pass) {
    for (const absl::Time time : times) {
      std::string text = "x";
      JsonLogger::AppendTimestamp(time, &text);
      EXPECT_EQ(text, "x" + absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", time,
                                             absl::UTCTimeZone()));
    }
  }
}

TEST(JsonLoggerLifetimeTest, DestructorWritesTheBufferedLines) {
  std::FILE* file = std::tmpfile();
  ASSERT_NE(file, nullptr);
  {
    JsonLogger logger(file);
    logger.StartPeriodicFlush(absl::Hours(1));
    logger.Info("last words");
  }
  std::rewind(file);
  char buffer[512] = {};
  const size_t n = std::fread(buffer, 1, sizeof(buffer) - 1, file);
  std::fclose(file);
  const std::vector<nlohmann::json> lines =
      testing::LogCapture::ParseLines(absl::string_view(buffer, n));
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0]["message"], "last words");
}

}  // namespace
}  // namespace tracktry
