// Copyright 2026 The tracktry-grpc Authors.
//
// Whole-token redaction: a secret is replaced where it stands alone (start
// or end of text, or next to a character outside [A-Za-z0-9_-]) and left
// alone inside a longer word; and the rules a secret must meet.
#include "service/errors/secret_redaction.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace tracktry {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kKey[] = "a1b2-c3d4";

std::string Redact(const std::string& text) {
  return RedactSecretTokens(text, {kKey});
}

TEST(SecretRedactionTest, StandaloneKeyIsRedacted) {
  EXPECT_EQ(Redact("a1b2-c3d4"), "[REDACTED]");
  EXPECT_EQ(Redact("key a1b2-c3d4 rejected"), "key [REDACTED] rejected");
  EXPECT_EQ(Redact("a1b2-c3d4 at start"), "[REDACTED] at start");
  EXPECT_EQ(Redact("at end a1b2-c3d4"), "at end [REDACTED]");
}

TEST(SecretRedactionTest, KeyAfterSeparatorsOrInQuotesIsRedacted) {
  EXPECT_EQ(Redact("api_key=a1b2-c3d4"), "api_key=[REDACTED]");
  EXPECT_EQ(Redact("Tracktry-Api-Key: a1b2-c3d4"),
            "Tracktry-Api-Key: [REDACTED]");
  EXPECT_EQ(Redact("key:a1b2-c3d4;"), "key:[REDACTED];");
  EXPECT_EQ(Redact("\"a1b2-c3d4\""), "\"[REDACTED]\"");
  EXPECT_EQ(Redact("'a1b2-c3d4'"), "'[REDACTED]'");
  EXPECT_EQ(Redact("(a1b2-c3d4)"), "([REDACTED])");
  EXPECT_EQ(Redact("line\na1b2-c3d4\tx"), "line\n[REDACTED]\tx");
  EXPECT_EQ(Redact("https://h/v1/x?k=a1b2-c3d4&lang=en"),
            "https://h/v1/x?k=[REDACTED]&lang=en");
  EXPECT_EQ(Redact("https://h/v1/x?k=a1b2-c3d4"),
            "https://h/v1/x?k=[REDACTED]");
  EXPECT_EQ(Redact("/a1b2-c3d4/"), "/[REDACTED]/");
  // Non-ASCII (UTF-8 bytes >= 0x80) is not a token character.
  EXPECT_EQ(Redact("\xC3\xA9"
                   "a1b2-c3d4\xC3\xA9"),
            "\xC3\xA9[REDACTED]\xC3\xA9");
}

TEST(SecretRedactionTest, EveryOccurrenceIsRedacted) {
  EXPECT_EQ(Redact("a1b2-c3d4,a1b2-c3d4 a1b2-c3d4"),
            "[REDACTED],[REDACTED] [REDACTED]");
}

TEST(SecretRedactionTest, WordContainingTheKeyIsLeftAlone) {
  for (const std::string text :
       {"xa1b2-c3d4", "a1b2-c3d4x", "a1b2-c3d45", "_a1b2-c3d4", "a1b2-c3d4-",
        "-a1b2-c3d4", "za1b2-c3d4z"}) {
    EXPECT_EQ(Redact(text), text);
    EXPECT_FALSE(ContainsSecretToken(text, {kKey})) << text;
    EXPECT_TRUE(ContainsSecretSubstring(text, {kKey})) << text;
  }
  // A short everyday word as a secret leaves longer words intact.
  EXPECT_EQ(RedactSecretTokens("tracking tracks track", {"track"}),
            "tracking tracks [REDACTED]");
}

TEST(SecretRedactionTest, EmbeddedAndStandaloneInOneText) {
  EXPECT_EQ(Redact("xa1b2-c3d4 a1b2-c3d4 a1b2-c3d4x"),
            "xa1b2-c3d4 [REDACTED] a1b2-c3d4x");
  // A rejected occurrence does not hide an overlapping later one.
  EXPECT_EQ(RedactSecretTokens("aaaa-aaaa-aaaa", {"aaaa-aaaa"}),
            "aaaa-aaaa-aaaa");
  EXPECT_EQ(RedactSecretTokens("xaaaa aaaa", {"aaaa"}), "xaaaa [REDACTED]");
}

TEST(SecretRedactionTest, BoundaryOnlyCheckedAtTokenCharacterEnds) {
  // Base64 padding: the secret's own last character is a separator.
  EXPECT_EQ(RedactSecretTokens("tok=dGVzdA==x", {"dGVzdA=="}),
            "tok=[REDACTED]x");
  EXPECT_EQ(RedactSecretTokens("xdGVzdA==", {"dGVzdA=="}), "xdGVzdA==");
  // An e-mail (the webhook HMAC key).
  EXPECT_EQ(RedactSecretTokens("from ops@example.com.", {"ops@example.com"}),
            "from [REDACTED].");
}

TEST(SecretRedactionTest, SeveralSecretsAndEmptyOnesIgnored) {
  EXPECT_EQ(RedactSecretTokens("one-secret two-secret",
                               {"", "one-secret", "two-secret"}),
            "[REDACTED] [REDACTED]");
  EXPECT_EQ(RedactSecretTokens("text", {""}), "text");
  EXPECT_FALSE(ContainsSecretToken("text", {""}));
  EXPECT_FALSE(ContainsSecretSubstring("text", {""}));
}

TEST(CheckSecretTest, AcceptsRealisticKeys) {
  EXPECT_TRUE(
      CheckSecret("the key", "8c5b4ee0-8bd5-4f1c-9e52-3b7c1a2d9f00").ok());
  EXPECT_TRUE(CheckSecret("the key", "test-key").ok());  // 8 characters
}

TEST(CheckSecretTest, RejectsShortEmptyAndWhitespaceWithoutPrintingTheValue) {
  const absl::Status short_key = CheckSecret("the API key", "abc1234");
  EXPECT_EQ(short_key.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(short_key.message()),
              HasSubstr("the API key is shorter than 8 characters"));
  EXPECT_THAT(std::string(short_key.message()), Not(HasSubstr("abc1234")));

  EXPECT_EQ(CheckSecret("the API key", "").code(),
            absl::StatusCode::kInvalidArgument);
  const absl::Status spaced = CheckSecret("the token", "abcd efgh ijkl");
  EXPECT_EQ(spaced.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(spaced.message()), Not(HasSubstr("abcd")));
  EXPECT_EQ(CheckSecret("k", "abcdefgh\r\nX-Injected: 1").code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace tracktry
