// Copyright 2026 The tracktry-grpc Authors.
#include "service/translation/page_token.h"

#include <string>

#include "absl/strings/escaping.h"
#include "common/error_details.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace tracktry {
namespace {

using ::testing::HasSubstr;
using ::tracktry::testing::IsOk;
using ::tracktry::testing::StatusIs;

v1::ListTrackingsRequest Filters() {
  v1::ListTrackingsRequest r;
  r.set_status(v1::TRACKING_STATUS_TRANSIT);
  r.mutable_create_time_min()->set_seconds(1441314361);
  r.add_tracking_numbers("LX123445678CN");
  r.add_tracking_numbers("LX456789123CN");
  r.set_archived(false);
  r.set_lang("en");
  return r;
}

void ExpectPageTokenError(const absl::Status& status,
                          const std::string& message_part) {
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kInvalidArgument,
                               HasSubstr(message_part)));
  const auto bad_request = GetBadRequest(status);
  ASSERT_TRUE(bad_request.has_value());
  ASSERT_EQ(bad_request->field_violations_size(), 1);
  EXPECT_EQ(bad_request->field_violations(0).field(), "page_token");
}

TEST(PageTokenTest, RoundTripKeepsState) {
  const PageTokenState state{7, 250, 0x0123456789abcdefULL};
  const std::string token = EncodePageToken(state);
  EXPECT_EQ(token.size(), 44u);
  EXPECT_EQ(token.find_first_not_of(
                "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                "0123456789-_"),
            std::string::npos);
  const auto decoded = DecodePageToken(token, 0x0123456789abcdefULL);
  ASSERT_THAT(decoded, IsOk());
  EXPECT_EQ(decoded->page, 7);
  EXPECT_EQ(decoded->page_size, 250);
  EXPECT_EQ(decoded->filter_fingerprint, 0x0123456789abcdefULL);
}

TEST(PageTokenTest, RoundTripWithRealFingerprint) {
  const uint64_t fingerprint = ListFilterFingerprint(Filters());
  const auto decoded =
      DecodePageToken(EncodePageToken({2, 100, fingerprint}), fingerprint);
  ASSERT_THAT(decoded, IsOk());
  EXPECT_EQ(decoded->page, 2);
}

TEST(PageTokenTest, EncodingIsDeterministic) {
  EXPECT_EQ(EncodePageToken({3, 10, 99}), EncodePageToken({3, 10, 99}));
  EXPECT_NE(EncodePageToken({3, 10, 99}), EncodePageToken({4, 10, 99}));
}

TEST(PageTokenTest, EveryTamperedCharacterIsRejected) {
  const std::string token = EncodePageToken({5, 100, 42});
  for (size_t i = 0; i < token.size(); ++i) {
    std::string tampered = token;
    tampered[i] = tampered[i] == 'A' ? 'B' : 'A';
    EXPECT_FALSE(DecodePageToken(tampered, 42).ok()) << "position " << i;
  }
}

TEST(PageTokenTest, ReEncodedPayloadWithoutChecksumIsRejected) {
  // A caller editing the page number without fixing the checksum.
  std::string bytes;
  ASSERT_TRUE(
      absl::WebSafeBase64Unescape(EncodePageToken({5, 100, 42}), &bytes));
  bytes[1] = 9;
  ExpectPageTokenError(
      DecodePageToken(absl::WebSafeBase64Escape(bytes), 42).status(),
      "malformed page token");
}

TEST(PageTokenTest, GarbageIsRejected) {
  for (const char* token :
       {"", "x", "not a token", "!!!!", "AAAA",
        "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "eyJwYWdlIjoyfQ"}) {
    ExpectPageTokenError(DecodePageToken(token, 0).status(),
                         "malformed page token");
  }
  ExpectPageTokenError(DecodePageToken(std::string(10000, 'A'), 0).status(),
                       "malformed page token");
  // Padding or a changed alphabet is not the canonical spelling.
  const std::string token = EncodePageToken({2, 10, 1});
  EXPECT_FALSE(DecodePageToken(token + "=", 1).ok());
}

TEST(PageTokenTest, InvalidStateIsRejected) {
  ExpectPageTokenError(DecodePageToken(EncodePageToken({0, 10, 1}), 1).status(),
                       "malformed page token");
  ExpectPageTokenError(
      DecodePageToken(EncodePageToken({-3, 10, 1}), 1).status(),
      "malformed page token");
  ExpectPageTokenError(DecodePageToken(EncodePageToken({2, -1, 1}), 1).status(),
                       "malformed page token");
}

TEST(PageTokenTest, FingerprintMismatchIsRejected) {
  const uint64_t fingerprint = ListFilterFingerprint(Filters());
  v1::ListTrackingsRequest changed = Filters();
  changed.set_lang("de");
  const auto decoded = DecodePageToken(EncodePageToken({2, 100, fingerprint}),
                                       ListFilterFingerprint(changed));
  ExpectPageTokenError(decoded.status(), "does not match the request filters");
}

TEST(PageTokenTest, FingerprintIgnoresPagingFields) {
  v1::ListTrackingsRequest paged = Filters();
  paged.set_page_size(500);
  paged.set_page_token("previous-token");
  EXPECT_EQ(ListFilterFingerprint(paged), ListFilterFingerprint(Filters()));
}

// The view says how much of each tracking to return, not which trackings:
// a caller may switch it between pages.
TEST(PageTokenTest, FingerprintIgnoresTheView) {
  v1::ListTrackingsRequest full = Filters();
  full.set_view(v1::TRACKING_VIEW_FULL);
  EXPECT_EQ(ListFilterFingerprint(full), ListFilterFingerprint(Filters()));
  const auto decoded = DecodePageToken(
      EncodePageToken({2, 100, ListFilterFingerprint(Filters())}),
      ListFilterFingerprint(full));
  EXPECT_TRUE(decoded.ok()) << decoded.status();
}

TEST(PageTokenTest, FingerprintSeesEveryFilter) {
  const uint64_t base = ListFilterFingerprint(Filters());
  const auto differs = [&](auto mutate) {
    v1::ListTrackingsRequest r = Filters();
    mutate(r);
    return ListFilterFingerprint(r) != base;
  };
  using R = v1::ListTrackingsRequest;
  EXPECT_TRUE(differs([](R& r) { r.set_status(v1::TRACKING_STATUS_PENDING); }));
  EXPECT_TRUE(differs([](R& r) { r.mutable_create_time_min()->set_nanos(1); }));
  EXPECT_TRUE(
      differs([](R& r) { r.mutable_create_time_max()->set_seconds(1); }));
  EXPECT_TRUE(differs([](R& r) { r.mutable_update_time_min(); }));
  EXPECT_TRUE(differs([](R& r) { r.mutable_update_time_max(); }));
  EXPECT_TRUE(differs([](R& r) { r.mutable_order_create_time_min(); }));
  EXPECT_TRUE(differs([](R& r) { r.mutable_order_create_time_max(); }));
  EXPECT_TRUE(differs([](R& r) { r.add_tracking_numbers("X"); }));
  EXPECT_TRUE(differs([](R& r) { r.add_order_ids("1"); }));
  EXPECT_TRUE(differs([](R& r) { r.set_archived(true); }));
  EXPECT_TRUE(differs([](R& r) { r.clear_archived(); }));
  EXPECT_TRUE(differs([](R& r) { r.set_lang("fr"); }));
  // Order of repeated values matters (it is a different request).
  EXPECT_TRUE(
      differs([](R& r) { r.mutable_tracking_numbers()->SwapElements(0, 1); }));
}

TEST(PageTokenTest, FingerprintIsStable) {
  // Pinned: FNV-1a-64 of the empty serialization is the offset basis, so a
  // change of hash function or serialization shows up here.
  EXPECT_EQ(ListFilterFingerprint(v1::ListTrackingsRequest()),
            0xcbf29ce484222325ULL);
  v1::ListTrackingsRequest lang;
  lang.set_lang("en");
  // Serialization: field 13, wire type 2 -> tag 0x6a, length 2, "en".
  uint64_t expected = 0xcbf29ce484222325ULL;
  for (unsigned char c : std::string("\x6a\x02"
                                     "en")) {
    expected ^= c;
    expected *= 0x100000001b3ULL;
  }
  EXPECT_EQ(ListFilterFingerprint(lang), expected);
}

}  // namespace
}  // namespace tracktry
